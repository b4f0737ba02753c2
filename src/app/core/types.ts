/**
 * Shared data types of MasterPerfTracker. Flag-free: every build variant ships this module.
 */

/** Metric properties after normalisation: string keys to string values. */
export type Props = Record<string, string>;

/** Parsed W3C trace reference attached to a metric (TRACE_CONTEXT). */
export interface TraceRef {
  traceId: string;
  spanId: string;
  parentId: string;
  sampled: boolean;
}

/** One recorded sample. */
export interface Metric {
  name: string;
  value: number;
  /** Scope the metric belongs to (e.g. "api", "web"). */
  scope: string;
  /** Epoch milliseconds. */
  ts: number;
  unit?: string | undefined;
  /** Tenant id (only used for grouping in ENTERPRISE builds). */
  tenant?: string | undefined;
  props: Props;
  /** Raw W3C traceparent header as received. */
  traceparent?: string | undefined;
  /** Parsed trace context (TRACE_CONTEXT builds). */
  trace?: TraceRef | undefined;
  /** Scope through which the metric was submitted, when different from its own. */
  via?: string | undefined;
}

/** A stage may drop a metric by returning a Drop. */
export interface Drop {
  readonly drop: string;
}

export type StageOutcome = Metric | Drop;

/** A per-metric ingestion stage (sanitisation, redaction, sampling, ...). */
export interface Stage {
  readonly name: string;
  process(metric: Metric): StageOutcome;
}

export function isDrop(outcome: StageOutcome): outcome is Drop {
  return typeof (outcome as Drop).drop === "string";
}

export interface Stats {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

/** Adds extra statistics (e.g. percentiles) computed from the raw values of one group. */
export type StatsExtender = (values: readonly number[]) => Partial<Stats>;

export interface AggregateRow {
  key: string;
  name: string;
  scope: string;
  tenant?: string | undefined;
  unit?: string | undefined;
  stats: Stats;
}

/** How samples are grouped into aggregate rows. */
export interface Grouping {
  readonly id: string;
  key(metric: Metric): string;
  tenant?(metric: Metric): string;
}

export interface Point {
  ts: number;
  value: number;
}

/** Serialises samples for snapshots, S3 bodies and stream messages. */
export interface Serializer {
  readonly id: string;
  readonly contentType: string;
  readonly extension: string;
  serialize(metrics: readonly Metric[]): string;
  deserialize(text: string): Metric[];
}

/** Caller identity used for scope checks. */
export interface RecordContext {
  scope?: string | undefined;
  actor?: string | undefined;
}

export type ScopeOp = "record" | "read";

/** Throws when the caller may not access `metricScope`. */
export type ScopeGuard = (metricScope: string, ctx: RecordContext, op: ScopeOp) => void;

export type TrackerEvent =
  | { type: "recorded"; metric: Metric; actor: string }
  | { type: "dropped"; metric: Metric; stage: string; reason: string; actor: string }
  | { type: "rejected"; metric: Metric; error: string; actor: string }
  | { type: "committed"; count: number }
  | { type: "purged"; count: number; reason: string };

export type TrackerListener = (event: TrackerEvent) => void;

/** Receives metrics that passed all stages; the default commits immediately (BATCHING buffers). */
export interface Committer {
  add(metric: Metric): void;
  flush(): void;
  readonly pending: number;
}
