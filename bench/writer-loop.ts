/**
 * The writer's loop (a script, not a test): `bun bench/writer-loop.ts [--runs 10]`.
 *
 *   bun bench/writer-loop.ts [--runs 10] [--repo DIR] [--no-proofs]
 *
 * TAKEOFF_BYTECODE=0 in the environment times the bin loading its sources instead of its bytecode bundle.
 *
 * A writer edits one data file and runs `bun scripts/check.ts`. This copies the repository (without
 * node_modules/, .git/, outputs, caches and hidden scratch folders such as bench/.work/) into a temp folder, fills the caches with one clean check, then
 * per run rewrites data/roadmap.yaml (alternating between two contents, so every run sees a changed file)
 * and times the whole `bun scripts/check.ts` process, spawn to exit, output piped (wall time; the CPU time of
the process beside it, which a loaded machine inflates less):
 *
 *  - clean edit: a task's target date changes (the records stay valid, generated files stay fresh);
 *  - error edit: a task's status becomes a value the schema refuses (exit 1, one invalid-enum);
 *  - no edit: the inputs are unchanged since the last clean check (the verdict cache answers).
 *
 * The check runs from this repository (`bun <repo>/scripts/check.ts`, cwd = the copy), as the tests do, so
 * the copy needs no node_modules of its own and its caches land in <copy>/node_modules/.cache.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const argv = process.argv.slice(2);
const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
/** --repo DIR measures another checkout (say, an earlier commit unpacked with `git archive`, node_modules linked). */
const REPO = resolve(opt("--repo") ?? join(import.meta.dir, ".."));
const BUN = process.execPath;
const RUNS = Number(opt("--runs") ?? 10) || 10;
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_OPTIONS" && k !== "GITHUB_ACTIONS") env[k] = v;

const dir = mkdtempSync(join(tmpdir(), "writer-loop-"));
try {
  // The repository without its dependencies, outputs, caches and history. Tests and benches stay: proofs
  // name them and read their folders, so every proof whose inputs the edit leaves alone is judged fresh, input by
  // input, as in the writer's own checkout.
  const skip = new Set([".work", "node_modules", ".git", "dist", ".cache", ".astro"]);
  for (const name of readdirSync(REPO)) {
    if (!skip.has(name)) cpSync(join(REPO, name), join(dir, name), { recursive: true, filter: (src) => !skip.has(src.split("/").pop()!) });
  }
  // The results of the last npm run prove come along (when there are any), so check judges each proof's
  // freshness as it does for a writer who has proven: it re-hashes every input the results list.
  const results = join(REPO, ".cache/prove/results.json");
  const withProofs = existsSync(results) && !argv.includes("--no-proofs");
  if (withProofs) cpSync(results, join(dir, ".cache/prove/results.json"));
  const file = join(dir, "data/roadmap.yaml");
  const original = readFileSync(file, "utf8");
  const anchor =
    '- name: TypeScript + Bun configuration\n  type: Task\n  category: Core\n  domain: Build\n  scope: all\n  status: Done\n  phase: 1\n  target: "2026-01-15"';
  if (!original.includes(anchor)) throw new Error("data/roadmap.yaml changed: update the anchor in bench/writer-loop.ts");
  const edit = (from: string, to: string) => original.replace(anchor, anchor.replace(from, to));
  const clean = [edit('target: "2026-01-15"', 'target: "2026-01-14"'), edit('target: "2026-01-15"', 'target: "2026-01-13"')];
  const broken = [edit("status: Done", "status: Finished"), edit("status: Done", "status: Complete")];

  const check = (expect: number): { ms: number; cpu: number; stderr: string } => {
    const t = performance.now();
    const p = Bun.spawnSync([BUN, join(REPO, "scripts/check.ts")], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t;
    const stderr = p.stderr.toString();
    if (p.exitCode !== expect) throw new Error(`check exited ${p.exitCode}, expected ${expect}:\n${stderr.slice(0, 2000)}`);
    return { ms, cpu: Number(p.resourceUsage.cpuTime.total) / 1000, stderr };
  };
  const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
  type Times = { wall: number[]; cpu: number[] };
  const fmt = ({ wall, cpu }: Times) => {
    const s = [...wall].sort((a, b) => a - b);
    return `${median(wall).toFixed(0).padStart(4)} ms (min ${s[0]!.toFixed(0)}, max ${s.at(-1)!.toFixed(0)}); CPU ${median(cpu).toFixed(0)} ms`;
  };
  const loop = (contents: string[], expect: number, needle: string): Times => {
    const times: Times = { wall: [], cpu: [] };
    for (let i = 0; i < RUNS; i++) {
      writeFileSync(file, contents[i % contents.length]!);
      const r = check(expect);
      if (!r.stderr.includes(needle)) throw new Error(`expected ${JSON.stringify(needle)} in:\n${r.stderr.slice(0, 2000)}`);
      times.wall.push(r.ms);
      times.cpu.push(r.cpu);
    }
    return times;
  };

  writeFileSync(file, clean[1]!);
  // The bin runs from a bytecode bundle of the code it checks with (src/cli/bytecode.ts), built in the
  // background after the first run of new code: build it now, so no run is timed beside that build.
  if (env.TAKEOFF_BYTECODE !== "0" && existsSync(join(REPO, "src/cli/bytecode-build.ts"))) {
    const { buildBundle } = await import(join(REPO, "src/cli/bytecode-build.ts"));
    const { codeFingerprint } = await import(join(REPO, "src/core/cache/code-fingerprint.ts"));
    const why = await buildBundle("check", codeFingerprint());
    if (why) console.log(`no bytecode bundle: ${why}`);
  }
  // Generated files as the records produce them (the copy may be taken mid-edit).
  Bun.spawnSync([BUN, join(REPO, "scripts/generate.ts")], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  // Fills the caches, as an earlier run of the writer's did. What a clean edit leaves stale (the proofs that read
  // the edited records) it says once; every other proof is judged fresh on every run.
  const stale = (check(0).stderr.match(/warning proof-stale/g) ?? []).length;
  check(0);
  const rows: [string, Times][] = [
    ["clean edit  (exit 0)", loop(clean, 0, "tables lint clean")],
    ["error edit  (exit 1)", loop(broken, 1, "invalid-enum")],
  ];
  writeFileSync(file, clean[0]!);
  check(0);
  rows.push(["no edit     (exit 0)", loop([clean[0]!], 0, "unchanged since the last clean check")]);
  const startup: Times = { wall: [], cpu: [] };
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const p = Bun.spawnSync([BUN, "-e", "0"], { env });
    startup.wall.push(performance.now() - t);
    startup.cpu.push(Number(p.resourceUsage.cpuTime.total) / 1000);
  }
  rows.push(["bun -e 0    (start-up)", startup]);

  const load = (
    await Bun.file("/proc/loadavg")
      .text()
      .catch(() => "?")
  ).split(" ")[0];
  console.log(
    `bench/writer-loop.ts: ${REPO}/scripts/check.ts after editing data/roadmap.yaml, median of ${RUNS}, ${navigator.hardwareConcurrency} cores (load ${load}), Bun ${Bun.version}, ${withProofs ? `with prove results (${stale} proofs stale after the edit)` : "without prove results"}`,
  );
  for (const [name, t] of rows) console.log(`  ${name}  ${fmt(t)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
