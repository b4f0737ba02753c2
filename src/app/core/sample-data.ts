import { normalizeMetric } from "./input.ts";
import type { Metric, ScopeName } from "./types.ts";

/** Start of the built-in sample: 2026-01-15T12:00:00Z. */
export const SAMPLE_BASE_TS = 1768478400000;

const DAY = 86_400_000;
const VALID_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const INVALID_TRACE = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";

/**
 * [name, namespace, tenant, secondsAfterBase, value, unit, extra fields]. Tenant acme is an Enterprise customer,
 * globex a Public one; metrics without a tenant are the Internal scope's "default" tenant.
 */
type Row = [string, string, string | null, number, number, string | null, Record<string, unknown>?];

const SCOPE_OF: Record<string, ScopeName> = { acme: "Enterprise", globex: "Public" };

function rows(): Row[] {
  const out: Row[] = [];
  const latency = [112, 98, 120, 105, 131, 99, 118, 940, 720, 125, 108, 101, 97, 115];
  for (const [i, v] of latency.entries()) out.push(["http.latency", "api", "acme", i * 30, v, "ms"]);
  const statuses = [200, 200, 503, 200, 200, 200, 200, 500, 200, 200];
  for (const [i, status] of statuses.entries()) {
    out.push([
      "http.requests",
      "api",
      "acme",
      i * 40 + 5,
      1,
      null,
      {
        props: { status, route: i % 2 === 0 ? "/v1/metrics" : "/v1/report" },
        ...(i === 1 ? { traceparent: VALID_TRACE } : i === 2 ? { traceparent: INVALID_TRACE } : {}),
      },
    ]);
  }
  for (const [i, v] of [820, 790, 845, 2100, 810, 805, 830, 798].entries()) out.push(["page.load", "web", "globex", i * 45 + 10, v, "ms"]);
  for (const [i, v] of [150, 162, 149, 171, 158, 166].entries()) out.push(["http.latency", "web", "globex", i * 60 + 20, v, "ms"]);
  for (const [i, v] of [3, 5, 4, 12, 6, 2].entries()) out.push(["queue.depth", "worker", null, i * 70 + 15, v, null]);
  // Old samples (100 days back, beyond the 90-day retention window of data/security.yaml): removed by RETENTION_POLICY.
  out.push(["http.latency", "api", "acme", (-100 * DAY) / 1000, 300, "ms"]);
  out.push(["http.latency", "api", "acme", (-100 * DAY) / 1000 + 30, 310, "ms"]);
  // A metric whose name fails INPUT_SANITIZATION.
  out.push(["bad name!", "api", "acme", 400, 1, null]);
  // Submitted by tenant globex for tenant acme: rejected under SCOPE_ISOLATION.
  out.push(["http.requests", "api", "acme", 405, 1, null, { via: { tenant: "globex" }, props: { status: 200, route: "/v1/metrics" } }]);
  // Property problems for INPUT_SANITIZATION and PII_REDACTION.
  out.push([
    "queue.depth",
    "worker",
    null,
    410,
    7,
    null,
    {
      props: JSON.parse('{"__proto__":"polluted","bad key":"1","note":"line1\\u0007\\nline2","job":"reindex"}'),
    },
  ]);
  out.push([
    "page.load",
    "web",
    "globex",
    415,
    812,
    "ms",
    {
      props: { user: "jane.doe@example.com", client_ip: "203.0.113.42", auth: "Bearer abcDEF123.xyz", page: "/home" },
      traceparent: VALID_TRACE,
    },
  ]);
  return out;
}

/** The small deterministic data set used when neither MOCK_API nor an input file is given. */
export function sampleMetrics(): Metric[] {
  return rows()
    .map(([name, namespace, tenant, sec, value, unit, extra]) =>
      normalizeMetric({
        name,
        namespace,
        scope: tenant === null ? "Internal" : SCOPE_OF[tenant],
        value,
        ts: SAMPLE_BASE_TS + sec * 1000,
        ...(tenant === null ? {} : { tenant }),
        ...(unit === null ? {} : { unit }),
        ...extra,
      }),
    )
    .sort((a, b) => a.ts - b.ts);
}
