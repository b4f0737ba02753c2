/**
 * The tracker and its ingestion pipeline: each flag's stage is set up in pipeline order inside its own
 * feature() branch, with the report section that shows what it did; then the input is ingested, flushed and
 * (RETENTION_POLICY) cut to the retention window.
 */
import { feature } from "bun:bundle";
import { namespaceGrouping, seriesKey } from "../core/aggregate.ts";
import { fmtNum, isoDate, section } from "../core/format.ts";
import { errorMessage, MasterPerfTracker } from "../core/tracker.ts";
import { ownerLabel, type Metric, type Point, type RecordContext } from "../core/types.ts";
import type { AuditSink } from "../features/audit-log.ts";
import { batchCommitter, type BatchBuffer } from "../features/batching.ts";
import { installExitDump } from "../features/debug.ts";
import { tenantGrouping } from "../features/enterprise.ts";
import { histogramExtender } from "../features/histograms.ts";
import { SanitizationStage } from "../features/input-sanitization.ts";
import { PiiRedactionStage } from "../features/pii-redaction.ts";
import { IngestRateLimit, MessageRateLimiter } from "../features/rate-limit.ts";
import { applyRetention } from "../features/retention-policy.ts";
import { SamplingStage } from "../features/sampling.ts";
import { validateMetricScope } from "../features/scope-isolation.ts";
import { TimeSeriesStore } from "../features/time-series-storage.ts";
import { childContext, formatTraceparent, parseTraceparent, summarizeTraces, TraceContextStage } from "../features/trace-context.ts";
import { auditStage } from "./audit.ts";
import type { Run } from "./run.ts";
import { ingestLimits } from "./serve.ts";

export function createTracker(): MasterPerfTracker {
  return new MasterPerfTracker({
    grouping: feature("ENTERPRISE") ? tenantGrouping() : namespaceGrouping,
    extendStats: feature("HISTOGRAMS") ? histogramExtender() : undefined,
  });
}

/** Sets up the pipeline, records every loaded metric on behalf of its caller, flushes; returns the refusals. */
export function ingest(run: Run, auditSink: AuditSink | undefined): string[] {
  const { inst, tracker, caller } = run;
  const afterFlush: (() => void)[] = [];
  inst.run("setup", () => setUp(run, auditSink, afterFlush));
  const rejected: string[] = [];
  const ingestOne = (m: Metric): void => {
    const by = caller ?? m.via ?? m;
    const ctx: RecordContext = { scope: by.scope, tenant: by.tenant, actor: ownerLabel(by) };
    try {
      tracker.record(m, ctx);
    } catch (error) {
      rejected.push(`${seriesKey(m)} by ${ownerLabel(by)}: ${errorMessage(error)}`);
    }
  };
  inst.run("ingest", () => {
    for (const m of run.loaded.metrics) ingestOne(m);
  });
  inst.run("flush", () => tracker.flush());
  for (const step of afterFlush) step();
  return rejected;
}

