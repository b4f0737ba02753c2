/**
 * AUDIT_LOG: append-only, hash-chained audit log of auth events and metric mutations.
 * With a file (`openAuditFile`), every entry is appended as one JSON line and fsynced before `append`
 * returns, so an entry the server acted on survives `kill -9`; a restart continues the file's chain
 * (each entry carries the previous entry's hash) after verifying it.
 *
 * Memory is bounded: the log keeps the most recent entries only (AUDIT_LOGGING_ENTRIES_IN_MEMORY of
 * data/security.yaml) and counts the rest per action, so a flood of refused requests costs no memory; every
 * entry still reaches the sink and the listeners (CloudWatch) as it is appended.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { AUDIT_LOGGING_ENTRIES_IN_MEMORY } from "../../generated/limits.ts";
import { seriesKey } from "../core/aggregate.ts";
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

/** Where entries are persisted; `last` is the entry the chain continues from. */
export interface AuditSink {
  readonly last: AuditEntry | undefined;
  write(entry: AuditEntry): void;
  close(): void;
}

export class AuditLog {
  /** The most recent entries, at most `capacity`, as a ring: the oldest kept entry is at `#start`. */
  readonly #ring: AuditEntry[] = [];
  #start = 0;
  #appended = 0;
  #lastSeq: number;
  #lastHash: string;
  /** The chain position the oldest kept entry continues from. */
  #keptFromSeq: number;
  #keptFromHash: string;
  readonly #counts = new Map<string, number>();
  readonly #sink: AuditSink | undefined;
  readonly #listeners: ((entry: AuditEntry) => void)[] = [];

  constructor(
    sink?: AuditSink,
    readonly capacity: number = AUDIT_LOGGING_ENTRIES_IN_MEMORY,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError("audit capacity must be a whole number >= 1");
    this.#sink = sink;
    this.#lastSeq = this.#keptFromSeq = sink?.last?.seq ?? 0;
    this.#lastHash = this.#keptFromHash = sink?.last?.hash ?? AUDIT_GENESIS;
  }

  /** Calls `listener` with every entry as it is appended (after the sink has it). */
  onAppend(listener: (entry: AuditEntry) => void): void {
    this.#listeners.push(listener);
  }

  /** Appends a frozen entry chained to the previous one (persisted by the sink before it returns). */
  append(input: AuditInput): AuditEntry {
    const seq = this.#lastSeq + 1;
    const prev = this.#lastHash;
    const body = { ...input, seq };
    const entry: AuditEntry = Object.freeze({ ...body, prev, hash: chainHash(prev, body) });
    this.#sink?.write(entry);
    this.#lastSeq = seq;
    this.#lastHash = entry.hash;
    this.#appended++;
    this.#counts.set(entry.action, (this.#counts.get(entry.action) ?? 0) + 1);
    if (this.#ring.length < this.capacity) this.#ring.push(entry);
    else {
      // The oldest kept entry leaves memory (it is in the sink and was shipped): the next one continues from it.
      const oldest = this.#ring[this.#start]!;
      this.#keptFromSeq = oldest.seq;
      this.#keptFromHash = oldest.hash;
      this.#ring[this.#start] = entry;
      this.#start = (this.#start + 1) % this.capacity;
    }
    for (const l of this.#listeners) l(entry);
    return entry;
  }

  /** The entries kept in memory, oldest first (a copy: the log cannot be edited through it). */
  entries(): readonly AuditEntry[] {
    return [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
  }

  /** Entries appended by this process, kept or not. */
  get size(): number {
    return this.#appended;
  }

  /** Entries kept in memory (at most `capacity`). */
  get kept(): number {
    return this.#ring.length;
  }

  /** True when every kept entry's hash and back-link are intact (continuing the chain before them). */
  verify(entries?: readonly AuditEntry[]): boolean {
    return entries === undefined ? verifyAuditChain(this.entries(), this.#keptFromSeq, this.#keptFromHash) : verifyAuditChain(entries);
  }

  /** Entries appended by this process per action, kept or not. */
  countsByAction(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** True when `entries` form an intact chain starting after (`seq`, `hash`). */
export function verifyAuditChain(entries: readonly AuditEntry[], seq = 0, hash = AUDIT_GENESIS): boolean {
  let prev = hash;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.seq !== seq + i + 1 || e.prev !== prev) return false;
    const { hash: h, prev: _p, ...body } = e;
    if (chainHash(prev, body) !== h) return false;
    prev = h;
  }
  return true;
}

/** Parses an audit file (one JSON entry per line). */
export function parseAuditLines(text: string): AuditEntry[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as AuditEntry);
}

/**
 * Opens `path` for appending (created with mode 0600). An existing file must hold an intact chain, which the
 * log continues; a torn last line (no newline: the process died mid-write) is cut off first. Throws otherwise.
 */
export function openAuditFile(path: string): AuditSink {
  let last: AuditEntry | undefined;
  if (existsSync(path)) {
    let text = readFileSync(path, "utf8");
    const cut = text.lastIndexOf("\n") + 1;
    if (cut < text.length) {
      truncateSync(path, Buffer.byteLength(text.slice(0, cut)));
      text = text.slice(0, cut);
    }
    let entries: AuditEntry[];
    try {
      entries = parseAuditLines(text);
    } catch {
      throw new Error(`audit file ${path} is not a list of JSON entries`);
    }
    if (!verifyAuditChain(entries)) throw new Error(`audit file ${path}: hash chain broken; refusing to append`);
    last = entries.at(-1);
  }
  const fd = openSync(path, "a", 0o600);
  return {
    last,
    write(entry) {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Maps tracker events to audit entries; `now` stamps events that carry no metric time. */
export function auditTrackerEvent(log: AuditLog, event: TrackerEvent, now: () => number): void {
  switch (event.type) {
    case "recorded":
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.record", target: seriesKey(event.metric), outcome: "ok" });
      break;
    case "dropped":
      log.append({
        ts: event.metric.ts,
        actor: event.actor,
        action: "metric.drop",
        target: seriesKey(event.metric),
        outcome: "dropped",
        detail: `${event.stage}: ${event.reason}`,
      });
      break;
    case "rejected":
      log.append({
        ts: event.metric.ts,
        actor: event.actor,
        action: "metric.reject",
        target: seriesKey(event.metric),
        outcome: "denied",
        detail: event.error,
      });
      break;
    case "committed":
      log.append({
        ts: now(),
        actor: "tracker",
        action: "metric.commit",
        target: "batch",
        outcome: "ok",
        detail: `${event.count} samples`,
      });
      break;
    case "purged":
      log.append({
        ts: now(),
        actor: "tracker",
        action: "metric.purge",
        target: "samples",
        outcome: "ok",
        detail: `${event.count} samples (${event.reason})`,
      });
      break;
  }
}

export function formatAuditEntry(e: AuditEntry): string {
  return `#${e.seq} ${new Date(e.ts).toISOString()} ${e.actor} ${e.action} ${e.target} ${e.outcome}${e.detail ? ` (${e.detail})` : ""} ${e.hash}`;
}
