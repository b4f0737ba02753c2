/**
 * LIVE_STREAM: WebSocket streaming of aggregates with Bun.serve.
 *
 *   GET  /stream?namespace=N[&scope=S][&tenant=T][&token=T]
 *                                   upgrade; receives {"type":"snapshot"} then {"type":"update"} messages
 *   POST /ingest                    JSON lines; accepted metrics are published to the subscribers of their
 *                                   scope, tenant and namespace
 *   GET  /health                    "ok"
 *
 * Security hooks (RBAC token checks, RATE_LIMIT limiters, AUDIT_LOG) are injected by the application so
 * that this module does not pull their code into builds without them.
 *
 * Who may ingest (the decision for builds with and without RBAC):
 * - With an `authorizeIngest` hook (builds with RBAC), POST /ingest needs a token (`Authorization: Bearer T`
 *   or `?token=T`) checked by the same rules as a subscription, before the body is read; the `ingest` hook
 *   then checks every metric's scope and tenant against the grant and refuses the whole request (403) or
 *   rate-limits it (429) before anything is recorded.
 * - Without it (builds without RBAC), ingest is unauthenticated, so it is never exposed to the network:
 *   only clients whose address is loopback (127.0.0.0/8, ::1) may POST; everyone else gets 403. The
 *   application logs this once at start.
 * - Bodies larger than `maxBodyBytes` are refused with 413 by Bun.serve (`maxRequestBodySize`), whether
 *   announced by Content-Length or streamed in chunks.
 *
 * Who may subscribe is the application's `authorize` hook: it decides the scope and tenant of a subscription
 * from the token (RBAC builds; a `scope` or `tenant` parameter that differs is refused) or from the `scope` and
 * `tenant` parameters (builds without RBAC). Subscribers and publications are keyed by scope, tenant and
 * namespace: an update of tenant A is published only to tenant A's subscribers in the same scope. Connections
 * are counted per tenant in a scope. Slots and message logs are released when a connection closes. A
 * subscription whose token expires is closed with 1008 at that moment; a message over `maxMessageBytes`
 * closes its connection with 1009.
 * This module is loaded with import(), so it imports values only from modules without top-level state.
 */
import type { Server, ServerWebSocket } from "bun";
import { ownerLabel, type Owner, type ScopeName } from "../core/types.ts";

/** What a subscriber watches: one namespace of one tenant in one scope. */
export interface Target extends Owner {
  namespace: string;
}

/** A refusal names the subject when the token was valid (for the audit log). */
export type Refusal = { ok: false; status: 400 | 401 | 403; reason: string; subject?: string | undefined };

/** A granted subscription; `expires` (epoch ms) is when its token stops being valid: the connection is closed then. */
export type AuthDecision = { ok: true; subject: string; scope: ScopeName; tenant: string; expires?: number | undefined } | Refusal;

export type IngestAuth<G> = { ok: true; subject: string; grant: G } | Refusal;

export type IngestOutcome =
  | { ok: true; accepted: number; rejected: number; dropped: number; targets: Target[] }
  | { ok: false; status: 403 | 429 | 507; reason: string };

export interface StreamEvent {
  type: "auth" | "connect" | "disconnect" | "limited" | "ingest" | "expired";
  /** "/ingest", or the topic of a subscription (`tenant@Scope:namespace`). */
  target: string;
  subject: string;
  detail: string;
}

export interface LiveStreamHooks<G> {
  /** Called before upgrade with the scope and tenant the request names, if any: decides the subscription's owner. */
  authorize(token: string | null, requested: { scope?: string | undefined; tenant?: string | undefined }): Promise<AuthDecision>;
  /** Called before an ingest body is read; absent = loopback clients only. */
  authorizeIngest?(token: string | null): Promise<IngestAuth<G>>;
  /** Called before upgrade with the connection key (the tenant in its scope, `tenant@Scope`); false = 429. */
  acquireConnection?(key: string): boolean;
  releaseConnection?(key: string): void;
  /** Called for every client message; false = message refused (the connection is closed with 1008). */
  allowMessage?(connectionId: string, now: number): boolean;
  /** Called when a connection closes: drop its message log. */
  releaseMessages?(connectionId: string): void;
  onEvent?(event: StreamEvent): void;
}

