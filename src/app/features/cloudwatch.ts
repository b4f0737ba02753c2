/**
 * CLOUDWATCH: CloudWatch Embedded Metric Format (EMF) JSON lines for aggregates and audit counts.
 */
import type { AggregateRow } from "../core/types.ts";

export const EMF_NAMESPACE = "MasterPerfTracker";

function emfUnit(unit: string | undefined): string {
  switch (unit) {
    case "ms": return "Milliseconds";
    case "s": return "Seconds";
    case "percent": return "Percent";
    case "bytes": return "Bytes";
    default: return "None";
  }
}

/** One EMF document per aggregate row. */
export function aggregatesToEmf(rows: readonly AggregateRow[], timestamp: number, emfNamespace = EMF_NAMESPACE): string[] {
  return rows.map((row) => {
    const dims = row.tenant !== undefined ? ["scope", "tenant", "namespace", "metric"] : ["namespace", "metric"];
    const unit = emfUnit(row.unit);
    const metrics: { Name: string; Unit: string }[] = [
      { Name: "count", Unit: "Count" },
      { Name: "mean", Unit: unit },
      { Name: "max", Unit: unit },
    ];
    const doc: Record<string, unknown> = {
      _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: emfNamespace, Dimensions: [dims], Metrics: metrics }] },
      ...(row.tenant !== undefined ? { scope: row.scope, tenant: row.tenant } : {}),
      namespace: row.namespace,
      metric: row.name,
      count: row.stats.count,
      mean: Math.round(row.stats.mean * 1000) / 1000,
      max: row.stats.max,
    };
    if (row.stats.p99 !== undefined) {
      metrics.push({ Name: "p99", Unit: unit });
      doc.p99 = Math.round(row.stats.p99 * 1000) / 1000;
    }
    return JSON.stringify(doc);
  });
}

/** EMF document with one count metric per audit action. */
export function auditCountsToEmf(counts: Record<string, number>, timestamp: number, emfNamespace = EMF_NAMESPACE): string {
  const names = Object.keys(counts).map((a) => `audit.${a}`);
  const doc: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: `${emfNamespace}/Audit`, Dimensions: [["service"]], Metrics: names.map((Name) => ({ Name, Unit: "Count" })) }],
    },
    service: "master-perf-tracker",
  };
  for (const [action, n] of Object.entries(counts)) doc[`audit.${action}`] = n;
  return JSON.stringify(doc);
}
