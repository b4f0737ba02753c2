/**
 * Dead-code elimination per flag: Bun.build of src/app/main.ts with one flag on must contain
 * exactly that flag's modules (metafile bytesInOutput > 0) and its live marker string; with the
 * flag off both must be gone. The legacy serializer is the inverse: present unless V2_SERIALIZER.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const ENTRY = join(ROOT, "src/app/main.ts");

/** Flag -> modules it owns (relative to src/app/features) and a live marker string of those modules. */
export const FLAG_MODULES: Record<string, { modules: string[]; marker: string }> = {
  DEBUG: { modules: ["debug.ts"], marker: "[debug:state]" },
  MOCK_API: { modules: ["mock-api.ts"], marker: "cpu.usage" },
  ENTERPRISE: { modules: ["enterprise.ts"], marker: "tenant:scope/name" },
  AUDIT_LOG: { modules: ["audit-log.ts"], marker: "metric.commit" },
  CLOUDWATCH: { modules: ["cloudwatch.ts"], marker: "CloudWatchMetrics" },
  S3_EXPORT: { modules: ["s3-export.ts"], marker: "x-amz-meta-record-count" },
  RETENTION_POLICY: { modules: ["retention-policy.ts"], marker: "retention maxAgeDays must be >= 0" },
  SCOPE_ISOLATION: { modules: ["scope-isolation.ts"], marker: "ScopeViolationError" },
  INPUT_SANITIZATION: { modules: ["input-sanitization.ts"], marker: "invalid key characters" },
  RBAC: { modules: ["rbac.ts"], marker: "wildcard scope requires admin" },
  RATE_LIMIT: { modules: ["rate-limit.ts"], marker: "rate limited" },
  LIVE_STREAM: { modules: ["live-stream.ts"], marker: "too many connections for scope" },
  // csvField's quote doubling, as the minifier prints it.
  CSV_EXPORT: { modules: ["csv-export.ts"], marker: `'""'` },
  PROMETHEUS_EXPORT: { modules: ["prometheus-export.ts"], marker: "_milliseconds" },
  OTEL_EXPORT: { modules: ["otel-export.ts"], marker: "resourceMetrics" },
  HISTOGRAMS: { modules: ["histograms.ts"], marker: "percentile must be within 0..100" },
  SAMPLING: { modules: ["sampling.ts"], marker: "sampled out" },
  BATCHING: { modules: ["batching.ts"], marker: "batch size must be a positive integer" },
  COMPRESSION: { modules: ["compression.ts"], marker: "gzipSync" },
  PII_REDACTION: { modules: ["pii-redaction.ts"], marker: "[email]" },
  TRACE_CONTEXT: { modules: ["trace-context.ts"], marker: "trace-context" },
  V2_SERIALIZER: { modules: ["v2-serializer.ts"], marker: "#mpt2" },
  PROFILING: { modules: ["profiling.ts"], marker: "nanoseconds" },
  TIME_SERIES_STORAGE: { modules: ["time-series-storage.ts"], marker: "capacity must be a positive integer" },
  ANOMALY_DETECTION: { modules: ["anomaly-detection.ts"], marker: "anomaly detection needs window" },
  ALERTING: { modules: ["alerting.ts"], marker: "latency-high" },
  SLA_DASHBOARD: { modules: ["sla-dashboard.ts"], marker: "BREACHED" },
};
const LEGACY = { module: "legacy-serializer.ts", marker: "legacy-json-v1" };
const FLAGS = Object.keys(FLAG_MODULES);

interface Variant {
  text: string;
  /** features/<file> -> bytes in output */
  bytes: Map<string, number>;
}

const cache = new Map<string, Promise<Variant>>();

function build(features: string[]): Promise<Variant> {
  const id = features.join(",");
  let v = cache.get(id);
  if (!v) {
    v = (async () => {
      const result = await Bun.build({ entrypoints: [ENTRY], target: "bun", minify: true, features, metafile: true });
      if (!result.success) throw new AggregateError(result.logs, "build failed");
      const text = (await Promise.all(result.outputs.map((o) => o.text()))).join("\n");
      const bytes = new Map<string, number>();
      const meta = result.metafile as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
      for (const out of Object.values(meta.outputs)) {
        for (const [path, info] of Object.entries(out.inputs)) {
          const m = /src\/app\/features\/([\w.-]+)$/.exec(path);
          if (m) bytes.set(m[1]!, (bytes.get(m[1]!) ?? 0) + info.bytesInOutput);
        }
      }
      return { text, bytes };
    })();
    cache.set(id, v);
  }
  return v;
}

