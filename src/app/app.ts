/**
 * Application composition: the only place (with main.ts) where compile-time flags are read.
 * Each flag's module is used only inside its `feature("NAME")` branch, so a build without
 * the flag contains none of its code. Core modules (src/app/core) are flag-free.
 *
 * Security rules of the server (`--serve`, LIVE_STREAM builds):
 * - RBAC builds need a signing secret (--secret or PERF_TOKEN_SECRET) to serve or handle tokens and refuse to
 *   start without one; none is compiled in. Only builds with MOCK_API (mock data: never deployed) fall back
 *   to a random per-process secret, printed once on stderr; staging carries DEBUG but serves real data.
 * - Isolation: every metric, token and read names one scope (a ScopeName of data/scopes.yaml) and one tenant
 *   in it; SCOPE_ISOLATION (validateMetricScope) refuses any record or read by a caller of another scope or
 *   tenant. A namespace ("api", "web", ...) only groups a tenant's metrics.
 * - RBAC builds authenticate subscriptions and POST /ingest with the same tokens (writes need operator or
 *   admin); the token's scope and tenant confine every read and write. Builds without RBAC accept ingest
 *   from loopback clients only, and say so on stderr at start (see features/live-stream.ts).
 * - RATE_LIMIT counts with the server's clock: stream messages per connection, ingested metric lines per tenant
 *   in a scope as they arrive, before parsing, sanitizing or sampling drops any (a request that does not fit is
 *   refused whole with 429), connections per tenant in a scope; and it bounds the bytes each tenant in a scope
 *   stores (a request that would pass the bound is refused whole with 507).
 * - RETENTION_POLICY: the server drops at ingest any sample already older than the retention window.
 * - AUDIT_LOG keeps a bounded number of entries in memory; with CLOUDWATCH a serving build ships every entry
 *   as an EMF line on stdout as it is appended.
 */
import { feature } from "bun:bundle";
import { groupSeries, namespaceGrouping, seriesKey } from "./core/aggregate.ts";
import type { CliOptions } from "./core/args.ts";
import { bar, fmtNum, isoDate, section, table } from "./core/format.ts";
import { DEFAULT_TENANT, latestTs, NAMESPACE_PATTERN, parseMetricLines, TENANT_PATTERN, type ParseError } from "./core/input.ts";
import { Instrumentation } from "./core/instrumentation.ts";
import { sampleMetrics } from "./core/sample-data.ts";
import { errorMessage, MasterPerfTracker } from "./core/tracker.ts";
import { ownerLabel, type AggregateRow, type Metric, type Owner, type Point, type RecordContext, type Serializer } from "./core/types.ts";
import { AlertEngine, defaultAlertRules, parseAlertRule } from "./features/alerting.ts";
import { detectAll } from "./features/anomaly-detection.ts";
import { AuditLog, auditTrackerEvent, formatAuditEntry, openAuditFile, type AuditSink } from "./features/audit-log.ts";
import { batchCommitter, type BatchBuffer } from "./features/batching.ts";
import { aggregatesToEmf, auditCountsToEmf, auditEntryToEmf } from "./features/cloudwatch.ts";
import { gzipPayload } from "./features/compression.ts";
import { aggregatesToCsv } from "./features/csv-export.ts";
import { createDebugProbe, installExitDump } from "./features/debug.ts";
import { aggregateByTenant, tenantGrouping } from "./features/enterprise.ts";
import { histogramExtender } from "./features/histograms.ts";
import { SanitizationStage } from "./features/input-sanitization.ts";
import { createLegacySerializer } from "./features/legacy-serializer.ts";
import { generateMockMetrics } from "./features/mock-api.ts";
import { toOtlpJson } from "./features/otel-export.ts";
import { PiiRedactionStage } from "./features/pii-redaction.ts";
import { formatProfileCalls, formatProfileTimings, Profiler } from "./features/profiling.ts";
import { toPrometheus } from "./features/prometheus-export.ts";
import type { IngestOutcome, LiveStreamOptions, Target } from "./features/live-stream.ts";
import { ConnectionLimiter, IngestRateLimit, MessageRateLimiter, rateKey, sampleBytes, TenantQuota } from "./features/rate-limit.ts";
import { accessDenial, canIngest, claimsFromSpec, ingestDenial, randomSecret, signToken, verifyToken, type TokenClaims } from "./features/rbac.ts";
import { applyRetention, RetentionStage } from "./features/retention-policy.ts";
import { SamplingStage } from "./features/sampling.ts";
import { validateMetricScope } from "./features/scope-isolation.ts";
import { isScopeName, MESSAGE_RATE_LIMIT_MESSAGE_SIZE, SCOPE_NAMES } from "../generated/limits.ts";
import { TimeSeriesStore } from "./features/time-series-storage.ts";
import { childContext, formatTraceparent, parseTraceparent, summarizeTraces, TraceContextStage, type TraceContext } from "./features/trace-context.ts";
import { createV2Serializer } from "./features/v2-serializer.ts";

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

