/** Small text formatters shared by pages, tables and charts. */
import type { Entry } from "../core/load/load-records.ts";
import type { Status } from "../core/schema/columns.ts";

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(2)} MB`;
}

export function formatSignedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : n < 0 ? `−${formatBytes(-n)}` : "0 B";
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

const OPEN: readonly Status[] = ["Planned", "In Progress", "Beta", "Blocked"];

/** A record with a target date that is not done by the build date. */
export function isOverdue(entry: Entry, buildDate: string): boolean {
  const r = entry.record as { target?: string; status?: Status };
  return typeof r.target === "string" && r.status !== undefined && OPEN.includes(r.status) && r.target < buildDate;
}

/** Field names as readers see them: camelCase split into words. */
export function fieldLabel(key: string): string {
  const special: Record<string, string> = { dependsOn: "Depends on", productionReady: "Production ready" };
  if (special[key]) return special[key];
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
