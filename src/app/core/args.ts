/**
 * CLI argument parsing (flag-free: every option parses in every build; features decide what they do).
 * Defaults of the security limits come from the records (src/generated/limits.ts, data/security.yaml).
 * No signing secret is compiled in: it comes from --secret or PERF_TOKEN_SECRET, or is absent.
 */
import {
  INPUT_SANITIZATION_INGEST_BODY,
  isScopeName,
  MESSAGE_RATE_LIMIT_INGESTED_METRICS,
  MESSAGE_RATE_LIMIT_STORED_BYTES,
  MESSAGE_RATE_LIMIT_STREAM_MESSAGES,
  PER_TENANT_CONNECTION_LIMIT_CONNECTIONS,
  RETENTION_CLEANUP_RETENTION_WINDOW,
  SCOPE_NAMES,
  type ScopeName,
} from "../../generated/limits.ts";
import { TENANT_PATTERN } from "./input.ts";

/** Largest POST /ingest body, in bytes (413 above it). */
export const DEFAULT_MAX_BODY_BYTES = INPUT_SANITIZATION_INGEST_BODY;

export interface CliOptions {
  help: boolean;
  file?: string | undefined;
  now?: number | undefined;
  seed: number;
  count: number;
  /** MOCK_API: hostile metrics appended to the generated ones. */
  mockHostile: number;
  /** The caller's scope (a ScopeName of data/scopes.yaml) and tenant: records and reads are checked against both. */
  scope?: ScopeName | undefined;
  tenant?: string | undefined;
  out?: string | undefined;
  s3Bucket: string;
  s3Prefix: string;
  s3Out?: string | undefined;
  retentionDays: number;
  sampleRate: number;
  sampleAfter: number;
  batchSize: number;
  /** RATE_LIMIT: WebSocket messages a minute per connection. */
  rateLimit: number;
  /** RATE_LIMIT: ingested metric lines a minute per tenant in a scope. */
  ingestLimit: number;
  /** RATE_LIMIT: stored bytes of samples per tenant in a scope. */
  tenantBytes: number;
  maxConnections: number;
  serve: boolean;
  port: number;
  host: string;
  serveMs?: number | undefined;
  /** RBAC signing secret; undefined when neither --secret nor PERF_TOKEN_SECRET is set. */
  secret?: string | undefined;
  /** Largest POST /ingest body in bytes. */
  maxBodyBytes: number;
  /** AUDIT_LOG: append every entry to this file (fsync per entry), continuing its hash chain. */
  auditFile?: string | undefined;
  /** S3_EXPORT: upload the export to this S3-compatible endpoint (credentials from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY). */
  s3Endpoint?: string | undefined;
  issueToken?: string | undefined;
  token?: string | undefined;
  traceparent?: string | undefined;
  alerts: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `usage: bun run [--feature=NAME ...] src/app/main.ts [options] [metrics.jsonl | -]

Reads JSON lines ({"name","value","namespace","scope","ts","tenant?","unit?","props?","traceparent?","via?"}),
or the built-in sample when no file is given (MOCK_API builds generate data instead). "scope" is one of
${SCOPE_NAMES.join(", ")} (default: --scope); "tenant" defaults to --tenant, else "default"; "via" names the
{"scope","tenant"} that submitted the metric.

options:
  --now=ISO|ms          fixed clock (default: latest sample timestamp)
  --seed=N --count=N    MOCK_API generator seed (42) and sample count (200)
  --mock-hostile=N      MOCK_API: add N hostile metrics (0)
  --scope=S [--tenant=T]   caller scope (${SCOPE_NAMES.join("|")}) and tenant ("default") of records and reads (SCOPE_ISOLATION)
  --out=DIR             write export files (csv, prom, otlp, snapshot) to DIR
  --s3-bucket=B --s3-prefix=P --s3-out=DIR   S3_EXPORT target (requests written under DIR)
  --retention-days=N    RETENTION_POLICY max sample age (${RETENTION_CLEANUP_RETENTION_WINDOW})
  --sample-rate=N --sample-after=N           SAMPLING: keep 1 in N after N samples per series (4, 8)
  --batch-size=N        BATCHING batch size (16)
  --rate-limit=N        RATE_LIMIT stream messages/min per connection (${MESSAGE_RATE_LIMIT_STREAM_MESSAGES})
  --ingest-limit=N      RATE_LIMIT ingested metric lines/min per tenant in a scope (${MESSAGE_RATE_LIMIT_INGESTED_METRICS})
  --tenant-bytes=N      RATE_LIMIT stored bytes of samples per tenant in a scope (${MESSAGE_RATE_LIMIT_STORED_BYTES})
  --max-connections=N   RATE_LIMIT stream connections per tenant in a scope (${PER_TENANT_CONNECTION_LIMIT_CONNECTIONS})
  --serve [--port=N] [--host=H] [--serve-ms=N]   LIVE_STREAM WebSocket server (/stream?namespace=N&token=T)
  --max-body-bytes=N    largest POST /ingest body (${DEFAULT_MAX_BODY_BYTES})
  --secret=S            RBAC signing secret (env PERF_TOKEN_SECRET; no default)
  --issue-token=ROLE:SCOPE[:TENANT[:SUB]]   RBAC: print a signed token valid for 1h from --now
  --token=T             RBAC: verify a token and report its claims
  --audit-file=PATH     AUDIT_LOG: append entries to PATH
  --s3-endpoint=URL     S3_EXPORT: upload there (env S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)
  --traceparent=H       TRACE_CONTEXT: run-level W3C trace context
  --alert=NAME:METRIC>VALUE[:FOR]   ALERTING rule (repeatable; FOR like 30s, 5m)
  --help`;

const VALUE_OPTIONS = new Set([
  "now", "seed", "count", "mock-hostile", "scope", "tenant", "out", "s3-bucket", "s3-prefix", "s3-out", "retention-days", "sample-rate",
  "sample-after", "batch-size", "rate-limit", "ingest-limit", "tenant-bytes", "max-connections", "port", "host", "serve-ms", "secret",
  "issue-token", "token", "traceparent", "alert", "max-body-bytes", "audit-file", "s3-endpoint",
]);

function int(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return n;
}

export function parseClock(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new UsageError(`--now must be epoch ms or an ISO date: ${raw}`);
  return n;
}

export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliOptions {
  const o: CliOptions = {
    help: false,
    seed: 42,
    count: 200,
    mockHostile: 0,
    s3Bucket: "perf-metrics",
    s3Prefix: "metrics",
    retentionDays: RETENTION_CLEANUP_RETENTION_WINDOW,
    sampleRate: 4,
    sampleAfter: 8,
    batchSize: 16,
    rateLimit: MESSAGE_RATE_LIMIT_STREAM_MESSAGES,
    ingestLimit: MESSAGE_RATE_LIMIT_INGESTED_METRICS,
    tenantBytes: MESSAGE_RATE_LIMIT_STORED_BYTES,
    maxConnections: PER_TENANT_CONNECTION_LIMIT_CONNECTIONS,
    serve: false,
    port: 8787,
    host: "127.0.0.1",
    secret: env.PERF_TOKEN_SECRET || undefined,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    alerts: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      o.help = true;
      continue;
    }
    if (arg === "--serve") {
      o.serve = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (o.file !== undefined) throw new UsageError(`unexpected argument: ${arg}`);
      o.file = arg;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (name === "feature") throw new UsageError(`compile-time flags go before the file: bun run ${arg} src/app/main.ts`);
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option: --${name}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
    }
    switch (name) {
      case "now": o.now = parseClock(value); break;
      case "seed": o.seed = int(name, value, 0); break;
      case "count": o.count = int(name, value, 0); break;
      case "mock-hostile": o.mockHostile = int(name, value, 0); break;
      case "scope":
        if (!isScopeName(value)) throw new UsageError(`--scope must be one of ${SCOPE_NAMES.join(", ")}: ${value}`);
        o.scope = value;
        break;
      case "tenant":
        if (!TENANT_PATTERN.test(value)) throw new UsageError(`--tenant must match ${TENANT_PATTERN.source}: ${value}`);
        o.tenant = value;
        break;
      case "out": o.out = value; break;
      case "s3-bucket": o.s3Bucket = value; break;
      case "s3-prefix": o.s3Prefix = value; break;
      case "s3-out": o.s3Out = value; break;
      case "retention-days": o.retentionDays = int(name, value, 0); break;
      case "sample-rate": o.sampleRate = int(name, value, 1); break;
      case "sample-after": o.sampleAfter = int(name, value, 0); break;
      case "batch-size": o.batchSize = int(name, value, 1); break;
      case "rate-limit": o.rateLimit = int(name, value, 1); break;
      case "ingest-limit": o.ingestLimit = int(name, value, 1); break;
      case "tenant-bytes": o.tenantBytes = int(name, value, 1); break;
      case "max-connections": o.maxConnections = int(name, value, 1); break;
      case "port": o.port = int(name, value, 0); break;
      case "host": o.host = value; break;
      case "serve-ms": o.serveMs = int(name, value, 1); break;
      case "secret": o.secret = value || undefined; break;
      case "max-body-bytes": o.maxBodyBytes = int(name, value, 1); break;
      case "audit-file": o.auditFile = value; break;
      case "s3-endpoint": o.s3Endpoint = value; break;
      case "issue-token": o.issueToken = value; break;
      case "token": o.token = value; break;
      case "traceparent": o.traceparent = value; break;
      case "alert": o.alerts.push(value); break;
    }
  }
  if (o.tenant !== undefined && o.scope === undefined) throw new UsageError("--tenant needs --scope");
  return o;
}
