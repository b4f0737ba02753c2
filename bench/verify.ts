/**
 * Benchmark (a script, not a test): `bun bench/verify.ts`.
 *
 * Side by side, interleaved so both see the same machine load:
 *  - the whole `npm run verify` (bun scripts/verify.ts): 8 variants, every flag added and left out per
 *    variant, probe builds, raw/gzip/brotli, proofs, results and dist written. "cold" deletes the
 *    content-hash caches first: every toggle is built, every bundle compressed, the sources parsed.
 *    "warm" keeps them, as on a second run with unchanged inputs: the 8 variants and 8 probe builds still
 *    run and every proof is made again, but toggle sizes, compressed sizes and the source analysis are
 *    reused by content hash.
 *  - size-limit 14 with @size-limit/file measuring only the brotli size of the same 8 outputs, through its
 *    CLI with a generated .size-limit.json, run by the same Bun (size-limit needs Node >= 22; this machine
 *    has Node 20).
 * Both are whole processes timed from spawn to exit. Targets: verify under 5 s, at most 3x size-limit.
 * The 2-core machine is shared and noisy: read the spread, and CPU time as well as wall time.
 *
 *   BENCH_RUNS=7 bun bench/verify.ts
 */
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { readVerifyResults } from "../src/verify/results-file.ts";
import { STORE_DIR } from "../src/core/cache/store.ts";
import { sizeLimitProject } from "./size-limit-project.ts";

const REPO = join(import.meta.dir, "..");
const WORK = join(REPO, "bench/.work/verify");
const PROJECT = join(WORK, "project");
const SIZE_LIMIT = join(WORK, "size-limit");
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: "" };

interface Sample {
  wall: number;
  cpu: number;
}

/** Wall time from spawn to exit, and the child's CPU time (user + system). */
function run(cmd: string[], cwd: string): Sample & { stdout: string } {
  const t = performance.now();
  const p = Bun.spawnSync(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const wall = performance.now() - t;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}:\n${p.stderr.toString().slice(0, 3000)}`);
  const usage = p.resourceUsage;
  const cpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 : NaN;
  return { wall, cpu, stdout: p.stdout.toString() };
}

// A copy of the project, so the benchmark writes dist/ and .cache/ there and not in the repository.
rmSync(WORK, { recursive: true, force: true });
mkdirSync(PROJECT, { recursive: true });
for (const p of ["data", "src", "package.json", ".github"]) cpSync(join(REPO, p), join(PROJECT, p), { recursive: true });
// The packages, linked one by one: node_modules/.cache (the content caches) stays the copy's own (a cache
// reached through a link out of the project is never written).
mkdirSync(join(PROJECT, "node_modules"));
for (const name of readdirSync(join(REPO, "node_modules")))
  if (name !== ".cache") symlinkSync(join(REPO, "node_modules", name), join(PROJECT, "node_modules", name));

const verify = [BUN, join(REPO, "scripts/verify.ts")];
const caches = ["verify-sizes", "verify-flag-sets", "verify-analysis"].map((f) => join(PROJECT, STORE_DIR, `${f}.json`));
run(verify, PROJECT); // produces the 8 outputs size-limit measures, and warms the disk cache of the OS

const results = readVerifyResults(PROJECT)!;
const sizeLimit = sizeLimitProject(REPO, PROJECT, SIZE_LIMIT, results);

const samples = { cold: [] as Sample[], warm: [] as Sample[], sizeLimit: [] as Sample[] };
let sizeLimitOut = "";
for (let i = 0; i < RUNS; i++) {
  for (const c of caches) rmSync(c, { recursive: true, force: true });
  samples.cold.push(run(verify, PROJECT));
  const s = run(sizeLimit, SIZE_LIMIT);
  sizeLimitOut = s.stdout;
  samples.sizeLimit.push(s);
  samples.warm.push(run(verify, PROJECT));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stat = (list: Sample[]) => {
  const walls = list.map((s) => s.wall).sort((a, b) => a - b);
  return { wall: median(walls), min: walls[0]!, max: walls[walls.length - 1]!, cpu: median(list.map((s) => s.cpu)) };
};
const cold = stat(samples.cold);
const warm = stat(samples.warm);
const sl = stat(samples.sizeLimit);
const ms = (x: number) => `${x.toFixed(0)} ms`;
const row = (name: string, s: ReturnType<typeof stat>) =>
  `${name.padEnd(44)} ${ms(s.wall).padStart(8)}  (min ${ms(s.min)}, max ${ms(s.max)}; cpu ${ms(s.cpu)})`;

// The same bytes measured by both: size-limit's brotli must equal verify's.
const slSizes = new Map((JSON.parse(sizeLimitOut) as { name: string; size: number }[]).map((x) => [x.name, x.size]));
const fresh = readVerifyResults(PROJECT)!;
const agree = fresh.variants.every((v) => slSizes.get(v.name) === v.bytes.brotli);

const lines = [
  `verify benchmark: ${RUNS} interleaved runs, Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores (median wall; spread; median CPU)`,
  "",
  row("verify, cold (no caches)", cold),
  row("verify, warm (caches by content hash)", warm),
  row("size-limit CLI, brotli of the same 8 files", sl),
  "",
  `ratio verify/size-limit: cold ${(cold.wall / sl.wall).toFixed(2)}x, warm ${(warm.wall / sl.wall).toFixed(2)}x (target <= 3x)`,
  `verify under 5 s: cold ${cold.wall < 5000 ? "yes" : "NO"}, warm ${warm.wall < 5000 ? "yes" : "NO"}`,
  `brotli sizes agree with size-limit for all ${fresh.variants.length} variants: ${agree ? "yes" : "NO"}`,
  `verify work per run: ${fresh.variants.length} variant builds + ${fresh.variants.length} probe builds + ${fresh.flags.reduce((n, f) => n + f.addOne.length + f.leaveOneOut.length, 0)} flag toggles (deduplicated before building)`,
];
process.stdout.write(`${lines.join("\n")}\n`);