/** Names of the flags compiled into this build, in registry order. */
export function enabledFeatures(): string[] {
  const on: string[] = [];
  if (feature("DEBUG")) on.push("DEBUG");
  if (feature("MOCK_API")) on.push("MOCK_API");
  if (feature("ENTERPRISE")) on.push("ENTERPRISE");
  if (feature("AUDIT_LOG")) on.push("AUDIT_LOG");
  if (feature("CLOUDWATCH")) on.push("CLOUDWATCH");
  if (feature("S3_EXPORT")) on.push("S3_EXPORT");
  if (feature("RETENTION_POLICY")) on.push("RETENTION_POLICY");
  if (feature("SCOPE_ISOLATION")) on.push("SCOPE_ISOLATION");
  if (feature("INPUT_SANITIZATION")) on.push("INPUT_SANITIZATION");
  if (feature("RBAC")) on.push("RBAC");
  if (feature("RATE_LIMIT")) on.push("RATE_LIMIT");
  if (feature("LIVE_STREAM")) on.push("LIVE_STREAM");
  if (feature("CSV_EXPORT")) on.push("CSV_EXPORT");
  if (feature("PROMETHEUS_EXPORT")) on.push("PROMETHEUS_EXPORT");
  if (feature("OTEL_EXPORT")) on.push("OTEL_EXPORT");
  if (feature("HISTOGRAMS")) on.push("HISTOGRAMS");
  if (feature("SAMPLING")) on.push("SAMPLING");
  if (feature("BATCHING")) on.push("BATCHING");
  if (feature("COMPRESSION")) on.push("COMPRESSION");
  if (feature("PII_REDACTION")) on.push("PII_REDACTION");
  if (feature("TRACE_CONTEXT")) on.push("TRACE_CONTEXT");
  if (feature("V2_SERIALIZER")) on.push("V2_SERIALIZER");
  if (feature("PROFILING")) on.push("PROFILING");
  if (feature("TIME_SERIES_STORAGE")) on.push("TIME_SERIES_STORAGE");
  if (feature("ANOMALY_DETECTION")) on.push("ANOMALY_DETECTION");
  if (feature("ALERTING")) on.push("ALERTING");
  if (feature("SLA_DASHBOARD")) on.push("SLA_DASHBOARD");
  return on;
}

interface Loaded {
  metrics: Metric[];
  source: string;
  errors: ParseError[];
}

async function loadInput(opts: CliOptions, io: AppIo, caller: Owner | undefined): Promise<Loaded> {
  if (feature("MOCK_API")) {
    const note = opts.file !== undefined ? ` (ignored input ${opts.file})` : "";
    return {
      metrics: generateMockMetrics({ seed: opts.seed, count: opts.count, hostile: opts.mockHostile }),
      source: `mock api (seed=${opts.seed}, count=${opts.count})${note}`,
      errors: [],
    };
  } else {
    if (opts.file !== undefined) {
      const text = opts.file === "-" ? await Bun.stdin.text() : await io.readText(opts.file);
      const parsed = parseMetricLines(text, caller);
      return { ...parsed, source: `${opts.file === "-" ? "stdin" : opts.file} (${parsed.metrics.length} metrics)` };
    }
    const metrics = sampleMetrics();
    return { metrics, source: `built-in sample (${metrics.length} metrics)`, errors: [] };
  }
}

/** The serializer of this build: legacy JSON lines unless V2_SERIALIZER is compiled in. */
export function selectSerializer(): Serializer {
  if (!feature("V2_SERIALIZER")) {
    return createLegacySerializer();
  } else {
    return createV2Serializer();
  }
}

function rowCells(r: AggregateRow): string[] {
  const s = r.stats;
  const base = [r.key, String(s.count), fmtNum(s.sum), fmtNum(s.min), fmtNum(s.max), fmtNum(s.mean)];
  return feature("HISTOGRAMS") ? [...base, fmtNum(s.p50 ?? 0), fmtNum(s.p95 ?? 0), fmtNum(s.p99 ?? 0)] : base;
}

function byteLength(payload: string | Uint8Array): number {
  return typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
}