export interface LiveStreamOptions<G> extends LiveStreamHooks<G> {
  port?: number;
  hostname?: string;
  /** Largest request body in bytes (the application passes --max-body-bytes). */
  maxBodyBytes: number;
  /** Largest WebSocket message in bytes: a larger one closes the connection with 1009. */
  maxMessageBytes: number;
  /** What a subscription's `namespace` must match (the application's rule for stored namespaces). */
  namespacePattern: RegExp;
  /** Current aggregates of a target (sent as snapshot and after ingests). */
  snapshot(target: Target): unknown;
  /** Ingests JSON lines on behalf of an authorized caller. */
  ingest?(text: string, caller: { subject: string; grant: G | undefined }): IngestOutcome;
}

interface ClientData extends Target {
  id: string;
  subject: string;
  topic: string;
  /** Connection-limit key. */
  key: string;
  /** When the subscription's token expires (epoch ms), if it does. */
  expires?: number | undefined;
  expiry?: ReturnType<typeof setTimeout> | undefined;
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_DELAY = 2_147_483_647;

/** Calls `fn` at `at` (epoch ms) by the server's clock, in steps no timer overflows. */
function at(when: number, fn: () => void, set: (t: ReturnType<typeof setTimeout>) => void): void {
  const wait = when - Date.now();
  if (wait <= 0) {
    fn();
    return;
  }
  set(setTimeout(() => at(when, fn, set), Math.min(wait, MAX_DELAY)));
}

export interface LiveStream {
  server: Server<ClientData>;
  url: string;
  port: number;
  /** Publishes the current snapshot of `target` to its subscribers; returns subscriber count. */
  publish(target: Target): number;
  stop(): Promise<void>;
}

/** Publication topic of a target: `tenant@Scope:namespace`. */
export function topicFor(target: Target): string {
  return `${ownerLabel(target)}:${target.namespace}`;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, "");
  return a === "::1" || /^127(\.\d{1,3}){3}$/.test(a);
}

function tokenOf(req: Request, url: URL): string | null {
  const header = req.headers.get("authorization");
  if (header && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, "").trim();
  return url.searchParams.get("token");
}

