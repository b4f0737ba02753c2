/**
 * Benchmark (a script, not a test): `bun bench/prove.ts`.
 *
 * Times the whole `npm run prove` (bun scripts/prove.ts) on this repository, cold: .cache/prove/ is removed
 * first, so nothing is remembered; the named test files (the behaviour suites that build and start every
 * variant, and the criteria's tests) run once in one `bun test` process. Timed from spawn to exit, with CPU
 * time; the 2-core machine is shared and noisy, so read the spread.
 *
 *   BENCH_RUNS=3 bun bench/prove.ts
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { readProveResults } from "../src/core/model/proof.ts";

const REPO = join(import.meta.dir, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "" };

const walls: number[] = [];
for (let i = 0; i < RUNS; i++) {
  rmSync(join(REPO, ".cache/prove"), { recursive: true, force: true });
  const started = performance.now();
  const p = Bun.spawnSync([process.execPath, "scripts/prove.ts"], { cwd: REPO, env, stdout: "ignore", stderr: "pipe" });
  const wall = performance.now() - started;
  walls.push(wall);
  const cpu = p.resourceUsage ? (Number(p.resourceUsage.cpuTime.user) + Number(p.resourceUsage.cpuTime.system)) / 1000 : NaN;
  const results = readProveResults(REPO);
  const tests = results?.records.reduce((s, r) => s + r.matched, 0) ?? 0;
  console.log(`run ${i + 1}: exit ${p.exitCode}, ${(wall / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU, ${results?.records.length ?? 0} records, ${tests} selected tests`);
}
walls.sort((a, b) => a - b);
console.log(`npm run prove (cold): median ${(walls[Math.floor(walls.length / 2)]! / 1000).toFixed(1)} s over ${RUNS} run(s), min ${(walls[0]! / 1000).toFixed(1)} s, max ${(walls.at(-1)! / 1000).toFixed(1)} s`);
