/**
 * LIVE_STREAM's server (`--serve`): subscriptions and POST /ingest, with each compiled-in control wired into
 * its hooks here: RBAC tokens, RATE_LIMIT limits, RETENTION_POLICY at ingest; the stages set up before ingest
 * add theirs through the run's hooks (AUDIT_LOG its log, RATE_LIMIT its ingest limit). Loaded only by LIVE_STREAM builds.
 */
import { feature } from "bun:bundle";
import { seriesKey } from "../core/aggregate.ts";
import { DEFAULT_TENANT, NAMESPACE_PATTERN, parseMetricLines, TENANT_PATTERN } from "../core/input.ts";
import { ownerLabel, type RecordContext } from "../core/types.ts";
import { isScopeName, MESSAGE_RATE_LIMIT_MESSAGE_SIZE } from "../../generated/limits.ts";
import type { IngestOutcome, LiveStreamOptions, Target } from "../features/live-stream.ts";
import { ConnectionLimiter, MessageRateLimiter, rateKey, sampleBytes, TenantQuota, type IngestRateLimit } from "../features/rate-limit.ts";
import { accessDenial, canIngest, ingestDenial, verifyToken, type TokenClaims } from "../features/rbac.ts";
import { applyRetention, RetentionStage } from "../features/retention-policy.ts";
import type { Admission, AppResult, Reported, Run } from "./run.ts";

type Stream = NonNullable<AppResult["stream"]>;

export async function serveLive(run: Reported): Promise<Stream> {
  const { opts, tracker, io } = run;
  const { startLiveStream, isLoopback } = await import("../features/live-stream.ts");
  const admit = run.hooks.ingestAdmission?.();
  const hooks: LiveStreamOptions<TokenClaims> = {
    port: opts.port,
    hostname: opts.host,
    maxBodyBytes: opts.maxBodyBytes,
    maxMessageBytes: MESSAGE_RATE_LIMIT_MESSAGE_SIZE,
    namespacePattern: NAMESPACE_PATTERN,
    // A subscriber reads its target on behalf of the scope and tenant it was authorized for (the target's own).
    snapshot: (t: Target) => tracker.read(t, { scope: t.scope, tenant: t.tenant }),
    ingest: (text, caller) => ingest(run, admit, text, caller.grant, caller.subject),
    // Without RBAC a subscription names its scope (required) and tenant ("default" when absent).
    authorize: async (_token, requested) => {
      const tenant = requested.tenant ?? DEFAULT_TENANT;
      if (!isScopeName(requested.scope))
        return { ok: false, status: 400, reason: requested.scope === undefined ? "scope required" : "unknown scope" };
      if (!TENANT_PATTERN.test(tenant)) return { ok: false, status: 400, reason: "malformed tenant" };
      return { ok: true, subject: "anonymous", scope: requested.scope, tenant };
    },
  };
  if (feature("RBAC")) {
    requireTokens(run, hooks);
  } else {
    io.err("no RBAC: POST /ingest accepts loopback clients only");
    if (!isLoopback(opts.host)) io.err(`no RBAC: anonymous subscriptions on ${opts.host}`);
  }
  if (feature("RATE_LIMIT")) {
    const connections = new ConnectionLimiter(opts.maxConnections);
    const messages = new MessageRateLimiter(opts.rateLimit);
    hooks.acquireConnection = (key) => connections.tryAcquire(key);
    hooks.releaseConnection = (key) => connections.release(key);
    hooks.allowMessage = (id, t) => messages.allow(id, t);
    hooks.releaseMessages = (id) => messages.forget(id);
  }
  run.hooks.serving?.(hooks);
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

/** Records a parsed batch on behalf of `grant` (RBAC) or a loopback client; all or nothing for scope, tenant, rate and bytes. */
function ingest(
  { tracker }: Reported,
  admit: Admission | undefined,
  text: string,
  grant: TokenClaims | undefined,
  subject: string,
): IngestOutcome {
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
  const refused = admit?.(parsed, grant);
  if (refused) return refused;
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
}

/**
 * RATE_LIMIT at ingest, by the server's clock: metric lines per tenant in a scope as they arrive (429), then
 * the bytes each tenant in a scope stores (507), counted from what is stored when the server starts.
 */
export function ingestLimits({ opts, tracker }: Run, ingestLimit: IngestRateLimit): Admission {
  const quota = new TenantQuota(opts.tenantBytes);
  quota.recount(tracker.samples());
  tracker.observe((event) => {
    if (event.type === "recorded") quota.add(event.metric);
    else if (event.type === "purged") quota.recount(tracker.samples());
  });
  return (parsed, grant) => {
    // Every line counts as it arrives: lines that do not parse (charged to the token's tenant), and metrics that
    // sanitizing, sampling or retention drop later, cost the same as stored ones.
    const counts = new Map<string, number>();
    for (const m of parsed.metrics) counts.set(rateKey(m), (counts.get(rateKey(m)) ?? 0) + 1);
    if (grant && parsed.errors.length) counts.set(rateKey(grant), (counts.get(rateKey(grant)) ?? 0) + parsed.errors.length);
    if (!ingestLimit.take(counts)) {
      return { ok: false, status: 429, reason: `rate limit: ${opts.ingestLimit} metric lines/min per tenant in a scope` };
    }
    const bytes = new Map<string, number>();
    for (const m of parsed.metrics) bytes.set(rateKey(m), (bytes.get(rateKey(m)) ?? 0) + sampleBytes(m));
    if (!quota.fits(bytes)) {
      return { ok: false, status: 507, reason: `storage limit: ${opts.tenantBytes} bytes of samples per tenant in a scope` };
    }
    return undefined;
  };
}

/** RBAC: subscriptions and POST /ingest need a token; its scope and tenant confine them, and ingest needs operator or admin. */
function requireTokens({ opts, secret }: Reported, hooks: LiveStreamOptions<TokenClaims>): void {
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
}
