/**
 * npm run generate: write the registry, the JSON Schemas and the other generated files, atomically and only
 * when their content changed. Writes nothing when any record is wrong (exit 1); exit 2 on a usage error.
 *
 *   bun scripts/generate.ts [--format text|json | --json] [--no-cache]
 */
import { runCheck } from "../core/check.ts";
import { writeGenerated } from "../core/emit/generated-files.ts";
import { report } from "../core/report/report.ts";
import { argsOrExit, FORMAT_OPTIONS, outputOptions, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const GENERATE: CommandSpec = {
  usage: "bun scripts/generate.ts [--format text|json] [--no-cache]",
  options: {
    ...FORMAT_OPTIONS.options,
    "--no-cache": { help: "parse every data file and lint every page afresh" },
  },
  aliases: FORMAT_OPTIONS.aliases,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, GENERATE, io);
  if (typeof args === "number") return args;
  const output = outputOptions(args, io);
  const root = io.cwd;
  const result = runCheck(root, { freshness: false, cache: !args.flags.has("--no-cache") });
  report(result.diagnostics, { ...output, texts: result.texts, stdout: io.stdout, stderr: io.stderr });
  if (!result.ok || !result.generated) {
    io.stderr("generate: nothing written\n");
    return 1;
  }
  const written = writeGenerated(root, result.generated);
  if (output.format === "text") {
    io.stderr(written.length ? `generate: wrote ${written.join(", ")}\n` : `generate: ${result.generated.size} files already up to date\n`);
  }
  return 0;
}
