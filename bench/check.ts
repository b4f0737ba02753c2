/**
 * Benchmark (a script, not a test): `bun bench/check.ts`.
 *  1. `npm run check` on the repository itself (and the bun process alone, without npm's start-up).
 *  2. 10,000 flag records (data/features/*.yaml): check and generate.
 *  3. 500 MDX pages with 3 master tables each: our table lint beside markdownlint-cli2 on the same files.
 * Prints medians of several runs; the 2-core machine is noisy, so read the spread too. Every row but one
 * runs the full check (--no-cache); the cached row shows what a writer re-running an unchanged check sees.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tenThousandFlags } from "./synthetic.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "" };

function once(cmd: string[], cwd: string, expectExit: number | null = 0): number {
  const t = performance.now();
  const p = Bun.spawnSync(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t;
  if (expectExit !== null && p.exitCode !== expectExit)
    throw new Error(`${cmd.join(" ")} exited ${p.exitCode}:\n${p.stderr.toString().slice(0, 2000)}`);
  return ms;
}
function time(cmd: string[], cwd: string, expectExit: number | null = 0): number[] {
  return Array.from({ length: RUNS }, () => once(cmd, cwd, expectExit)).sort((a, b) => a - b);
}
const median = (t: number[]) => t[Math.floor(t.length / 2)]!;
const fmt = (t: number[]) => `${median(t).toFixed(0)} ms (min ${t[0]!.toFixed(0)}, max ${t[t.length - 1]!.toFixed(0)})`;

const rows: [string, string][] = [];
/** BENCH_ONLY=repo|records|lint runs one section. */
const only = process.env.BENCH_ONLY;
const section = (name: string) => !only || only === name;

// 1. The repository itself.
if (section("repo")) {
  rows.push(["npm run check (repository, full run: --no-cache)", fmt(time(["npm", "run", "-s", "check", "--", "--no-cache"], REPO, null))]);
  rows.push(["npm run check (repository, inputs unchanged since a clean run)", fmt(time(["npm", "run", "-s", "check"], REPO, null))]);
  rows.push(["bun scripts/check.ts --no-cache (repository, without npm)", fmt(time([BUN, "scripts/check.ts", "--no-cache"], REPO, null))]);
  rows.push(["npm start-up alone (npm run -s of `true`)", fmt(time(["npm", "run", "-s", "bench:noop"], REPO))]);
}

// 2. 10,000 flags.
if (section("records")) {
  const big = mkdtempSync(join(tmpdir(), "bench-check-"));
  const edited = tenThousandFlags(big);
  rows.push(["10,000 flags: generate, cold (--no-cache)", fmt(time([BUN, join(REPO, "scripts/generate.ts"), "--no-cache"], big))]);
  // The writer's loop: one of the 11 files edited since the last run; the other 10 come from the parse cache.
  once([BUN, join(REPO, "scripts/generate.ts")], big); // fill the cache
  const editTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    writeFileSync(edited, `${readFileSync(edited, "utf8")}# edit ${i}\n`);
    editTimes.push(once([BUN, join(REPO, "scripts/generate.ts")], big));
  }
  rows.push(["10,000 flags: generate after editing one of 11 files", fmt(editTimes.sort((a, b) => a - b))]);
  rows.push(["10,000 flags: check, cold (--no-cache)", fmt(time([BUN, join(REPO, "scripts/check.ts"), "--no-cache"], big))]);

  if (!process.env.BENCH_KEEP) rmSync(big, { recursive: true, force: true });
  else console.log(`kept ${big}`);
}

// 3. 500 MDX pages x 3 tables of 30 rows, nine master columns each.
if (section("lint")) {
  const pages = mkdtempSync(join(tmpdir(), "bench-lint-"));
  cpSync(join(REPO, "data"), join(pages, "data"), { recursive: true });
  cpSync(join(REPO, "src/generated"), join(pages, "src/generated"), { recursive: true });
  mkdirSync(join(pages, "content"));
  const head =
    "| Name | Type | Category | Domain | Scope | Tier | Size/Impact | Release/Status | Approval |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  const row = (p: number, t: number, r: number) =>
    `| FLAG_${p}_${t}_${r} | Release | Performance | Ingestion | Enterprise, Internal | Enterprise | Low | ✅ Done | Approved |\n`;
  for (let p = 0; p < 500; p++) {
    let text = `# Page ${p}\n\nSome prose about the flags on this page.\n`;
    for (let t = 0; t < 3; t++) {
      text += `\n## Table ${t}\n\n${head}`;
      for (let r = 0; r < 30; r++) text += row(p, t, r);
    }
    writeFileSync(join(pages, `content/page-${p}.mdx`), text);
  }
  writeFileSync(join(pages, ".markdownlint-cli2.jsonc"), JSON.stringify({ config: { default: true, MD013: false, MD041: false } }));
  rows.push([
    "500 MDX pages: bun scripts/check.ts (records + table lint)",
    fmt(time([BUN, join(REPO, "scripts/check.ts"), "--no-cache"], pages)),
  ]);
  rows.push([
    "500 MDX pages: markdownlint-cli2 (pipes/columns only)",
    fmt(time(["node", join(REPO, "node_modules/markdownlint-cli2/markdownlint-cli2-bin.mjs"), "content/**/*.mdx"], pages)),
  ]);

  if (!process.env.BENCH_KEEP) rmSync(pages, { recursive: true, force: true });
  else console.log(`kept ${pages}`);
}

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`bench/check.ts: medians of ${RUNS} runs on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}`);
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
