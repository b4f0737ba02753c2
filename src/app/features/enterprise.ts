/**
 * ENTERPRISE: multi-tenant reporting. The scope and tenant become part of every metric key
 * (`tenant@Scope:namespace/name`) and aggregates are additionally summarised per tenant in a scope.
 */
import { seriesKey } from "../core/aggregate.ts";
import type { Grouping, Metric, ScopeName } from "../core/types.ts";

/** Grouping with the scope and tenant in the key: `tenant@Scope:namespace/name`. */
export function tenantGrouping(): Grouping {
  return { id: "tenant@scope:namespace/name", key: seriesKey, byOwner: true };
}

export interface TenantSummary {
  scope: ScopeName;
  tenant: string;
  samples: number;
  series: number;
  namespaces: string[];
  /** Sum of values of latency-like metrics (unit ms) divided by their count. */
  meanLatencyMs: number | null;
}

export function aggregateByTenant(samples: readonly Metric[]): TenantSummary[] {
  const by = new Map<
    string,
    { scope: ScopeName; tenant: string; samples: number; series: Set<string>; namespaces: Set<string>; ms: number; msCount: number }
  >();
  for (const m of samples) {
    const id = `${m.scope}\u0000${m.tenant}`;
    const e = by.get(id) ?? {
      scope: m.scope,
      tenant: m.tenant,
      samples: 0,
      series: new Set<string>(),
      namespaces: new Set<string>(),
      ms: 0,
      msCount: 0,
    };
    e.samples++;
    e.series.add(`${m.namespace}/${m.name}`);
    e.namespaces.add(m.namespace);
    if (m.unit === "ms") {
      e.ms += m.value;
      e.msCount++;
    }
    by.set(id, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => ({
      scope: e.scope,
      tenant: e.tenant,
      samples: e.samples,
      series: e.series.size,
      namespaces: [...e.namespaces].sort(),
      meanLatencyMs: e.msCount ? e.ms / e.msCount : null,
    }));
}
