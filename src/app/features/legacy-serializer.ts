/**
 * Legacy serializer (JSON lines, verbose field names, version 1). Kept only under
 * `if (!feature("V2_SERIALIZER"))`: builds with V2_SERIALIZER on do not contain it.
 */
import { normalizeMetric } from "../core/input.ts";
import type { Metric, Serializer } from "../core/types.ts";

interface LegacyRecord {
  version: 1;
  metric_name: string;
  metric_value: number;
  metric_namespace: string;
  /** The isolation scope (a ScopeName). */
  metric_scope: string;
  timestamp_iso: string;
  unit: string | null;
  tenant_id: string;
  properties: Record<string, string>;
  trace_parent: string | null;
}

export function createLegacySerializer(): Serializer {
  return {
    id: "legacy-json-v1",
    contentType: "application/x-ndjson",
    extension: "jsonl",
    serialize(metrics) {
      return metrics
        .map((m) => {
          const r: LegacyRecord = {
            version: 1,
            metric_name: m.name,
            metric_value: m.value,
            metric_namespace: m.namespace,
            metric_scope: m.scope,
            timestamp_iso: new Date(m.ts).toISOString(),
            unit: m.unit ?? null,
            tenant_id: m.tenant,
            properties: m.props,
            trace_parent: m.traceparent ?? null,
          };
          return `${JSON.stringify(r)}\n`;
        })
        .join("");
    },
    deserialize(text) {
      const out: Metric[] = [];
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        const r = JSON.parse(line) as LegacyRecord;
        if (r.version !== 1) throw new Error(`legacy serializer: unsupported version ${String(r.version)}`);
        out.push(
          normalizeMetric({
            name: r.metric_name,
            value: r.metric_value,
            namespace: r.metric_namespace,
            scope: r.metric_scope,
            ts: r.timestamp_iso,
            unit: r.unit,
            tenant: r.tenant_id,
            props: r.properties,
            traceparent: r.trace_parent,
          }),
        );
      }
      return out;
    },
  };
}
