/** npm run check: validate records, freshness of generated files, table lint. Exit 1 on any error. */
import { fingerprint, readCachedCheck, writeCachedCheck } from "../src/core/cache/check-cache.ts";
import { parseCliArgs, report } from "../src/core/report/report.ts";

const started = performance.now();
const argv = process.argv.slice(2);
const options = parseCliArgs(argv, ["--no-cache"]);
const useCache = !options.flags.has("--no-cache");
const root = process.cwd();
const elapsed = () => `${Math.round(performance.now() - started)} ms`;
const print = useCache ? fingerprint(root, JSON.stringify(argv)) : "";

// The cached path imports nothing heavy: the checker (zod, yaml, remark) loads only on a miss.
// No process.exit: the process ends once stdout and stderr have drained, so every diagnostic reaches a pipe.
const cached = useCache ? readCachedCheck(root, print) : undefined;
if (cached) {
  if (options.format === "json") process.stdout.write("[]\n");
  else process.stderr.write(`check: ${cached.records} records, generated files fresh, tables lint clean (${elapsed()}, unchanged since the last clean check)\n`);
  process.exitCode = 0;
} else {
  const { runCheck } = await import("../src/core/check.ts");
  const { PARSE_CACHE_DIR } = await import("../src/core/cache/parse-cache.ts");
  const result = runCheck(root, useCache ? { cacheDir: PARSE_CACHE_DIR } : {});
  report(result.diagnostics, { ...options, texts: result.texts });
  if (result.ok) {
    const records = Object.values(result.model.records).reduce((s, l) => s + l.length, 0);
    if (useCache) writeCachedCheck(root, { fingerprint: print, records });
    if (options.format === "text") process.stderr.write(`check: ${records} records, generated files fresh, tables lint clean (${elapsed()})\n`);
  }
  process.exitCode = result.ok ? 0 : 1;
}
