/**
 * RATE_LIMIT: connection limit per tenant in a scope and sliding-window message rate limit, with the numbers of
 * data/security.yaml (src/generated/limits.ts) as defaults. Every decision uses the server's clock
 * (injected, `Date.now` by default), never a timestamp a client sent. State is released when a
 * connection closes (`release`, `forget`), so a freed slot is reusable and no per-connection log is kept.
 */
import {
  MESSAGE_RATE_LIMIT_INGESTED_METRICS,
  MESSAGE_RATE_LIMIT_STORED_BYTES,
  MESSAGE_RATE_LIMIT_STREAM_MESSAGES,
  PER_TENANT_CONNECTION_LIMIT_CONNECTIONS,
} from "../../generated/limits.ts";
import { ownerLabel, type Metric, type Owner } from "../core/types.ts";

export const DEFAULT_MAX_CONNECTIONS = PER_TENANT_CONNECTION_LIMIT_CONNECTIONS;
export const DEFAULT_MESSAGES_PER_MINUTE = MESSAGE_RATE_LIMIT_STREAM_MESSAGES;
export const DEFAULT_INGEST_PER_MINUTE = MESSAGE_RATE_LIMIT_INGESTED_METRICS;
export const DEFAULT_TENANT_BYTES = MESSAGE_RATE_LIMIT_STORED_BYTES;

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

/**
 * The ingest limit: metric lines per tenant in a scope per minute of the server clock, taken for a whole request
 * as it arrives, before parsing, sanitizing or sampling can drop any line (so lines that are dropped later
 * cost the same as lines that are stored).
 */
export class IngestRateLimit {
  limited = 0;
  constructor(
    readonly limiter: MessageRateLimiter,
    readonly clock: () => number = Date.now,
  ) {}

  /** True when `counts` (metric lines per rateKey) all fit in the current window. */
  fits(counts: ReadonlyMap<string, number>): boolean {
    const now = this.clock();
    for (const [key, n] of counts) if (this.limiter.remaining(key, now) < n) return false;
    return true;
  }

  /** Takes `counts` from the window when all of them fit (all or nothing); false when the request must be refused. */
  take(counts: ReadonlyMap<string, number>): boolean {
    if (!this.fits(counts)) {
      this.limited++;
      return false;
    }
    const now = this.clock();
    for (const [key, n] of counts) for (let i = 0; i < n; i++) this.limiter.allow(key, now);
    return true;
  }
}

/** Bytes a stored sample counts for: its JSON text (what a snapshot of it holds), in UTF-8. */
export function sampleBytes(metric: Metric): number {
  return Buffer.byteLength(JSON.stringify(metric));
}

/**
 * Stored bytes per tenant in a scope (rateKey), bounded by `maxBytes`: the application adds every stored sample
 * and recounts after purges, and asks `fits` before it records a request.
 */
export class TenantQuota {
  readonly #used = new Map<string, number>();
  constructor(readonly maxBytes: number = DEFAULT_TENANT_BYTES) {}

  used(key: string): number {
    return this.#used.get(key) ?? 0;
  }

  /** True when `incoming` bytes per key all fit beside what each key stores. */
  fits(incoming: ReadonlyMap<string, number>): boolean {
    for (const [key, n] of incoming) if (this.used(key) + n > this.maxBytes) return false;
    return true;
  }

  add(metric: Metric): void {
    const key = rateKey(metric);
    this.#used.set(key, this.used(key) + sampleBytes(metric));
  }

  /** Counts `samples` afresh (after samples were purged). */
  recount(samples: Iterable<Metric>): void {
    this.#used.clear();
    for (const m of samples) this.add(m);
  }
}
