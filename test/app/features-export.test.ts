import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { aggregateSamples } from "../../src/app/core/aggregate.ts";
import { sampleMetrics } from "../../src/app/core/sample-data.ts";
import type { AggregateRow } from "../../src/app/core/types.ts";
import { aggregatesToEmf, auditCountsToEmf } from "../../src/app/features/cloudwatch.ts";
import { compressionRatio, gunzipText, gzipPayload } from "../../src/app/features/compression.ts";
import { aggregatesToCsv, csvField, parseCsv, toCsv } from "../../src/app/features/csv-export.ts";
import { tenantGrouping } from "../../src/app/features/enterprise.ts";
import { histogramExtender } from "../../src/app/features/histograms.ts";
import { createLegacySerializer } from "../../src/app/features/legacy-serializer.ts";
import { msToUnixNano, toOtlpJson } from "../../src/app/features/otel-export.ts";
import { escapeLabelValue, promName, toPrometheus } from "../../src/app/features/prometheus-export.ts";
import { exportMetricsToS3, s3ObjectKey } from "../../src/app/features/s3-export.ts";
import { createV2Serializer, V2_HEADER } from "../../src/app/features/v2-serializer.ts";
import { metric } from "./helpers.ts";

const rows: AggregateRow[] = aggregateSamples(
  [metric({ value: 10, unit: "ms" }), metric({ value: 30, unit: "ms" }), metric({ namespace: "web", name: "queue.depth", value: 2 })],
  undefined,
  histogramExtender(),
);

describe("CSV_EXPORT (RFC 4180)", () => {
  test("quotes fields with comma, quote, CR or LF; CRLF record separator", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", bye')).toBe('"say ""hi"", bye"');
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField(undefined)).toBe("");
    expect(csvField(1 / 3)).toBe("0.333333");
    const text = toCsv(
      ["a", "b"],
      [
        ["x,y", 'q"'],
        ["", 3],
      ],
    );
    expect(text).toBe('a,b\r\n"x,y","q"""\r\n,3\r\n');
    expect(parseCsv(text)).toEqual([
      ["a", "b"],
      ["x,y", 'q"'],
      ["", "3"],
    ]);
  });

  test("aggregates with percentiles (and scope and tenant columns when grouped by tenant)", () => {
    const csv = aggregatesToCsv(rows);
    const parsed = parseCsv(csv);
    expect(parsed[0]).toEqual(["namespace", "name", "unit", "count", "sum", "min", "max", "mean", "p50", "p95", "p99"]);
    expect(parsed[1]).toEqual(["api", "http.latency", "ms", "2", "40", "10", "30", "20", "20", "29", "29.8"]);
    const t = aggregatesToCsv(aggregateSamples([metric({ tenant: "acme", name: 'we"ird,name' })], tenantGrouping()));
    expect(parseCsv(t)[0]!.slice(0, 4)).toEqual(["scope", "tenant", "namespace", "name"]);
    expect(parseCsv(t)[1]!.slice(0, 4)).toEqual(["Public", "acme", "api", 'we"ird,name']);
  });
});

describe("PROMETHEUS_EXPORT", () => {
  test("text exposition: HELP/TYPE per family, quantiles, _sum/_count, gauges, escaping", () => {
    const text = toPrometheus(rows);
    expect(text).toContain("# TYPE perf_http_latency_milliseconds summary\n");
    expect(text).toContain('perf_http_latency_milliseconds{namespace="api",quantile="0.5"} 20\n');
    expect(text).toContain('perf_http_latency_milliseconds_sum{namespace="api"} 40\n');
    expect(text).toContain('perf_http_latency_milliseconds_count{namespace="api"} 2\n');
    expect(text).toContain('# TYPE perf_http_latency_milliseconds_max gauge\nperf_http_latency_milliseconds_max{namespace="api"} 30\n');
    expect(text).toContain('perf_queue_depth_count{namespace="web"} 1\n');
    const owned = toPrometheus(aggregateSamples([metric({ scope: "Enterprise", tenant: "globex" })], tenantGrouping()));
    expect(owned).toContain('perf_http_latency_count{scope="Enterprise",tenant="globex",namespace="api"} 1\n');
    expect(text.endsWith("\n")).toBe(true);
    // Every sample line belongs to a family declared before it.
    const declared = new Set<string>();
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("# TYPE ")) declared.add(line.split(" ")[2]!);
      else if (!line.startsWith("#")) expect([...declared].some((f) => line.startsWith(f))).toBe(true);
    }
    expect(promName("9lives-metric", undefined)).toBe("perf_9lives_metric");
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});

