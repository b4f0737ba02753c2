/**
 * OTEL_EXPORT: OpenTelemetry OTLP/JSON (ExportMetricsServiceRequest) with summary data points.
 */
import type { AggregateRow } from "../core/types.ts";

export interface OtlpAttribute {
  key: string;
  value: { stringValue: string };
}

export interface OtlpSummaryPoint {
  attributes: OtlpAttribute[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}

export interface OtlpMetric {
  name: string;
  unit: string;
  description: string;
  summary: { dataPoints: OtlpSummaryPoint[] };
}

export interface OtlpPayload {
  resourceMetrics: {
    resource: { attributes: OtlpAttribute[] };
    /** OTLP wire format: `scopeMetrics`/`scope` name the instrumentation library, not an isolation scope. */
    scopeMetrics: { scope: { name: string; version: string }; metrics: OtlpMetric[] }[];
  }[];
}

export interface OtlpOptions {
  serviceName?: string;
  startMs: number;
  endMs: number;
}

function attr(key: string, value: string): OtlpAttribute {
  return { key, value: { stringValue: value } };
}

/** Epoch ms to a decimal nanosecond string (uint64 values are strings in OTLP/JSON). */
export function msToUnixNano(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

export function toOtlpJson(rows: readonly AggregateRow[], options: OtlpOptions): OtlpPayload {
  const byName = new Map<string, AggregateRow[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const metrics: OtlpMetric[] = [...byName].map(([name, list]) => ({
    name,
    unit: list[0]!.unit ?? "1",
    description: `MasterPerfTracker aggregate of ${name}`,
    summary: {
      dataPoints: list.map((r) => ({
        attributes: [
          ...(r.scope !== undefined && r.tenant !== undefined ? [attr("perf.scope", r.scope), attr("tenant.id", r.tenant)] : []),
          attr("perf.namespace", r.namespace),
        ],
        startTimeUnixNano: msToUnixNano(options.startMs),
        timeUnixNano: msToUnixNano(options.endMs),
        count: String(r.stats.count),
        sum: r.stats.sum,
        quantileValues: [
          { quantile: 0, value: r.stats.min },
          ...(r.stats.p50 !== undefined ? [{ quantile: 0.5, value: r.stats.p50 }] : []),
          ...(r.stats.p95 !== undefined ? [{ quantile: 0.95, value: r.stats.p95 }] : []),
          ...(r.stats.p99 !== undefined ? [{ quantile: 0.99, value: r.stats.p99 }] : []),
          { quantile: 1, value: r.stats.max },
        ],
      })),
    },
  }));
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", options.serviceName ?? "master-perf-tracker")] },
        scopeMetrics: [{ scope: { name: "master-perf-tracker", version: "1.0.0" }, metrics }],
      },
    ],
  };
}