export async function runApp(opts: CliOptions, io: AppIo): Promise<AppResult> {
  const out = io.out;

  // ---- signing secret: never built in ---------------------------------------------------------
  let secret = opts.secret;
  if (feature("RBAC")) {
    if (secret === undefined && (opts.serve || opts.issueToken !== undefined || opts.token !== undefined)) {
      if (feature("MOCK_API")) {
        secret = randomSecret();
        io.err(`rbac: no PERF_TOKEN_SECRET; mock-data build, random per-process secret: ${secret}`);
      } else {
        io.err("error: refusing to start: RBAC needs a signing secret (PERF_TOKEN_SECRET or --secret)");
        return { exitCode: 2, tracker: new MasterPerfTracker() };
      }
    }
  }
  let auditSink: AuditSink | undefined;
  if (feature("AUDIT_LOG")) {
    if (opts.auditFile !== undefined) {
      try {
        auditSink = openAuditFile(opts.auditFile);
      } catch (error) {
        io.err(`error: ${errorMessage(error)}`);
        return { exitCode: 2, tracker: new MasterPerfTracker() };
      }
    }
  } else {
    if (opts.auditFile !== undefined) io.err("--audit-file ignored: this build has no AUDIT_LOG");
  }

  const inst = new Instrumentation();
  let profiler: Profiler | undefined;
  if (feature("DEBUG")) {
    inst.add(createDebugProbe(io.err));
  }
  if (feature("PROFILING")) {
    profiler = new Profiler();
    inst.add(profiler);
  }

  // The caller of records and reads: --scope and --tenant, or (without --scope) each metric's own or "via" owner.
  const caller: Owner | undefined = opts.scope !== undefined ? { scope: opts.scope, tenant: opts.tenant ?? DEFAULT_TENANT } : undefined;
  const loaded = await inst.run("load", () => loadInput(opts, io, caller));
  const now = opts.now ?? latestTs(loaded.metrics);
  const enabled = enabledFeatures();

  // ---- tracker and ingestion pipeline -------------------------------------------------------
  const tracker = new MasterPerfTracker({
    grouping: feature("ENTERPRISE") ? tenantGrouping() : namespaceGrouping,
    extendStats: feature("HISTOGRAMS") ? histogramExtender() : undefined,
  });
  let audit: AuditLog | undefined;
  let sanitizer: SanitizationStage | undefined;
  let redactor: PiiRedactionStage | undefined;
  let tracer: TraceContextStage | undefined;
  let runContext: TraceContext | null = null;
  let ingestLimit: IngestRateLimit | undefined;
  let sampler: SamplingStage | undefined;
  let batches: BatchBuffer<Metric> | undefined;
  let store: TimeSeriesStore | undefined;
  // Audit time: the report clock, then the server's clock once serving.
  let auditClock = (): number => now;

  inst.run("setup", () => {
    if (feature("AUDIT_LOG")) {
      const log = new AuditLog(auditSink);
      audit = log;
      tracker.observe((event) => auditTrackerEvent(log, event, () => auditClock()));
    }
    if (feature("SCOPE_ISOLATION")) {
      tracker.setScopeGuard(validateMetricScope);
    }
    if (feature("INPUT_SANITIZATION")) {
      sanitizer = new SanitizationStage();
      tracker.use(sanitizer);
    }
    if (feature("PII_REDACTION")) {
      redactor = new PiiRedactionStage();
      tracker.use(redactor);
    }
    if (feature("TRACE_CONTEXT")) {
      runContext = opts.traceparent !== undefined ? parseTraceparent(opts.traceparent) : null;
      tracer = new TraceContextStage(runContext);
      tracker.use(tracer);
    }
    if (feature("RATE_LIMIT")) {
      // Used when serving: it limits network ingest, by the server's clock, before the pipeline runs.
      ingestLimit = new IngestRateLimit(new MessageRateLimiter(opts.ingestLimit), Date.now);
    }
    if (feature("SAMPLING")) {
      sampler = new SamplingStage({ rate: opts.sampleRate, after: opts.sampleAfter });
      tracker.use(sampler);
    }
    if (feature("BATCHING")) {
      tracker.setCommitter(batchCommitter(opts.batchSize, (b) => (batches = b)));
    }
    if (feature("TIME_SERIES_STORAGE")) {
      const s = new TimeSeriesStore();
      store = s;
      tracker.observe((event) => {
        if (event.type === "recorded") s.add(tracker.keyOf(event.metric), event.metric.ts, event.metric.value);
      });
    }
    if (feature("DEBUG")) {
      installExitDump(() => tracker.state());
    }
  });

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
    for (const m of loaded.metrics) ingestOne(m);
  });
  inst.run("flush", () => tracker.flush());

  let retentionLine: string | undefined;
  if (feature("RETENTION_POLICY")) {
    const r = inst.run("retention", () => applyRetention(tracker, { maxAgeDays: opts.retentionDays }, now));
    retentionLine = `dropped ${r.dropped} samples older than ${opts.retentionDays}d (cutoff ${isoDate(r.cutoff)})`;
  }

  // Reads: with SCOPE_ISOLATION and --scope, only the caller's scope and tenant are readable.
  const reader = feature("SCOPE_ISOLATION") ? caller : undefined;
  const rows = inst.run("aggregate", () => (reader !== undefined ? tracker.read(reader, reader) : tracker.aggregate()));
  const visible = tracker.samples().filter((m) => reader === undefined || (m.scope === reader.scope && m.tenant === reader.tenant));

  // ---- report -------------------------------------------------------------------------------
  out("MasterPerfTracker report");
  out(`features: ${enabled.length ? enabled.join(",") : "none"}`);
  out(`source: ${loaded.source}`);
  out(`clock: ${isoDate(now)}`);
  const drops = tracker
    .stageCounters()
    .flatMap((c) => Object.entries(c.drops).map(([reason, n]) => `${c.stage}/${reason}=${n}`));
  const droppedCount = tracker.stageCounters().reduce((a, c) => a + Object.values(c.drops).reduce((x, y) => x + y, 0), 0);
  out(`ingest: ${loaded.metrics.length} in, ${tracker.samples().length} stored, ${droppedCount} dropped, ${rejected.length} rejected`);
  if (drops.length) out(`dropped: ${drops.join(", ")}`);
  for (const e of loaded.errors) out(`input error: line ${e.line}: ${e.error}`);

  out(section("aggregates"));
  const headers = ["key", "count", "sum", "min", "max", "mean"];
  for (const line of table(feature("HISTOGRAMS") ? [...headers, "p50", "p95", "p99"] : headers, rows.map(rowCells))) out(line);

  out(section("samples with properties (last 5)"));
  for (const m of visible.filter((s) => Object.keys(s.props).length > 0).slice(-5)) {
    const trace = feature("TRACE_CONTEXT") && m.trace ? ` trace=${m.trace.traceId.slice(0, 8)}` : "";
    out(`${feature("ENTERPRISE") ? seriesKey(m) : `${m.namespace}/${m.name}`} ${fmtNum(m.value)} ${JSON.stringify(m.props)}${trace}`);
  }

  if (feature("ENTERPRISE")) {
    out(section("tenants"));
    const tenants = aggregateByTenant(visible);
    for (const line of table(
      ["scope", "tenant", "samples", "series", "namespaces", "mean ms"],
      tenants.map((t) => [t.scope, t.tenant, String(t.samples), String(t.series), t.namespaces.join(","), t.meanLatencyMs === null ? "-" : fmtNum(t.meanLatencyMs)]),
    )) out(line);
  }

  if (feature("SCOPE_ISOLATION")) {
    out(section("scope isolation"));
    out(`caller: ${caller ? ownerLabel(caller) : "per metric (via, or its own scope and tenant)"}`);
    out(`rejected records: ${rejected.length}`);
    for (const r of rejected.slice(0, 5)) out(`  ${r}`);
    if (caller !== undefined) {
      // Probes: the same tenant in another scope, and another tenant in the same scope.
      const probes: Owner[] = [
        { scope: SCOPE_NAMES.find((s) => s !== caller.scope) ?? caller.scope, tenant: caller.tenant },
        { scope: caller.scope, tenant: caller.tenant === "other" ? "another" : "other" },
      ];
      for (const other of probes) {
        try {
          tracker.read(other, caller);
          out(`read ${ownerLabel(other)} as ${ownerLabel(caller)}: allowed`);
        } catch (error) {
          out(`read ${ownerLabel(other)} as ${ownerLabel(caller)}: denied (${errorMessage(error)})`);
        }
      }
    }
  }

  if (feature("INPUT_SANITIZATION") && sanitizer) {
    out(section("input sanitization"));
    out(`property keys rejected: ${sanitizer.rejectedKeys}, values truncated: ${sanitizer.truncatedValues}, control chars stripped: ${sanitizer.strippedChars}`);
  }

  if (feature("PII_REDACTION") && redactor) {
    const h = redactor.hits;
    out(section("pii redaction"));
    out(`redacted: ${h.email} emails, ${h.ip} ips, ${h.token} tokens, ${h.secretKey} sensitive keys`);
  }

  if (feature("TRACE_CONTEXT") && tracer) {
    out(section("trace context"));
    out(`run context: ${runContext ? formatTraceparent(runContext) : "none"}; invalid traceparents ignored: ${tracer.invalid}; inherited: ${tracer.inherited}`);
    for (const t of summarizeTraces(visible)) out(`trace ${t.traceId}: ${t.metrics} metrics in ${t.namespaces.join(",")}`);
  }

  if (feature("RATE_LIMIT") && ingestLimit) {
    out(section("rate limit"));
    out(`limits (--serve, server clock): ${opts.rateLimit} messages/min per connection; ${opts.ingestLimit} ingested metric lines/min, ${opts.maxConnections} connections and ${opts.tenantBytes} stored bytes per tenant in a scope`);
  }

  if (feature("SAMPLING") && sampler) {
    out(section("sampling"));
    out(`kept ${sampler.kept}, sampled out ${sampler.skipped} (keep 1 in ${opts.sampleRate} after ${opts.sampleAfter} per series)`);
    out(`high-volume series: ${sampler.highVolumeSeries().join(", ") || "none"}`);
  }

  if (feature("BATCHING")) {
    out(section("batching"));
    const sizes = batches ? batches.flushedSizes : [];
    out(`batch size ${opts.batchSize}: ${sizes.length} batches flushed (${sizes.join(", ")}), pending ${tracker.pending}`);
  }

  if (feature("RETENTION_POLICY")) {
    out(section("retention"));
    out(retentionLine ?? "");
  }

  if (feature("TIME_SERIES_STORAGE") && store) {
    out(section("time series"));
    for (const key of store.keys()) {
      const raw = store.raw(key);
      const minute = store.rollup(key, "1m");
      const peak = minute.reduce((a, b) => (b.max > a ? b.max : a), -Infinity);
      out(`${key}: ${raw.length} raw points, ${minute.length} x 1m buckets, ${store.rollup(key, "1h").length} x 1h buckets, peak 1m max ${fmtNum(peak)}`);
    }
  }

  if (feature("ANOMALY_DETECTION")) {
    out(section("anomalies"));
    const series: Map<string, Point[]> =
      feature("TIME_SERIES_STORAGE") && store
        ? new Map(store.keys().map((k) => [k, store!.raw(k)] as [string, Point[]]))
        : groupSeries(visible, tracker.grouping);
    const anomalies = inst.run("anomaly", () => detectAll(series));
    if (anomalies.length === 0) out("none");
    for (const a of anomalies) out(`${a.key} at ${isoDate(a.ts)}: value ${fmtNum(a.value)} z=${Number.isFinite(a.z) ? a.z.toFixed(2) : "inf"} (mean ${fmtNum(a.mean)}, std ${fmtNum(a.std)})`);
  }

  if (feature("ALERTING")) {
    out(section("alerts"));
    const rules = opts.alerts.length ? opts.alerts.map(parseAlertRule) : defaultAlertRules();
    const engine = new AlertEngine(rules);
    inst.run("alerting", () => {
      for (const m of [...visible].sort((a, b) => a.ts - b.ts)) engine.evaluate(m);
    });
    out(`rules: ${rules.map((r) => `${r.name}(${r.metric}${r.op}${r.threshold} for ${r.forMs / 1000}s)`).join(", ")}`);
    for (const e of engine.events) out(`${isoDate(e.ts)} ${e.state.toUpperCase()} ${e.rule} ${e.series} value=${fmtNum(e.value)}`);
    out(`firing now: ${engine.firing().join("; ") || "none"}`);
  }

  if (feature("SLA_DASHBOARD")) {
    const { computeSla, renderSlaReport } = await import("./features/sla-dashboard.ts");
    out(section("sla dashboard"));
    for (const line of renderSlaReport(computeSla(visible)).split("\n")) out(line);
  }

  // ---- exports ------------------------------------------------------------------------------
  const serializer = selectSerializer();
  const compress = feature("COMPRESSION") ? (text: string) => gzipPayload(text) : undefined;
  const files: { name: string; body: string }[] = [];
  let uploadFailed = false;
  await inst.run("export", async () => {
    if (feature("CSV_EXPORT")) {
      const csv = aggregatesToCsv(rows);
      out(section("csv"));
      for (const line of csv.trimEnd().split("\r\n")) out(line);
      files.push({ name: "aggregates.csv", body: csv });
    }
    if (feature("PROMETHEUS_EXPORT")) {
      const text = toPrometheus(rows);
      out(section("prometheus"));
      for (const line of text.trimEnd().split("\n")) out(line);
      files.push({ name: "metrics.prom", body: text });
    }
    if (feature("OTEL_EXPORT")) {
      const payload = JSON.stringify(toOtlpJson(rows, { startMs: visible.reduce((a, m) => Math.min(a, m.ts), now), endMs: now }));
      out(section("otlp/json"));
      out(payload);
      files.push({ name: "metrics.otlp.json", body: payload });
    }

    const snapshot = serializer.serialize(visible);
    const roundtrip = serializer.deserialize(snapshot).length === visible.length ? "ok" : "MISMATCH";
    out(section("snapshot"));
    out(`serializer ${serializer.id}: ${visible.length} records, ${byteLength(snapshot)} bytes, roundtrip ${roundtrip}`);
    for (const line of snapshot.split("\n").slice(0, 2)) out(`  ${line}`);
    files.push({ name: `snapshot.${serializer.extension}`, body: snapshot });

    if (feature("COMPRESSION") && compress) {
      out(section("compression"));
      for (const f of files) {
        const packed = compress(f.body);
        out(`${f.name}: ${packed.rawBytes} bytes -> ${packed.body.byteLength} bytes gzip ${bar(packed.body.byteLength / Math.max(1, packed.rawBytes), 10)}`);
      }
    }

    if (opts.out !== undefined) {
      for (const f of files) {
        if (feature("COMPRESSION") && compress) {
          await Bun.write(`${opts.out}/${f.name}.gz`, compress(f.body).body);
          out(`wrote ${opts.out}/${f.name}.gz`);
        } else {
          await Bun.write(`${opts.out}/${f.name}`, f.body);
          out(`wrote ${opts.out}/${f.name}`);
        }
      }
    }

    if (feature("S3_EXPORT")) {
      const { exportMetricsToS3, uploadToS3 } = await import("./features/s3-export.ts");
      let traceparent: string | undefined;
      if (feature("TRACE_CONTEXT") && runContext) {
        traceparent = formatTraceparent(childContext(runContext, "s3-export"));
      }
      const result = await exportMetricsToS3(visible, {
        bucket: opts.s3Bucket,
        prefix: opts.s3Prefix,
        serializer,
        compress,
        traceparent,
        outDir: opts.s3Out,
      });
      out(section("s3 export"));
      for (const r of result.requests) {
        out(`PUT s3://${r.bucket}/${r.key} records=${r.records} bytes=${r.headers["Content-Length"]}${r.headers["Content-Encoding"] ? ` encoding=${r.headers["Content-Encoding"]}` : ""}`);
        out(`  Content-Disposition: ${r.headers["Content-Disposition"]}`);
      }
      for (const w of result.written) out(`wrote ${w}`);
      if (opts.s3Endpoint !== undefined) {
        try {
          for (const key of await uploadToS3(result.requests, opts.s3Endpoint)) out(`uploaded s3://${opts.s3Bucket}/${key}`);
        } catch (error) {
          io.err(`error: s3 upload to ${opts.s3Endpoint} failed: ${errorMessage(error)}`);
          uploadFailed = true;
        }
      }
    } else {
      if (opts.s3Endpoint !== undefined) io.err("--s3-endpoint ignored: this build has no S3_EXPORT");
    }
  });

  // ---- security / audit ---------------------------------------------------------------------
  if (feature("RBAC")) {
    out(section("rbac"));
    if (opts.issueToken !== undefined && secret !== undefined) {
      const token = await signToken(claimsFromSpec(opts.issueToken, now), secret);
      out(`token: ${token}`);
    }
    if (opts.token !== undefined && secret !== undefined) {
      const result = await verifyToken(opts.token, secret, now);
      if (feature("AUDIT_LOG") && audit) {
        audit.append({ ts: now, actor: result.ok ? result.claims.sub : "anonymous", action: "auth.verify", target: "cli", outcome: result.ok ? "ok" : "denied", detail: result.ok ? undefined : result.reason });
      }
      out(result.ok ? `token ok: sub=${result.claims.sub} role=${result.claims.role} scope=${result.claims.scope} tenant=${result.claims.tenant} exp=${isoDate(result.claims.exp * 1000)}` : `token rejected: ${result.reason}`);
    }
    out("stream subscribers and POST /ingest must present an HMAC-SHA256 token (role + scope + tenant); ingest needs operator or admin");
  } else {
    if (opts.token !== undefined || opts.issueToken !== undefined) io.err("token options ignored: this build has no RBAC");
  }

  if (feature("AUDIT_LOG") && audit) {
    out(section("audit log"));
    out(`entries: ${audit.size} (${audit.kept} kept in memory), chain ${audit.verify() ? "verified" : "BROKEN"}`);
    out(`by action: ${Object.entries(audit.countsByAction()).map(([a, n]) => `${a}=${n}`).join(", ")}`);
    for (const e of audit.entries().slice(-3)) out(formatAuditEntry(e));
  }

  if (feature("CLOUDWATCH")) {
    out(section("cloudwatch emf"));
    for (const line of aggregatesToEmf(rows, now)) out(line);
    if (feature("AUDIT_LOG") && audit) {
      out(auditCountsToEmf(audit.countsByAction(), now));
    }
  }

  // ---- diagnostics ---------------------------------------------------------------------------
  if (feature("DEBUG")) {
    out(section("debug"));
    out(`stages: ${inst.stages.join(" > ")}`);
    out(`pipeline: ${tracker.stageNames.join(" > ") || "(no stages)"}`);
    for (const c of tracker.stageCounters()) out(`stage ${c.stage}: in=${c.in} out=${c.out}`);
    out("timing traces and state dump on stderr");
  }

  if (feature("PROFILING") && profiler) {
    out(section("profile"));
    for (const line of formatProfileCalls(profiler.entries())) out(line);
    for (const line of formatProfileTimings(profiler.entries())) io.err(line);
  }

  // ---- live stream ---------------------------------------------------------------------------
  const result: AppResult = { exitCode: uploadFailed ? 1 : 0, tracker };
  if (feature("LIVE_STREAM")) {
    out(section("live stream"));
    if (opts.serve) {
      auditClock = () => Date.now();
      result.stream = await serveLive({ opts, io, tracker, secret, audit, ingestLimit });
      out(`serving ${result.stream.url}?namespace=NAMESPACE${feature("RBAC") ? "&token=TOKEN" : "&scope=SCOPE&tenant=TENANT"}`);
    } else {
      out("available: start with --serve");
    }
  } else {
    if (opts.serve) {
      io.err("--serve ignored: this build has no LIVE_STREAM");
      result.exitCode = 2;
    }
  }
  return result;
}

