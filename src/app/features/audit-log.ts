/**
 * AUDIT_LOG: append-only, hash-chained audit log of auth events and metric mutations.
 * With a file (`openAuditFile`), every entry is appended as one JSON line and fsynced before `append`
 * returns, so an entry the server acted on survives `kill -9`; a restart continues the file's chain
 * (each entry carries the previous entry's hash) after verifying it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
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
  readonly #entries: AuditEntry[] = [];
  readonly #sink: AuditSink | undefined;
  readonly #baseSeq: number;
  readonly #baseHash: string;

  constructor(sink?: AuditSink) {
    this.#sink = sink;
    this.#baseSeq = sink?.last?.seq ?? 0;
    this.#baseHash = sink?.last?.hash ?? AUDIT_GENESIS;
  }

  /** Appends a frozen entry chained to the previous one (persisted by the sink before it returns). */
  append(input: AuditInput): AuditEntry {
    const seq = this.#baseSeq + this.#entries.length + 1;
    const prev = this.#entries.at(-1)?.hash ?? this.#baseHash;
    const body = { ...input, seq };
    const entry: AuditEntry = Object.freeze({ ...body, prev, hash: chainHash(prev, body) });
    this.#sink?.write(entry);
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

  /** True when every entry's hash and back-link are intact (this process's entries continue the sink's chain). */
  verify(entries: readonly AuditEntry[] = this.#entries): boolean {
    return entries === this.#entries ? verifyAuditChain(entries, this.#baseSeq, this.#baseHash) : verifyAuditChain(entries);
  }

  countsByAction(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.#entries) counts[e.action] = (counts[e.action] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.drop", target: seriesKey(event.metric), outcome: "dropped", detail: `${event.stage}: ${event.reason}` });
      break;
    case "rejected":
      log.append({ ts: event.metric.ts, actor: event.actor, action: "metric.reject", target: seriesKey(event.metric), outcome: "denied", detail: event.error });
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
