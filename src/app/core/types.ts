/**
 * Shared data types of MasterPerfTracker. Flag-free: every build variant ships this module.
 *
 * Isolation: every metric, token and read belongs to one scope (a ScopeName of data/scopes.yaml, emitted into
 * src/generated/limits.ts) and one tenant (the customer or account id inside that scope). A namespace ("api",
 * "web", ...) only groups a tenant's metrics; it confers no access.
 */
import type { ScopeName } from "../../generated/limits.ts";

export type { ScopeName };

/** The isolation unit: a scope of data/scopes.yaml and a tenant in it. */
export interface Owner {
  scope: ScopeName;
  tenant: string;
}

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
  /** Namespace of the metric inside its tenant's data (e.g. "api", "web"): part of the metric key. */
  namespace: string;
  /** Isolation scope the metric belongs to. */
  scope: ScopeName;
  /** Tenant (customer or account id) inside the scope; "default" when the input names none. */
  tenant: string;
  /** Epoch milliseconds. */
  ts: number;
  unit?: string | undefined;
  props: Props;
  /** Raw W3C traceparent header as received. */
  traceparent?: string | undefined;
  /** Parsed trace context (TRACE_CONTEXT builds). */
  trace?: TraceRef | undefined;
  /** Scope and tenant of the caller that submitted the metric, when different from its own (input field "via"). */
  via?: Owner | undefined;
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
  namespace: string;
  /** Scope and tenant of the row, when the grouping keeps them apart (ENTERPRISE). */
  scope?: ScopeName | undefined;
  tenant?: string | undefined;
  unit?: string | undefined;
  stats: Stats;
}

/** How samples are grouped into aggregate rows. */
export interface Grouping {
  readonly id: string;
  key(metric: Metric): string;
  /** True when keys and rows carry the scope and tenant. */
  readonly byOwner?: boolean;
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

/** Caller identity used for isolation checks: its scope (a ScopeName; any other text is refused) and tenant. */
export interface RecordContext {
  scope?: string | undefined;
  tenant?: string | undefined;
  actor?: string | undefined;
}

export type AccessOp = "record" | "read";

/** Throws when the caller may not access data of `owner`. */
export type ScopeGuard = (owner: Owner, ctx: RecordContext, op: AccessOp) => void;

/** `tenant@Scope`: how an owner is written in keys, logs and messages. */
export function ownerLabel(o: { scope?: string | undefined; tenant?: string | undefined }): string {
  return `${o.tenant ?? "?"}@${o.scope ?? "?"}`;
}

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
