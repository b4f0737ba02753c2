import { describe, expect, test } from "bun:test";
import { Instrumentation } from "../../src/app/core/instrumentation.ts";
import { sampleMetrics } from "../../src/app/core/sample-data.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { AlertEngine, defaultAlertRules, parseAlertRule } from "../../src/app/features/alerting.ts";
import { detectAll, detectAnomalies, meanStd, zScore } from "../../src/app/features/anomaly-detection.ts";
import { createDebugProbe, formatStateDump, installExitDump } from "../../src/app/features/debug.ts";
import { bucketCounts, percentile, percentiles } from "../../src/app/features/histograms.ts";
import { formatProfileCalls, formatProfileTimings, Profiler } from "../../src/app/features/profiling.ts";
import { computeSla, defaultSlo, renderSlaReport } from "../../src/app/features/sla-dashboard.ts";
import { RingBuffer, TimeSeriesStore } from "../../src/app/features/time-series-storage.ts";
import { metric } from "./helpers.ts";

describe("HISTOGRAMS", () => {
  test("percentiles by linear interpolation", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ p50: 50.5, p95: 95.05, p99: 99.01 });
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBe(0);
    expect(percentiles([3, 1, 2])).toEqual({ p50: 2, p95: 2.9, p99: 2.98 });
    expect(() => percentile([1], 101)).toThrow("percentile must be within 0..100");
    expect(bucketCounts([1, 5, 10, 50], [5, 10])).toEqual([2, 3, 4]);
  });
});

describe("TIME_SERIES_STORAGE", () => {
  test("ring buffer keeps the newest items", () => {
    const r = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect([r.size, r.overwritten, r.last()]).toEqual([3, 2, 5]);
    expect(() => new RingBuffer(0)).toThrow("capacity must be a positive integer");
  });

  test("raw ring and minute/hour rollups with downsampling", () => {
    const s = new TimeSeriesStore({ rawCapacity: 4, rollups: [{ name: "1m", stepMs: 60_000, capacity: 2 }] });
    for (const [ts, v] of [
      [0, 1],
      [30_000, 3],
      [60_000, 10],
      [90_000, 20],
      [125_000, 7],
      [61_000, 6],
    ] as const)
      s.add("k", ts, v);
    expect(s.raw("k").map((p) => p.ts)).toEqual([60_000, 61_000, 90_000, 125_000]);
    expect(s.overwritten("k")).toBe(2);
    // Minute 0 was evicted from the 2-bucket ring; the late point at 61s lands in minute 1.
    expect(s.rollup("k", "1m")).toEqual([
      { start: 60_000, count: 3, sum: 36, min: 6, max: 20 },
      { start: 120_000, count: 1, sum: 7, min: 7, max: 7 },
    ]);
    expect(s.downsampled("k", "1m")).toEqual([
      { ts: 60_000, value: 12 },
      { ts: 120_000, value: 7 },
    ]);
    s.add("k", 0, 1);
    expect(s.lateDropped).toBe(1);
    expect(s.keys()).toEqual(["k"]);
    expect(s.raw("missing")).toEqual([]);
  });
});

describe("ANOMALY_DETECTION", () => {
  test("rolling z-score flags the spike only", () => {
    const values = [100, 102, 98, 101, 99, 100, 103, 97, 500, 101];
    const points = values.map((value, i) => ({ ts: i, value }));
    const found = detectAnomalies("k", points);
    expect(found.map((a) => a.ts)).toEqual([8]);
    expect(found[0]!.z).toBeGreaterThan(50);
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(zScore(5, 5, 0)).toBe(0);
    expect(zScore(6, 5, 0)).toBe(Infinity);
    expect(
      detectAll(
        new Map([
          ["a", points],
          ["b", points.slice(0, 3)],
        ]),
      ).map((a) => a.key),
    ).toEqual(["a"]);
    expect(() => detectAnomalies("k", points, { window: 0, threshold: 3, minPoints: 1 })).toThrow("anomaly detection needs window");
  });
});

describe("ALERTING", () => {
  test("pending -> firing after the for-duration -> resolved", () => {
    const engine = new AlertEngine([parseAlertRule("slow:http.latency>500:30s")]);
    const states = [
      [0, 100],
      [10_000, 600],
      [20_000, 700],
      [40_000, 650],
      [50_000, 800],
      [60_000, 100],
    ].flatMap(([ts, value]) => engine.evaluate(metric({ ts: ts!, value: value! })).map((e) => `${e.ts}:${e.state}`));
    expect(states).toEqual(["10000:pending", "40000:firing", "60000:resolved"]);
    expect(engine.firing()).toEqual([]);
  });

  test("a breach shorter than the for-duration never fires; for=0 fires at once", () => {
    const e = new AlertEngine([
      parseAlertRule("slow:http.latency>=500:1m"),
      { name: "now", metric: "http.latency", op: ">", threshold: 500, forMs: 0, namespace: "web" },
    ]);
    e.evaluate(metric({ ts: 0, value: 900 }));
    e.evaluate(metric({ ts: 30_000, value: 100 }));
    expect(e.events.map((x) => x.state)).toEqual(["pending"]);
    e.evaluate(metric({ namespace: "web", ts: 1, value: 501 }));
    expect(e.firing()).toEqual(["now acme@Public:web/http.latency"]);
    // Series are per tenant in a scope: another tenant's breach is its own series.
    e.evaluate(metric({ namespace: "web", tenant: "globex", ts: 2, value: 501 }));
    expect(e.firing()).toEqual(["now acme@Public:web/http.latency", "now globex@Public:web/http.latency"]);
  });

  test("rule parsing and defaults", () => {
    expect(parseAlertRule("q:queue.depth<=3:5m")).toEqual({ name: "q", metric: "queue.depth", op: "<=", threshold: 3, forMs: 300_000 });
    expect(parseAlertRule("q:x>1.5")).toMatchObject({ op: ">", threshold: 1.5, forMs: 0 });
    expect(() => parseAlertRule("nonsense")).toThrow("bad alert rule");
    expect(defaultAlertRules().map((r) => r.name)).toEqual(["latency-high", "queue-backlog"]);
  });
});

