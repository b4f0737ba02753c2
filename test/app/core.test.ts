import { describe, expect, test } from "bun:test";
import { aggregateSamples, basicStats, groupSeries, namespaceGrouping, seriesKey } from "../../src/app/core/aggregate.ts";
import { parseArgs, UsageError } from "../../src/app/core/args.ts";
import { bar, fmtNum, table } from "../../src/app/core/format.ts";
import { fnv1a32, hexDigest } from "../../src/app/core/hash.ts";
import { latestTs, normalizeMetric, parseMetricLines } from "../../src/app/core/input.ts";
import { Instrumentation } from "../../src/app/core/instrumentation.ts";
import { SAMPLE_BASE_TS, sampleMetrics } from "../../src/app/core/sample-data.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import type { Committer, Metric, TrackerEvent } from "../../src/app/core/types.ts";
import { metric } from "./helpers.ts";

describe("aggregation", () => {
  test("basicStats", () => {
    expect(basicStats([4, 1, 7])).toEqual({ count: 3, sum: 12, min: 1, max: 7, mean: 4 });
    expect(basicStats([])).toEqual({ count: 0, sum: 0, min: 0, max: 0, mean: 0 });
  });

  test("groups by namespace/name, sorted, with extender and unit", () => {
    const rows = aggregateSamples(
      [metric({ value: 10, unit: "ms" }), metric({ namespace: "web", value: 5 }), metric({ value: 30 })],
      namespaceGrouping,
      (values) => ({ p50: values.length }),
    );
    expect(rows.map((r) => r.key)).toEqual(["api/http.latency", "web/http.latency"]);
    expect(rows[0]!.stats).toEqual({ count: 2, sum: 40, min: 10, max: 30, mean: 20, p50: 2 });
    expect(rows[0]!.unit).toBe("ms");
    expect(rows[0]!.tenant).toBeUndefined();
    expect(rows[0]!.scope).toBeUndefined();
    expect(seriesKey(metric({ scope: "Enterprise", tenant: "globex" }))).toBe("globex@Enterprise:api/http.latency");
  });

  test("groupSeries sorts points by time", () => {
    const s = groupSeries([metric({ ts: 3, value: 3 }), metric({ ts: 1, value: 1 })]);
    expect(s.get("api/http.latency")).toEqual([
      { ts: 1, value: 1 },
      { ts: 3, value: 3 },
    ]);
  });
});

describe("MasterPerfTracker", () => {
  test("records through stages in order; a Drop stops the pipeline", () => {
    const t = new MasterPerfTracker();
    const seen: string[] = [];
    t.use({
      name: "a",
      process: (m) => {
        seen.push("a");
        return { ...m, props: { ...m.props, a: "1" } };
      },
    });
    t.use({
      name: "b",
      process: (m) => {
        seen.push("b");
        return m.value > 500 ? { drop: "too big" } : m;
      },
    });
    expect(t.record(metric({ value: 1 }))).toEqual({ status: "recorded" });
    expect(t.record(metric({ value: 900 }))).toEqual({ status: "dropped", stage: "b", reason: "too big" });
    expect(seen).toEqual(["a", "b", "a", "b"]);
    expect(t.samples()).toHaveLength(1);
    expect(t.samples()[0]!.props).toEqual({ a: "1" });
    expect(t.stageCounters()).toEqual([
      { stage: "a", in: 2, out: 2, drops: {} },
      { stage: "b", in: 2, out: 1, drops: { "too big": 1 } },
    ]);
  });

  test("scope guard: throwing guard rejects the record and emits an event; reads are guarded too", () => {
    const t = new MasterPerfTracker();
    const events: TrackerEvent[] = [];
    t.observe((e) => events.push(e));
    t.setScopeGuard((owner, ctx) => {
      if (ctx.scope !== owner.scope || ctx.tenant !== owner.tenant) throw new Error(`denied ${owner.tenant}@${owner.scope}`);
    });
    expect(() => t.record(metric(), { scope: "Enterprise", tenant: "acme" })).toThrow("denied acme@Public");
    expect(events.map((e) => e.type)).toEqual(["rejected"]);
    expect(events[0]).toMatchObject({ actor: "acme@Enterprise" });
    t.record(metric(), { scope: "Public", tenant: "acme" });
    t.record(metric({ tenant: "globex" }), { scope: "Public", tenant: "globex" });
    expect(t.read({ scope: "Public", tenant: "acme" }, { scope: "Public", tenant: "acme" })).toHaveLength(1);
    expect(t.read({ scope: "Public", tenant: "acme", namespace: "web" }, { scope: "Public", tenant: "acme" })).toHaveLength(0);
    expect(() => t.read({ scope: "Public", tenant: "acme" }, { scope: "Public", tenant: "globex" })).toThrow("denied acme@Public");
    expect(t.state().guarded).toBe(true);
  });

  test("committer buffers until flush and emits committed events", () => {
    const t = new MasterPerfTracker();
    let buffer: Metric[] = [];
    let commitFn: (b: readonly Metric[]) => void = () => {};
    t.setCommitter((commit): Committer => {
      commitFn = commit;
      return {
        add: (m) => void buffer.push(m),
        flush: () => {
          commitFn(buffer);
          buffer = [];
        },
        get pending() {
          return buffer.length;
        },
      };
    });
    const events: string[] = [];
    t.observe((e) => events.push(e.type));
    expect(t.record(metric()).status).toBe("buffered");
    expect(t.samples()).toHaveLength(0);
    expect(t.pending).toBe(1);
    t.flush();
    expect(t.samples()).toHaveLength(1);
    expect(events).toEqual(["recorded", "committed"]);
  });

  test("purge, aggregate filter, owners, namespaces and state", () => {
    const t = new MasterPerfTracker();
    for (const [namespace, ts] of [
      ["api", 1],
      ["web", 2],
      ["api", 3],
    ] as const)
      t.record(metric({ namespace, ts }));
    expect(t.state()).toMatchObject({ owners: ["acme@Public"], namespaces: ["api", "web"] });
    expect(t.purge((m) => m.ts < 2, "old")).toBe(1);
    expect(t.aggregate((m) => m.namespace === "web")[0]!.stats.count).toBe(1);
    expect(t.state()).toMatchObject({ samples: 2, keys: ["api/http.latency", "web/http.latency"], grouping: "namespace/name" });
  });
});

