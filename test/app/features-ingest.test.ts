import { describe, expect, test } from "bun:test";
import { aggregateSamples } from "../../src/app/core/aggregate.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { AUDIT_GENESIS, AuditLog, auditTrackerEvent, type AuditEntry } from "../../src/app/features/audit-log.ts";
import { BatchBuffer, batchCommitter } from "../../src/app/features/batching.ts";
import { aggregateByTenant, tenantGrouping } from "../../src/app/features/enterprise.ts";
import { generateMockMetrics, mulberry32 } from "../../src/app/features/mock-api.ts";
import { applyRetention, DAY_MS, isExpired, retentionCutoff } from "../../src/app/features/retention-policy.ts";
import { SamplingStage } from "../../src/app/features/sampling.ts";
import {
  childContext,
  formatTraceparent,
  parseTraceparent,
  summarizeTraces,
  TraceContextStage,
} from "../../src/app/features/trace-context.ts";
import type { Metric } from "../../src/app/core/types.ts";
import { metric } from "./helpers.ts";

describe("MOCK_API", () => {
  test("seeded PRNG is deterministic and in [0,1)", () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(2)()).not.toBe(xs[0]);
  });

  test("same seed gives the same metrics; different seed differs", () => {
    const a = generateMockMetrics({ seed: 42, count: 50 });
    expect(a).toEqual(generateMockMetrics({ seed: 42, count: 50 }));
    expect(a).not.toEqual(generateMockMetrics({ seed: 43, count: 50 }));
    expect(a).toHaveLength(50);
    expect(new Set(a.map((m) => m.namespace))).toEqual(new Set(["api", "web", "worker"]));
    // Mock data is Development-scope data (data/scopes.yaml), in three tenants.
    expect(new Set(a.map((m) => m.scope))).toEqual(new Set(["Development"]));
    expect(new Set(a.map((m) => m.tenant))).toEqual(new Set(["acme", "globex", "initech"]));
    expect(a.every((m, i) => m.ts === 1768478400000 + i * 1000 && Number.isFinite(m.value) && m.tenant)).toBe(true);
  });
});

describe("ENTERPRISE", () => {
  test("scope and tenant in key and summary per tenant in a scope", () => {
    const samples = [
      metric({ unit: "ms", value: 10 }),
      metric({ unit: "ms", value: 30 }),
      metric({ tenant: "default", namespace: "web" }),
      metric({ tenant: "default" }),
      metric({ scope: "Enterprise" }),
    ];
    const rows = aggregateSamples(samples, tenantGrouping());
    expect(rows.map((r) => [r.key, r.scope, r.tenant, r.stats.count])).toEqual([
      ["acme@Enterprise:api/http.latency", "Enterprise", "acme", 1],
      ["acme@Public:api/http.latency", "Public", "acme", 2],
      ["default@Public:api/http.latency", "Public", "default", 1],
      ["default@Public:web/http.latency", "Public", "default", 1],
    ]);
    // The same tenant id in two scopes is two tenants.
    expect(aggregateByTenant(samples)).toEqual([
      { scope: "Enterprise", tenant: "acme", samples: 1, series: 1, namespaces: ["api"], meanLatencyMs: null },
      { scope: "Public", tenant: "acme", samples: 2, series: 1, namespaces: ["api"], meanLatencyMs: 20 },
      { scope: "Public", tenant: "default", samples: 2, series: 2, namespaces: ["api", "web"], meanLatencyMs: null },
    ]);
  });
});

describe("SAMPLING", () => {
  test("keeps the first N per series, then a deterministic 1-in-rate subset", () => {
    const run = () => {
      const s = new SamplingStage({ rate: 4, after: 10 });
      const kept = Array.from({ length: 1000 }, (_, i) => s.process(metric({ ts: i, value: i % 7 }))).filter((o) => !("drop" in o)).length;
      return { kept, s };
    };
    const a = run();
    expect(a.kept).toBe(run().kept);
    expect(a.kept).toBeGreaterThan(10 + 990 / 4 - 60);
    expect(a.kept).toBeLessThan(10 + 990 / 4 + 60);
    expect(a.s.skipped + a.s.kept).toBe(1000);
    expect(a.s.highVolumeSeries()).toEqual(["acme@Public:api/http.latency"]);
    // Series are per tenant in a scope: acme's volume does not sample globex's series.
    expect([1, 2, 3].every((i) => !("drop" in a.s.process(metric({ ts: i, tenant: "globex" }))))).toBe(true);
    const low = new SamplingStage({ rate: 4, after: 10 });
    expect([1, 2, 3].every((i) => !("drop" in low.process(metric({ ts: i, namespace: "web" }))))).toBe(true);
  });
});

describe("BATCHING", () => {
  test("flushes full batches and the remainder", () => {
    const batches: number[][] = [];
    const b = new BatchBuffer<number>(3, (batch) => batches.push([...batch]));
    for (let i = 1; i <= 7; i++) b.add(i);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(b.pending).toBe(1);
    b.flush();
    b.flush();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(b.flushedSizes).toEqual([3, 3, 1]);
    expect(() => new BatchBuffer(0, () => {})).toThrow("batch size must be a positive integer");
  });

  test("as tracker committer", () => {
    let buffer: BatchBuffer<Metric> | undefined;
    const t = new MasterPerfTracker().setCommitter(batchCommitter(2, (b) => (buffer = b)));
    for (let i = 0; i < 5; i++) t.record(metric({ ts: i }));
    expect(t.samples()).toHaveLength(4);
    t.flush();
    expect(t.samples()).toHaveLength(5);
    expect(buffer!.flushedSizes).toEqual([2, 2, 1]);
  });
});