describe("SLA_DASHBOARD", () => {
  test("availability and latency attainment per namespace", () => {
    const rows = computeSla([
      metric({ name: "http.requests", value: 1, props: { status: "200" } }),
      metric({ name: "http.requests", value: 1, props: { status: "503" } }),
      metric({ name: "http.requests", value: 2, props: { ok: "false" } }),
      metric({ name: "http.latency", value: 100 }),
      metric({ name: "http.latency", value: 300 }),
      metric({ name: "http.latency", value: 301 }),
      metric({ name: "other", namespace: "zzz" }),
    ]);
    expect(rows).toEqual([
      {
        namespace: "api",
        requests: 4,
        failures: 3,
        availability: 0.25,
        latencySamples: 3,
        withinThreshold: 2,
        attainment: 2 / 3,
        availabilityMet: false,
        latencyMet: false,
      },
    ]);
    const text = renderSlaReport(rows, defaultSlo());
    expect(text.split("\n")).toEqual([
      "SLA dashboard: availability target 99.00%, latency target 95% <= 300ms",
      "api      availability  25.00% [#####...............] BREACHED (1/4)",
      "         latency SLO   66.67% [#############.......] BREACHED (2/3)",
    ]);
    expect(renderSlaReport([])).toContain("no request or latency samples");
  });

  test("sample data meets the web latency SLO", () => {
    const web = computeSla(sampleMetrics()).find((r) => r.namespace === "web")!;
    expect(web).toMatchObject({ latencySamples: 6, latencyMet: true, availability: null });
  });
});

describe("DEBUG", () => {
  test("stage probe traces enter/exit with timings", () => {
    const lines: string[] = [];
    let clock = 0;
    const inst = new Instrumentation().add(
      createDebugProbe(
        (l) => lines.push(l),
        () => (clock += 1.5),
      ),
    );
    inst.run("outer", () => inst.run("inner", () => 1));
    expect(lines).toEqual(["[debug] > outer", "[debug]   > inner", "[debug]   < inner 1.500ms", "[debug] < outer 4.500ms"]);
  });

  test("state dump is deterministic and registered on process exit", () => {
    const t = new MasterPerfTracker();
    t.use({ name: "gate", process: (m) => (m.value > 1 ? { drop: "big" } : m) });
    t.record(metric({ value: 1 }));
    t.record(metric({ value: 2 }));
    expect(formatStateDump(t.state())).toEqual([
      "[debug:state] samples=1 pending=0 grouping=namespace/name guarded=false listeners=0",
      "[debug:state] owners=acme@Public namespaces=api",
      "[debug:state] keys=api/http.latency",
      "[debug:state] stage gate in=2 out=1 drops=big:1",
    ]);
    const before = process.listenerCount("exit");
    const remove = installExitDump(() => t.state());
    expect(process.listenerCount("exit")).toBe(before + 1);
    remove();
    expect(process.listenerCount("exit")).toBe(before);
  });
});

describe("PROFILING", () => {
  test("accumulates CPU ns and heap deltas per stage", () => {
    let ns = 0;
    let heap = 1000;
    const p = new Profiler(
      () => (ns += 2_000_000),
      () => (heap += 512),
    );
    const inst = new Instrumentation().add(p);
    inst.run("a", () => 1);
    inst.run("a", () => 1);
    p.measure("b", () => 2);
    expect(p.entries()).toEqual([
      { stage: "a", calls: 2, totalNs: 4_000_000, maxNs: 2_000_000, heapDeltaBytes: 1024 },
      { stage: "b", calls: 1, totalNs: 2_000_000, maxNs: 2_000_000, heapDeltaBytes: 512 },
    ]);
    expect(formatProfileCalls(p.entries())).toEqual(["a calls=2", "b calls=1"]);
    expect(formatProfileTimings(p.entries())[0]).toBe("[profile] a calls=2 total=4.000ms max=2.000ms heap=1.0KiB");
  });

  test("default clock is Bun.nanoseconds", () => {
    const p = new Profiler();
    p.measure("spin", () => {
      let x = 0;
      for (let i = 0; i < 1e5; i++) x += i;
      return x;
    });
    expect(p.entries()[0]!.totalNs).toBeGreaterThan(0);
  });
});