describe("input", () => {
  test("parses JSON lines and reports errors by line", () => {
    const text = [
      '{"name":"a","value":1,"namespace":"api","scope":"Enterprise","ts":"2026-01-15T00:00:00Z","props":{"n":2,"o":{"x":1}},"tenant":"acme"}',
      "# comment",
      "",
      '{"name":"b","value":"x","ts":1}',
      "not json",
      '{"name":"c","value":"2.5","scope":"Public","ts":5}',
      '{"name":"d","value":1,"scope":"api","ts":5}',
      '{"name":"e","value":1,"ts":5}',
      '{"name":"f","value":1,"scope":"Public","tenant":"Bad Tenant","ts":5}',
      '{"name":"g","value":1,"scope":"Public","via":{"tenant":"globex"},"ts":5}',
      '{"name":"h","value":1,"scope":"Public","via":{"scope":"Nope"},"ts":5}',
    ].join("\n");
    const r = parseMetricLines(text);
    expect(r.metrics).toHaveLength(3);
    expect(r.metrics[0]).toEqual({
      name: "a",
      value: 1,
      namespace: "api",
      scope: "Enterprise",
      tenant: "acme",
      ts: Date.UTC(2026, 0, 15),
      props: { n: "2", o: '{"x":1}' },
    });
    expect(r.metrics[1]).toMatchObject({ name: "c", value: 2.5, namespace: "default", scope: "Public", tenant: "default" });
    expect(r.metrics[2]).toMatchObject({ name: "g", scope: "Public", tenant: "default", via: { scope: "Public", tenant: "globex" } });
    expect(r.errors.map((e) => e.line)).toEqual([4, 5, 7, 8, 9, 11]);
    expect(r.errors[0]!.error).toBe("value must be a finite number");
    expect(r.errors[2]!.error).toBe("scope must be one of Public, Enterprise, Development, Internal");
    expect(r.errors[3]!.error).toBe("scope must be one of Public, Enterprise, Development, Internal");
    expect(r.errors[4]!.error).toContain("tenant must match");
    expect(r.errors[5]!.error).toBe("via.scope must be one of Public, Enterprise, Development, Internal");
    // Lines without scope or tenant take the caller's.
    const owned = parseMetricLines('{"name":"e","value":1,"ts":5}\n{"name":"f","value":1,"tenant":"globex","ts":5}', {
      scope: "Internal",
      tenant: "ops",
    });
    expect(owned.metrics.map((m) => `${m.tenant}@${m.scope}`)).toEqual(["ops@Internal", "globex@Internal"]);
  });

  test("normalizeMetric rejects bad shapes; __proto__ stays a plain own key", () => {
    expect(() => normalizeMetric([])).toThrow("JSON object");
    expect(() => normalizeMetric({ value: 1, ts: 1 })).toThrow("name is required");
    expect(() => normalizeMetric({ name: "a", value: 1, scope: "Public", ts: "never" })).toThrow("ts must be");
    const m = normalizeMetric(JSON.parse('{"name":"a","value":1,"scope":"Public","ts":1,"props":{"__proto__":"x"}}'));
    expect(Object.keys(m.props)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(m.props)).toBe(Object.prototype);
  });

  test("built-in sample is deterministic, time-ordered and exercises the features", () => {
    const a = sampleMetrics();
    expect(a).toEqual(sampleMetrics());
    expect(a.length).toBe(50);
    expect(a.every((m, i) => i === 0 || a[i - 1]!.ts <= m.ts)).toBe(true);
    expect(latestTs(a)).toBe(SAMPLE_BASE_TS + 415_000);
    expect(a.some((m) => m.via?.tenant === "globex" && m.tenant === "acme")).toBe(true);
    expect(new Set(a.map((m) => `${m.tenant}@${m.scope}`))).toEqual(new Set(["acme@Enterprise", "globex@Public", "default@Internal"]));
    expect(a.some((m) => Object.keys(m.props).includes("__proto__"))).toBe(true);
  });
});