/** The stages, in pipeline order; `afterFlush` gets what runs once everything is committed. */
function setUp(run: Run, auditSink: AuditSink | undefined, afterFlush: (() => void)[]): void {
  const { opts, tracker, out } = run;
  const report = run.sections.pipeline;
  if (feature("AUDIT_LOG")) {
    auditStage(run, auditSink);
  }
  if (feature("SCOPE_ISOLATION")) {
    tracker.setScopeGuard(validateMetricScope);
  }
  if (feature("INPUT_SANITIZATION")) {
    const sanitizer = new SanitizationStage();
    tracker.use(sanitizer);
    report.push(() => {
      out(section("input sanitization"));
      out(
        `property keys rejected: ${sanitizer.rejectedKeys}, values truncated: ${sanitizer.truncatedValues}, control chars stripped: ${sanitizer.strippedChars}`,
      );
    });
  }
  if (feature("PII_REDACTION")) {
    const redactor = new PiiRedactionStage();
    tracker.use(redactor);
    report.push(() => {
      const h = redactor.hits;
      out(section("pii redaction"));
      out(`redacted: ${h.email} emails, ${h.ip} ips, ${h.token} tokens, ${h.secretKey} sensitive keys`);
    });
  }
  if (feature("TRACE_CONTEXT")) {
    const runContext = opts.traceparent !== undefined ? parseTraceparent(opts.traceparent) : null;
    const tracer = new TraceContextStage(runContext);
    tracker.use(tracer);
    if (feature("S3_EXPORT")) {
      run.hooks.traceparent = (span) => (runContext ? formatTraceparent(childContext(runContext, span)) : undefined);
    }
    report.push(({ visible }) => {
      out(section("trace context"));
      out(
        `run context: ${runContext ? formatTraceparent(runContext) : "none"}; invalid traceparents ignored: ${tracer.invalid}; inherited: ${tracer.inherited}`,
      );
      for (const t of summarizeTraces(visible)) out(`trace ${t.traceId}: ${t.metrics} metrics in ${t.namespaces.join(",")}`);
    });
  }
  if (feature("RATE_LIMIT")) {
    // Used when serving: it limits network ingest, by the server's clock, before the pipeline runs.
    const ingestLimit = new IngestRateLimit(new MessageRateLimiter(opts.ingestLimit), Date.now);
    if (feature("LIVE_STREAM")) {
      run.hooks.ingestAdmission = () => ingestLimits(run, ingestLimit);
    }
    report.push(() => {
      out(section("rate limit"));
      out(
        `limits (--serve, server clock): ${opts.rateLimit} messages/min per connection; ${opts.ingestLimit} ingested metric lines/min, ${opts.maxConnections} connections and ${opts.tenantBytes} stored bytes per tenant in a scope`,
      );
    });
  }
  if (feature("SAMPLING")) {
    const sampler = new SamplingStage({ rate: opts.sampleRate, after: opts.sampleAfter });
    tracker.use(sampler);
    report.push(() => {
      out(section("sampling"));
      out(`kept ${sampler.kept}, sampled out ${sampler.skipped} (keep 1 in ${opts.sampleRate} after ${opts.sampleAfter} per series)`);
      out(`high-volume series: ${sampler.highVolumeSeries().join(", ") || "none"}`);
    });
  }
  storageStages(run, afterFlush);
  if (feature("DEBUG")) {
    installExitDump(() => tracker.state());
  }
}

/** Where committed samples go: batches, the retention window, the time-series store. */
function storageStages(run: Run, afterFlush: (() => void)[]): void {
  const { opts, tracker, out } = run;
  const report = run.sections.pipeline;
  if (feature("BATCHING")) {
    let batches: BatchBuffer<Metric> | undefined;
    tracker.setCommitter(batchCommitter(opts.batchSize, (b) => (batches = b)));
    report.push(() => {
      out(section("batching"));
      const sizes = batches ? batches.flushedSizes : [];
      out(`batch size ${opts.batchSize}: ${sizes.length} batches flushed (${sizes.join(", ")}), pending ${tracker.pending}`);
    });
  }
  if (feature("RETENTION_POLICY")) {
    let line = "";
    afterFlush.push(() => {
      const r = run.inst.run("retention", () => applyRetention(tracker, { maxAgeDays: opts.retentionDays }, run.now));
      line = `dropped ${r.dropped} samples older than ${opts.retentionDays}d (cutoff ${isoDate(r.cutoff)})`;
    });
    report.push(() => {
      out(section("retention"));
      out(line);
    });
  }
  if (feature("TIME_SERIES_STORAGE")) {
    const store = new TimeSeriesStore();
    tracker.observe((event) => {
      if (event.type === "recorded") store.add(tracker.keyOf(event.metric), event.metric.ts, event.metric.value);
    });
    if (feature("ANOMALY_DETECTION")) {
      run.hooks.series = () => new Map(store.keys().map((k) => [k, store.raw(k)] as [string, Point[]]));
    }
    report.push(() => {
      out(section("time series"));
      for (const key of store.keys()) {
        const raw = store.raw(key);
        const minute = store.rollup(key, "1m");
        const peak = minute.reduce((a, b) => Math.max(a, b.max), -Infinity);
        out(
          `${key}: ${raw.length} raw points, ${minute.length} x 1m buckets, ${store.rollup(key, "1h").length} x 1h buckets, peak 1m max ${fmtNum(peak)}`,
        );
      }
    });
  }
}
