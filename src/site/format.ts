/** Small text formatters shared by pages, tables and charts. */
import { plural } from "../core/text/plural.ts";

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

/** What a flag costs: the largest gzip change it makes to a variant's bundle, and where. */
export interface FlagCost {
  gzip: number;
  variant: string;
  /** True: bytes it adds to a variant that ships it (leave-one-out). False: no variant ships it, so bytes it would add (add-one). */
  shipped: boolean;
}

/**
 * The one number Size/Impact shows for a flag, on the master table and on the flag's page alike: measured
 * where the flag ships (the bytes each such variant loses without it), or, for a flag no variant ships, what
 * it would add to one. Sign kept (largestDelta).
 */
export function flagCost(
  r: { leaveOneOut: readonly { variant: string; gzip: number }[]; addOne: readonly { variant: string; gzip: number }[] } | undefined,
): FlagCost | undefined {
  if (!r) return undefined;
  const shipped = r.leaveOneOut.length > 0;
  const list = shipped ? r.leaveOneOut : r.addOne;
  const gzip = largestDelta(list);
  if (gzip === undefined) return undefined;
  return { gzip, variant: list.find((d) => d.gzip === gzip)!.variant, shipped };
}

/** What the Size/Impact number means, in words. */
export function flagCostNote(c: FlagCost): string {
  return c.shipped
    ? `gzip bytes: the most this flag adds to the minified, gzipped bundle of a variant that ships it (${c.variant}); measured by npm run verify`
    : `gzip bytes: what this flag would add to the minified, gzipped bundle of ${c.variant}; no variant ships it`;
}

export function formatDays(n: number): string {
  return plural(n, "day");
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
