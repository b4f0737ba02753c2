import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseMetricLines } from "../../src/app/core/input.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { startLiveStream, type LiveStream } from "../../src/app/features/live-stream.ts";
import { ConnectionLimiter, MessageRateLimiter } from "../../src/app/features/rate-limit.ts";
import { canSubscribe, signToken, verifyToken } from "../../src/app/features/rbac.ts";
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

  beforeAll(async () => {
    tracker.record(metric({ value: 5 }));
    apiToken = await signToken({ sub: "ops", role: "viewer", scope: "api", exp: NOW / 1000 + 3600 }, SECRET);
    stream = startLiveStream({
      port: 0,
      hostname: "127.0.0.1",
      snapshot: (scope) => tracker.aggregate((m) => m.scope === scope),
      ingest: (text) => {
        const parsed = parseMetricLines(text);
        for (const m of parsed.metrics) tracker.record(m);
        return { accepted: parsed.metrics.length, rejected: parsed.errors.length, scopes: [...new Set(parsed.metrics.map((m) => m.scope))] };
      },
      authorize: async (token, scope) => {
        if (!token) return { ok: false, status: 401, reason: "token required" };
        const v = await verifyToken(token, SECRET, NOW);
        if (!v.ok) return { ok: false, status: 401, reason: v.reason };
        if (!canSubscribe(v.claims, scope)) return { ok: false, status: 403, reason: "wrong scope" };
        return { ok: true, subject: v.claims.sub };
      },
      acquireConnection: (s) => connections.tryAcquire(s),
      releaseConnection: (s) => connections.release(s),
      allowMessage: (id, now) => messages.allow(id, now),
      onEvent: (e) => events.push(`${e.type}:${e.scope}:${e.detail}`),
    });
  });
  afterAll(() => stream.stop());

  test("health and HTTP status codes for bad subscriptions", async () => {
    const base = stream.url.replace("ws:", "http:").replace("/stream", "");
    expect(await (await fetch(`${base}/health`)).text()).toBe("ok");
    expect((await fetch(`${base}/stream`)).status).toBe(400);
    expect((await fetch(`${base}/stream?scope=api`)).status).toBe(401);
    expect((await fetch(`${base}/stream?scope=api&token=x.y`)).status).toBe(401);
    expect((await fetch(`${base}/stream?scope=web&token=${apiToken}`)).status).toBe(403);
    expect(events).toContain("auth:web:wrong scope");
  });

  test("authorized subscriber gets a snapshot, then updates after ingest", async () => {
    const c = await open(`${stream.url}?scope=api&token=${apiToken}`);
    const snap = await c.next();
    expect(snap).toMatchObject({ type: "snapshot", scope: "api" });
    expect(snap.rows[0].stats.count).toBe(1);
    const base = stream.url.replace("ws:", "http:").replace("/stream", "");
    const res = await fetch(`${base}/ingest`, { method: "POST", body: '{"name":"http.latency","value":7,"scope":"api","ts":1}\nbad\n' });
    expect(await res.json()).toEqual({ accepted: 1, rejected: 1, scopes: ["api"] });
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
    expect(connections.count("api")).toBe(2);
    b.ws.close();
    c.ws.close();
    await Promise.all([b.closed, c.closed]);
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
  });
});

describe("LIVE_STREAM without hooks", () => {
  test("anonymous subscription and publish()", async () => {
    const tracker = new MasterPerfTracker();
    const s = startLiveStream({ snapshot: (scope) => tracker.aggregate((m) => m.scope === scope) });
    try {
      const c = await open(`${s.url}?scope=web`);
      expect(await c.next()).toEqual({ type: "snapshot", scope: "web", rows: [] });
      tracker.record(metric({ scope: "web" }));
      expect(s.publish("web")).toBe(1);
      expect((await c.next()).rows).toHaveLength(1);
      c.ws.send("what");
      expect(await c.next()).toEqual({ type: "error", error: "unknown command" });
      c.ws.close();
      await c.closed;
    } finally {
      await s.stop();
    }
  });
});
