/**
 * CLOUDWATCH: CloudWatch Embedded Metric Format (EMF) JSON lines for aggregates and audit counts.
 */
import type { AggregateRow } from "../core/types.ts";

export const EMF_NAMESPACE = "MasterPerfTracker";

function emfUnit(unit: string | undefined): string {
  switch (unit) {
    case "ms":
      return "Milliseconds";
    case "s":
      return "Seconds";
    case "percent":
      return "Percent";
    case "bytes":
      return "Bytes";
    default:
      return "None";
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
      CloudWatchMetrics: [
        { Namespace: `${emfNamespace}/Audit`, Dimensions: [["service"]], Metrics: names.map((Name) => ({ Name, Unit: "Count" })) },
      ],
    },
    service: "master-perf-tracker",
  };
  for (const [action, n] of Object.entries(counts)) doc[`audit.${action}`] = n;
  return JSON.stringify(doc);
}

/** The fields of an audit entry that an EMF line carries (features/audit-log.ts AuditEntry). */
export interface AuditRecord {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail?: string | undefined;
  hash: string;
}

/**
 * One audit entry as an EMF document, shipped as it happens: one `events` count in the `<namespace>/Audit`
 * namespace by action and outcome, with the entry itself as properties (searchable in CloudWatch Logs).
 * `timestamp` is the server's clock at shipping; the entry's own time is the `ts` property.
 */
export function auditEntryToEmf(entry: AuditRecord, timestamp: number, emfNamespace = EMF_NAMESPACE): string {
  const doc: Record<string, unknown> = {
    _aws: {
      Timestamp: Math.trunc(timestamp),
      CloudWatchMetrics: [
        {
          Namespace: `${emfNamespace}/Audit`,
          Dimensions: [["service", "action", "outcome"]],
          Metrics: [{ Name: "events", Unit: "Count" }],
        },
      ],
    },
    service: "master-perf-tracker",
    action: entry.action,
    outcome: entry.outcome,
    events: 1,
    seq: entry.seq,
    ts: entry.ts,
    actor: entry.actor,
    target: entry.target,
    ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
    hash: entry.hash,
  };
  return JSON.stringify(doc);
}
