/**
 * PROMETHEUS_EXPORT: Prometheus text exposition format (version 0.0.4).
 * Each metric name becomes a summary family (quantiles when available, _sum, _count)
 * plus _min/_max gauge families.
 */
import type { AggregateRow } from "../core/types.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function promName(name: string, unit: string | undefined, prefix = "perf"): string {
  let n = `${prefix}_${name}`.replace(/[^a-zA-Z0-9_:]/g, "_");
  if (!/^[a-zA-Z_:]/.test(n)) n = `_${n}`;
  const suffix = unit === "ms" ? "_milliseconds" : unit === "percent" ? "_percent" : "";
  return n + suffix;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** HELP text escaped as the format requires (backslash, line feed): a unit or name can never end the line. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function promValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

/** Labels of a row: its scope and tenant when the grouping keeps them (ENTERPRISE), and its namespace. */
function rowLabels(r: AggregateRow): Record<string, string> {
  return { ...(r.scope !== undefined && r.tenant !== undefined ? { scope: r.scope, tenant: r.tenant } : {}), namespace: r.namespace };
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(",");
  return body ? `{${body}}` : "";
}

export function toPrometheus(rows: readonly AggregateRow[], prefix = "perf"): string {
  const families = new Map<string, AggregateRow[]>();
  for (const r of rows) {
    const n = promName(r.name, r.unit, prefix);
    families.set(n, [...(families.get(n) ?? []), r]);
  }
  const out: string[] = [];
  for (const [name, list] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`# HELP ${name} ${escapeHelp(`${list[0]!.name} (${list[0]!.unit ?? "value"})`)}`, `# TYPE ${name} summary`);
    for (const r of list) {
      const base = rowLabels(r);
      for (const [q, v] of [
        ["0.5", r.stats.p50],
        ["0.95", r.stats.p95],
        ["0.99", r.stats.p99],
      ] as const) {
        if (v !== undefined) out.push(`${name}${labels({ ...base, quantile: q })} ${promValue(v)}`);
      }
      out.push(`${name}_sum${labels(base)} ${promValue(r.stats.sum)}`, `${name}_count${labels(base)} ${r.stats.count}`);
    }
    for (const g of ["min", "max"] as const) {
      out.push(`# HELP ${name}_${g} ${escapeHelp(`${g} of ${list[0]!.name}`)}`, `# TYPE ${name}_${g} gauge`);
      for (const r of list) {
        const base = rowLabels(r);
        out.push(`${name}_${g}${labels(base)} ${promValue(r.stats[g])}`);
      }
    }
  }
  return `${out.join("\n")}\n`;
}