describe("OTEL_EXPORT", () => {
  test("OTLP/JSON summary with string uint64 fields", () => {
    const payload = toOtlpJson(rows, { startMs: 1000, endMs: 2000 });
    const rm = payload.resourceMetrics[0]!;
    expect(rm.resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "master-perf-tracker" } }]);
    const metrics = rm.scopeMetrics[0]!.metrics;
    expect(metrics.map((m) => [m.name, m.unit])).toEqual([
      ["http.latency", "ms"],
      ["queue.depth", "1"],
    ]);
    const dp = metrics[0]!.summary.dataPoints[0]!;
    expect(dp).toMatchObject({ count: "2", sum: 40, startTimeUnixNano: "1000000000", timeUnixNano: "2000000000" });
    expect(dp.quantileValues.map((q) => q.quantile)).toEqual([0, 0.5, 0.95, 0.99, 1]);
    expect(dp.attributes).toEqual([{ key: "perf.namespace", value: { stringValue: "api" } }]);
    expect(msToUnixNano(1768478400000)).toBe("1768478400000000000");
  });
});

describe("CLOUDWATCH EMF", () => {
  test("one EMF document per row with _aws metadata", () => {
    const docs = aggregatesToEmf(rows, 1234).map((l) => JSON.parse(l));
    expect(docs[0]._aws).toEqual({
      Timestamp: 1234,
      CloudWatchMetrics: [
        {
          Namespace: "MasterPerfTracker",
          Dimensions: [["namespace", "metric"]],
          Metrics: [
            { Name: "count", Unit: "Count" },
            { Name: "mean", Unit: "Milliseconds" },
            { Name: "max", Unit: "Milliseconds" },
            { Name: "p99", Unit: "Milliseconds" },
          ],
        },
      ],
    });
    expect(docs[0]).toMatchObject({ namespace: "api", metric: "http.latency", count: 2, mean: 20, max: 30, p99: 29.8 });
    // Every declared metric has a value in the document.
    for (const d of docs) for (const m of d._aws.CloudWatchMetrics[0].Metrics) expect(typeof d[m.Name]).toBe("number");
    const audit = JSON.parse(auditCountsToEmf({ "metric.record": 3 }, 5));
    expect(audit["audit.metric.record"]).toBe(3);
    expect(audit._aws.CloudWatchMetrics[0].Namespace).toBe("MasterPerfTracker/Audit");
  });
});

describe("COMPRESSION", () => {
  test("gzip round trip with Bun.gzipSync", () => {
    const text = "metric,".repeat(500);
    const p = gzipPayload(text);
    expect(p.encoding).toBe("gzip");
    expect([p.body[0], p.body[1]]).toEqual([0x1f, 0x8b]);
    expect(p.rawBytes).toBe(3500);
    expect(compressionRatio(p)).toBeLessThan(0.1);
    expect(gunzipText(p.body)).toBe(text);
  });
});

describe("serializers", () => {
  const samples = sampleMetrics();
  for (const s of [createLegacySerializer(), createV2Serializer()]) {
    test(`${s.id} round-trips the sample (including odd characters)`, () => {
      const odd = [
        ...samples,
        metric({
          name: "we|rd=na&me%",
          namespace: "a|b",
          scope: "Internal",
          props: { "k=1": "v&2|%\n", e: "" },
          tenant: "t_1-x",
          unit: "ms",
          traceparent: "x|y",
        }),
      ];
      // `via` is ingestion-only (the submitting scope and tenant) and is not persisted.
      expect(s.deserialize(s.serialize(odd))).toEqual(odd.map(({ via: _via, ...m }) => m));
    });
  }

  test("v2 is compact: header, name dictionary, much smaller than legacy", () => {
    const v2 = createV2Serializer().serialize(samples);
    const legacy = createLegacySerializer().serialize(samples);
    expect(v2.startsWith(`${V2_HEADER}\n=0 `)).toBe(true);
    expect(v2.length * 3).toBeLessThan(legacy.length);
    expect(() => createV2Serializer().deserialize("nope")).toThrow("missing header");
    expect(JSON.parse(legacy.split("\n")[0]!)).toMatchObject({ version: 1, metric_name: "http.latency" });
    expect(() => createLegacySerializer().deserialize('{"version":2}')).toThrow("unsupported version");
  });
});

