/**
 * Benchmark (a script, not a test): `bun bench/prove.ts`.
 *
 * Times `npm run prove` (bun scripts/prove.ts) on this repository, spawn to exit, with CPU time:
 *
 *  1. cold: .cache/prove/ removed, every proof runs (`--all` would do the same);
 *  2. nothing changed: every proof is fresh, nothing runs (the cost of hashing each proof's inputs and
 *     reading the module graph);
 *  3. one record's test file edited (a comment appended to test/behaviour/variants-run.test.ts, the proof of
 *     "Build variants run"): only the proofs whose inputs include it run again. The criterion "TypeScript
 *     compilation" declares test/ as an input (tsc reads every test file), so it runs again too.
 *
 * The edit is undone afterwards (also on failure). The 2-core machine is shared and noisy: read the spread.
 *
 *   BENCH_RUNS=3 bun bench/prove.ts
 *   BENCH_COLD=0 bun bench/prove.ts     # only the incremental runs
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readProveResults } from "../src/core/model/proof.ts";

const REPO = join(import.meta.dir, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
/** BENCH_COLD=0: keep .cache/prove/ and time only the incremental runs (after one run that settles it). */
const COLD = process.env.BENCH_COLD !== "0";
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "" };
const EDITED = join(REPO, "test/behaviour/variants-run.test.ts");

function prove(label: string): number {
  const started = performance.now();
  const p = Bun.spawnSync([process.execPath, "scripts/prove.ts"], { cwd: REPO, env, stdout: "ignore", stderr: "pipe" });
  const wall = performance.now() - started;
  const cpu = (Number(p.resourceUsage.cpuTime.user) + Number(p.resourceUsage.cpuTime.system)) / 1000;
  const results = readProveResults(REPO);
  const ran = results?.records.filter((r) => r.provedAt === results.generatedAt) ?? [];
  const tests = ran.reduce((s, r) => s + r.matched, 0);
  console.log(
    `${label}: exit ${p.exitCode}, ${(wall / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU; ran ${ran.length} of ${results?.records.length ?? 0} proofs (${tests} selected tests)${ran.length && ran.length < 6 ? `: ${ran.map((r) => r.name).join(", ")}` : ""}`,
  );
  if (p.exitCode !== 0)
    console.log(
      p.stderr
        .toString()
        .split("\n")
        .filter((l) => / (error|warning) /.test(l))
        .slice(0, 10)
        .join("\n"),
    );
  return wall;
}

const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]! / 1000;
const original = readFileSync(EDITED, "utf8");
const rows: [string, number[]][] = [
  ["cold (all proofs)", []],
  ["nothing changed", []],
  ["one test file edited", []],
];
try {
  for (let i = 0; i < RUNS; i++) {
    if (COLD) {
      rmSync(join(REPO, ".cache/prove"), { recursive: true, force: true });
      rows[0]![1].push(prove(`run ${i + 1} cold`));
    } else if (i === 0) prove("settle (whatever is stale)");
    rows[1]![1].push(prove(`run ${i + 1} nothing changed`));
    writeFileSync(EDITED, `${original}// edited by bench/prove.ts run ${i + 1}\n`);
    rows[2]![1].push(prove(`run ${i + 1} one test file edited`));
    writeFileSync(EDITED, original);
  }
} finally {
  writeFileSync(EDITED, original);
}
const load = (
  await Bun.file("/proc/loadavg")
    .text()
    .catch(() => "?")
).split(" ")[0];
console.log(`npm run prove, median of ${RUNS} (load ${load}, ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}):`);
for (const [name, t] of rows) if (t.length) console.log(`  ${name.padEnd(22)} ${median(t).toFixed(1)} s`);
