/**
 * npm run prove: runs the tests security controls and success criteria name as their proof (data, never a
 * command), plants the faults each proof lists into a copy of the repository and runs its tests again there
 * (a fault they do not catch fails the proof), records what passed per record in .cache/prove/results.json
 * and holds statuses to it. Only the proofs whose inputs changed since their last run are run again (each
 * proof has its own fingerprint); the fresh results of the others are kept. `--all` runs every proof.
 * Exit 0 when every proof ran and passed, every fault was caught and every claim follows them (warnings
 * allowed), 1 otherwise, 2 on a usage error.
 *
 *   bun scripts/prove.ts [--all] [--format text|json | --json] [--no-faults] [--fault-jobs N]
 */
import { report } from "../core/report/report.ts";
import { argsOrExit, FORMAT_OPTIONS, outputOptions, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";
import type { ProveOutcome } from "../prove/prove.ts";
import { plural } from "../core/text/plural.ts";

export const PROVE: CommandSpec = {
  usage: "bun scripts/prove.ts [--all] [--format text|json] [--no-faults] [--fault-jobs N]",
  options: {
    ...FORMAT_OPTIONS.options,
    "--all": { help: "run every proof, also those whose results are fresh for their inputs" },
    "--no-faults": { help: "run the proofs only, without planting their faults (quicker; a Done then stays unproven)" },
    "--fault-jobs": {
      value: "N",
      help: "plant the faults of N records at once, each in its own copy of the repository (default 2)",
      check: (v) => (/^[1-8]$/.test(v) ? undefined : `--fault-jobs takes a whole number from 1 to 8, not ${JSON.stringify(v)}`),
    },
  },
  aliases: FORMAT_OPTIONS.aliases,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const started = performance.now();
  const args = argsOrExit(argv, PROVE, io);
  if (typeof args === "number") return args;
  const output = outputOptions(args, io);
  const faults = !args.flags.has("--no-faults");
  const { runProve } = await import("../prove/prove.ts");
  const result = await runProve(io.cwd, {
    bun: process.execPath,
    env: io.env,
    all: args.flags.has("--all"),
    faults,
    faultJobs: Number(args.values.get("--fault-jobs") ?? 2),
  });
  if (result.testOutput && output.format === "text") io.stderr(`${result.testOutput.trimEnd().split("\n").slice(-20).join("\n")}\n\n`);
  report(result.diagnostics, { ...output, texts: result.texts, stdout: io.stdout, stderr: io.stderr });
  if (output.format === "text" && result.results) {
    const r = result.results.records;
    const passed = r.filter((p) => p.failed === 0 && p.passed > 0).length;
    const tests = r.reduce((s, p) => s + p.matched, 0);
    const kept = result.kept ? `; ran ${result.ran}, kept ${result.kept} fresh from the last run` : "";
    io.stderr(
      `prove: ${r.length} records, ${passed} proven, ${r.length - passed} not (${tests} tests${kept}; ${Math.round(performance.now() - started)} ms)\n`,
    );
  }
  if (output.format === "text") io.stderr(`${faultLine(result, faults)}\n`);
  return result.ok ? 0 : 1;
}

/** What planting did: "faults: 14 of 14 caught in 8 records (41.2 s)", or that it was skipped. */
function faultLine(result: ProveOutcome, planted: boolean): string {
  if (!planted) return "faults: not planted (--no-faults): a Done needs npm run prove with its faults planted";
  const p = result.planted;
  if (!p) return "faults: not planted (the proofs did not run)";
  const all = [...p.outcomes.values()].flat();
  const caught = all.filter((o) => o.state === "caught").length;
  const listed = all.length;
  return `faults: ${caught} of ${listed} caught in ${plural(p.outcomes.size, "record")} (${p.seconds.toFixed(1)} s)`;
}
