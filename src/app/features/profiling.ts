/**
 * PROFILING: CPU time (Bun.nanoseconds) and heap deltas (process.memoryUsage) around pipeline stages.
 */
import type { StageProbe } from "../core/instrumentation.ts";

export interface ProfileEntry {
  stage: string;
  calls: number;
  totalNs: number;
  maxNs: number;
  heapDeltaBytes: number;
}

interface Token {
  start: number;
  heap: number;
}

export class Profiler implements StageProbe {
  readonly #entries = new Map<string, ProfileEntry>();
  readonly #now: () => number;
  readonly #heap: () => number;

  constructor(now: () => number = () => Bun.nanoseconds(), heap: () => number = () => process.memoryUsage().heapUsed) {
    this.#now = now;
    this.#heap = heap;
  }

  enter(_stage: string): Token {
    return { start: this.#now(), heap: this.#heap() };
  }

  exit(stage: string, token: unknown): void {
    const t = token as Token;
    const ns = this.#now() - t.start;
    const heapDelta = this.#heap() - t.heap;
    const e = this.#entries.get(stage) ?? { stage, calls: 0, totalNs: 0, maxNs: 0, heapDeltaBytes: 0 };
    e.calls++;
    e.totalNs += ns;
    e.maxNs = Math.max(e.maxNs, ns);
    e.heapDeltaBytes += heapDelta;
    this.#entries.set(stage, e);
  }

  /** Measures one function outside the stage runner. */
  measure<T>(stage: string, fn: () => T): T {
    const token = this.enter(stage);
    try {
      return fn();
    } finally {
      this.exit(stage, token);
    }
  }

  entries(): ProfileEntry[] {
    return [...this.#entries.values()];
  }
}

/** Deterministic part of the profile (stage names and call counts). */
export function formatProfileCalls(entries: readonly ProfileEntry[]): string[] {
  return entries.map((e) => `${e.stage} calls=${e.calls}`);
}

/** Timing part (nondeterministic: meant for stderr). */
export function formatProfileTimings(entries: readonly ProfileEntry[]): string[] {
  return entries.map(
    (e) =>
      `[profile] ${e.stage} calls=${e.calls} total=${(e.totalNs / 1e6).toFixed(3)}ms max=${(e.maxNs / 1e6).toFixed(3)}ms heap=${(e.heapDeltaBytes / 1024).toFixed(1)}KiB`,
  );
}
