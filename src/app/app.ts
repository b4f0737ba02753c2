/**
 * Application composition: runApp is a pipeline of the stages in src/app/compose (with main.ts and
 * src/generated/features.ts the only places where compile-time flags are read). Each stage tests the flags it
 * composes with a literal feature("NAME") at each place, so a build without a flag contains none of its code;
 * a stage that makes something other stages use hands it on through the run's sections and hooks
 * (compose/run.ts), never through a slot read behind a second flag test. Core modules (src/app/core) are flag-free.
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
import type { CliOptions } from "./core/args.ts";
import { section } from "./core/format.ts";
import { DEFAULT_TENANT, latestTs } from "./core/input.ts";
import { MasterPerfTracker } from "./core/tracker.ts";
import type { Owner } from "./core/types.ts";
import { exportAll } from "./compose/exports.ts";
import { instrument } from "./compose/instrument.ts";
import { loadInput } from "./compose/load.ts";
import { createTracker, ingest } from "./compose/pipeline.ts";
import { prepare } from "./compose/prepare.ts";
import { reportAnalysis, reportData } from "./compose/report.ts";
import type { AppIo, AppResult, Reported, Run, Sections } from "./compose/run.ts";
import { reportSecurity } from "./compose/security.ts";
import { serveLive } from "./compose/serve.ts";

export type { AppIo, AppResult } from "./compose/run.ts";
export { selectSerializer } from "./compose/exports.ts";
export { enabledFeatures } from "../generated/features.ts";

export async function runApp(opts: CliOptions, io: AppIo): Promise<AppResult> {
  const prepared = prepare(opts, io);
  if (prepared === undefined) return { exitCode: 2, tracker: new MasterPerfTracker() };
  const sections: Sections = { pipeline: [], security: [], diagnostics: [] };
  const inst = instrument(io, sections);
  const caller: Owner | undefined = opts.scope !== undefined ? { scope: opts.scope, tenant: opts.tenant ?? DEFAULT_TENANT } : undefined;
  const loaded = await inst.run("load", () => loadInput(opts, io, caller));
  const tracker = createTracker();
  const run: Run = {
    opts,
    io,
    out: io.out,
    secret: prepared.secret,
    inst,
    caller,
    loaded,
    now: opts.now ?? latestTs(loaded.metrics),
    tracker,
    sections,
    hooks: {},
  };
  const rejected = ingest(run, prepared.auditSink);

  // Reads: with SCOPE_ISOLATION and --scope, only the caller's scope and tenant are readable.
  const reader = feature("SCOPE_ISOLATION") ? caller : undefined;
  const rows = inst.run("aggregate", () => (reader !== undefined ? tracker.read(reader, reader) : tracker.aggregate()));
  const visible = tracker.samples().filter((m) => reader === undefined || (m.scope === reader.scope && m.tenant === reader.tenant));
  const reported: Reported = { ...run, rejected, rows, visible };

  reportData(reported);
  await reportAnalysis(reported);
  const exported = await inst.run("export", () => exportAll(reported));
  await reportSecurity(reported);
  for (const write of sections.diagnostics) write(reported);
  return liveStream(reported, { exitCode: exported ? 0 : 1, tracker });
}

/** LIVE_STREAM: serve with --serve; a build without it refuses --serve (exit 2). */
async function liveStream(run: Reported, result: AppResult): Promise<AppResult> {
  const { out, opts } = run;
  if (feature("LIVE_STREAM")) {
    out(section("live stream"));
    if (opts.serve) {
      result.stream = await serveLive(run);
      out(`serving ${result.stream.url}?namespace=NAMESPACE${feature("RBAC") ? "&token=TOKEN" : "&scope=SCOPE&tenant=TENANT"}`);
    } else {
      out("available: start with --serve");
    }
  } else {
    if (opts.serve) {
      run.io.err("--serve ignored: this build has no LIVE_STREAM");
      result.exitCode = 2;
    }
  }
  return result;
}
