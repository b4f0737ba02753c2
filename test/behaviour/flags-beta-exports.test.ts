/**
 * Behaviour proofs of the Beta export flags against every variant that ships them (data/variants.yaml):
 * OTEL_EXPORT (OTLP/JSON checked against the OpenTelemetry protocol's messages), CLOUDWATCH (Embedded Metric
 * Format checked against the EMF envelope and AWS's validators) and V2_SERIALIZER (the snapshot decoded by the
 * format's grammar, independently of the application's deserializer). Each test is named
 * `flag: NAME` › `variant <name>: ...`; variants with MOCK_API generate their data, the others read a file.
 */
import { describe, expect, test } from "bun:test";
import { createLegacySerializer } from "../../src/app/features/legacy-serializer.ts";
import type { Metric } from "../../src/app/core/types.ts";
import { emfProblems, otlpProblems, parseMpt2, readSnapshot } from "./formats.ts";
import { built, has, lines, runCli, sectionOf, tempDir, tempFile, useHarness, variantsWith } from "./harness.ts";

useHarness();

const TIMEOUT = 60_000;
const NOW = Date.UTC(2026, 0, 15, 13);

/** Samples of one tenant: two series of http.latency (ms) and one of queue.depth (no unit), at most 8 per series (below sampling). */
function exportInput(now: number, tenant: string) {
  const series = [
    { name: "http.latency", namespace: "api", unit: "ms", values: [10, 20, 30, 40] },
    { name: "http.latency", namespace: "web", unit: "ms", values: [5] },
    { name: "queue.depth", namespace: "api", unit: undefined, values: [3, 7] },
  ];
  let i = 0;
  const metrics = series.flatMap((s) =>
    s.values.map((value) => ({
      name: s.name,
      value,
      namespace: s.namespace,
      scope: "Public",
      tenant,
      ts: now - ++i * 1000,
      ...(s.unit ? { unit: s.unit } : {}),
    })),
  );
  return { series, metrics };
}

/** The stored-sample count of a report's "ingest:" line. */
const storedOf = (out: string) => Number(/^ingest: \d+ in, (\d+) stored/m.exec(out)?.[1] ?? -1);

describe("flag: OTEL_EXPORT", () => {
  const variants = variantsWith("OTEL_EXPORT");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  interface Point {
    attributes: { key: string; value: { stringValue: string } }[];
    startTimeUnixNano: string;
    timeUnixNano: string;
    count: string;
    sum: number;
    quantileValues: { quantile: number; value: number }[];
  }

  /** The payload of the report's otlp/json section, checked against the protocol and the summary's rules. */
  function otlpOf(out: string): { metrics: { name: string; unit: string; summary: { dataPoints: Point[] } }[]; payload: any } {
    const section = sectionOf(out, "otlp/json");
    expect(section).toHaveLength(1);
    const payload = JSON.parse(section[0]!);
    expect(otlpProblems(payload)).toEqual([]);
    expect(payload.resourceMetrics).toHaveLength(1);
    const resource = payload.resourceMetrics[0];
    expect(resource.resource.attributes.find((a: { key: string }) => a.key === "service.name")?.value.stringValue).toBeTruthy();
    const metrics = resource.scopeMetrics.flatMap((s: { metrics: unknown[] }) => s.metrics);
    for (const m of metrics) {
      expect(Object.keys(m).filter((k) => ["gauge", "sum", "histogram", "exponentialHistogram", "summary"].includes(k))).toEqual([
        "summary",
      ]);
      for (const p of m.summary.dataPoints as Point[]) {
        expect(p.count).toMatch(/^\d+$/);
        expect(BigInt(p.timeUnixNano) >= BigInt(p.startTimeUnixNano)).toBe(true);
        const q = p.quantileValues;
        expect(q[0]!.quantile).toBe(0);
        expect(q.at(-1)!.quantile).toBe(1);
        for (let i = 1; i < q.length; i++) {
          expect(q[i]!.quantile).toBeGreaterThan(q[i - 1]!.quantile);
          expect(q[i]!.value).toBeGreaterThanOrEqual(q[i - 1]!.value);
        }
      }
    }
    return { metrics, payload };
  }

  for (const v of variants) {
    if (has(v, "MOCK_API")) {
      test(
        `variant ${v.name}: the OTLP/JSON export of generated data is an ExportMetricsServiceRequest whose summaries count every stored sample`,
        async () => {
          const r = await runCli(v, ["--count=50", `--now=${NOW}`]);
          expect(r.code).toBe(0);
          const { metrics } = otlpOf(r.out);
          const points = metrics.flatMap((m) => m.summary.dataPoints);
          expect(points.length).toBeGreaterThan(0);
          expect(points.reduce((n, p) => n + Number(p.count), 0)).toBe(storedOf(r.out));
          for (const p of points) expect(p.timeUnixNano).toBe(`${BigInt(NOW) * 1_000_000n}`);
        },
        TIMEOUT,
      );
    } else {
      test(
        `variant ${v.name}: the OTLP/JSON export is an ExportMetricsServiceRequest with one summary per series: count, sum, min and max as quantiles 0 and 1, times in nanoseconds`,
        async () => {
          const { series, metrics: input } = exportInput(NOW, "otel");
          const r = await runCli(v, [tempFile("otel.jsonl", lines(input)), `--now=${NOW}`]);
          expect(r.code).toBe(0);
          const { metrics } = otlpOf(r.out);
          expect(metrics.map((m) => m.name).sort()).toEqual(["http.latency", "queue.depth"]);
          const start = `${BigInt(Math.min(...input.map((m) => m.ts))) * 1_000_000n}`;
          for (const s of series) {
            const m = metrics.find((x) => x.name === s.name)!;
            expect(m.unit).toBe(s.unit ?? "1");
            const point = m.summary.dataPoints.find((p) =>
              p.attributes.some((a) => a.key === "perf.namespace" && a.value.stringValue === s.namespace),
            )!;
            expect(point).toBeDefined();
            const attrs = Object.fromEntries(point.attributes.map((a) => [a.key, a.value.stringValue]));
            if (has(v, "ENTERPRISE")) expect(attrs).toEqual({ "perf.scope": "Public", "tenant.id": "otel", "perf.namespace": s.namespace });
            expect({ count: point.count, sum: point.sum, start: point.startTimeUnixNano, time: point.timeUnixNano }).toEqual({
              count: String(s.values.length),
              sum: s.values.reduce((a, b) => a + b, 0),
              start,
              time: `${BigInt(NOW) * 1_000_000n}`,
            });
            const q = new Map(point.quantileValues.map((x) => [x.quantile, x.value]));
            expect([q.get(0), q.get(1)]).toEqual([Math.min(...s.values), Math.max(...s.values)]);
            if (has(v, "HISTOGRAMS")) expect([...q.keys()]).toEqual([0, 0.5, 0.95, 0.99, 1]);
          }
        },
        TIMEOUT,
      );
    }
  }
});

