/**
 * LIVE_STREAM: WebSocket streaming of aggregates with Bun.serve.
 *
 *   GET  /stream?scope=S[&token=T]  upgrade; receives {"type":"snapshot"} then {"type":"update"} messages
 *   POST /ingest                    JSON lines; accepted metrics are published to their scope's subscribers
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
 * Subscribers and publications are keyed by scope and, when the caller has one (RBAC), tenant: an update
 * of tenant A's scope is published only to tenant A's subscribers of that scope. Connection slots and
 * message logs are released when a connection closes.
 */
import type { Server, ServerWebSocket } from "bun";

/** A scope, and the tenant it belongs to when callers carry one. */
export interface Target {
  scope: string;
  tenant?: string | undefined;
}

/** A refusal names the subject when the token was valid (for the audit log). */
export type Refusal = { ok: false; status: 401 | 403; reason: string; subject?: string | undefined };

export type AuthDecision = { ok: true; subject: string; tenant?: string | undefined } | Refusal;

export type IngestAuth<G> = { ok: true; subject: string; grant: G } | Refusal;

export type IngestOutcome =
  | { ok: true; accepted: number; rejected: number; dropped: number; targets: Target[] }
  | { ok: false; status: 403 | 429; reason: string };

export interface StreamEvent {
  type: "auth" | "connect" | "disconnect" | "limited" | "ingest";
  scope: string;
  subject: string;
  detail: string;
}

export interface LiveStreamHooks<G> {
  /** Called before upgrade; absent = anonymous access allowed. */
  authorize?(token: string | null, scope: string): Promise<AuthDecision>;
  /** Called before an ingest body is read; absent = loopback clients only. */
  authorizeIngest?(token: string | null): Promise<IngestAuth<G>>;
  /** Called before upgrade with the subscription key (tenant and scope); false = 429. */
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
  /** Current aggregates of a scope of a tenant (sent as snapshot and after ingests). */
  snapshot(target: Target): unknown;
  /** Ingests JSON lines on behalf of an authorized caller. */
  ingest?(text: string, caller: { subject: string; grant: G | undefined }): IngestOutcome;
}

interface ClientData {
  id: string;
  scope: string;
  tenant: string | undefined;
  subject: string;
  topic: string;
}

export interface LiveStream {
  server: Server<ClientData>;
  url: string;
  port: number;
  /** Publishes the current snapshot of `target` to its subscribers; returns subscriber count. */
  publish(target: Target): number;
  stop(): Promise<void>;
}

const SCOPE_PARAM = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Publication topic (and connection-limit key) of a scope of a tenant. */
export function topicFor(target: Target): string {
  return `scope:${target.scope}${target.tenant !== undefined ? `@${target.tenant}` : ""}`;
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
  const snapshotMessage = (type: "snapshot" | "update", t: Target) => JSON.stringify({ type, scope: t.scope, rows: options.snapshot(t) });
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
          emit({ type: "auth", scope: "/ingest", subject: decision.subject ?? "anonymous", detail: decision.ok ? "granted" : decision.reason });
          if (!decision.ok) return new Response(decision.reason, { status: decision.status });
          subject = decision.subject;
          grant = decision.grant;
        } else {
          const remote = srv.requestIP(req)?.address;
          if (!isLoopback(remote)) {
            emit({ type: "auth", scope: "/ingest", subject: remote ?? "?", detail: "not loopback" });
            return new Response("loopback clients only", { status: 403 });
          }
          subject = "loopback";
        }
        const result = options.ingest(await req.text(), { subject, grant });
        if (!result.ok) {
          emit({ type: result.status === 429 ? "limited" : "auth", scope: "/ingest", subject, detail: result.reason });
          return new Response(result.reason, { status: result.status, headers: result.status === 429 ? { "Retry-After": "60" } : {} });
        }
        for (const t of result.targets) {
          srv.publish(topicFor(t), snapshotMessage("update", t));
          emit({ type: "ingest", scope: t.scope, subject, detail: `${result.accepted} accepted` });
        }
        const scopes = [...new Set(result.targets.map((t) => t.scope))].sort();
        return Response.json({ accepted: result.accepted, rejected: result.rejected, dropped: result.dropped, scopes });
      }
      if (url.pathname !== "/stream") return new Response("not found", { status: 404 });
      const scope = url.searchParams.get("scope");
      if (!scope) return new Response("scope required", { status: 400 });
      if (!SCOPE_PARAM.test(scope)) return new Response("malformed scope", { status: 400 });
      let subject = "anonymous";
      let tenant: string | undefined;
      if (options.authorize) {
        const decision = await options.authorize(tokenOf(req, url), scope);
        emit({ type: "auth", scope, subject: decision.subject ?? "anonymous", detail: decision.ok ? "granted" : decision.reason });
        if (!decision.ok) return new Response(decision.reason, { status: decision.status });
        subject = decision.subject;
        tenant = decision.tenant;
      }
      const topic = topicFor({ scope, tenant });
      if (options.acquireConnection && !options.acquireConnection(topic)) {
        emit({ type: "limited", scope, subject, detail: "connection limit" });
        return new Response("too many connections for scope", { status: 429 });
      }
      const data: ClientData = { id: `c${++nextId}`, scope, tenant, subject, topic };
      if (srv.upgrade(req, { data })) return undefined;
      options.releaseConnection?.(topic);
      return new Response("upgrade failed", { status: 400 });
    },
    websocket: {
      maxPayloadLength: 64 * 1024,
      open(ws: ServerWebSocket<ClientData>) {
        ws.subscribe(ws.data.topic);
        emit({ type: "connect", scope: ws.data.scope, subject: ws.data.subject, detail: ws.data.id });
        ws.send(snapshotMessage("snapshot", ws.data));
      },
      message(ws: ServerWebSocket<ClientData>, message: string | Buffer) {
        if (options.allowMessage && !options.allowMessage(ws.data.id, Date.now())) {
          emit({ type: "limited", scope: ws.data.scope, subject: ws.data.subject, detail: "message rate" });
          ws.close(1008, "rate limit exceeded");
          return;
        }
        const text = typeof message === "string" ? message : message.toString();
        if (text === "ping") ws.send(JSON.stringify({ type: "pong" }));
        else if (text === "snapshot") ws.send(snapshotMessage("snapshot", ws.data));
        else ws.send(JSON.stringify({ type: "error", error: "unknown command" }));
      },
      close(ws: ServerWebSocket<ClientData>) {
        options.releaseConnection?.(ws.data.topic);
        options.releaseMessages?.(ws.data.id);
        emit({ type: "disconnect", scope: ws.data.scope, subject: ws.data.subject, detail: ws.data.id });
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
