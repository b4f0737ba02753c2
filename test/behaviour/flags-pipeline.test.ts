/**
 * Behaviour proofs of the ingestion and aggregation flags (data/features.yaml) against every built variant that
 * ships each one: HISTOGRAMS (percentiles against R-7 computed here), SAMPLING (the kept share within a stated
 * binomial bound, the threshold, determinism), BATCHING (fixed-size batches, nothing lost) and ENTERPRISE (keys and
 * aggregates per tenant in a scope). Variants with MOCK_API generate their data from a seed; the reference is then
 * computed from the documented generator's metrics. Tests are named `flag: <NAME>` › `variant <name>: …`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { parse as parseCsv } from "csv-parse/sync";
import type { Metric } from "../../src/app/core/types.ts";
import { built, has, useHarness, VARIANTS, variantsWith, variantsWithout } from "./harness.ts";
import {
  aggregatesOf,
  dataset,
  exportRun,
  exportText,
  keyOf,
  metric,
  near2,
  NO_SAMPLING,
  reference,
  report,
  section,
  storedCount,
  tableOf,
} from "./flag-data.ts";

useHarness();

const TIMEOUT = 60_000;

beforeAll(async () => {
  await Promise.all(VARIANTS.map(built));
}, 120_000);

// ---- HISTOGRAMS ----------------------------------------------------------------------------------

/** Series whose percentiles fall between ranks, so interpolation shows: 1..100 shuffled, 7 odd values, one value. */
function histogramInput(): Metric[] {
  const out: Metric[] = [];
  let i = 0;
  const hundred = Array.from({ length: 100 }, (_, k) => ((k * 37) % 100) + 1);
  for (const value of hundred) out.push(metric(i++, { name: "http.latency", unit: "ms", value }));
  for (const value of [3, 1, 4, 1, 5, 9, 2.5]) out.push(metric(i++, { name: "queue.depth", namespace: "worker", value }));
  for (const value of [0.125, 40, 40, 7, 1000, 12.5, 3, 3, 999, 250, 64])
    out.push(metric(i++, { name: "page.load", namespace: "web", unit: "ms", value }));
  out.push(metric(i++, { name: "cpu.usage", unit: "percent", value: 42 }));
  return out;
}