describe("flag: CLOUDWATCH", () => {
  const variants = variantsWith("CLOUDWATCH");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: every line of the EMF output is an Embedded Metric Format document CloudWatch accepts, one per aggregate (count, mean, max in their units) and one of audit counts`,
      async () => {
        // CloudWatch accepts EMF timestamps up to two weeks old: the clock is now.
        const now = Date.now();
        const { series, metrics: input } = exportInput(now, "emf");
        const r = await runCli(v, [tempFile("emf.jsonl", lines(input)), `--now=${now}`]);
        expect(r.code).toBe(0);
        const docs = sectionOf(r.out, "cloudwatch emf").map((l) => JSON.parse(l));
        expect(docs.length).toBe(series.length + (has(v, "AUDIT_LOG") ? 1 : 0));
        for (const d of docs) expect({ doc: d, problems: emfProblems(d) }).toEqual({ doc: d, problems: [] });
        for (const s of series) {
          const doc = docs.find((d) => d.metric === s.name && d.namespace === s.namespace);
          expect(doc).toBeDefined();
          expect(doc._aws.Timestamp).toBe(now);
          if (has(v, "ENTERPRISE")) expect([doc.scope, doc.tenant]).toEqual(["Public", "emf"]);
          const directive = doc._aws.CloudWatchMetrics[0];
          const units = Object.fromEntries(directive.Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]));
          const unit = s.unit === "ms" ? "Milliseconds" : "None";
          expect({ count: units.count, mean: units.mean, max: units.max }).toEqual({ count: "Count", mean: unit, max: unit });
          const sum = s.values.reduce((a, b) => a + b, 0);
          expect({ count: doc.count, mean: doc.mean, max: doc.max }).toEqual({
            count: s.values.length,
            mean: Math.round((sum / s.values.length) * 1000) / 1000,
            max: Math.max(...s.values),
          });
        }
        if (has(v, "AUDIT_LOG")) {
          const audit = docs.find((d) => d._aws.CloudWatchMetrics[0].Namespace.endsWith("/Audit"));
          expect(audit).toBeDefined();
          expect(audit["audit.metric.record"]).toBe(input.length);
        }
      },
      TIMEOUT,
    );
  }
});

describe("flag: V2_SERIALIZER", () => {
  const variants = variantsWith("V2_SERIALIZER");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  /** Metrics whose text needs every escape of the format, values of every shape, timestamps going back and forth. */
  function hostile(now: number): Metric[] {
    const base = { scope: "Public" as const, tenant: "v2" };
    return [
      { ...base, name: "v2.a", namespace: "ns-a", value: 0.1, ts: now - 5_000, unit: "ms", props: { q: "a|b&c=d%e", path: "/x?y=1&z=2" } },
      { ...base, name: "v2.a", namespace: "ns-a", value: -3.5, ts: now - 90_000_000, unit: "ms", props: {} },
      { ...base, name: "v2.b", namespace: "plain", value: 1e-7, ts: now - 1, props: { "k.e_y-1": "100%", empty: "" } },
      { ...base, name: "v2.c", namespace: "plain", value: 12345678.9, ts: now, unit: "by&tes", props: { eq: "==", amp: "&&" } },
      { ...base, name: "v2.a", namespace: "other", value: 0, ts: now - 2 * 86_400_000, props: { pct: "%41%25" } },
    ];
  }

  for (const v of variants) {
    test(
      `variant ${v.name}: the bundle carries the v2 serializer and not the legacy one`,
      async () => {
        const text = await Bun.file(await built(v)).text();
        expect({ v2: text.includes("#mpt2"), legacy: text.includes("legacy-json-v1") }).toEqual({ v2: true, legacy: false });
      },
      TIMEOUT,
    );

    if (has(v, "MOCK_API")) {
      test(
        `variant ${v.name}: the snapshot of generated data decodes by the mpt2 grammar into every stored sample, and the aggregates add up to it`,
        async () => {
          const out = tempDir(`v2-${v.name}`);
          const r = await runCli(v, ["--count=80", `--now=${NOW}`, `--out=${out}`]);
          expect(r.code).toBe(0);
          const { file, text } = readSnapshot(out);
          expect(file).toMatch(/^snapshot\.mpt2(\.gz)?$/);
          const records = parseMpt2(text);
          expect(records.length).toBe(storedOf(r.out));
          expect(r.out).toContain(
            `serializer mpt-v2: ${records.length} records, ${new TextEncoder().encode(text).byteLength} bytes, roundtrip ok`,
          );
          const csv = sectionOf(r.out, "csv");
          if (csv.length) {
            const header = csv[0]!.split(",");
            const rows = csv.slice(1).map((l) => l.split(","));
            const col = (name: string) => rows.map((row) => Number(row[header.indexOf(name)]));
            expect(col("count").reduce((a, b) => a + b, 0)).toBe(records.length);
            expect(col("sum").reduce((a, b) => a + b, 0)).toBeCloseTo(
              records.reduce((a, m) => a + m.value, 0),
              3,
            );
          }
          // The last samples with properties, as the report prints them.
          const shown = sectionOf(r.out, "samples with properties (last 5)").map((l) =>
            JSON.parse(l.slice(l.indexOf("{"), l.lastIndexOf("}") + 1)),
          );
          expect(
            records
              .filter((m) => Object.keys(m.props).length > 0)
              .slice(-5)
              .map((m) => m.props),
          ).toEqual(shown);
        },
        TIMEOUT,
      );
    } else {
      test(
        `variant ${v.name}: the snapshot decodes by the mpt2 grammar into exactly the samples written, separators and percent signs included, and is smaller than the legacy JSON lines`,
        async () => {
          const out = tempDir(`v2-${v.name}`);
          const input = hostile(NOW);
          const r = await runCli(v, [
            tempFile("v2.jsonl", lines(input as unknown as Record<string, unknown>[])),
            `--now=${NOW}`,
            `--out=${out}`,
          ]);
          expect(r.code).toBe(0);
          const { text } = readSnapshot(out);
          const records = parseMpt2(text);
          const key = (m: { name: string; ts: number }) => `${m.name}@${m.ts}`;
          const sort = <T extends { name: string; ts: number }>(list: T[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
          const expected = sort(input).map((m) => ({
            name: m.name,
            scope: m.scope,
            tenant: m.tenant,
            namespace: m.namespace,
            ts: m.ts,
            value: m.value,
            props: m.props,
            ...(m.unit ? { unit: m.unit } : {}),
          }));
          expect(sort(records)).toEqual(expected);
          // Each name is written once, in the dictionary.
          expect(text.split("\n").filter((l) => l.startsWith("=")).length).toBe(new Set(input.map((m) => m.name)).size);
          expect(new TextEncoder().encode(text).byteLength).toBeLessThan(
            new TextEncoder().encode(createLegacySerializer().serialize(input)).byteLength,
          );
        },
        TIMEOUT,
      );
    }
  }
});
