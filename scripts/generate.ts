/** npm run generate: write the registry and JSON Schemas, atomically and only when changed. Writes nothing on error. */
import { parseCliArgs, report } from "../src/core/report/report.ts";
import { writeGenerated } from "../src/core/emit/generated-files.ts";
import { PARSE_CACHE_DIR } from "../src/core/cache/parse-cache.ts";
import { runCheck } from "../src/core/check.ts";

const args = parseCliArgs(process.argv.slice(2), ["--no-cache"]);
const root = process.cwd();
const result = runCheck(root, { freshness: false, ...(args.flags.has("--no-cache") ? {} : { cacheDir: PARSE_CACHE_DIR }) });
report(result.diagnostics, { ...args, texts: result.texts });
// No process.exit: the process ends once stdout and stderr have drained, so every diagnostic reaches a pipe.
if (!result.ok || !result.generated) {
  process.stderr.write("generate: nothing written\n");
  process.exitCode = 1;
} else {
  const written = writeGenerated(root, result.generated);
  if (args.format === "text") {
    process.stderr.write(written.length ? `generate: wrote ${written.join(", ")}\n` : `generate: ${result.generated.size} files already up to date\n`);
  }
}
