/**
 * MOCK_API: deterministic synthetic metrics from a seeded PRNG instead of reading input.
 */
import { hexDigest } from "../core/hash.ts";
import type { Metric } from "../core/types.ts";

/** mulberry32: tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MockOptions {
  seed?: number;
  count?: number;
  /** First timestamp (default 2026-01-15T12:00:00Z). */
  start?: number;
  stepMs?: number;
  /** Appends this many metrics with hostile names and properties (they exercise INPUT_SANITIZATION). */
  hostile?: number;
}

/** Hostile metric `i` (five shapes in turn): too many keys, over-long keys, over-long values, forbidden keys and control characters, a bad name. */
export function hostileMetric(i: number, ts: number): Metric {
  const kind = i % 5;
  const k = "k".repeat(64);
  // Parsed, so "__proto__" is an own key as it would be on the wire.
  const props = JSON.parse(
    [
      JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, n) => [`k${n}`, "x"]))),
      `{"${k}k":"too long","${k}":"longest","bad key":"space"}`,
      `{"long":"${"v".repeat(300)}","longest":"${"w".repeat(256)}"}`,
      '{"__proto__":"p","constructor":"c","prototype":"q","note":"a\\u0000b\\u202ec\\u0007"}',
      "{}",
    ][kind]!,
  ) as Record<string, string>;
  return {
    name: kind > 3 ? "bad name!" : `hostile.shape${kind}`,
    value: i,
    namespace: "api",
    scope: MOCK_SCOPE,
    tenant: "acme",
    ts,
    props,
  };
}

/** Mock data belongs to the Development scope (data/scopes.yaml: mock data only), in three tenants. */
const MOCK_SCOPE = "Development";
const MOCK_NAMESPACES = ["api", "web", "worker"];
const MOCK_TENANTS = ["acme", "globex", "initech"];

/** Generates `count` metrics; the same seed always yields the same list. */
export function generateMockMetrics(options: MockOptions = {}): Metric[] {
  const seed = options.seed ?? 42;
  const count = options.count ?? 200;
  const start = options.start ?? 1768478400000;
  const step = options.stepMs ?? 1000;
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const out: Metric[] = [];
  for (let i = 0; i < count; i++) {
    const ts = start + i * step;
    const namespace = pick(MOCK_NAMESPACES);
    const tenant = pick(MOCK_TENANTS);
    const kind = rand();
    const spike = rand() < 0.03;
    let m: Metric;
    if (kind < 0.45) {
      const base = namespace === "api" ? 110 : namespace === "web" ? 160 : 60;
      const value = Math.round((base + (rand() - 0.5) * base * 0.4) * (spike ? 8 : 1) * 100) / 100;
      m = {
        name: "http.latency",
        value,
        namespace,
        scope: MOCK_SCOPE,
        tenant,
        ts,
        unit: "ms",
        props: { route: pick(["/v1/metrics", "/v1/report", "/health"]) },
      };
    } else if (kind < 0.8) {
      const status = rand() < 0.03 ? 503 : 200;
      m = { name: "http.requests", value: 1, namespace, scope: MOCK_SCOPE, tenant, ts, props: { status: String(status) } };
    } else if (kind < 0.9) {
      m = { name: "queue.depth", value: Math.floor(rand() * 20), namespace: "worker", scope: MOCK_SCOPE, tenant, ts, props: {} };
    } else {
      m = {
        name: "cpu.usage",
        value: Math.round(rand() * 10000) / 100,
        namespace,
        scope: MOCK_SCOPE,
        tenant,
        ts,
        unit: "percent",
        props: {},
      };
    }
    if (rand() < 0.05) m.props.user = `user${Math.floor(rand() * 100)}@example.com`;
    if (rand() < 0.2) m.traceparent = `00-${hexDigest(`trace:${seed}:${i}`, 16)}-${hexDigest(`span:${seed}:${i}`, 8)}-01`;
    out.push(m);
  }
  for (let i = 0; i < (options.hostile ?? 0); i++) out.push(hostileMetric(i, start + (count + i) * step));
  return out;
}