describe("flag: HISTOGRAMS", () => {
  const variants = variantsWith("HISTOGRAMS");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: every aggregate shows p50, p95 and p99 (linear interpolation between closest ranks) beside count, sum, min, max and mean, equal to a reference computed in the test`,
      async () => {
        const data = dataset(v, histogramInput());
        const r = await report(v, data, [NO_SAMPLING]);
        const shown = aggregatesOf(r.out);
        const ref = reference(v, data.metrics);
        expect([...shown.keys()].sort()).toEqual([...ref.keys()].sort());
        for (const row of ref.values()) {
          const s = shown.get(row.key)!;
          expect(Object.keys(s)).toEqual(["key", "count", "sum", "min", "max", "mean", "p50", "p95", "p99"]);
          expect(s.count).toBe(String(row.count));
          for (const k of ["sum", "min", "max", "mean", "p50", "p95", "p99"] as const) {
            if (!near2(s[k], row[k]))
              throw new Error(`${row.key} ${k}: report shows ${s[k]}, reference ${row[k]} (values ${row.values.length})`);
          }
        }
        // Full precision where the variant also exports CSV.
        if (has(v, "CSV_EXPORT")) {
          const { files } = await exportRun(v, data, [NO_SAMPLING]);
          const [header, ...rows] = parseCsv(exportText(files, "aggregates.csv"), { record_delimiter: "\r\n" }) as string[][];
          const col = (name: string) => header!.indexOf(name);
          for (const cells of rows) {
            const key = keyOf(v, {
              namespace: cells[col("namespace")]!,
              name: cells[col("name")]!,
              scope: cells[col("scope")] as Metric["scope"],
              tenant: cells[col("tenant")]!,
            });
            const row = ref.get(key)!;
            for (const k of ["p50", "p95", "p99"] as const) expect(Math.abs(Number(cells[col(k)]) - row[k])).toBeLessThanOrEqual(5e-7);
          }
        }
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("HISTOGRAMS")) {
    test(
      `variant ${v.name}: without HISTOGRAMS, aggregates have count, sum, min, max and mean only`,
      async () => {
        const r = await report(v, dataset(v, histogramInput()), [NO_SAMPLING]);
        for (const row of aggregatesOf(r.out).values()) expect(Object.keys(row)).toEqual(["key", "count", "sum", "min", "max", "mean"]);
      },
      TIMEOUT,
    );
  }
});

// ---- SAMPLING ------------------------------------------------------------------------------------

/**
 * The kept share of samples past the threshold is within a binomial bound of 1/rate. Each sample is kept when a
 * hash of its content falls in 1 of `rate` classes; taken as independent draws, the kept count K of n samples is
 * Binomial(n, 1/rate), and Hoeffding's inequality bounds P(|K/n - 1/rate| >= t) <= 2 exp(-2 n t^2). With
 * t = sqrt(ln(2/δ) / (2n)) and δ = 1e-6, a correct sampler fails this test with probability at most one in a
 * million; n = 4000 gives t ≈ 0.0426, so 1 in 4 must keep 20.7 %–29.3 % and 1 in 10 must keep 5.7 %–14.3 %
 * (a rate off by a factor of two keeps 12.5 % or 50 %, 5 % or 20 %, and fails).
 */
const DELTA = 1e-6;
export const tolerance = (n: number): number => Math.sqrt(Math.log(2 / DELTA) / (2 * n));

/** Documented defaults (--help): keep 1 in 4 after 8 samples per series. */
const RATE = 4;
const AFTER = 8;
const HIGH = 4000;

/** One high-volume series (AFTER + HIGH samples) and 40 low-volume series of exactly AFTER samples each. */
function samplingInput(): Metric[] {
  const out: Metric[] = [];
  let i = 0;
  for (let k = 0; k < AFTER + HIGH; k++) out.push(metric(i++, { name: "http.requests", value: (k * 7919) % 1000 }));
  for (let s = 0; s < 40; s++)
    for (let k = 0; k < AFTER; k++) out.push(metric(i++, { name: `low.series${s}`, namespace: "web", value: k }));
  return out;
}

function withinBound(kept: number, n: number, rate: number): void {
  const share = kept / n;
  const t = tolerance(n);
  if (Math.abs(share - 1 / rate) >= t)
    throw new Error(
      `kept ${kept} of ${n} (${(share * 100).toFixed(2)} %), expected 1 in ${rate} (${(100 / rate).toFixed(2)} %) ± ${(t * 100).toFixed(2)} %`,
    );
}

describe("flag: SAMPLING", () => {
  const variants = variantsWith("SAMPLING");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));
  test(`the tolerance: n = ${HIGH} gives ±${(tolerance(HIGH) * 100).toFixed(2)} percentage points at δ = ${DELTA}`, () => {
    expect(tolerance(HIGH)).toBeCloseTo(0.0426, 3);
  });

  for (const v of variants) {
    if (has(v, "MOCK_API")) {
      test(
        `variant ${v.name}: over generated data, sampling from the first sample keeps 1 in 4 (and 1 in 10) within the binomial bound, a threshold above the volume keeps all, and the same data samples the same`,
        async () => {
          const data = dataset(v, [], { seed: 7, count: HIGH });
          const all = await report(v, data, [`--sample-after=${HIGH}`]);
          expect(storedCount(all.out)).toBe(HIGH);
          const quarter = await report(v, data, ["--sample-after=0"]);
          withinBound(storedCount(quarter.out), HIGH, RATE);
          withinBound(storedCount((await report(v, data, ["--sample-after=0", "--sample-rate=10"])).out), HIGH, 10);
          const again = await report(v, data, ["--sample-after=0"]);
          expect(section(again.out, "aggregates")).toEqual(section(quarter.out, "aggregates")!);
        },
        TIMEOUT,
      );
      continue;
    }
    test(
      `variant ${v.name}: each series keeps its first 8 samples, then 1 in 4 (and 1 in 10) within the binomial bound; low-volume series are untouched; the same input samples the same`,
      async () => {
        const data = dataset(v, samplingInput());
        const r = await report(v, data);
        const shown = aggregatesOf(r.out);
        const ref = reference(v, data.metrics);
        for (const row of ref.values()) {
          const count = Number(shown.get(row.key)?.count);
          if (row.count === AFTER) expect({ key: row.key, count }).toEqual({ key: row.key, count: AFTER });
          else withinBound(count - AFTER, row.count - AFTER, RATE);
        }
        const tenth = aggregatesOf((await report(v, data, ["--sample-rate=10"])).out);
        const high = [...ref.values()].find((x) => x.count > AFTER)!;
        withinBound(Number(tenth.get(high.key)!.count) - AFTER, high.count - AFTER, 10);
        // Deterministic: a second run keeps exactly the same samples (same sums, minima and maxima).
        const again = await report(v, data);
        expect(section(again.out, "aggregates")).toEqual(section(r.out, "aggregates")!);
      },
      TIMEOUT,
    );
  }
});

// ---- BATCHING ------------------------------------------------------------------------------------

const batchingInput = (n: number): Metric[] =>
  Array.from({ length: n }, (_, k) => metric(k, { name: "http.requests", namespace: ["api", "web", "worker"][k % 3]!, value: k % 5 }));

describe("flag: BATCHING", () => {
  const variants = variantsWith("BATCHING");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: samples are committed in batches of exactly the batch size, the remainder flushed at the end, none lost`,
      async () => {
        const n = 100;
        const data = dataset(v, batchingInput(n), { seed: 11, count: n });
        for (const size of [16, 1, 100, 250]) {
          const r = await report(v, data, [`--batch-size=${size}`, NO_SAMPLING]);
          const line = section(r.out, "batching")?.[0] ?? "";
          const m = /^batch size (\d+): (\d+) batches flushed \(([\d, ]*)\), pending (\d+)$/.exec(line);
          if (!m) throw new Error(`no batching line: ${line}`);
          const sizes = m[3] ? m[3].split(", ").map(Number) : [];
          const expected = [...Array.from({ length: Math.floor(n / size) }, () => size), ...(n % size ? [n % size] : [])];
          expect({ size: Number(m[1]), batches: Number(m[2]), sizes, pending: Number(m[4]) }).toEqual({
            size,
            batches: expected.length,
            sizes: expected,
            pending: 0,
          });
          expect(storedCount(r.out)).toBe(n);
        }
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("BATCHING")) {
    test(
      `variant ${v.name}: without BATCHING, no batching section`,
      async () => {
        const r = await report(v, dataset(v, batchingInput(20)));
        expect(section(r.out, "batching")).toBeUndefined();
      },
      TIMEOUT,
    );
  }
});

