/**
 * LIVE_STREAM: WebSocket streaming of aggregates with Bun.serve.
 *
 *   GET  /stream?scope=S[&token=T]  upgrade; receives {"type":"snapshot"} then {"type":"update"} messages
 *   POST /ingest                    JSON lines; accepted metrics are published to their scope's subscribers
 *   GET  /health                    "ok"
 *
 * Security hooks (RBAC token check, RATE_LIMIT limiters, AUDIT_LOG) are injected by the
 * application so that this module does not pull their code into builds without them.
 */
import type { Server, ServerWebSocket } from "bun";

export type AuthDecision = { ok: true; subject: string } | { ok: false; status: 401 | 403; reason: string };

export interface LiveStreamHooks {
  /** Called before upgrade; absent = anonymous access allowed. */
  authorize?(token: string | null, scope: string): Promise<AuthDecision>;
  /** Called before upgrade; false = 429. */
  acquireConnection?(scope: string): boolean;
  releaseConnection?(scope: string): void;
  /** Called for every client message; false = message refused (the connection is closed with 1008). */
  allowMessage?(connectionId: string, now: number): boolean;
  onEvent?(event: { type: "auth" | "connect" | "disconnect" | "limited" | "ingest"; scope: string; subject: string; detail: string }): void;
}

export interface LiveStreamOptions extends LiveStreamHooks {
  port?: number;
  hostname?: string;
  /** Current aggregates of a scope (sent as snapshot and after ingests). */
  snapshot(scope: string): unknown;
  /** Ingests JSON lines; returns accepted count and the scopes that changed. */
  ingest?(text: string): { accepted: number; rejected: number; scopes: string[] };
}

interface ClientData {
  id: string;
  scope: string;
  subject: string;
}

export interface LiveStream {
  server: Server<ClientData>;
  url: string;
  port: number;
  /** Publishes the current snapshot of `scope` to its subscribers; returns subscriber count. */
  publish(scope: string): number;
  stop(): Promise<void>;
}

export function topicFor(scope: string): string {
  return `scope:${scope}`;
}

export function startLiveStream(options: LiveStreamOptions): LiveStream {
  let nextId = 0;
  const emit = options.onEvent ?? (() => {});
  const server = Bun.serve<ClientData>({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    async fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname === "/health") return new Response("ok");
      if (url.pathname === "/ingest" && req.method === "POST") {
        if (!options.ingest) return new Response("ingest disabled", { status: 404 });
        const result = options.ingest(await req.text());
        for (const scope of result.scopes) {
          srv.publish(topicFor(scope), JSON.stringify({ type: "update", scope, rows: options.snapshot(scope) }));
          emit({ type: "ingest", scope, subject: "http", detail: `${result.accepted} accepted` });
        }
        return Response.json(result);
      }
      if (url.pathname !== "/stream") return new Response("not found", { status: 404 });
      const scope = url.searchParams.get("scope");
      if (!scope) return new Response("scope required", { status: 400 });
      let subject = "anonymous";
      if (options.authorize) {
        const token = url.searchParams.get("token") ?? req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? null;
        const decision = await options.authorize(token, scope);
        emit({ type: "auth", scope, subject: decision.ok ? decision.subject : "anonymous", detail: decision.ok ? "granted" : decision.reason });
        if (!decision.ok) return new Response(decision.reason, { status: decision.status });
        subject = decision.subject;
      }
      if (options.acquireConnection && !options.acquireConnection(scope)) {
        emit({ type: "limited", scope, subject, detail: "connection limit" });
        return new Response("too many connections for scope", { status: 429 });
      }
      const data: ClientData = { id: `c${++nextId}`, scope, subject };
      if (srv.upgrade(req, { data })) return undefined;
      options.releaseConnection?.(scope);
      return new Response("upgrade failed", { status: 400 });
    },
    websocket: {
      open(ws: ServerWebSocket<ClientData>) {
        ws.subscribe(topicFor(ws.data.scope));
        emit({ type: "connect", scope: ws.data.scope, subject: ws.data.subject, detail: ws.data.id });
        ws.send(JSON.stringify({ type: "snapshot", scope: ws.data.scope, rows: options.snapshot(ws.data.scope) }));
      },
      message(ws: ServerWebSocket<ClientData>, message: string | Buffer) {
        if (options.allowMessage && !options.allowMessage(ws.data.id, Date.now())) {
          emit({ type: "limited", scope: ws.data.scope, subject: ws.data.subject, detail: "message rate" });
          ws.close(1008, "rate limit exceeded");
          return;
        }
        const text = typeof message === "string" ? message : message.toString();
        if (text === "ping") ws.send(JSON.stringify({ type: "pong" }));
        else if (text === "snapshot") ws.send(JSON.stringify({ type: "snapshot", scope: ws.data.scope, rows: options.snapshot(ws.data.scope) }));
        else ws.send(JSON.stringify({ type: "error", error: "unknown command" }));
      },
      close(ws: ServerWebSocket<ClientData>) {
        options.releaseConnection?.(ws.data.scope);
        emit({ type: "disconnect", scope: ws.data.scope, subject: ws.data.subject, detail: ws.data.id });
      },
    },
  });
  const port = server.port ?? 0;
  return {
    server,
    port,
    url: `ws://${server.hostname}:${port}/stream`,
    publish(scope) {
      server.publish(topicFor(scope), JSON.stringify({ type: "update", scope, rows: options.snapshot(scope) }));
      return server.subscriberCount(topicFor(scope));
    },
    async stop() {
      await server.stop(true);
    },
  };
}
