/**
 * Behaviour proofs of the diagnostic flags (data/features.yaml) against every built variant that ships each one:
 * DEBUG (a timing trace of every pipeline stage, a state dump at exit that matches what was stored), MOCK_API
 * (seeded, deterministic generated data instead of the input) and PROFILING (well-formed CPU time and heap
 * figures for every stage, within the process's own run time). Variants without a flag are shown to lack what
 * the flag adds. Tests are named `flag: <NAME>` › `variant <name>: …`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Metric } from "../../src/app/core/types.ts";
import { built, has, runCli, tempFile, useHarness, VARIANTS, variantsWith, variantsWithout } from "./harness.ts";
import { aggregatesOf, dataset, jsonl, metric, near2, NO_SAMPLING, reference, report, section, storedCount } from "./flag-data.ts";

useHarness();

const TIMEOUT = 60_000;

beforeAll(async () => {
  await Promise.all(VARIANTS.map(built));
}, 120_000);

/** The stages every run goes through (src/app/app.ts runs each through the instrumentation). */
const CORE_STAGES = ["load", "setup", "ingest", "flush", "aggregate", "export"];

const fileInput = (n: number): Metric[] =>
  Array.from({ length: n }, (_, k) =>
    metric(k, {
      name: k % 2 ? "from.file" : "http.latency",
      unit: k % 2 ? undefined : "ms",
      namespace: ["api", "web"][k % 2]!,
      value: (k * 13) % 97,
    }),
  );

/** The stage list a DEBUG build prints on stdout ("stages: a > b > c"). */
const debugStages = (out: string): string[] =>
  (section(out, "debug") ?? [])
    .find((l) => l.startsWith("stages: "))
    ?.slice("stages: ".length)
    .split(" > ") ?? [];

describe("flag: DEBUG", () => {
  const variants = variantsWith("DEBUG");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: stderr traces entry and exit of every pipeline stage with its time, properly nested, and dumps the tracker's state at exit matching what was stored`,
      async () => {
        const data = dataset(v, fileInput(60));
        const started = performance.now();
        const r = await report(v, data, [NO_SAMPLING]);
        const wallMs = performance.now() - started;
        const err = r.err.split("\n").filter((l) => l !== "");
        const traces = err.filter((l) => l.startsWith("[debug] "));
        const dump = err.filter((l) => l.startsWith("[debug:state] "));
        // Trace lines: "> stage" on entry, "< stage 1.234ms" on exit, indented by depth; every entry has its exit.
        const stack: string[] = [];
        const traced: string[] = [];
        let topLevelMs = 0;
        for (const line of traces) {
          const m = /^\[debug\] ((?: {2})*)([<>]) ([a-z-]+)(?: (\d+\.\d{3})ms)?$/.exec(line);
          if (!m) throw new Error(`malformed trace line: ${JSON.stringify(line)}`);
          const [, indent, dir, stage, ms] = m;
          if (dir === ">") {
            expect({ line, depth: indent!.length / 2, ms }).toEqual({ line, depth: stack.length, ms: undefined });
            stack.push(stage!);
            traced.push(stage!);
          } else {
            expect({ line, exits: stack.pop(), depth: indent!.length / 2 }).toEqual({ line, exits: stage, depth: stack.length });
            expect(ms).toBeDefined();
            if (stack.length === 0) topLevelMs += Number(ms);
          }
        }
        expect(stack).toEqual([]);
        expect(traced).toEqual(debugStages(r.out));
        for (const s of CORE_STAGES) expect(traced).toContain(s);
        expect(topLevelMs).toBeLessThanOrEqual(wallMs);
        // The state dump comes at exit, after the last trace, and tells what the tracker holds.
        expect(err.indexOf(dump[0]!)).toBeGreaterThan(err.lastIndexOf(traces.at(-1)!));
        const head = /^\[debug:state\] samples=(\d+) pending=(\d+) grouping=(\S+) guarded=(true|false) listeners=(\d+)$/.exec(
          dump[0] ?? "",
        );
        if (!head) throw new Error(`no state dump on stderr: ${dump.join("\n")}`);
        expect({ samples: Number(head[1]), pending: Number(head[2]), grouping: head[3] }).toEqual({
          samples: storedCount(r.out),
          pending: 0,
          grouping: has(v, "ENTERPRISE") ? "tenant@scope:namespace/name" : "namespace/name",
        });
        const keys = dump
          .find((l) => l.startsWith("[debug:state] keys="))
          ?.slice("[debug:state] keys=".length)
          .split(",");
        expect(keys?.sort()).toEqual([...aggregatesOf(r.out).keys()].sort());
        const owners = dump
          .find((l) => l.startsWith("[debug:state] owners="))
          ?.split(" ")[1]
          ?.slice("owners=".length)
          .split(",");
        expect(owners?.sort()).toEqual([...new Set(data.metrics.map((m) => `${m.tenant}@${m.scope}`))].sort());
        // Stage counters in the dump are the ones the report prints.
        const counters = (section(r.out, "debug") ?? [])
          .filter((l) => l.startsWith("stage "))
          .map((l) => l.replace(/^stage (\S+): /, "stage $1 "));
        expect(counters.length).toBeGreaterThan(0);
        expect(
          dump.filter((l) => l.startsWith("[debug:state] stage ")).map((l) => l.slice("[debug:state] ".length).replace(/ drops=.*$/, "")),
        ).toEqual(counters);
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("DEBUG")) {
    test(
      `variant ${v.name}: without DEBUG, no trace, no state dump and no debug section`,
      async () => {
        const r = await report(v, dataset(v, fileInput(20)));
        expect(r.err.split("\n").filter((l) => l.startsWith("[debug"))).toEqual([]);
        expect(section(r.out, "debug")).toBeUndefined();
      },
      TIMEOUT,
    );
  }
});

