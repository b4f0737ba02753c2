import { aggregateSamples, namespaceGrouping } from "./aggregate.ts";
import {
  isDrop,
  ownerLabel,
  type AggregateRow,
  type Committer,
  type Grouping,
  type Metric,
  type Owner,
  type RecordContext,
  type ScopeGuard,
  type Stage,
  type StatsExtender,
  type TrackerEvent,
  type TrackerListener,
} from "./types.ts";

export type RecordOutcome = { status: "recorded" } | { status: "buffered" } | { status: "dropped"; stage: string; reason: string };

export interface StageCounter {
  stage: string;
  in: number;
  out: number;
  drops: Record<string, number>;
}

export interface TrackerState {
  samples: number;
  pending: number;
  keys: string[];
  /** Owners (`tenant@Scope`) and namespaces of the stored samples. */
  owners: string[];
  namespaces: string[];
  grouping: string;
  stages: StageCounter[];
  listeners: number;
  guarded: boolean;
}

export interface TrackerOptions {
  grouping?: Grouping;
  extendStats?: StatsExtender;
}

/**
 * MasterPerfTracker: records metrics through a pipeline of stages, commits them
 * (directly or through a batching committer) and aggregates them per group.
 * All optional behaviour is plugged in by the application; this class has no flags.
 */
export class MasterPerfTracker {
  #grouping: Grouping;
  #extend: StatsExtender | undefined;
  #guard: ScopeGuard | undefined;
  #committer: Committer | undefined;
  readonly #stages: Stage[] = [];
  readonly #counters = new Map<string, StageCounter>();
  readonly #listeners: TrackerListener[] = [];
  #samples: Metric[] = [];

  constructor(options: TrackerOptions = {}) {
    this.#grouping = options.grouping ?? namespaceGrouping;
    this.#extend = options.extendStats;
  }

  get grouping(): Grouping {
    return this.#grouping;
  }

  setGrouping(grouping: Grouping): this {
    this.#grouping = grouping;
    return this;
  }

  setStatsExtender(extend: StatsExtender | undefined): this {
    this.#extend = extend;
    return this;
  }

  /** Installs a guard called before every record and read with the owner of the data; it throws to deny access. */
  setScopeGuard(guard: ScopeGuard): this {
    this.#guard = guard;
    return this;
  }

  /** Replaces immediate commits with a committer built around the tracker's commit function. */
  setCommitter(factory: (commit: (batch: readonly Metric[]) => void) => Committer): this {
    this.#committer = factory((batch) => {
      this.#commit(batch);
      this.#emit({ type: "committed", count: batch.length });
    });
    return this;
  }

  use(stage: Stage): this {
    this.#stages.push(stage);
    this.#counters.set(stage.name, { stage: stage.name, in: 0, out: 0, drops: {} });
    return this;
  }

  get stageNames(): string[] {
    return this.#stages.map((s) => s.name);
  }

  observe(listener: TrackerListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  #emit(event: TrackerEvent): void {
    for (const l of this.#listeners) l(event);
  }

  /**
   * Records one metric on behalf of `ctx`. Throws what the scope guard throws (after emitting a "rejected" event).
   * Stages run in order; the first Drop stops the pipeline.
   */
  record(input: Metric, ctx: RecordContext = {}): RecordOutcome {
    const actor = ctx.actor ?? ownerLabel(ctx.scope === undefined ? input : ctx);
    if (this.#guard) {
      try {
        this.#guard(input, ctx, "record");
      } catch (error) {
        this.#emit({ type: "rejected", metric: input, error: errorMessage(error), actor });
        throw error;
      }
    }
    let metric: Metric = input;
    for (const stage of this.#stages) {
      const counter = this.#counters.get(stage.name)!;
      counter.in++;
      const outcome = stage.process(metric);
      if (isDrop(outcome)) {
        counter.drops[outcome.drop] = (counter.drops[outcome.drop] ?? 0) + 1;
        this.#emit({ type: "dropped", metric, stage: stage.name, reason: outcome.drop, actor });
        return { status: "dropped", stage: stage.name, reason: outcome.drop };
      }
      counter.out++;
      metric = outcome;
    }
    if (this.#committer) {
      this.#committer.add(metric);
      this.#emit({ type: "recorded", metric, actor });
      return { status: "buffered" };
    }
    this.#commit([metric]);
    this.#emit({ type: "recorded", metric, actor });
    return { status: "recorded" };
  }

  #commit(batch: readonly Metric[]): void {
    for (const m of batch) this.#samples.push(m);
  }

  /** Commits buffered metrics (no-op without a committer). */
  flush(): void {
    this.#committer?.flush();
  }

  get pending(): number {
    return this.#committer?.pending ?? 0;
  }

  samples(): readonly Metric[] {
    return this.#samples;
  }

  /** Removes samples matching `predicate`; returns how many were removed. */
  purge(predicate: (m: Metric) => boolean, reason: string): number {
    const before = this.#samples.length;
    this.#samples = this.#samples.filter((m) => !predicate(m));
    const count = before - this.#samples.length;
    this.#emit({ type: "purged", count, reason });
    return count;
  }

  keyOf(metric: Metric): string {
    return this.#grouping.key(metric);
  }

  aggregate(filter?: (m: Metric) => boolean): AggregateRow[] {
    const samples = filter ? this.#samples.filter(filter) : this.#samples;
    return aggregateSamples(samples, this.#grouping, this.#extend);
  }

  /**
   * Aggregates of one scope and tenant (and namespace, when given), read on behalf of `ctx` (the scope guard may
   * deny it).
   */
  read(target: Owner & { namespace?: string | undefined }, ctx: RecordContext = {}): AggregateRow[] {
    this.#guard?.({ scope: target.scope, tenant: target.tenant }, ctx, "read");
    return this.aggregate(
      (m) => m.scope === target.scope && m.tenant === target.tenant && (target.namespace === undefined || m.namespace === target.namespace),
    );
  }

  #distinct(of: (m: Metric) => string): string[] {
    return [...new Set(this.#samples.map(of))].sort();
  }

  stageCounters(): StageCounter[] {
    return this.#stages.map((s) => this.#counters.get(s.name)!);
  }

  state(): TrackerState {
    return {
      samples: this.#samples.length,
      pending: this.pending,
      keys: [...new Set(this.#samples.map((m) => this.#grouping.key(m)))].sort(),
      owners: this.#distinct(ownerLabel),
      namespaces: this.#distinct((m) => m.namespace),
      grouping: this.#grouping.id,
      stages: this.stageCounters(),
      listeners: this.#listeners.length,
      guarded: this.#guard !== undefined,
    };
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