describe("S3_EXPORT exportMetricsToS3", () => {
  const dir = mkdtempSync(join(tmpdir(), "s3-export-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("one PUT per scope, tenant, namespace and day with partitioned key and Content-Disposition", async () => {
    const day = Date.UTC(2026, 0, 15);
    const samples = [
      metric({ ts: day }),
      metric({ ts: day + 1000 }),
      metric({ ts: day - 1 }),
      metric({ namespace: "web/x", ts: day }),
      metric({ tenant: "globex", ts: day }),
      metric({ scope: "Enterprise", ts: day }),
    ];
    const { requests, written } = await exportMetricsToS3(samples, {
      bucket: "b",
      prefix: "/metrics/",
      serializer: createLegacySerializer(),
      traceparent: "00-abc",
    });
    expect(written).toEqual([]);
    expect(requests.map((r) => [r.key, r.records])).toEqual([
      ["metrics/scope=Enterprise/tenant=acme/namespace=api/date=2026-01-15/metrics-Enterprise-acme-api-2026-01-15.jsonl", 1],
      ["metrics/scope=Public/tenant=acme/namespace=api/date=2026-01-14/metrics-Public-acme-api-2026-01-14.jsonl", 1],
      ["metrics/scope=Public/tenant=acme/namespace=api/date=2026-01-15/metrics-Public-acme-api-2026-01-15.jsonl", 2],
      ["metrics/scope=Public/tenant=acme/namespace=web_2Fx/date=2026-01-15/metrics-Public-acme-web_2Fx-2026-01-15.jsonl", 1],
      ["metrics/scope=Public/tenant=globex/namespace=api/date=2026-01-15/metrics-Public-globex-api-2026-01-15.jsonl", 1],
    ]);
    const r = requests[2]!;
    expect(r.method).toBe("PUT");
    expect(r.url).toBe(
      "https://b.s3.us-east-1.amazonaws.com/metrics/scope%3DPublic/tenant%3Dacme/namespace%3Dapi/date%3D2026-01-15/metrics-Public-acme-api-2026-01-15.jsonl",
    );
    expect(r.headers).toMatchObject({
      "Content-Type": "application/x-ndjson",
      "Content-Disposition": 'attachment; filename="metrics-Public-acme-api-2026-01-15.jsonl"',
      "Content-Length": String(Buffer.byteLength(r.body as string)),
      "x-amz-meta-record-count": "2",
      traceparent: "00-abc",
    });
    expect(r.headers["Content-MD5"]).toBe(new Bun.CryptoHasher("md5").update(r.body as string).digest("base64"));
    expect(createLegacySerializer().deserialize(r.body as string)).toHaveLength(2);
    expect(s3ObjectKey("", { scope: "Internal", tenant: "t", namespace: "api", date: "2026-01-01" }, "f")).toBe(
      "scope=Internal/tenant=t/namespace=api/date=2026-01-01/f",
    );
  });

  test("compressed bodies are written under outDir", async () => {
    const { requests, written } = await exportMetricsToS3(sampleMetrics(), {
      bucket: "bkt",
      serializer: createV2Serializer(),
      compress: (t) => gzipPayload(t),
      outDir: dir,
    });
    expect(requests.every((r) => r.headers["Content-Encoding"] === "gzip" && r.key.endsWith(".mpt2.gz"))).toBe(true);
    expect(written).toHaveLength(requests.length);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => relative(dir, join(d.parentPath, d.name)))
      .sort();
    expect(files).toEqual(requests.map((r) => `bkt/${r.key}`).sort());
    const first = await Bun.file(written[0]!).bytes();
    expect(createV2Serializer().deserialize(gunzipText(first)).length).toBe(requests[0]!.records);
  });
});
