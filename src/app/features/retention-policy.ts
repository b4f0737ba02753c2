/**
 * RETENTION_POLICY: cleanup policy dropping samples older than N days.
 */
import type { Metric, Stage, StageOutcome } from "../core/types.ts";

export interface RetentionPolicy {
  maxAgeDays: number;
}

export interface RetentionResult {
  cutoff: number;
  dropped: number;
}

export const DAY_MS = 86_400_000;

export function retentionCutoff(policy: RetentionPolicy, now: number): number {
  if (!(policy.maxAgeDays >= 0)) throw new RangeError("retention maxAgeDays must be >= 0");
  return now - policy.maxAgeDays * DAY_MS;
}

/** True when `metric` is older than the policy allows at `now`. */
export function isExpired(metric: Metric, policy: RetentionPolicy, now: number): boolean {
  return metric.ts < retentionCutoff(policy, now);
}

/** Applies the policy to anything that can purge samples (the tracker). */
export function applyRetention(
  target: { purge(predicate: (m: Metric) => boolean, reason: string): number },
  policy: RetentionPolicy,
  now: number,
): RetentionResult {
  const cutoff = retentionCutoff(policy, now);
  const dropped = target.purge((m) => m.ts < cutoff, `retention ${policy.maxAgeDays}d`);
  return { cutoff, dropped };
}

/** Ingestion stage: drops a sample already older than the policy allows by `clock` (the server's). */
export class RetentionStage implements Stage {
  readonly name = "retention";
  constructor(
    readonly policy: RetentionPolicy,
    readonly clock: () => number = Date.now,
  ) {}

  process(metric: Metric): StageOutcome {
    return isExpired(metric, this.policy, this.clock()) ? { drop: `older than ${this.policy.maxAgeDays}d` } : metric;
  }
}
