/**
 * Benchmark (a script, not a test): `bun bench/parse.ts`. The cold parse, which the YAML fast path
 * (src/core/load/yaml-source.ts) exists to make cheap.
 *  1. One 385 KB file of 1,000 flags: parseYamlSource on its first call in a fresh process (what a cold
 *     check pays), warm, and on the same file with one anchor (yaml reads it, after the fast path gave up);
 *     beside yaml's parseDocument, Parser (CST), Lexer and Bun.YAML.parse (medians of BENCH_RUNS runs,
 *     each after one warm-up run).
 *  2. 10,000 flags in 10 files plus the repository's 27 (data/features/*.yaml, as bench/check.ts builds them):
 *     `bun scripts/check.ts --no-cache` in a temporary copy, median of BENCH_RUNS fresh processes.
 * BENCH_CODE=DIR runs another checkout's checker (its scripts/ and src/) on the same data, to compare
 * before and after; BENCH_ONLY=file|check runs one section. The 2-core machine is noisy: read the spread.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LineCounter, Lexer, Parser, parseDocument } from "yaml";
import { scaleFlagsFile, tenThousandFlags } from "./synthetic.ts";

const REPO = join(import.meta.dir, "..");
const CODE = resolve(process.env.BENCH_CODE ?? REPO);
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const only = process.env.BENCH_ONLY;
const section = (name: string) => !only || only === name;
const env = { ...process.env, BUN_OPTIONS: "", GITHUB_ACTIONS: "" };

const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
const fmt = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  return `${median(s).toFixed(1)} ms (min ${s[0]!.toFixed(1)}, max ${s[s.length - 1]!.toFixed(1)})`;
};

const rows: [string, string][] = [];

if (section("file")) {
  const { parseYamlSource } = (await import(
    join(CODE, "src/core/load/yaml-source.ts")
  )) as typeof import("../src/core/load/yaml-source.ts");
  const text = scaleFlagsFile(0);
  const timeIt = (fn: () => unknown) => {
    fn();
    return Array.from({ length: RUNS }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    });
  };
  const kb = (text.length / 1024).toFixed(0);
  // The first parse in a fresh process, before the JIT has seen the code: what a cold check pays per file.
  const first = Array.from({ length: RUNS }, () => {
    const script = `const { parseYamlSource } = await import(${JSON.stringify(join(CODE, "src/core/load/yaml-source.ts"))});
      const text = await Bun.file(process.argv[1]).text(); const t = performance.now(); parseYamlSource("f.yaml", text); console.log(performance.now() - t);`;
    const file = join(tmpdir(), `bench-parse-${process.pid}.yaml`);
    writeFileSync(file, text);
    const p = Bun.spawnSync([BUN, "-e", script, file], { env, stdout: "pipe", stderr: "pipe" });
    rmSync(file, { force: true });
    if (p.exitCode !== 0) throw new Error(p.stderr.toString());
    return Number(p.stdout.toString());
  });
  rows.push([`parseYamlSource (${kb} KB, 1,000 flags), first call in a fresh process`, fmt(first)]);
  rows.push([`parseYamlSource (${kb} KB, 1,000 flags), warm`, fmt(timeIt(() => parseYamlSource("f.yaml", text)))]);
  // One anchor in the last record: the file has something to report, so yaml reads it after the fast path
  // gave up at the last line; beside yaml alone on the same file (both after a warm-up of yaml).
  const flawed = `${text}- name: LAST\n  owner: &who Platform Lead\n`;
  for (let i = 0; i < 3; i++) parseYamlSource("f.yaml", flawed, { fast: false });
  const fallback: number[] = [];
  const yamlAlone: number[] = [];
  const once = (fn: () => unknown) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  for (let i = 0; i < RUNS; i++) {
    fallback.push(once(() => parseYamlSource("f.yaml", flawed)));
    yamlAlone.push(once(() => parseYamlSource("f.yaml", flawed, { fast: false })));
  }
  rows.push(["  the same with an anchor at the end (the fast path gives up, yaml reads it)", fmt(fallback)]);
  rows.push(["  the same with an anchor at the end, yaml alone ({ fast: false })", fmt(yamlAlone)]);
  rows.push(["  yaml parseDocument + LineCounter", fmt(timeIt(() => parseDocument(text, { lineCounter: new LineCounter() })))]);
  rows.push(["  yaml Parser (CST only)", fmt(timeIt(() => [...new Parser().parse(text)]))]);
  rows.push(["  yaml Lexer alone", fmt(timeIt(() => [...new Lexer().lex(text)]))]);
  rows.push(["  Bun.YAML.parse", fmt(timeIt(() => Bun.YAML.parse(text)))]);
}

if (section("check")) {
  const big = mkdtempSync(join(tmpdir(), "bench-parse-"));
  try {
    tenThousandFlags(big);
    // check also proves the generated files fresh: write them once, as a writer would have.
    const gen = Bun.spawnSync([BUN, join(CODE, "scripts/generate.ts"), "--no-cache"], { cwd: big, env, stdout: "pipe", stderr: "pipe" });
    if (gen.exitCode !== 0) throw new Error(`generate exited ${gen.exitCode}:\n${gen.stderr.toString().slice(0, 2000)}`);
    const times: number[] = [];
    let records = "";
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const p = Bun.spawnSync([BUN, join(CODE, "scripts/check.ts"), "--no-cache"], { cwd: big, env, stdout: "pipe", stderr: "pipe" });
      times.push(performance.now() - t);
      const err = p.stderr.toString();
      if (p.exitCode !== 0) throw new Error(`check exited ${p.exitCode}:\n${err.slice(0, 2000)}`);
      records = /check: (\d+) records/.exec(err)?.[1] ?? records;
    }
    rows.push([`check --no-cache, ${records} records in 11 files, cold`, fmt(times)]);
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
}

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`bench/parse.ts: medians of ${RUNS} runs on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, checker ${CODE}`);
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
