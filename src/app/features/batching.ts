/**
 * BATCHING: batch ingestion; metrics are buffered and committed in batches of N.
 */
import type { Committer, Metric } from "../core/types.ts";

export class BatchBuffer<T> {
  #buffer: T[] = [];
  readonly flushedSizes: number[] = [];

  constructor(
    readonly size: number,
    readonly onFlush: (batch: readonly T[]) => void,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("batch size must be a positive integer");
  }

  add(item: T): void {
    this.#buffer.push(item);
    if (this.#buffer.length >= this.size) this.flush();
  }

  flush(): void {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    this.flushedSizes.push(batch.length);
    this.onFlush(batch);
  }

  get pending(): number {
    return this.#buffer.length;
  }
}

/** Committer factory for MasterPerfTracker.setCommitter(). */
export function batchCommitter(size: number, onBuffer?: (buffer: BatchBuffer<Metric>) => void) {
  return (commit: (batch: readonly Metric[]) => void): Committer => {
    const buffer = new BatchBuffer<Metric>(size, commit);
    onBuffer?.(buffer);
    return buffer;
  };
}