interface ServeContext {
  opts: CliOptions;
  io: AppIo;
  tracker: MasterPerfTracker;
  secret: string | undefined;
  audit: AuditLog | undefined;
  ingestLimit: IngestRateLimit | undefined;
}

async function serveLive(c: ServeContext): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const { opts, tracker } = c;
  const { startLiveStream, isLoopback } = await import("./features/live-stream.ts");
  // A subscriber reads its target on behalf of the scope and tenant it was authorized for (the target's own).
  const snapshot = (t: Target) => tracker.read(t, { scope: t.scope, tenant: t.tenant });

  let quota: TenantQuota | undefined;
  if (feature("RATE_LIMIT")) {
    const q = new TenantQuota(opts.tenantBytes);
    quota = q;
    q.recount(tracker.samples());
    tracker.observe((event) => {
      if (event.type === "recorded") q.add(event.metric);
      else if (event.type === "purged") q.recount(tracker.samples());
    });
  }

  /** Records a parsed batch on behalf of `grant` (RBAC) or a loopback client; all or nothing for scope, tenant, rate and bytes. */
  const ingest = (text: string, grant: TokenClaims | undefined, subject: string): IngestOutcome => {
    // Lines without scope or tenant belong to the token's.
    const parsed = parseMetricLines(text, grant ? { scope: grant.scope, tenant: grant.tenant } : undefined);
    const contexts: RecordContext[] = [];
    for (const m of parsed.metrics) {
      const by = m.via ?? m;
      let ctx: RecordContext = { scope: by.scope, tenant: by.tenant, actor: subject };
      if (feature("RBAC")) {
        if (!grant) return { ok: false, status: 403, reason: "token required" };
        const denial = ingestDenial(grant, m);
        if (denial !== undefined) return { ok: false, status: 403, reason: `${seriesKey(m)}: ${denial}` };
        // The server decides who wrote it: the token's scope and tenant, never fields the client sent.
        m.via = undefined;
        ctx = { scope: grant.scope, tenant: grant.tenant, actor: grant.sub };
      }
      contexts.push(ctx);
    }
    if (feature("RATE_LIMIT") && c.ingestLimit) {
      // Every line counts as it arrives: lines that do not parse (charged to the token's tenant), and metrics that
      // sanitizing, sampling or retention drop later, cost the same as stored ones.
      const counts = new Map<string, number>();
      for (const m of parsed.metrics) counts.set(rateKey(m), (counts.get(rateKey(m)) ?? 0) + 1);
      if (grant && parsed.errors.length) counts.set(rateKey(grant), (counts.get(rateKey(grant)) ?? 0) + parsed.errors.length);
      if (!c.ingestLimit.take(counts)) {
        return { ok: false, status: 429, reason: `rate limit: ${opts.ingestLimit} metric lines/min per tenant in a scope` };
      }
    }
    if (feature("RATE_LIMIT") && quota) {
      const bytes = new Map<string, number>();
      for (const m of parsed.metrics) bytes.set(rateKey(m), (bytes.get(rateKey(m)) ?? 0) + sampleBytes(m));
      if (!quota.fits(bytes)) {
        return { ok: false, status: 507, reason: `storage limit: ${opts.tenantBytes} bytes of samples per tenant in a scope` };
      }
    }
    let accepted = 0;
    let dropped = 0;
    let rejected = parsed.errors.length;
    const targets = new Map<string, Target>();
    parsed.metrics.forEach((m, i) => {
      try {
        if (tracker.record(m, contexts[i]).status === "dropped") dropped++;
        else {
          accepted++;
          const t: Target = { scope: m.scope, tenant: m.tenant, namespace: m.namespace };
          targets.set(`${ownerLabel(t)}:${t.namespace}`, t);
        }
      } catch {
        rejected++;
      }
    });
    tracker.flush();
    return { ok: true, accepted, dropped, rejected, targets: [...targets.values()] };
  };

  const hooks: LiveStreamOptions<TokenClaims> = {
    port: opts.port,
    hostname: opts.host,
    maxBodyBytes: opts.maxBodyBytes,
    maxMessageBytes: MESSAGE_RATE_LIMIT_MESSAGE_SIZE,
    namespacePattern: NAMESPACE_PATTERN,
    snapshot,
    ingest: (text, caller) => ingest(text, caller.grant, caller.subject),
    // Without RBAC a subscription names its scope (required) and tenant ("default" when absent).
    authorize: async (_token, requested) => {
      const tenant = requested.tenant ?? DEFAULT_TENANT;
      if (!isScopeName(requested.scope)) return { ok: false, status: 400, reason: requested.scope === undefined ? "scope required" : "unknown scope" };
      if (!TENANT_PATTERN.test(tenant)) return { ok: false, status: 400, reason: "malformed tenant" };
      return { ok: true, subject: "anonymous", scope: requested.scope, tenant };
    },
  };
  if (feature("RBAC")) {
    const secret = c.secret;
    if (secret === undefined) throw new Error("RBAC needs a signing secret");
    const check = async (token: string | null) => {
      if (!token) return { ok: false as const, status: 401 as const, reason: "token required" };
      const v = await verifyToken(token, secret, opts.now ?? Date.now());
      return v.ok ? v : { ok: false as const, status: 401 as const, reason: v.reason };
    };
    hooks.authorize = async (token, requested) => {
      const v = await check(token);
      if (!v.ok) return v;
      const denial = accessDenial(v.claims, requested);
      if (denial !== undefined) return { ok: false, status: 403, reason: denial, subject: v.claims.sub };
      // The subscription ends when the token does: as much later as the token has left by the clock that verified it.
      const expires = Date.now() + (v.claims.exp * 1000 - (opts.now ?? Date.now()));
      return { ok: true, subject: v.claims.sub, scope: v.claims.scope, tenant: v.claims.tenant, expires };
    };
    hooks.authorizeIngest = async (token) => {
      const v = await check(token);
      if (!v.ok) return v;
      if (!canIngest(v.claims)) return { ok: false, status: 403, reason: `role ${v.claims.role} may not ingest`, subject: v.claims.sub };
      return { ok: true, subject: v.claims.sub, grant: v.claims };
    };
  } else {
    c.io.err("no RBAC: POST /ingest accepts loopback clients only");
    if (!isLoopback(opts.host)) c.io.err(`no RBAC: anonymous subscriptions on ${opts.host}`);
  }
  if (feature("RATE_LIMIT")) {
    const connections = new ConnectionLimiter(opts.maxConnections);
    const messages = new MessageRateLimiter(opts.rateLimit);
    hooks.acquireConnection = (key) => connections.tryAcquire(key);
    hooks.releaseConnection = (key) => connections.release(key);
    hooks.allowMessage = (id, t) => messages.allow(id, t);
    hooks.releaseMessages = (id) => messages.forget(id);
  }
  if (feature("AUDIT_LOG") && c.audit) {
    const log = c.audit;
    if (feature("CLOUDWATCH")) {
      log.onAppend((entry) => c.io.out(auditEntryToEmf(entry, Date.now())));
    }
    hooks.onEvent = (e) => {
      const denied = e.type === "limited" || e.type === "expired" || (e.type === "auth" && e.detail !== "granted");
      log.append({ ts: Date.now(), actor: e.subject, action: `stream.${e.type}`, target: e.target, outcome: denied ? "denied" : "ok", detail: e.detail });
    };
  }
  let retention: ReturnType<typeof setInterval> | undefined;
  if (feature("RETENTION_POLICY")) {
    // Network ingest: a sample already older than the window is dropped as it arrives, by the server's clock.
    tracker.use(new RetentionStage({ maxAgeDays: opts.retentionDays }, Date.now));
    retention = setInterval(() => applyRetention(tracker, { maxAgeDays: opts.retentionDays }, Date.now()), 3_600_000);
    retention.unref();
  }
  const stream = startLiveStream(hooks);
  const stop = async () => {
    if (retention !== undefined) clearInterval(retention);
    await stream.stop();
  };
  if (opts.serveMs !== undefined) setTimeout(() => void stop(), opts.serveMs);
  return { url: stream.url, port: stream.port, stop };
}