describe("flag: MOCK_API", () => {
  const variants = variantsWith("MOCK_API");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: the data come from the seeded generator, not the input file: the same seed gives the same report, another seed other data, --count that many metrics`,
      async () => {
        const input = tempFile("ignored.jsonl", jsonl(fileInput(30)));
        const run = async (seed: number, count: number) => {
          const r = await runCli(v, [input, `--seed=${seed}`, `--count=${count}`, NO_SAMPLING, "--now=2026-01-15T13:00:00Z"]);
          expect({ code: r.code, err: r.err.split("\n").filter((l) => /error/i.test(l)) }).toEqual({ code: 0, err: [] });
          return r;
        };
        const a = await run(7, 120);
        expect(a.out.split("\n").find((l) => l.startsWith("source: "))).toBe(
          `source: mock api (seed=7, count=120) (ignored input ${input})`,
        );
        // Nothing of the file: its series are absent, and the aggregates are the generator's for seed 7.
        const shown = aggregatesOf(a.out);
        expect([...shown.keys()].filter((k) => k.endsWith("from.file"))).toEqual([]);
        const { metrics } = dataset(v, [], { seed: 7, count: 120 });
        const ref = reference(v, metrics);
        expect([...shown.keys()].sort()).toEqual([...ref.keys()].sort());
        for (const row of ref.values()) {
          expect({ key: row.key, count: shown.get(row.key)!.count }).toEqual({ key: row.key, count: String(row.count) });
          if (!near2(shown.get(row.key)!.sum, row.sum)) throw new Error(`${row.key}: sum ${shown.get(row.key)!.sum}, generator ${row.sum}`);
        }
        expect(storedCount(a.out)).toBe(120);
        // Deterministic: the same seed gives the same report, line for line; another seed, other data.
        expect((await run(7, 120)).out).toBe(a.out);
        expect(section((await run(8, 120)).out, "aggregates")).not.toEqual(section(a.out, "aggregates"));
        expect(storedCount((await run(7, 37)).out)).toBe(37);
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("MOCK_API")) {
    test(
      `variant ${v.name}: without MOCK_API, the input file is what is read`,
      async () => {
        const data = dataset(v, fileInput(30));
        const r = await report(v, data, [NO_SAMPLING]);
        expect(r.out.split("\n").find((l) => l.startsWith("source: "))).toBe(`source: ${data.args[0]} (30 metrics)`);
        expect([...aggregatesOf(r.out).keys()].sort()).toEqual([...reference(v, data.metrics).keys()].sort());
      },
      TIMEOUT,
    );
  }
});

describe("flag: PROFILING", () => {
  const variants = variantsWith("PROFILING");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: every pipeline stage gets a profile of calls, CPU time and heap delta; the times are well-formed, max within total, and add up to less than the process ran`,
      async () => {
        const data = dataset(v, fileInput(3000), { seed: 3, count: 3000 });
        const started = performance.now();
        const r = await report(v, data, [NO_SAMPLING]);
        const wallMs = performance.now() - started;
        const calls = (section(r.out, "profile") ?? []).map((l) => {
          const m = /^([a-z-]+) calls=(\d+)$/.exec(l);
          if (!m) throw new Error(`malformed profile line: ${l}`);
          return { stage: m[1]!, calls: Number(m[2]) };
        });
        const timings = r.err
          .split("\n")
          .filter((l) => l.startsWith("[profile] "))
          .map((l) => {
            const m = /^\[profile\] ([a-z-]+) calls=(\d+) total=(\d+\.\d{3})ms max=(\d+\.\d{3})ms heap=(-?\d+\.\d)KiB$/.exec(l);
            if (!m) throw new Error(`malformed profile timing: ${JSON.stringify(l)}`);
            return { stage: m[1]!, calls: Number(m[2]), totalMs: Number(m[3]), maxMs: Number(m[4]), heapKiB: Number(m[5]) };
          });
        expect(timings.map((t) => ({ stage: t.stage, calls: t.calls }))).toEqual(calls);
        const stages = calls.map((c) => c.stage);
        for (const s of CORE_STAGES) expect(stages).toContain(s);
        if (has(v, "DEBUG")) expect(stages).toEqual(debugStages(r.out));
        for (const t of timings) {
          expect(t.calls).toBeGreaterThanOrEqual(1);
          expect(t.maxMs).toBeLessThanOrEqual(t.totalMs);
          expect(Number.isFinite(t.heapKiB)).toBe(true);
        }
        // Ingesting 3000 metrics takes measurable time, and no stage took longer than the whole process.
        expect(timings.find((t) => t.stage === "ingest")!.totalMs).toBeGreaterThan(0);
        const sum = timings.reduce((a, t) => a + t.totalMs, 0);
        if (sum > wallMs) throw new Error(`stages add up to ${sum.toFixed(3)} ms, but the process ran ${wallMs.toFixed(1)} ms`);
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("PROFILING")) {
    test(
      `variant ${v.name}: without PROFILING, no profile section and no timings`,
      async () => {
        const r = await report(v, dataset(v, fileInput(20)));
        expect(r.err.split("\n").filter((l) => l.startsWith("[profile]"))).toEqual([]);
        expect(section(r.out, "profile")).toBeUndefined();
      },
      TIMEOUT,
    );
  }
});
