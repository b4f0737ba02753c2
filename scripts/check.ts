/** npm run check: validate records, freshness of generated files, table lint. Exit 1 on any error. */
import { parseCliArgs, report } from "../src/core/report.ts";
import { runCheck } from "../src/core/run-check.ts";

const args = parseCliArgs(process.argv.slice(2));
const started = performance.now();
const result = await runCheck(process.cwd());
report(result.diagnostics, { ...args, texts: result.texts });
if (args.format === "text" && result.ok) {
  const n = Object.values(result.model.records).reduce((s, l) => s + l.length, 0);
  process.stderr.write(`check: ${n} records, generated files fresh, tables lint clean (${Math.round(performance.now() - started)} ms)\n`);
}
process.exit(result.ok ? 0 : 1);
