/**
 * npm run prove: runs the tests security controls and success criteria name as their proof (data, never a
 * command), records what passed per record in .cache/prove/results.json and holds statuses to it.
 * Only the proofs whose inputs changed since their last run are run again (each proof has its own
 * fingerprint); the fresh results of the others are kept. `--all` runs every proof.
 * Exit 0 when every proof passed and every claim follows it (warnings allowed), 1 otherwise,
 * 2 on a usage error.
 *
 *   bun scripts/prove.ts [--all] [--format text|json | --json]
 */
import { report } from "../core/report/report.ts";
import { argsOrExit, FORMAT_OPTIONS, outputOptions, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const PROVE: CommandSpec = {
  usage: "bun scripts/prove.ts [--all] [--format text|json]",
  options: { ...FORMAT_OPTIONS.options, "--all": { help: "run every proof, also those whose results are fresh for their inputs" } },
  aliases: FORMAT_OPTIONS.aliases,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const started = performance.now();
  const args = argsOrExit(argv, PROVE, io);
  if (typeof args === "number") return args;
  const output = outputOptions(args, io);
  const { runProve } = await import("../prove/prove.ts");
  const result = await runProve(io.cwd, { bun: process.execPath, env: io.env, all: args.flags.has("--all") });
  if (result.testOutput && output.format === "text") io.stderr(`${result.testOutput.trimEnd().split("\n").slice(-20).join("\n")}\n\n`);
  report(result.diagnostics, { ...output, texts: result.texts, stdout: io.stdout, stderr: io.stderr });
  if (output.format === "text" && result.results) {
    const r = result.results.records;
    const passed = r.filter((p) => p.failed === 0 && p.passed > 0).length;
    const tests = r.reduce((s, p) => s + p.matched, 0);
    const kept = result.kept ? `; ran ${result.ran}, kept ${result.kept} fresh from the last run` : "";
    io.stderr(`prove: ${r.length} records, ${passed} proven, ${r.length - passed} not (${tests} tests${kept}; ${Math.round(performance.now() - started)} ms)\n`);
  }
  return result.ok ? 0 : 1;
}
