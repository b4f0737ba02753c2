import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseMetricLines } from "../../src/app/core/input.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { isLoopback, startLiveStream, topicFor, type LiveStream } from "../../src/app/features/live-stream.ts";
import { ConnectionLimiter, MessageRateLimiter } from "../../src/app/features/rate-limit.ts";
import { canIngest, canSubscribe, ingestDenial, signToken, verifyToken, type TokenClaims } from "../../src/app/features/rbac.ts";
import { metric } from "./helpers.ts";

const SECRET = "test-secret";
const NOW = Date.UTC(2026, 0, 15, 12);

interface Opened {
  ws: WebSocket;
  messages: unknown[];
  next(): Promise<any>;
  closed: Promise<number>;
}

function open(url: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: unknown[] = [];
    const waiters: ((m: unknown) => void)[] = [];
    let closeCode!: (code: number) => void;
    const closed = new Promise<number>((r) => (closeCode = r));
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      const w = waiters.shift();
      if (w) w(m);
      else messages.push(m);
    };
    ws.onclose = (e) => closeCode(e.code);
    ws.onopen = () =>
      resolve({
        ws,
        messages,
        closed,
        next: () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r))),
      });
    ws.onerror = () => reject(new Error(`connect failed: ${url}`));
  });
}

describe("LIVE_STREAM with RBAC and RATE_LIMIT hooks", () => {
  let stream: LiveStream;
  const tracker = new MasterPerfTracker();
  const events: string[] = [];
  const connections = new ConnectionLimiter(2);
  const messages = new MessageRateLimiter(3);
  let apiToken = "";
  let writer = "";
  let globexWriter = "";
  const claims = (over: Partial<TokenClaims>): TokenClaims => ({ sub: "ops", role: "viewer", scope: "api", tenant: "acme", exp: NOW / 1000 + 3600, ...over });
  const base = () => stream.url.replace("ws:", "http:").replace("/stream", "");

  beforeAll(async () => {
    tracker.record(metric({ value: 5, tenant: "acme" }));
    apiToken = await signToken(claims({}), SECRET);
    writer = await signToken(claims({ sub: "w", role: "operator" }), SECRET);
    globexWriter = await signToken(claims({ sub: "g", role: "operator", tenant: "globex" }), SECRET);
    const check = async (token: string | null) => {
      if (!token) return { ok: false as const, status: 401 as const, reason: "token required" };
      const v = await verifyToken(token, SECRET, NOW);
      return v.ok ? v : { ok: false as const, status: 401 as const, reason: v.reason };
    };
    stream = startLiveStream<TokenClaims>({
      port: 0,
      hostname: "127.0.0.1",
      maxBodyBytes: 4096,
      snapshot: (t) => tracker.aggregate((m) => m.scope === t.scope && (t.tenant === undefined || m.tenant === t.tenant)),
      ingest: (text, caller) => {
        const parsed = parseMetricLines(text);
        for (const m of parsed.metrics) {
          const denial = ingestDenial(caller.grant!, m);
          if (denial) return { ok: false, status: 403, reason: denial };
          m.tenant = caller.grant!.tenant;
        }
        for (const m of parsed.metrics) tracker.record(m);
        const targets = [...new Set(parsed.metrics.map((m) => m.scope))].map((scope) => ({ scope, tenant: caller.grant!.tenant }));
        return { ok: true, accepted: parsed.metrics.length, rejected: parsed.errors.length, dropped: 0, targets };
      },
      authorize: async (token, scope) => {
        const v = await check(token);
        if (!v.ok) return v;
        if (!canSubscribe(v.claims, scope)) return { ok: false, status: 403, reason: "wrong scope" };
        return { ok: true, subject: v.claims.sub, tenant: v.claims.tenant };
      },
      authorizeIngest: async (token) => {
        const v = await check(token);
        if (!v.ok) return v;
        if (!canIngest(v.claims, v.claims.scope)) return { ok: false, status: 403, reason: "read-only token" };
        return { ok: true, subject: v.claims.sub, grant: v.claims };
      },
      acquireConnection: (s) => connections.tryAcquire(s),
      releaseConnection: (s) => connections.release(s),
      allowMessage: (id, now) => messages.allow(id, now),
      releaseMessages: (id) => messages.forget(id),
      onEvent: (e) => events.push(`${e.type}:${e.scope}:${e.detail}`),
    });
  });
  afterAll(() => stream.stop());

  test("health and HTTP status codes for bad subscriptions", async () => {
    expect(await (await fetch(`${base()}/health`)).text()).toBe("ok");
    expect((await fetch(`${base()}/stream`)).status).toBe(400);
    expect((await fetch(`${base()}/stream?scope=a%20b`)).status).toBe(400);
    expect((await fetch(`${base()}/stream?scope=api`)).status).toBe(401);
    expect((await fetch(`${base()}/stream?scope=api&token=x.y`)).status).toBe(401);
    expect((await fetch(`${base()}/stream?scope=web&token=${apiToken}`)).status).toBe(403);
    expect(events).toContain("auth:web:wrong scope");
  });

  test("ingest: anonymous 401, read-only 403, other scope or tenant 403, oversized 413, GET 404", async () => {
    const line = '{"name":"x","value":1,"scope":"api","ts":1}';
    const post = (body: string, token?: string) =>
      fetch(`${base()}/ingest`, { method: "POST", body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    expect((await post(line)).status).toBe(401);
    expect((await post(line, "x.y")).status).toBe(401);
    expect((await post(line, apiToken)).status).toBe(403);
    expect((await post('{"name":"x","value":1,"scope":"web","ts":1}', writer)).status).toBe(403);
    expect((await post('{"name":"x","value":1,"scope":"api","tenant":"globex","ts":1}', writer)).status).toBe(403);
    expect((await post("x".repeat(4097), writer)).status).toBe(413);
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 5) c.enqueue(new TextEncoder().encode("y".repeat(1000)));
        else c.close();
      },
    });
    expect((await fetch(`${base()}/ingest`, { method: "POST", body: chunked, headers: { Authorization: `Bearer ${writer}` } })).status).toBe(413);
    expect((await fetch(`${base()}/ingest`)).status).toBe(404);
    expect(tracker.samples().length).toBe(1);
    expect(events).toContain("auth:/ingest:token required");
  });

  test("authorized subscriber gets a snapshot, then updates of its own tenant only", async () => {
    const c = await open(`${stream.url}?scope=api&token=${apiToken}`);
    const snap = await c.next();
    expect(snap).toMatchObject({ type: "snapshot", scope: "api" });
    expect(snap.rows[0].stats.count).toBe(1);
    // Another tenant's write to the same scope name is not published to this subscriber.
    const other = await fetch(`${base()}/ingest?token=${globexWriter}`, { method: "POST", body: '{"name":"http.latency","value":1000,"scope":"api","ts":1}' });
    expect(other.status).toBe(200);
    const res = await fetch(`${base()}/ingest`, { method: "POST", headers: { Authorization: `Bearer ${writer}` }, body: '{"name":"http.latency","value":7,"scope":"api","ts":1}\nbad\n' });
    expect(await res.json()).toEqual({ accepted: 1, rejected: 1, dropped: 0, scopes: ["api"] });
    const update = await c.next();
    expect(update).toMatchObject({ type: "update", scope: "api" });
    expect(update.rows[0].stats).toMatchObject({ count: 2, sum: 12 });
    c.ws.close();
    await c.closed;
  });

  test("connection limit per scope answers 429; closing frees the slot", async () => {
    const a = await open(`${stream.url}?scope=api&token=${apiToken}`);
    const b = await open(`${stream.url}?scope=api&token=${apiToken}`);
    const base = stream.url.replace("ws:", "http:");
    const third = await fetch(`${base}?scope=api&token=${apiToken}`, { headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    expect(third.status).toBe(429);
    a.ws.close();
    await a.closed;
    await Bun.sleep(20);
    const c = await open(`${stream.url}?scope=api&token=${apiToken}`);
    expect(connections.count("scope:api@acme")).toBe(2);
    b.ws.close();
    c.ws.close();
    await Promise.all([b.closed, c.closed]);
    for (let i = 0; i < 100 && connections.keys > 0; i++) await Bun.sleep(10);
    expect(connections.keys).toBe(0);
  });

  test("message rate limit closes the connection with 1008", async () => {
    const c = await open(`${stream.url}?scope=api&token=${apiToken}`);
    await c.next();
    for (let i = 0; i < 3; i++) {
      c.ws.send("ping");
      expect(await c.next()).toEqual({ type: "pong" });
    }
    c.ws.send("ping");
    expect(await c.closed).toBe(1008);
    expect(events.some((e) => e.startsWith("limited:api:message rate"))).toBe(true);
    // The closed connection's message log is released.
    for (let i = 0; i < 100 && messages.keys > 0; i++) await Bun.sleep(10);
    expect(messages.keys).toBe(0);
  });
});

