/**
 * ENTERPRISE: multi-tenant scopes. The tenant id becomes part of every metric key
 * and aggregates are additionally summarised per tenant.
 */
import type { Grouping, Metric } from "../core/types.ts";

export const DEFAULT_TENANT = "default";

export function tenantOf(metric: Metric): string {
  const t = metric.tenant?.trim();
  return t && /^[a-z0-9][a-z0-9_-]{0,62}$/i.test(t) ? t.toLowerCase() : DEFAULT_TENANT;
}

/** Grouping with the tenant in the key: `tenant:scope/name`. */
export function tenantGrouping(): Grouping {
  return {
    id: "tenant:scope/name",
    key: (m) => `${tenantOf(m)}:${m.scope}/${m.name}`,
    tenant: tenantOf,
  };
}

export interface TenantSummary {
  tenant: string;
  samples: number;
  series: number;
  scopes: string[];
  /** Sum of values of latency-like metrics (unit ms) divided by their count. */
  meanLatencyMs: number | null;
}

export function aggregateByTenant(samples: readonly Metric[]): TenantSummary[] {
  const by = new Map<string, { samples: number; series: Set<string>; scopes: Set<string>; ms: number; msCount: number }>();
  for (const m of samples) {
    const t = tenantOf(m);
    const e = by.get(t) ?? { samples: 0, series: new Set<string>(), scopes: new Set<string>(), ms: 0, msCount: 0 };
    e.samples++;
    e.series.add(`${m.scope}/${m.name}`);
    e.scopes.add(m.scope);
    if (m.unit === "ms") {
      e.ms += m.value;
      e.msCount++;
    }
    by.set(t, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tenant, e]) => ({
      tenant,
      samples: e.samples,
      series: e.series.size,
      scopes: [...e.scopes].sort(),
      meanLatencyMs: e.msCount ? e.ms / e.msCount : null,
    }));
}
