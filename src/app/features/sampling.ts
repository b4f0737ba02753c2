/**
 * SAMPLING: deterministic sampling of high-volume series. The first `after` samples of a
 * series are kept; beyond that one in `rate` is kept, chosen by a hash of the sample.
 */
import { seriesKey } from "../core/aggregate.ts";
import { fnv1a32, mix32 } from "../core/hash.ts";
import type { Metric, Stage, StageOutcome } from "../core/types.ts";

export interface SamplingOptions {
  rate: number;
  after: number;
}

export function sampleHash(m: Metric): number {
  return mix32(fnv1a32(`${m.namespace}/${m.name}@${m.ts}:${m.value}`));
}

export class SamplingStage implements Stage {
  readonly name = "sampling";
  readonly #seen = new Map<string, number>();
  kept = 0;
  skipped = 0;

  constructor(readonly options: SamplingOptions) {}

  keep(m: Metric): boolean {
    // Per tenant in a scope: one tenant's volume never samples another's series.
    const series = seriesKey(m);
    const n = (this.#seen.get(series) ?? 0) + 1;
    this.#seen.set(series, n);
    return n <= this.options.after || sampleHash(m) % this.options.rate === 0;
  }

  process(metric: Metric): StageOutcome {
    if (this.keep(metric)) {
      this.kept++;
      return metric;
    }
    this.skipped++;
    return { drop: "sampled out" };
  }

  /** Series that exceeded the threshold (the high-volume ones). */
  highVolumeSeries(): string[] {
    return [...this.#seen]
      .filter(([, n]) => n > this.options.after)
      .map(([s]) => s)
      .sort();
  }
}
