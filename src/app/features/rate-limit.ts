/**
 * RATE_LIMIT: per-scope connection limit (default 10) and sliding-window message
 * rate limit (default 100 messages per minute), with an injectable clock.
 */
import type { Metric, Stage, StageOutcome } from "../core/types.ts";

export const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_MESSAGES_PER_MINUTE = 100;

export class ConnectionLimiter {
  readonly #open = new Map<string, number>();
  constructor(readonly maxPerScope: number = DEFAULT_MAX_CONNECTIONS) {}

  tryAcquire(scope: string): boolean {
    const n = this.#open.get(scope) ?? 0;
    if (n >= this.maxPerScope) return false;
    this.#open.set(scope, n + 1);
    return true;
  }

  release(scope: string): void {
    const n = this.#open.get(scope) ?? 0;
    if (n <= 1) this.#open.delete(scope);
    else this.#open.set(scope, n - 1);
  }

  count(scope: string): number {
    return this.#open.get(scope) ?? 0;
  }
}

/** Sliding-window log: at most `limit` messages per key within `windowMs`. */
export class MessageRateLimiter {
  readonly #log = new Map<string, number[]>();
  constructor(
    readonly limit: number = DEFAULT_MESSAGES_PER_MINUTE,
    readonly windowMs: number = 60_000,
  ) {}

  allow(key: string, now: number): boolean {
    const log = (this.#log.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (log.length >= this.limit) {
      this.#log.set(key, log);
      return false;
    }
    log.push(now);
    this.#log.set(key, log);
    return true;
  }

  /** Messages counted for `key` in the window ending at `now`. */
  used(key: string, now: number): number {
    return (this.#log.get(key) ?? []).filter((t) => t > now - this.windowMs).length;
  }
}

/** Ingestion stage: limits metrics per scope per minute, using the metric timestamps as clock. */
export class RateLimitStage implements Stage {
  readonly name = "rate-limit";
  limited = 0;
  constructor(readonly limiter: MessageRateLimiter) {}

  process(metric: Metric): StageOutcome {
    if (this.limiter.allow(`scope:${metric.scope}`, metric.ts)) return metric;
    this.limited++;
    return { drop: "rate limited" };
  }
}
