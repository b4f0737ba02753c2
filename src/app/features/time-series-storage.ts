/**
 * TIME_SERIES_STORAGE: historical in-memory storage. Per series a ring buffer of raw points
 * plus downsampled rollup rings (1 minute and 1 hour buckets by default).
 */
import type { Point } from "../core/types.ts";

export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;
  overwritten = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    const end = (this.#start + this.#size) % this.capacity;
    this.#items[end] = item;
    if (this.#size < this.capacity) this.#size++;
    else {
      this.#start = (this.#start + 1) % this.capacity;
      this.overwritten++;
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Oldest to newest. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }

  last(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#start + this.#size - 1) % this.capacity];
  }
}

export interface Bucket {
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface RollupSpec {
  name: string;
  stepMs: number;
  capacity: number;
}

export interface StoreOptions {
  rawCapacity?: number;
  rollups?: RollupSpec[];
}

interface Series {
  raw: RingBuffer<Point>;
  rollups: Map<string, { spec: RollupSpec; ring: RingBuffer<Bucket> }>;
}

export class TimeSeriesStore {
  readonly #series = new Map<string, Series>();
  readonly rawCapacity: number;
  readonly rollupSpecs: RollupSpec[];
  /** Points older than the newest bucket of a rollup whose bucket was already evicted. */
  lateDropped = 0;

  constructor(options: StoreOptions = {}) {
    this.rawCapacity = options.rawCapacity ?? 256;
    this.rollupSpecs = options.rollups ?? [
      { name: "1m", stepMs: 60_000, capacity: 120 },
      { name: "1h", stepMs: 3_600_000, capacity: 72 },
    ];
  }

  add(key: string, ts: number, value: number): void {
    let s = this.#series.get(key);
    if (!s) {
      s = { raw: new RingBuffer<Point>(this.rawCapacity), rollups: new Map() };
      for (const spec of this.rollupSpecs) s.rollups.set(spec.name, { spec, ring: new RingBuffer<Bucket>(spec.capacity) });
      this.#series.set(key, s);
    }
    s.raw.push({ ts, value });
    for (const { spec, ring } of s.rollups.values()) {
      const start = Math.floor(ts / spec.stepMs) * spec.stepMs;
      const last = ring.last();
      if (last && last.start === start) addTo(last, value);
      else if (!last || start > last.start) ring.push({ start, count: 1, sum: value, min: value, max: value });
      else {
        const existing = ring.toArray().find((b) => b.start === start);
        if (existing) addTo(existing, value);
        else this.lateDropped++;
      }
    }
  }

  keys(): string[] {
    return [...this.#series.keys()].sort();
  }

  /** Raw points of `key`, sorted by time. */
  raw(key: string): Point[] {
    return (this.#series.get(key)?.raw.toArray() ?? []).sort((a, b) => a.ts - b.ts);
  }

  rollup(key: string, name: string): Bucket[] {
    return this.#series.get(key)?.rollups.get(name)?.ring.toArray() ?? [];
  }

  /** Downsampled series: one point (bucket mean) per rollup bucket. */
  downsampled(key: string, name: string): Point[] {
    return this.rollup(key, name).map((b) => ({ ts: b.start, value: b.sum / b.count }));
  }

  overwritten(key: string): number {
    return this.#series.get(key)?.raw.overwritten ?? 0;
  }
}

function addTo(b: Bucket, value: number): void {
  b.count++;
  b.sum += value;
  if (value < b.min) b.min = value;
  if (value > b.max) b.max = value;
}