describe("TRACE_CONTEXT", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  test("parses valid headers and rejects invalid ones", () => {
    expect(parseTraceparent(valid)).toEqual({
      version: "00",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentId: "00f067aa0ba902b7",
      flags: 1,
    });
    expect(formatTraceparent(parseTraceparent(valid)!)).toBe(valid);
    for (const bad of [
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "garbage",
    ])
      expect(parseTraceparent(bad)).toBeNull();
    expect(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future")).toMatchObject({ flags: 0 });
  });

  test("child context keeps the trace and derives a new deterministic span", () => {
    const p = parseTraceparent(valid)!;
    const c = childContext(p, "x");
    expect(c.traceId).toBe(p.traceId);
    expect(c.parentId).not.toBe(p.parentId);
    expect(c.parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(childContext(p, "x")).toEqual(c);
  });

  test("stage attaches own, inherited or no context and counts invalid headers", () => {
    const run = parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")!;
    const s = new TraceContextStage(run);
    const own = s.process(metric({ traceparent: valid })) as Metric;
    const inherited = s.process(metric({ traceparent: "bogus" })) as Metric;
    expect(own.trace).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7", sampled: true });
    expect(own.traceparent).toStartWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");
    expect(inherited.trace!.traceId).toBe(run.traceId);
    expect([s.invalid, s.inherited]).toEqual([1, 1]);
    const none = new TraceContextStage().process(metric({ traceparent: "bogus" })) as Metric;
    expect(none.trace).toBeUndefined();
    expect(none.traceparent).toBeUndefined();
    expect(summarizeTraces([own, inherited, own])).toEqual([
      { traceId: run.traceId, metrics: 1, namespaces: ["api"] },
      { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", metrics: 2, namespaces: ["api"] },
    ]);
  });
});

describe("RETENTION_POLICY", () => {
  test("drops samples older than N days", () => {
    const now = 100 * DAY_MS;
    const t = new MasterPerfTracker();
    for (const age of [0, 29, 31, 45]) t.record(metric({ ts: now - age * DAY_MS }));
    expect(retentionCutoff({ maxAgeDays: 30 }, now)).toBe(70 * DAY_MS);
    expect(isExpired(metric({ ts: now - 31 * DAY_MS }), { maxAgeDays: 30 }, now)).toBe(true);
    expect(applyRetention(t, { maxAgeDays: 30 }, now)).toEqual({ cutoff: 70 * DAY_MS, dropped: 2 });
    expect(t.samples()).toHaveLength(2);
    expect(() => retentionCutoff({ maxAgeDays: -1 }, now)).toThrow("retention maxAgeDays must be >= 0");
  });
});

describe("AUDIT_LOG", () => {
  test("append-only hash chain; tampering is detected; entries are frozen copies", () => {
    const log = new AuditLog();
    const e1 = log.append({ ts: 1, actor: "api", action: "auth.verify", target: "cli", outcome: "ok" });
    log.append({ ts: 2, actor: "api", action: "metric.record", target: "api/x", outcome: "ok" });
    expect(e1.prev).toBe(AUDIT_GENESIS);
    expect(log.entries()[1]!.prev).toBe(e1.hash);
    expect(log.verify()).toBe(true);
    expect(Object.isFrozen(e1)).toBe(true);
    expect(() => {
      (e1 as { actor: string }).actor = "evil";
    }).toThrow();
    const copy = log.entries().map((e) => ({ ...e })) as AuditEntry[];
    copy[0] = { ...copy[0]!, outcome: "denied" };
    expect(log.verify(copy)).toBe(false);
    expect(log.verify(log.entries().slice(1))).toBe(false);
    (log.entries() as AuditEntry[]).pop();
    expect(log.size).toBe(2);
  });

  test("records tracker mutations", () => {
    const log = new AuditLog();
    const t = new MasterPerfTracker();
    t.observe((e) => auditTrackerEvent(log, e, () => 99));
    t.use({ name: "gate", process: (m) => (m.value > 10 ? { drop: "big" } : m) });
    t.setScopeGuard((owner, ctx) => {
      if (ctx.scope !== owner.scope || ctx.tenant !== owner.tenant) throw new Error("no");
    });
    t.record(metric({ value: 1 }), { scope: "Public", tenant: "acme" });
    t.record(metric({ value: 99 }), { scope: "Public", tenant: "acme" });
    expect(() => t.record(metric(), { scope: "Public", tenant: "globex" })).toThrow();
    expect(log.entries()[0]).toMatchObject({ actor: "acme@Public", target: "acme@Public:api/http.latency" });
    expect(log.entries()[2]).toMatchObject({ actor: "globex@Public", outcome: "denied" });
    t.purge(() => true, "test");
    expect(log.countsByAction()).toEqual({ "metric.drop": 1, "metric.purge": 1, "metric.record": 1, "metric.reject": 1 });
    expect(log.entries().map((e) => e.outcome)).toEqual(["ok", "dropped", "denied", "ok"]);
    expect(log.entries()[3]!.ts).toBe(99);
  });
});
