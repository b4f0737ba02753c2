/**
 * The app's options, read by the one argument parser of every command (src/cli/args.ts), then turned into
 * typed CliOptions (flag-free: every option parses in every build; features decide what they do).
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
import { parseWith, type OptionRule, type ParserSpec } from "../../cli/args.ts";
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

/** An option of the app: an integer one is stored as a number. */
type AppOption = OptionRule & { int?: true };

const TEXT: AppOption = { value: "TEXT" };

/** Accepts an integer of at least `min`. */
function int(min: number): AppOption {
  return {
    value: "N",
    int: true,
    check: (v) => (Number.isInteger(Number(v)) && Number(v) >= min ? undefined : `must be an integer >= ${min}`),
  };
}

const clockValue = (raw: string): number => (/^\d+$/.test(raw) ? Number(raw) : Date.parse(raw));

/** Each check's message starts with the option's name. */
function named<T extends Record<`--${string}`, AppOption>>(options: T): T {
  for (const [name, o] of Object.entries(options) as [string, AppOption][]) {
    const check = o.check;
    if (check)
      o.check = (v) => {
        const problem = check(v);
        return problem && `${name} ${problem}`;
      };
  }
  return options;
}

/** Each option sets the CliOptions field named as it is, in camel case (--mock-hostile sets mockHostile); --alert adds to alerts. */
const OPTIONS = named({
  "--now": { value: "TEXT", check: (v) => (Number.isFinite(clockValue(v)) ? undefined : `must be epoch ms or an ISO date: ${v}`) },
  "--seed": int(0),
  "--count": int(0),
  "--mock-hostile": int(0),
  "--scope": { value: "TEXT", check: (v) => (isScopeName(v) ? undefined : `must be one of ${SCOPE_NAMES.join(", ")}: ${v}`) },
  "--tenant": { value: "TEXT", check: (v) => (TENANT_PATTERN.test(v) ? undefined : `must match ${TENANT_PATTERN.source}: ${v}`) },
  "--out": TEXT,
  "--s3-bucket": TEXT,
  "--s3-prefix": TEXT,
  "--s3-out": TEXT,
  "--retention-days": int(0),
  "--sample-rate": int(1),
  "--sample-after": int(0),
  "--batch-size": int(1),
  "--rate-limit": int(1),
  "--ingest-limit": int(1),
  "--tenant-bytes": int(1),
  "--max-connections": int(1),
  "--serve": {},
  "--port": int(0),
  "--host": TEXT,
  "--serve-ms": int(1),
  "--max-body-bytes": int(1),
  "--secret": TEXT,
  "--issue-token": TEXT,
  "--token": TEXT,
  "--audit-file": TEXT,
  "--s3-endpoint": TEXT,
  "--traceparent": TEXT,
  "--alert": TEXT,
} satisfies Record<`--${string}`, AppOption>);

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type Field<N> = N extends `--${infer S}` ? Camel<S> : never;
/** Compiles only while every option (but --alert) names a field of CliOptions. */
const FIELDS_EXIST: Exclude<Field<keyof typeof OPTIONS>, keyof CliOptions> extends "alert" ? true : never = true;
void FIELDS_EXIST;

const SPEC: ParserSpec = { positionals: 1, options: OPTIONS };

export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliOptions {
  // Flags are compile-time: after the file they would reach the app as an option, and do nothing.
  const flag = argv.find((a) => a === "--feature" || a.startsWith("--feature="));
  if (flag !== undefined) throw new UsageError(`compile-time flags go before the file: bun run ${flag} src/app/main.ts`);
  const r = parseWith(argv, SPEC, () => USAGE);
  if ("usage" in r) throw new UsageError(r.usage);
  const o: CliOptions = {
    help: "help" in r,
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
  if (!("args" in r)) return o;
  const { values, lists, flags, positionals } = r.args;
  const fields = o as unknown as Record<string, unknown>;
  for (const [name, value] of values) {
    const field = name.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    fields[field] = (OPTIONS[name as keyof typeof OPTIONS] as AppOption).int ? Number(value) : value;
  }
  if (o.now !== undefined) o.now = clockValue(String(o.now));
  o.alerts = lists.get("--alert") ?? [];
  o.serve = flags.has("--serve");
  o.file = positionals[0];
  if (o.tenant !== undefined && o.scope === undefined) throw new UsageError("--tenant needs --scope");
  return o;
}
