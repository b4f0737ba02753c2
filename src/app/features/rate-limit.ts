/**
 * RATE_LIMIT: connection limit per tenant in a scope and sliding-window message rate limit, with the numbers of
 * data/security.yaml (src/generated/limits.ts) as defaults. Every decision uses the server's clock
 * (injected, `Date.now` by default), never a timestamp a client sent. State is released when a
 * connection closes (`release`, `forget`), so a freed slot is reusable and no per-connection log is kept.
 */
import { MESSAGE_RATE_LIMIT_MESSAGES, PER_TENANT_CONNECTION_LIMIT_CONNECTIONS } from "../../generated/limits.ts";
import { ownerLabel, type Metric, type Owner, type Stage, type StageOutcome } from "../core/types.ts";

export const DEFAULT_MAX_CONNECTIONS = PER_TENANT_CONNECTION_LIMIT_CONNECTIONS;
export const DEFAULT_MESSAGES_PER_MINUTE = MESSAGE_RATE_LIMIT_MESSAGES;

/** At most `maxPerKey` open connections per key (the application's key: a tenant in a scope, rateKey()). */
export class ConnectionLimiter {
  readonly #open = new Map<string, number>();
  constructor(readonly maxPerKey: number = DEFAULT_MAX_CONNECTIONS) {}

  tryAcquire(key: string): boolean {
    const n = this.#open.get(key) ?? 0;
    if (n >= this.maxPerKey) return false;
    this.#open.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.#open.get(key) ?? 0;
    if (n <= 1) this.#open.delete(key);
    else this.#open.set(key, n - 1);
  }

  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }

  /** Keys with open connections (empty once every connection closed). */
  get keys(): number {
    return this.#open.size;
  }
}

/** Sliding-window log: at most `limit` messages per key within `windowMs`. */
export class MessageRateLimiter {
  readonly #log = new Map<string, number[]>();
  constructor(
    readonly limit: number = DEFAULT_MESSAGES_PER_MINUTE,
    readonly windowMs: number = 60_000,
  ) {}

  #window(key: string, now: number): number[] {
    const log = (this.#log.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (log.length) this.#log.set(key, log);
    else this.#log.delete(key);
    return log;
  }

  allow(key: string, now: number): boolean {
    const log = this.#window(key, now);
    if (log.length >= this.limit) return false;
    log.push(now);
    this.#log.set(key, log);
    return true;
  }

  /** Messages counted for `key` in the window ending at `now`. */
  used(key: string, now: number): number {
    return this.#window(key, now).length;
  }

  /** Messages `key` may still send in the window ending at `now`. */
  remaining(key: string, now: number): number {
    return Math.max(0, this.limit - this.used(key, now));
  }

  /** Drops the log of `key` (a closed connection). */
  forget(key: string): void {
    this.#log.delete(key);
  }

  /** Keys with a log (for leak checks). */
  get keys(): number {
    return this.#log.size;
  }
}

/** The limiter key of a metric or a connection: its tenant in its scope (`tenant@Scope`). */
export function rateKey(owner: Owner): string {
  return ownerLabel(owner);
}

/** Ingestion stage: limits metrics per tenant in a scope per minute of the server clock. */
export class RateLimitStage implements Stage {
  readonly name = "rate-limit";
  limited = 0;
  constructor(
    readonly limiter: MessageRateLimiter,
    readonly clock: () => number = Date.now,
  ) {}

  /** True when `counts` (metrics per rateKey) all fit in the current window: used before a batch is recorded. */
  fits(counts: ReadonlyMap<string, number>): boolean {
    const now = this.clock();
    for (const [key, n] of counts) if (this.limiter.remaining(key, now) < n) return false;
    return true;
  }

  process(metric: Metric): StageOutcome {
    if (this.limiter.allow(rateKey(metric), this.clock())) return metric;
    this.limited++;
    return { drop: "rate limited" };
  }
}
