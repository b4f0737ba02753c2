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
import { helpText, parseArgs as parseCommandLine, type CommandSpec, type OptionSpec } from "../../cli/args.ts";
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

/** An option of the app: an integer one is stored as a number. */
type AppOption = OptionSpec & { int?: true };

/** Accepts an integer of at least `min`. */
function int(min: number, help: string): AppOption {
  return { value: "N", help, int: true, check: (v) => (Number.isInteger(Number(v)) && Number(v) >= min ? undefined : `must be an integer >= ${min}`) };
}

const clockValue = (raw: string): number => (/^\d+$/.test(raw) ? Number(raw) : Date.parse(raw));

/** Each check's message starts with the option's name. */
function named<T extends Record<`--${string}`, AppOption>>(options: T): T {
  for (const [name, o] of Object.entries(options) as [string, AppOption][]) {
    const check = o.check;
    if (check) o.check = (v) => {
      const problem = check(v);
      return problem && `${name} ${problem}`;
    };
  }
  return options;
}

/** Each option sets the CliOptions field named as it is, in camel case (--mock-hostile sets mockHostile); --alert adds to alerts. */
const OPTIONS = named({
  "--now": { value: "ISO|ms", help: "fixed clock (default: latest sample timestamp)", check: (v) => (Number.isFinite(clockValue(v)) ? undefined : `must be epoch ms or an ISO date: ${v}`) },
  "--seed": int(0, "MOCK_API generator seed (42)"),
  "--count": int(0, "MOCK_API sample count (200)"),
  "--mock-hostile": int(0, "MOCK_API: add N hostile metrics (0)"),
  "--scope": { value: "S", help: `caller scope (${SCOPE_NAMES.join("|")}) of records and reads (SCOPE_ISOLATION)`, check: (v) => (isScopeName(v) ? undefined : `must be one of ${SCOPE_NAMES.join(", ")}: ${v}`) },
  "--tenant": { value: "T", help: 'caller tenant ("default"; needs --scope)', check: (v) => (TENANT_PATTERN.test(v) ? undefined : `must match ${TENANT_PATTERN.source}: ${v}`) },
  "--out": { value: "DIR", help: "write export files (csv, prom, otlp, snapshot) to DIR" },
  "--s3-bucket": { value: "B", help: "S3_EXPORT bucket (perf-metrics)" },
  "--s3-prefix": { value: "P", help: "S3_EXPORT key prefix (metrics)" },
  "--s3-out": { value: "DIR", help: "S3_EXPORT: write the requests under DIR" },
  "--retention-days": int(0, `RETENTION_POLICY max sample age (${RETENTION_CLEANUP_RETENTION_WINDOW})`),
  "--sample-rate": int(1, "SAMPLING: keep 1 in N (4)"),
  "--sample-after": int(0, "SAMPLING: after N samples per series (8)"),
  "--batch-size": int(1, "BATCHING batch size (16)"),
  "--rate-limit": int(1, `RATE_LIMIT stream messages/min per connection (${MESSAGE_RATE_LIMIT_STREAM_MESSAGES})`),
  "--ingest-limit": int(1, `RATE_LIMIT ingested metric lines/min per tenant in a scope (${MESSAGE_RATE_LIMIT_INGESTED_METRICS})`),
  "--tenant-bytes": int(1, `RATE_LIMIT stored bytes of samples per tenant in a scope (${MESSAGE_RATE_LIMIT_STORED_BYTES})`),
  "--max-connections": int(1, `RATE_LIMIT stream connections per tenant in a scope (${PER_TENANT_CONNECTION_LIMIT_CONNECTIONS})`),
  "--serve": { help: "LIVE_STREAM WebSocket server (/stream?namespace=N&token=T)" },
  "--port": int(0, "server port (8787)"),
  "--host": { value: "H", help: "server host (127.0.0.1)" },
  "--serve-ms": int(1, "stop serving after N ms"),
  "--max-body-bytes": int(1, `largest POST /ingest body (${DEFAULT_MAX_BODY_BYTES})`),
  "--secret": { value: "S", help: "RBAC signing secret (env PERF_TOKEN_SECRET; no default)" },
  "--issue-token": { value: "SPEC", help: "RBAC: print a signed token for ROLE:SCOPE[:TENANT[:SUB]], valid for 1h from --now" },
  "--token": { value: "T", help: "RBAC: verify a token and report its claims" },
  "--audit-file": { value: "PATH", help: "AUDIT_LOG: append entries to PATH" },
  "--s3-endpoint": { value: "URL", help: "S3_EXPORT: upload there (env S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)" },
  "--traceparent": { value: "H", help: "TRACE_CONTEXT: run-level W3C trace context" },
  "--alert": { value: "RULE", help: "ALERTING rule NAME:METRIC>VALUE[:FOR] (repeatable; FOR like 30s, 5m)" },
});

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type Field<N> = N extends `--${infer S}` ? Camel<S> : never;
/** Compiles only while every option (but --alert) names a field of CliOptions. */
const FIELDS_EXIST: Exclude<Field<keyof typeof OPTIONS>, keyof CliOptions> extends "alert" ? true : never = true;
void FIELDS_EXIST;

const SPEC: CommandSpec = {
  usage: "bun run [--feature=NAME ...] src/app/main.ts [options] [metrics.jsonl | -]",
  about: `Reads JSON lines ({"name","value","namespace","scope","ts","tenant?","unit?","props?","traceparent?","via?"}),
or the built-in sample when no file is given (MOCK_API builds generate data instead). "scope" is one of
${SCOPE_NAMES.join(", ")} (default: --scope); "tenant" defaults to --tenant, else "default"; "via" names the
{"scope","tenant"} that submitted the metric.`,
  positionals: 1,
  options: OPTIONS,
};

export const USAGE = helpText(SPEC).trimEnd();

export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliOptions {
  // Flags are compile-time: after the file they would reach the app as an option, and do nothing.
  const flag = argv.find((a) => a === "--feature" || a.startsWith("--feature="));
  if (flag !== undefined) throw new UsageError(`compile-time flags go before the file: bun run ${flag} src/app/main.ts`);
  const r = parseCommandLine(argv, SPEC);
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
    fields[field] = OPTIONS[name as keyof typeof OPTIONS].int ? Number(value) : value;
  }
  if (o.now !== undefined) o.now = clockValue(String(o.now));
  o.alerts = lists.get("--alert") ?? [];
  o.serve = flags.has("--serve");
  o.file = positionals[0];
  if (o.tenant !== undefined && o.scope === undefined) throw new UsageError("--tenant needs --scope");
  return o;
}
