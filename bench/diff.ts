/**
 * Benchmark (a script, not a test): `bun bench/diff.ts`.
 *
 * `npm run diff --base HEAD~1` (bun scripts/diff.ts) on this repository, beside size-limit on the same
 * variants, interleaved so all see the same machine load:
 *  - cold: no content caches and no stored base (node_modules/.cache of the copy emptied): both sides
 *    build every variant, every toggle and every probe; the base is checked out in a temporary worktree.
 *  - base rebuilt, content caches warm: the stored base snapshot removed, the content caches kept, as on
 *    the first diff after a new base: the base is checked out and measured again, reading the head's caches
 *    (only what differs from the head is built).
 *  - warm: a second diff against the same base: the head's variants and probes build (they always do),
 *    the base comes from the snapshot cache (no worktree, no build).
 *  - size-limit 14 with @size-limit/file, brotli of the head's 8 outputs (what it can say about one side).
 * The copy is a `git clone` of this repository (the last commit; uncommitted work is not in it) with the
 * packages linked one by one, so its node_modules/.cache is its own and the repository's caches are untouched.
 *
 *   BENCH_RUNS=5 bun bench/diff.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { STORE_DIR } from "../src/core/cache/store.ts";
import { readVerifyResults } from "../src/verify/results-file.ts";
import { sizeLimitProject } from "./size-limit-project.ts";

const REPO = join(import.meta.dir, "..");
const WORK = join(REPO, "bench/.work/diff");
const PROJECT = join(WORK, "project");
const SIZE_LIMIT = join(WORK, "size-limit");
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: "", NO_COLOR: "1" };

interface Sample {
  wall: number;
  cpu: number;
}

function run(cmd: string[], cwd: string): Sample & { stdout: string; stderr: string } {
  const t = performance.now();
  const p = Bun.spawnSync(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const wall = performance.now() - t;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}:\n${p.stderr.toString().slice(0, 3000)}`);
  const usage = p.resourceUsage;
  const cpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 : NaN;
  return { wall, cpu, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const clone = Bun.spawnSync(["git", "clone", "--quiet", "--no-hardlinks", "--", REPO, PROJECT], { stdout: "pipe", stderr: "pipe" });
if (clone.exitCode !== 0) throw new Error(`git clone: ${clone.stderr.toString()}`);
mkdirSync(join(PROJECT, "node_modules"));
for (const name of readdirSync(join(REPO, "node_modules")))
  if (name !== ".cache") symlinkSync(join(REPO, "node_modules", name), join(PROJECT, "node_modules", name));

const diff = [BUN, join(REPO, "scripts/diff.ts"), "--base", "HEAD~1", "--format", "json"];
const caches = join(PROJECT, STORE_DIR);
/** Removes the stored base snapshots (the store's entries holding one), keeping every other entry. */
const forgetBases = () => {
  for (const name of readdirSync(caches))
    if (readFileSync(join(caches, name), "utf8").includes('"value":{"snapshot":')) rmSync(join(caches, name));
};

// size-limit measures files: the head's 8 outputs, from one verify of the copy.
run([BUN, join(REPO, "scripts/verify.ts")], PROJECT);
const results = readVerifyResults(PROJECT)!;
const sizeLimit = sizeLimitProject(REPO, PROJECT, SIZE_LIMIT, results);

const samples = { cold: [] as Sample[], rebuilt: [] as Sample[], warm: [] as Sample[], sizeLimit: [] as Sample[] };
let report: { variants: { name: string; after: { brotli: number } | null }[] } | undefined;
for (let i = 0; i < RUNS; i++) {
  rmSync(caches, { recursive: true, force: true });
  samples.cold.push(run(diff, PROJECT));
  samples.sizeLimit.push(run(sizeLimit, SIZE_LIMIT));
  forgetBases();
  samples.rebuilt.push(run(diff, PROJECT));
  const w = run(diff, PROJECT);
  samples.warm.push(w);
  report = JSON.parse(w.stdout);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stat = (list: Sample[]) => {
  const walls = list.map((s) => s.wall).sort((a, b) => a - b);
  return { wall: median(walls), min: walls[0]!, max: walls[walls.length - 1]!, cpu: median(list.map((s) => s.cpu)) };
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const row = (name: string, s: ReturnType<typeof stat>) =>
  `${name.padEnd(58)} ${ms(s.wall).padStart(8)}  (min ${ms(s.min)}, max ${ms(s.max)}; cpu ${ms(s.cpu)})`;
const sl = stat(samples.sizeLimit);
const slSizes = new Map((JSON.parse(run(sizeLimit, SIZE_LIMIT).stdout) as { name: string; size: number }[]).map((x) => [x.name, x.size]));
const agree = report!.variants.every((v) => v.after !== null && slSizes.get(v.name) === v.after.brotli);

const lines = [
  `diff benchmark: npm run diff --base HEAD~1 on this repository, ${RUNS} interleaved runs, Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores (median wall; spread; median CPU)`,
  "",
  row("diff, cold (no caches, base in a worktree)", stat(samples.cold)),
  row("diff, base rebuilt in a worktree, content caches warm", stat(samples.rebuilt)),
  row("diff, warm (base from the snapshot cache)", stat(samples.warm)),
  row("size-limit CLI, brotli of the head's 8 files (one side)", sl),
  "",
  `head brotli sizes agree with size-limit for all ${report!.variants.length} variants: ${agree ? "yes" : "NO"}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