// ---- ENTERPRISE ----------------------------------------------------------------------------------

/** The same series in three tenants, one tenant id in two scopes. */
function tenantInput(): Metric[] {
  const owners = [
    { scope: "Enterprise", tenant: "acme" },
    { scope: "Internal", tenant: "acme" },
    { scope: "Enterprise", tenant: "globex" },
  ] as const;
  const out: Metric[] = [];
  let i = 0;
  owners.forEach((owner, o) => {
    for (let k = 0; k < 5 + o * 3; k++) {
      out.push(metric(i++, { name: "http.latency", unit: "ms", namespace: "api", value: 100 * (o + 1) + k, ...owner }));
      out.push(metric(i++, { name: "http.requests", namespace: o === 1 ? "api" : "web", value: 1, ...owner }));
    }
    if (o === 2) out.push(metric(i++, { name: "page.load", unit: "ms", namespace: "web", value: 2000, ...owner }));
  });
  return out;
}

describe("flag: ENTERPRISE", () => {
  const variants = variantsWith("ENTERPRISE");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: every metric key names its tenant and scope (tenant@Scope:namespace/name), and a per-tenant table sums samples, series, namespaces and mean latency for each tenant in a scope`,
      async () => {
        const data = dataset(v, tenantInput());
        const r = await report(v, data, [NO_SAMPLING]);
        const shown = aggregatesOf(r.out);
        const ref = reference(v, data.metrics);
        expect([...shown.keys()].sort()).toEqual([...ref.keys()].sort());
        for (const key of shown.keys()) expect(key).toMatch(/^[a-z0-9_-]+@(Enterprise|Internal):[a-z]+\/[a-z.]+$/);
        for (const row of ref.values()) {
          expect({ key: row.key, count: shown.get(row.key)!.count }).toEqual({ key: row.key, count: String(row.count) });
          expect(near2(shown.get(row.key)!.sum, row.sum)).toBe(true);
        }
        // Per tenant in a scope, computed here from the input.
        const tenants = new Map<
          string,
          { scope: string; tenant: string; samples: number; series: Set<string>; namespaces: Set<string>; ms: number[] }
        >();
        for (const m of data.metrics) {
          const id = `${m.scope}/${m.tenant}`;
          const t = tenants.get(id) ?? {
            scope: m.scope,
            tenant: m.tenant,
            samples: 0,
            series: new Set<string>(),
            namespaces: new Set<string>(),
            ms: [],
          };
          t.samples++;
          t.series.add(`${m.namespace}/${m.name}`);
          t.namespaces.add(m.namespace);
          if (m.unit === "ms") t.ms.push(m.value);
          tenants.set(id, t);
        }
        const table = tableOf(section(r.out, "tenants") ?? []);
        expect(table.map((t) => `${t.scope}/${t.tenant}`).sort()).toEqual([...tenants.keys()].sort());
        for (const row of table) {
          const t = tenants.get(`${row.scope}/${row.tenant}`)!;
          const mean = t.ms.length ? t.ms.reduce((a, b) => a + b, 0) / t.ms.length : undefined;
          expect({ samples: row.samples, series: row.series, namespaces: row.namespaces }).toEqual({
            samples: String(t.samples),
            series: String(t.series.size),
            namespaces: [...t.namespaces].sort().join(","),
          });
          if (mean === undefined) expect(row.mean).toBe("-");
          else expect(near2(row.mean, mean)).toBe(true);
        }
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("ENTERPRISE").filter((x) => !has(x, "MOCK_API"))) {
    test(
      `variant ${v.name}: without ENTERPRISE, tenants and scopes share one aggregate per namespace/name and no per-tenant table is shown`,
      async () => {
        const data = dataset(v, tenantInput());
        const r = await report(v, data, [NO_SAMPLING]);
        const shown = aggregatesOf(r.out);
        expect([...shown.keys()].sort()).toEqual(["api/http.latency", "api/http.requests", "web/http.requests", "web/page.load"]);
        expect(shown.get("api/http.latency")!.count).toBe(String(data.metrics.filter((m) => m.name === "http.latency").length));
        expect(section(r.out, "tenants")).toBeUndefined();
      },
      TIMEOUT,
    );
  }
});
