/**
 * What the stages of a run share. A stage that sets something up before ingest (a pipeline stage, the audit
 * log, the profiler) owns what it made: it adds the section that reports it, and the hooks through which other
 * stages reach it, inside its own feature() branch. So nothing a flag made is kept in a slot that later code
 * reads behind a second feature() test, and each flag's code stays in its branch for the bundler to drop.
 */
import type { CliOptions } from "../core/args.ts";
import type { ParseError, ParseResult } from "../core/input.ts";
import type { Instrumentation } from "../core/instrumentation.ts";
import type { MasterPerfTracker } from "../core/tracker.ts";
import type { AggregateRow, Metric, Owner, Point } from "../core/types.ts";
import type { IngestOutcome, LiveStreamOptions } from "../features/live-stream.ts";
import type { TokenClaims, VerifyResult } from "../features/rbac.ts";

export interface AppIo {
  out(line: string): void;
  err(line: string): void;
  readText(path: string): Promise<string>;
}

export interface AppResult {
  exitCode: number;
  tracker: MasterPerfTracker;
  /** Set while the LIVE_STREAM server runs (`--serve`). */
  stream?: { url: string; port: number; stop(): Promise<void> };
}

export interface Loaded {
  metrics: Metric[];
  source: string;
  errors: ParseError[];
}

/** A report section; it runs when the report reaches its place. */
export type Section = (run: Reported) => void;

/** Where sections that stages add are printed, each list in the order its sections were added. */
export interface Sections {
  /** After the report's own analysis sections: what each ingest stage dropped, kept or stored. */
  pipeline: Section[];
  /** After the RBAC section. */
  security: Section[];
  /** Last before the live stream: debug and profile. */
  diagnostics: Section[];
}

/** Ways into what a flag's stage made, for the other flags that use it; absent when no stage set them. */
export interface Hooks {
  /** The per-series points the analyses read (TIME_SERIES_STORAGE: its store's; otherwise the samples grouped). */
  series?: () => Map<string, Point[]>;
  /** TRACE_CONTEXT: the traceparent of a child span of the run's trace context, if there is one (S3_EXPORT sends it). */
  traceparent?: (span: string) => string | undefined;
  /** RBAC checked --token (AUDIT_LOG records it). */
  tokenChecked?: (result: VerifyResult) => void;
  /** CLOUDWATCH: an EMF line after the aggregates' (AUDIT_LOG: its entries by action). */
  cloudwatch?: () => string;
  /** RATE_LIMIT, serving: what refuses an ingest request over its limits, made as the server starts. */
  ingestAdmission?: () => Admission;
  /** LIVE_STREAM: the server is about to start (AUDIT_LOG logs its events, by the server's clock). */
  serving?: (server: LiveStreamOptions<TokenClaims>) => void;
}

export interface Run {
  readonly opts: CliOptions;
  readonly io: AppIo;
  readonly out: (line: string) => void;
  /** RBAC signing secret: --secret, PERF_TOKEN_SECRET, or (mock-data builds) random per process. */
  readonly secret: string | undefined;
  readonly inst: Instrumentation;
  /** The caller of records and reads: --scope and --tenant, or (without --scope) each metric's own or "via" owner. */
  readonly caller: Owner | undefined;
  readonly loaded: Loaded;
  /** The report clock: --now, or the latest sample's time. */
  readonly now: number;
  readonly tracker: MasterPerfTracker;
  readonly sections: Sections;
  readonly hooks: Hooks;
}

/** A refusal of a whole ingest request before anything is recorded, or undefined when it may go on. */
export type Admission = (parsed: ParseResult, grant: TokenClaims | undefined) => IngestOutcome | undefined;

/** A run after ingest: what was refused, and what the caller may read. */
export interface Reported extends Run {
  readonly rejected: readonly string[];
  readonly rows: AggregateRow[];
  readonly visible: Metric[];
}
