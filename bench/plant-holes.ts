/**
 * Benchmark (a script, not a test): what planting faults costs `npm run prove`. The holes this script used to
 * plant by hand are data now: each control in data/security.yaml lists the faults its tests must catch
 * (`proof.faults`), and `npm run prove` plants every one into a copy of the repository and fails the proof
 * when its tests still pass. This times `bun scripts/prove.ts` on this repository without planting
 * (`--no-faults`), with it (the faults of two records at once in two copies, the default), and with one copy
 * (`--fault-jobs 1`), and prints each fault's outcome and time from the results. Runs are sequential and cold
 * (.cache/prove/ removed first); the 2-core machine is shared and noisy, so read the spread.
 *
 *   bun bench/plant-holes.ts                 every mode once
 *   BENCH_RUNS=3 MODES=faults,jobs1 bun bench/plant-holes.ts
 *
 * Exit 0 when every run with faults caught every fault, 1 otherwise.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { readProveResults } from "../src/core/model/proof.ts";

const REPO = join(import.meta.dir, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const MODES: Record<string, string[]> = { "no-faults": ["--no-faults"], faults: [], jobs1: ["--fault-jobs", "1"] };
const wanted = (process.env.MODES?.split(",") ?? Object.keys(MODES)).filter((m) => m in MODES);
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "" };
const seconds = (ms: number) => (ms / 1000).toFixed(1);

let missed = 0;
const walls = new Map<string, number[]>();
for (let i = 0; i < RUNS; i++) {
  for (const mode of wanted) {
    rmSync(join(REPO, ".cache/prove"), { recursive: true, force: true });
    const started = performance.now();
    const p = Bun.spawnSync([process.execPath, "scripts/prove.ts", ...MODES[mode]!], { cwd: REPO, env, stdout: "ignore", stderr: "pipe" });
    const wall = performance.now() - started;
    (walls.get(mode) ?? walls.set(mode, []).get(mode)!).push(wall);
    const cpu = p.resourceUsage ? (Number(p.resourceUsage.cpuTime.user) + Number(p.resourceUsage.cpuTime.system)) / 1000 : NaN;
    const faultLine = /^faults: .*$/m.exec(p.stderr.toString())?.[0] ?? "faults: (no summary line)";
    console.log(
      `${mode.padEnd(9)} run ${i + 1}: exit ${p.exitCode}, ${seconds(wall)} s wall, ${seconds(cpu)} s CPU of this process; ${faultLine}`,
    );
    if (mode === "no-faults") continue;
    const results = readProveResults(REPO);
    for (const r of results?.records ?? []) {
      for (const f of r.faults ?? []) {
        if (f.state !== "caught") missed++;
        if (i === 0 && mode === wanted.find((m) => m !== "no-faults")) {
          const where = f.state === "caught" ? `${f.failures.length} failed in ${f.variants.join(", ") || "no variant"}` : (f.reason ?? "");
          console.log(`    ${f.state.padEnd(6)} ${`${r.name} / ${f.id}`.padEnd(52)} ${f.duration.toFixed(1).padStart(5)} s  ${where}`);
        }
      }
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [mode, xs] of walls)
  console.log(
    `npm run prove ${MODES[mode]!.join(" ") || "(faults planted)"}: median ${seconds(median(xs))} s over ${xs.length} run(s), min ${seconds(Math.min(...xs))} s, max ${seconds(Math.max(...xs))} s`,
  );
process.exitCode = missed ? 1 : 0;
