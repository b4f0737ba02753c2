/**
 * Benchmark (a script, not a test): `bun bench/output.ts`. How long the whole CLI run
 * `bun scripts/check.ts --no-cache` takes to print many diagnostics into a pipe, as text and as
 * `--format json`, on copies of the base fixture (test/fixtures/base) with invalid records added:
 *
 *  1. BENCH_N (default 32,000) records that are not mappings (`- 17`), all in data/features.yaml:
 *     one `invalid-type` each, so the run is mostly output. Must print in under 3 s, text or JSON.
 *  2. Flag records naming an owner that does not exist, as many as fit one data file (1 MiB, ~3,800):
 *     one `unknown-reference` each, code frames cut from a 1 MB text.
 *  3. Only with BENCH_SPLIT=N: N such flag records across data/features/*.yaml, 3,000 per file. Parsing
 *     that much YAML dominates (about 1 s per MB), so it measures the checker more than the output.
 *
 * Each row says how many diagnostics arrived and whether the output was complete (every diagnostic and
 * the summary line in text, JSON that parses with every entry). Medians of BENCH_RUNS (default 3) runs.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wrongOwnerFlag } from "./synthetic.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const N = Number(process.env.BENCH_N ?? 32_000);
const SPLIT = Number(process.env.BENCH_SPLIT ?? 0);
const MAX_FILE = 1024 * 1024;
const PER_FILE = 3_000;
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_OPTIONS" && k !== "GITHUB_ACTIONS") env[k] = v;
env.NO_COLOR = "1";

/** A copy of the base fixture with its generated files written; `fill` then adds the bad records. */
function project(fill: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-output-"));
  cpSync(join(REPO, "test/fixtures/base"), dir, { recursive: true });
  const gen = Bun.spawnSync([BUN, join(REPO, "scripts/generate.ts"), "--no-cache"], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  if (gen.exitCode !== 0) throw new Error(`base fixture does not generate:\n${gen.stderr.toString()}`);
  fill(dir);
  return dir;
}

/** `n` list items that are not records, appended to data/features.yaml. */
function scalars(n: number): (dir: string) => void {
  return (dir) => {
    const file = join(dir, "data/features.yaml");
    const parts = [readFileSync(file, "utf8")];
    for (let i = 0; i < n; i++) parts.push(`- ${i}\n`);
    writeFileSync(file, parts.join(""));
  };
}

/** Wrong-owner flag records appended to data/features.yaml until the file is as large as allowed; returns how many. */
function ownersOneFile(counted: { n: number }): (dir: string) => void {
  return (dir) => {
    const file = join(dir, "data/features.yaml");
    let text = readFileSync(file, "utf8");
    let i = 0;
    for (let next = wrongOwnerFlag(i); Buffer.byteLength(text) + Buffer.byteLength(next) <= MAX_FILE; next = wrongOwnerFlag(++i))
      text += next;
    writeFileSync(file, text);
    counted.n = i;
  };
}

/** `n` wrong-owner flag records in data/features/*.yaml, PER_FILE per file, beside the base flags. */
function ownersSplit(n: number): (dir: string) => void {
  return (dir) => {
    const base = join(dir, "data/features.yaml");
    mkdirSync(join(dir, "data/features"));
    writeFileSync(join(dir, "data/features/000-base.yaml"), readFileSync(base, "utf8").replace("=../src/", "=../../src/"));
    rmSync(base);
    const header = "# yaml-language-server: $schema=../../src/generated/schema/features.schema.json\n";
    for (let f = 0; f * PER_FILE < n; f++) {
      const parts = [header];
      for (let i = f * PER_FILE; i < Math.min(n, (f + 1) * PER_FILE); i++) parts.push(wrongOwnerFlag(i));
      writeFileSync(join(dir, `data/features/${String(f + 1).padStart(3, "0")}-bad.yaml`), parts.join(""));
    }
  };
}

interface Outcome {
  ms: number;
  diagnostics: number;
  complete: boolean;
  bytes: number;
}

async function once(cwd: string, json: boolean, n: number, rule: string): Promise<Outcome> {
  const t = performance.now();
  const p = Bun.spawn([BUN, join(REPO, "scripts/check.ts"), "--no-cache", ...(json ? ["--format", "json"] : [])], {
    cwd,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const ms = performance.now() - t;
  if (json) {
    let diagnostics = 0;
    let complete = false;
    try {
      diagnostics = (JSON.parse(out) as unknown[]).length;
      complete = diagnostics === n;
    } catch {
      diagnostics = (out.match(/"rule": /g) ?? []).length;
    }
    return { ms, diagnostics, complete, bytes: out.length };
  }
  const diagnostics = err.split(`: error ${rule}: `).length - 1;
  const complete = diagnostics === n && new RegExp(`\\n${n} errors in \\d+ files?\\n$`).test(err);
  return { ms, diagnostics, complete, bytes: err.length };
}

async function measure(label: string, fill: (dir: string) => void, count: () => number, rule: string): Promise<void> {
  const dir = project(fill);
  const n = count();
  try {
    for (const json of [false, true]) {
      const runs: Outcome[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await once(dir, json, n, rule));
      runs.sort((a, b) => a.ms - b.ms);
      const mid = runs[Math.floor(runs.length / 2)]!;
      console.log(
        `${n.toLocaleString("en-US")} ${label}, ${json ? "json" : "text"}: ${mid.ms.toFixed(0)} ms (min ${runs[0]!.ms.toFixed(0)}, max ${runs[runs.length - 1]!.ms.toFixed(0)}); ` +
          `${mid.diagnostics} diagnostics, ${(mid.bytes / 1e6).toFixed(1)} MB, ${runs.every((r) => r.complete) ? "complete" : "INCOMPLETE"}`,
      );
    }
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

console.log(
  `bench/output.ts: medians of ${RUNS} runs of bun scripts/check.ts --no-cache, output piped, ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}`,
);
await measure("records that are not mappings (one file)", scalars(N), () => N, "invalid-type");
const counted = { n: 0 };
await measure("flags with a wrong owner (one 1 MiB file)", ownersOneFile(counted), () => counted.n, "unknown-reference");
if (SPLIT > 0)
  await measure(
    `flags with a wrong owner (${PER_FILE.toLocaleString("en-US")} per file)`,
    ownersSplit(SPLIT),
    () => SPLIT,
    "unknown-reference",
  );