export function startLiveStream<G = undefined>(options: LiveStreamOptions<G>): LiveStream {
  let nextId = 0;
  const emit = options.onEvent ?? (() => {});
  const snapshotMessage = (type: "snapshot" | "update", t: Target) =>
    JSON.stringify({
      type,
      scope: t.scope,
      tenant: t.tenant,
      namespace: t.namespace,
      rows: options.snapshot({ scope: t.scope, tenant: t.tenant, namespace: t.namespace }),
    });
  const server = Bun.serve<ClientData>({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    maxRequestBodySize: options.maxBodyBytes,
    async fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname === "/health") return new Response("ok");
      if (url.pathname === "/ingest" && req.method === "POST") {
        if (!options.ingest) return new Response("ingest disabled", { status: 404 });
        let subject = "anonymous";
        let grant: G | undefined;
        if (options.authorizeIngest) {
          const decision = await options.authorizeIngest(tokenOf(req, url));
          emit({
            type: "auth",
            target: "/ingest",
            subject: decision.subject ?? "anonymous",
            detail: decision.ok ? "granted" : decision.reason,
          });
          if (!decision.ok) return new Response(decision.reason, { status: decision.status });
          subject = decision.subject;
          grant = decision.grant;
        } else {
          const remote = srv.requestIP(req)?.address;
          if (!isLoopback(remote)) {
            emit({ type: "auth", target: "/ingest", subject: remote ?? "?", detail: "not loopback" });
            return new Response("loopback clients only", { status: 403 });
          }
          subject = "loopback";
        }
        const result = options.ingest(await req.text(), { subject, grant });
        if (!result.ok) {
          emit({ type: result.status === 403 ? "auth" : "limited", target: "/ingest", subject, detail: result.reason });
          return new Response(result.reason, { status: result.status, headers: result.status === 429 ? { "Retry-After": "60" } : {} });
        }
        for (const t of result.targets) {
          srv.publish(topicFor(t), snapshotMessage("update", t));
          emit({ type: "ingest", target: topicFor(t), subject, detail: `${result.accepted} accepted` });
        }
        const namespaces = [...new Set(result.targets.map((t) => t.namespace))].sort();
        return Response.json({ accepted: result.accepted, rejected: result.rejected, dropped: result.dropped, namespaces });
      }
      if (url.pathname !== "/stream") return new Response("not found", { status: 404 });
      const namespace = url.searchParams.get("namespace");
      if (!namespace) return new Response("namespace required", { status: 400 });
      if (!options.namespacePattern.test(namespace)) return new Response("malformed namespace", { status: 400 });
      const requested = { scope: url.searchParams.get("scope") ?? undefined, tenant: url.searchParams.get("tenant") ?? undefined };
      const decision = await options.authorize(tokenOf(req, url), requested);
      const where = decision.ok
        ? topicFor({ scope: decision.scope, tenant: decision.tenant, namespace })
        : `/stream?namespace=${namespace}`;
      emit({ type: "auth", target: where, subject: decision.subject ?? "anonymous", detail: decision.ok ? "granted" : decision.reason });
      if (!decision.ok) return new Response(decision.reason, { status: decision.status });
      const subject = decision.subject;
      const owner: Owner = { scope: decision.scope, tenant: decision.tenant };
      const target: Target = { ...owner, namespace };
      const topic = topicFor(target);
      const key = ownerLabel(owner);
      if (options.acquireConnection && !options.acquireConnection(key)) {
        emit({ type: "limited", target: topic, subject, detail: "connection limit" });
        return new Response("too many connections for this tenant", { status: 429 });
      }
      const data: ClientData = { id: `c${++nextId}`, ...target, subject, topic, key, expires: decision.expires };
      if (srv.upgrade(req, { data })) return undefined;
      options.releaseConnection?.(key);
      return new Response("upgrade failed", { status: 400 });
    },
    websocket: {
      maxPayloadLength: options.maxMessageBytes,
      open(ws: ServerWebSocket<ClientData>) {
        ws.subscribe(ws.data.topic);
        emit({ type: "connect", target: ws.data.topic, subject: ws.data.subject, detail: ws.data.id });
        ws.send(snapshotMessage("snapshot", ws.data));
        // A subscription lives no longer than its token: it is closed (and unsubscribed) when the token expires.
        const expires = ws.data.expires;
        if (expires !== undefined) {
          at(
            expires,
            () => {
              ws.data.expiry = undefined;
              emit({ type: "expired", target: ws.data.topic, subject: ws.data.subject, detail: "token expired" });
              ws.unsubscribe(ws.data.topic);
              ws.close(1008, "token expired");
            },
            (t) => (ws.data.expiry = t),
          );
        }
      },
      message(ws: ServerWebSocket<ClientData>, message: string | Buffer) {
        if (options.allowMessage && !options.allowMessage(ws.data.id, Date.now())) {
          emit({ type: "limited", target: ws.data.topic, subject: ws.data.subject, detail: "message rate" });
          ws.close(1008, "rate limit exceeded");
          return;
        }
        const text = typeof message === "string" ? message : message.toString();
        if (text === "ping") ws.send(JSON.stringify({ type: "pong" }));
        else if (text === "snapshot") ws.send(snapshotMessage("snapshot", ws.data));
        else ws.send(JSON.stringify({ type: "error", error: "unknown command" }));
      },
      close(ws: ServerWebSocket<ClientData>) {
        if (ws.data.expiry !== undefined) clearTimeout(ws.data.expiry);
        options.releaseConnection?.(ws.data.key);
        options.releaseMessages?.(ws.data.id);
        emit({ type: "disconnect", target: ws.data.topic, subject: ws.data.subject, detail: ws.data.id });
      },
    },
  });
  const port = server.port ?? 0;
  return {
    server,
    port,
    url: `ws://${server.hostname}:${port}/stream`,
    publish(target) {
      server.publish(topicFor(target), snapshotMessage("update", target));
      return server.subscriberCount(topicFor(target));
    },
    async stop() {
      await server.stop(true);
    },
  };
}