describe("instrumentation", () => {
  test("probes wrap sync and async stages in nesting order", async () => {
    const log: string[] = [];
    const inst = new Instrumentation()
      .add({
        enter: (s) => {
          log.push(`1>${s}`);
          return 1;
        },
        exit: (s, t) => void log.push(`1<${s}:${String(t)}`),
      })
      .add({
        enter: (s) => {
          log.push(`2>${s}`);
          return 2;
        },
        exit: (s) => void log.push(`2<${s}`),
      });
    expect(inst.run("sync", () => 5)).toBe(5);
    expect(await inst.run("async", async () => 6)).toBe(6);
    expect(() =>
      inst.run("boom", () => {
        throw new Error("x");
      }),
    ).toThrow("x");
    expect(log).toEqual([
      "1>sync",
      "2>sync",
      "2<sync",
      "1<sync:1",
      "1>async",
      "2>async",
      "2<async",
      "1<async:1",
      "1>boom",
      "2>boom",
      "2<boom",
      "1<boom:1",
    ]);
    expect(inst.stages).toEqual(["sync", "async", "boom"]);
  });
});

describe("args, format, hash", () => {
  test("parseArgs defaults, values and errors", () => {
    const o = parseArgs(["--now=2026-01-15T00:00:00Z", "--alert", "a:x>1", "--alert=b:y<2:5s", "--serve", "in.jsonl", "--port=0"], {
      PERF_TOKEN_SECRET: "s",
    });
    expect(o).toMatchObject({
      now: Date.UTC(2026, 0, 15),
      alerts: ["a:x>1", "b:y<2:5s"],
      serve: true,
      file: "in.jsonl",
      port: 0,
      secret: "s",
      rateLimit: 100,
      maxConnections: 10,
    });
    expect(parseArgs(["--now=5"]).now).toBe(5);
    expect(() => parseArgs(["--bogus=1"])).toThrow(UsageError);
    expect(() => parseArgs(["--batch-size=0"])).toThrow("--batch-size must be an integer >= 1");
    expect(() => parseArgs(["a", "b"])).toThrow(`too many arguments: "b"`);
    expect(() => parseArgs(["--feature=DEBUG"])).toThrow("compile-time flags go before the file: bun run --feature=DEBUG src/app/main.ts");
    // The caller: a scope of data/scopes.yaml and a tenant in it.
    expect(parseArgs(["--scope=Enterprise", "--tenant=acme"])).toMatchObject({ scope: "Enterprise", tenant: "acme" });
    expect(() => parseArgs(["--scope=api"])).toThrow("--scope must be one of Public, Enterprise, Development, Internal: api");
    expect(() => parseArgs(["--scope=Public", "--tenant=Bad!"])).toThrow("--tenant must match");
    expect(() => parseArgs(["--tenant=acme"])).toThrow("--tenant needs --scope");
  });

  test("format helpers", () => {
    expect(fmtNum(3)).toBe("3");
    expect(fmtNum(2 / 3)).toBe("0.67");
    expect(
      table(
        ["k", "n"],
        [
          ["a", "1"],
          ["bb", "22"],
        ],
      ),
    ).toEqual(["k    n", "a    1", "bb  22"]);
    expect(bar(0.5, 4)).toBe("[##..]");
  });

  test("hashes are deterministic", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(hexDigest("x", 8)).toMatch(/^[0-9a-f]{16}$/);
    expect(hexDigest("x", 8)).toBe(hexDigest("x", 8));
    expect(hexDigest("x", 8)).not.toBe(hexDigest("y", 8));
  });
});
