/**
 * AUDIT_LOG: append-only, hash-chained audit log of auth events and metric mutations.
 */
import type { TrackerEvent } from "../core/types.ts";

export type AuditOutcome = "ok" | "denied" | "dropped" | "error";

export interface AuditInput {
  ts: number;
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail?: string | undefined;
}

export interface AuditEntry extends AuditInput {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

export const AUDIT_GENESIS = "0000000000000000";

function chainHash(prev: string, body: AuditInput & { seq: number }): string {
  const h = new Bun.CryptoHasher("sha256");
  h.update(prev);
  h.update(JSON.stringify([body.seq, body.ts, body.actor, body.action, body.target, body.outcome, body.detail ?? null]));
  return h.digest("hex").slice(0, 16);
}

export class AuditLog {
  readonly #entries: AuditEntry[] = [];

  /** Appends a frozen entry chained to the previous one. */
  append(input: AuditInput): AuditEntry {
    const seq = this.#entries.length + 1;
    const prev = this.#entries.at(-1)?.hash ?? AUDIT_GENESIS;
    const body = { ...input, seq };
    const entry: AuditEntry = Object.freeze({ ...body, prev, hash: chainHash(prev, body) });
    this.#entries.push(entry);
    return entry;
  }

  /** Read-only view (a copy: the log cannot be edited through it). */
  entries(): readonly AuditEntry[] {
    return [...this.#entries];
  }

  get size(): number {
    return this.#entries.length;
  }

  /** True when every entry's hash and back-link are intact. */
  verify(entries: readonly AuditEntry[] = this.#entries): boolean {
    let prev = AUDIT_GENESIS;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.seq !== i + 1 || e.prev !== prev) return false;
      const { hash, prev: _p, ...body } = e;
      if (chainHash(prev, body) !== hash) return false;
      prev = hash;
    }
    return true;
  }

  countsByAction(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.#entries) counts[e.action] = (counts[e.action] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** Maps tracker events to audit entries; `now` stamps events that carry no metric time. */
export function auditTrackerEvent(log: AuditLog, event: TrackerEvent, now: () => number): void {
  switch (event.type) {
    case "recorded":
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.record", target: `${event.metric.scope}/${event.metric.name}`, outcome: "ok" });
      break;
    case "dropped":
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.drop", target: `${event.metric.scope}/${event.metric.name}`, outcome: "dropped", detail: `${event.stage}: ${event.reason}` });
      break;
    case "rejected":
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.reject", target: `${event.metric.scope}/${event.metric.name}`, outcome: "denied", detail: event.error });
      break;
    case "committed":
      log.append({ ts: now(), actor: "tracker", action: "metric.commit", target: "batch", outcome: "ok", detail: `${event.count} samples` });
      break;
    case "purged":
      log.append({ ts: now(), actor: "tracker", action: "metric.purge", target: "samples", outcome: "ok", detail: `${event.count} samples (${event.reason})` });
      break;
  }
}

export function formatAuditEntry(e: AuditEntry): string {
  return `#${e.seq} ${new Date(e.ts).toISOString()} ${e.actor} ${e.action} ${e.target} ${e.outcome}${e.detail ? ` (${e.detail})` : ""} ${e.hash}`;
}
