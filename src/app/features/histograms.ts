/**
 * HISTOGRAMS: percentile aggregation (p50/p95/p99) by linear interpolation between closest ranks.
 */
import type { StatsExtender } from "../core/types.ts";

/** Percentile `p` (0..100) of ascending `sorted` values (R-7 / Excel PERCENTILE.INC). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

export function percentiles(values: readonly number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

export function histogramExtender(): StatsExtender {
  return (values) => percentiles(values);
}

/** Cumulative bucket counts for upper bounds `bounds` (+Inf implied as the last bucket). */
export function bucketCounts(values: readonly number[], bounds: readonly number[]): number[] {
  const counts = bounds.map((b) => values.filter((v) => v <= b).length);
  counts.push(values.length);
  return counts;
}