describe("LIVE_STREAM without hooks", () => {
  test("anonymous subscription and publish()", async () => {
    const tracker = new MasterPerfTracker();
    const s = startLiveStream({
      maxBodyBytes: 1024,
      snapshot: (t) => tracker.aggregate((m) => m.scope === t.scope),
      ingest: (text) => {
        const parsed = parseMetricLines(text);
        for (const m of parsed.metrics) tracker.record(m);
        return { ok: true, accepted: parsed.metrics.length, rejected: 0, dropped: 0, targets: parsed.metrics.map((m) => ({ scope: m.scope })) };
      },
    });
    try {
      const c = await open(`${s.url}?scope=web`);
      expect(await c.next()).toEqual({ type: "snapshot", scope: "web", rows: [] });
      tracker.record(metric({ scope: "web" }));
      expect(s.publish({ scope: "web" })).toBe(1);
      expect((await c.next()).rows).toHaveLength(1);
      // Without an ingest authorizer, ingest is served to loopback clients only (this client is one).
      const res = await fetch(s.url.replace("ws:", "http:").replace("/stream", "/ingest"), { method: "POST", body: '{"name":"m","value":1,"scope":"web","ts":1}' });
      expect(res.status).toBe(200);
      expect((await c.next()).rows).toHaveLength(2);
      c.ws.send("what");
      expect(await c.next()).toEqual({ type: "error", error: "unknown command" });
      c.ws.close();
      await c.closed;
    } finally {
      await s.stop();
    }
  });
});

describe("LIVE_STREAM helpers", () => {
  test("loopback addresses and topics per tenant", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect({ a, loop: isLoopback(a) }).toEqual({ a, loop: true });
    for (const a of ["10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "128.0.0.1", "", undefined]) expect({ a, loop: isLoopback(a) }).toEqual({ a, loop: false });
    expect(topicFor({ scope: "api" })).toBe("scope:api");
    expect(topicFor({ scope: "api", tenant: "acme" })).toBe("scope:api@acme");
  });
});