describe("build variants", () => {
  test("every registry flag is mapped and every feature module is owned", async () => {
    const registry = await Bun.file(join(ROOT, "src/generated/registry.ts")).text();
    const union = /features:([^;]*);/.exec(registry)?.[1] ?? "";
    const declared = [...union.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!);
    expect([...new Set(declared)].sort()).toEqual([...FLAGS].sort());
    const files = [...new Bun.Glob("*.ts").scanSync(join(ROOT, "src/app/features"))].sort();
    const owned = [...FLAGS.flatMap((f) => FLAG_MODULES[f]!.modules), LEGACY.module].sort();
    expect(files).toEqual(owned);
  });

  test("no flags: no feature module bytes, no markers, legacy serializer present, no bun:bundle left", async () => {
    const v = await build([]);
    for (const flag of FLAGS) {
      for (const mod of FLAG_MODULES[flag]!.modules) expect({ mod, bytes: v.bytes.get(mod) ?? 0 }).toEqual({ mod, bytes: 0 });
      expect({ flag, present: v.text.includes(FLAG_MODULES[flag]!.marker) }).toEqual({ flag, present: false });
    }
    expect(v.bytes.get(LEGACY.module)).toBeGreaterThan(0);
    expect(v.text.includes(LEGACY.marker)).toBe(true);
    expect(v.text.includes("bun:bundle")).toBe(false);
    expect(/\bfeature\(/.test(v.text)).toBe(false);
  });

  for (const flag of FLAGS) {
    test(`${flag}: its modules and marker appear only with the flag on`, async () => {
      const v = await build([flag]);
      const { modules, marker } = FLAG_MODULES[flag]!;
      for (const mod of modules) expect(v.bytes.get(mod) ?? 0).toBeGreaterThan(0);
      expect({ marker, present: v.text.includes(marker) }).toEqual({ marker, present: true });
      // Nothing owned by another flag leaks in.
      for (const other of FLAGS) {
        if (other === flag) continue;
        for (const mod of FLAG_MODULES[other]!.modules) expect({ mod, bytes: v.bytes.get(mod) ?? 0 }).toEqual({ mod, bytes: 0 });
        expect({ other, present: v.text.includes(FLAG_MODULES[other]!.marker) }).toEqual({ other, present: false });
      }
      // The negated legacy path disappears only with V2_SERIALIZER.
      expect((v.bytes.get(LEGACY.module) ?? 0) > 0).toBe(flag !== "V2_SERIALIZER");
      expect(v.text.includes(LEGACY.marker)).toBe(flag !== "V2_SERIALIZER");
    });
  }

  test("leave-one-out: with every other flag on, only the missing flag's modules and marker are gone", async () => {
    for (const flag of FLAGS) {
      const v = await build(FLAGS.filter((f) => f !== flag));
      for (const other of FLAGS) {
        const present = other !== flag;
        for (const mod of FLAG_MODULES[other]!.modules) expect({ flag, mod, on: (v.bytes.get(mod) ?? 0) > 0 }).toEqual({ flag, mod, on: present });
        expect({ flag, other, marker: v.text.includes(FLAG_MODULES[other]!.marker) }).toEqual({ flag, other, marker: present });
      }
      expect({ flag, legacy: (v.bytes.get(LEGACY.module) ?? 0) > 0 }).toEqual({ flag, legacy: flag === "V2_SERIALIZER" });
    }
  });

  test("all flags on: every module present, legacy serializer removed", async () => {
    const v = await build(FLAGS);
    for (const flag of FLAGS) {
      for (const mod of FLAG_MODULES[flag]!.modules) expect({ mod, on: (v.bytes.get(mod) ?? 0) > 0 }).toEqual({ mod, on: true });
      expect({ flag, present: v.text.includes(FLAG_MODULES[flag]!.marker) }).toEqual({ flag, present: true });
    }
    expect(v.bytes.get(LEGACY.module) ?? 0).toBe(0);
    expect(v.text.includes(LEGACY.marker)).toBe(false);
    expect(v.text.includes("bun:bundle")).toBe(false);
    const base = await build([]);
    expect(v.text.length).toBeGreaterThan(base.text.length * 2);
  });
});
