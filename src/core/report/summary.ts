/** A terminal summary of the records: counts per kind and where things stand. */
import type { Entry, Model } from "../model/model.ts";
import { statusOf } from "../model/status.ts";
import { STATUSES, formatStatus, type Status } from "../schema/columns.ts";
import { KINDS } from "../schema/kinds.ts";

export function statusCounts(entries: readonly Entry[]): Partial<Record<Status, number>> {
  const counts: Partial<Record<Status, number>> = {};
  for (const e of entries) {
    const s = statusOf(e);
    if (s) counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

export function summarize(model: Model): string {
  const width = Math.max(...KINDS.map((k) => k.length));
  const lines = KINDS.map((kind) => {
    const entries = model.records[kind];
    const counts = statusCounts(entries);
    const parts = STATUSES.filter((s) => counts[s]).map((s) => `${formatStatus(s)} ${counts[s]}`);
    return `  ${kind.padEnd(width)}  ${String(entries.length).padStart(3)}  ${parts.join("  ")}`;
  });
  const variants = model.records.variants.map((v) => `${v.record.name} (${v.record.features.length} flags)`).join(", ");
  return [`Records`, ...lines, ``, `Variants: ${variants}`].join("\n");
}
