/** Small text formatters shared by pages, tables and charts. */
import { fieldValue, type Entry } from "../core/model/records.ts";
import type { Status } from "../core/schema/columns.ts";
import { fieldsWithRole } from "../core/schema/kinds.ts";

/** Between a number and its unit: a narrow table column must not break "8.0 s" or "12.3 kB" across two lines. */
export const NBSP = "\u00a0";

export function formatBytes(n: number): string {
  if (n < 1000) return `${n}${NBSP}B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}${NBSP}kB`;
  return `${(n / 1_000_000).toFixed(2)}${NBSP}MB`;
}

export function formatSignedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : n < 0 ? `−${formatBytes(-n)}` : formatBytes(0);
}

/**
 * The byte change with the largest magnitude, sign kept: a flag that retires code (MOCK_API replacing a real
 * client, V2 replacing a legacy serializer) shows what it saves, not 0.
 */
export function largestDelta(deltas: readonly { gzip: number }[]): number | undefined {
  let best: number | undefined;
  for (const d of deltas) if (best === undefined || Math.abs(d.gzip) > Math.abs(best)) best = d.gzip;
  return best;
}

export function formatDays(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** Overdue is computed in the model, so the site and check agree on it. */
export { isOverdue } from "../core/model/status.ts";

/** The text of the warning badges, wherever a table, a list or a record page shows one. */
export const BADGE = {
  overdue: "Overdue",
  unverified: "unverified",
  /** A flag no code any variant bundles reads (verify's stale-flag). */
  unused: "not in code",
} as const;
