import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NAMESPACE_PATTERN, parseMetricLines } from "../../src/app/core/input.ts";
import { isScopeName } from "../../src/generated/limits.ts";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { isLoopback, startLiveStream, topicFor, type LiveStream } from "../../src/app/features/live-stream.ts";
import { ConnectionLimiter, MessageRateLimiter } from "../../src/app/features/rate-limit.ts";
import { rateKey } from "../../src/app/features/rate-limit.ts";
import { accessDenial, canIngest, ingestDenial, signToken, verifyToken, type TokenClaims } from "../../src/app/features/rbac.ts";
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
  let globexViewer = "";
  let enterpriseViewer = "";
  const claims = (over: Partial<TokenClaims>): TokenClaims => ({
    sub: "ops",
    role: "viewer",
    scope: "Public",
    tenant: "acme",
    exp: NOW / 1000 + 3600,
    ...over,
  });
  const base = () => stream.url.replace("ws:", "http:").replace("/stream", "");

  beforeAll(async () => {
    tracker.record(metric({ value: 5 }));
    apiToken = await signToken(claims({}), SECRET);
    writer = await signToken(claims({ sub: "w", role: "operator" }), SECRET);
    globexWriter = await signToken(claims({ sub: "g", role: "operator", tenant: "globex" }), SECRET);
    globexViewer = await signToken(claims({ sub: "gv", tenant: "globex" }), SECRET);
    enterpriseViewer = await signToken(claims({ sub: "ev", scope: "Enterprise" }), SECRET);
    const check = async (token: string | null) => {
      if (!token) return { ok: false as const, status: 401 as const, reason: "token required" };
      const v = await verifyToken(token, SECRET, NOW);
      return v.ok ? v : { ok: false as const, status: 401 as const, reason: v.reason };
    };
    stream = startLiveStream<TokenClaims>({
      port: 0,
      hostname: "127.0.0.1",
      maxBodyBytes: 4096,
      maxMessageBytes: 1024,
      namespacePattern: NAMESPACE_PATTERN,
      snapshot: (t) => tracker.read(t),
      ingest: (text, caller) => {
        const grant = caller.grant!;
        const parsed = parseMetricLines(text, { scope: grant.scope, tenant: grant.tenant });
        for (const m of parsed.metrics) {
          const denial = ingestDenial(grant, m);
          if (denial) return { ok: false as const, status: 403 as const, reason: denial };
        }
        for (const m of parsed.metrics) tracker.record(m);
        const targets = [...new Set(parsed.metrics.map((m) => m.namespace))].map((namespace) => ({
          scope: grant.scope,
          tenant: grant.tenant,
          namespace,
        }));
        return { ok: true as const, accepted: parsed.metrics.length, rejected: parsed.errors.length, dropped: 0, targets };
      },
      authorize: async (token, requested) => {
        const v = await check(token);
        if (!v.ok) return v;
        const denial = accessDenial(v.claims, requested);
        if (denial) return { ok: false, status: 403, reason: denial };
        return { ok: true, subject: v.claims.sub, scope: v.claims.scope, tenant: v.claims.tenant };
      },
      authorizeIngest: async (token) => {
        const v = await check(token);
        if (!v.ok) return v;
        if (!canIngest(v.claims)) return { ok: false, status: 403, reason: "read-only token" };
        return { ok: true, subject: v.claims.sub, grant: v.claims };
      },
      acquireConnection: (k) => connections.tryAcquire(k),
      releaseConnection: (k) => connections.release(k),
      allowMessage: (id, now) => messages.allow(id, now),
      releaseMessages: (id) => messages.forget(id),
      onEvent: (e) => events.push(`${e.type}:${e.target}:${e.detail}`),
    });
  });
  afterAll(() => stream.stop());

  test("health and HTTP status codes for bad subscriptions", async () => {
    expect(await (await fetch(`${base()}/health`)).text()).toBe("ok");
    expect((await fetch(`${base()}/stream`)).status).toBe(400);
    expect((await fetch(`${base()}/stream?namespace=a%20b`)).status).toBe(400);
    expect((await fetch(`${base()}/stream?namespace=api&scope=api&token=${apiToken}`)).status).toBe(403);
    expect((await fetch(`${base()}/stream?namespace=api&scope=Public&tenant=Bad!&token=${apiToken}`)).status).toBe(403);
    expect((await fetch(`${base()}/stream?namespace=api`)).status).toBe(401);
    expect((await fetch(`${base()}/stream?namespace=api&token=x.y`)).status).toBe(401);
    // The token decides scope and tenant: asking for another one is refused.
    expect((await fetch(`${base()}/stream?namespace=api&scope=Enterprise&token=${apiToken}`)).status).toBe(403);
    expect((await fetch(`${base()}/stream?namespace=api&tenant=globex&token=${apiToken}`)).status).toBe(403);
    expect(events).toContain("auth:/stream?namespace=api:token not valid for scope Enterprise");
    expect(events).toContain("auth:/stream?namespace=api:token not valid for tenant globex");
  });

  test("ingest: anonymous 401, read-only 403, other scope or tenant 403, oversized 413, GET 404", async () => {
    const line = '{"name":"x","value":1,"namespace":"api","ts":1}';
    const post = (body: string, token?: string) =>
      fetch(`${base()}/ingest`, { method: "POST", body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    expect((await post(line)).status).toBe(401);
    expect((await post(line, "x.y")).status).toBe(401);
    expect((await post(line, apiToken)).status).toBe(403);
    expect((await post('{"name":"x","value":1,"namespace":"api","scope":"Enterprise","ts":1}', writer)).status).toBe(403);
    expect((await post('{"name":"x","value":1,"namespace":"api","tenant":"globex","ts":1}', writer)).status).toBe(403);
    expect((await post("x".repeat(4097), writer)).status).toBe(413);
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 5) c.enqueue(new TextEncoder().encode("y".repeat(1000)));
        else c.close();
      },
    });
    expect(
      (await fetch(`${base()}/ingest`, { method: "POST", body: chunked, headers: { Authorization: `Bearer ${writer}` } })).status,
    ).toBe(413);
    expect((await fetch(`${base()}/ingest`)).status).toBe(404);
    expect(tracker.samples().length).toBe(1);
    expect(events).toContain("auth:/ingest:token required");
  });

  test("authorized subscriber gets a snapshot, then updates of its own scope and tenant only", async () => {
    const c = await open(`${stream.url}?namespace=api&token=${apiToken}`);
    const snap = await c.next();
    expect(snap).toMatchObject({ type: "snapshot", scope: "Public", tenant: "acme", namespace: "api" });
    expect(snap.rows[0].stats.count).toBe(1);
    // Another tenant's write to the same namespace is not published to this subscriber.
    const other = await fetch(`${base()}/ingest?token=${globexWriter}`, {
      method: "POST",
      body: '{"name":"http.latency","value":1000,"namespace":"api","ts":1}',
    });
    expect(other.status).toBe(200);
    const res = await fetch(`${base()}/ingest`, {
      method: "POST",
      headers: { Authorization: `Bearer ${writer}` },
      body: '{"name":"http.latency","value":7,"namespace":"api","ts":1}\nbad\n',
    });
    expect(await res.json()).toEqual({ accepted: 1, rejected: 1, dropped: 0, namespaces: ["api"] });
    const update = await c.next();
    expect(update).toMatchObject({ type: "update", scope: "Public", tenant: "acme", namespace: "api" });
    expect(update.rows[0].stats).toMatchObject({ count: 2, sum: 12 });
    c.ws.close();
    await c.closed;
    // The same tenant id in another scope, and another tenant in the same scope, see only their own data.
    const e = await open(`${stream.url}?namespace=api&token=${enterpriseViewer}`);
    expect(await e.next()).toEqual({ type: "snapshot", scope: "Enterprise", tenant: "acme", namespace: "api", rows: [] });
    e.ws.close();
    const g = await open(`${stream.url}?namespace=api&token=${globexViewer}`);
    expect((await g.next()).rows[0].stats).toMatchObject({ count: 1, sum: 1000 });
    g.ws.close();
    await Promise.all([e.closed, g.closed]);
  });

  test("connection limit per tenant in a scope answers 429; closing frees the slot", async () => {
    const a = await open(`${stream.url}?namespace=api&token=${apiToken}`);
    // Another namespace of the same tenant counts against the same limit.
    const b = await open(`${stream.url}?namespace=web&token=${apiToken}`);
    const base = stream.url.replace("ws:", "http:");
    const third = await fetch(`${base}?namespace=api&token=${apiToken}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(third.status).toBe(429);
    expect(await third.text()).toBe("too many connections for this tenant");
    // Another tenant in the scope, and the same tenant id in another scope, have their own slots.
    const g = await open(`${stream.url}?namespace=api&token=${globexViewer}`);
    const e = await open(`${stream.url}?namespace=api&token=${enterpriseViewer}`);
    g.ws.close();
    e.ws.close();
    a.ws.close();
    await Promise.all([a.closed, g.closed, e.closed]);
    await Bun.sleep(20);
    const c = await open(`${stream.url}?namespace=api&token=${apiToken}`);
    expect(connections.count(rateKey({ scope: "Public", tenant: "acme" }))).toBe(2);
    b.ws.close();
    c.ws.close();
    await Promise.all([b.closed, c.closed]);
    for (let i = 0; i < 100 && connections.keys > 0; i++) await Bun.sleep(10);
    expect(connections.keys).toBe(0);
  });

  test("message rate limit closes the connection with 1008", async () => {
    const c = await open(`${stream.url}?namespace=api&token=${apiToken}`);
    await c.next();
    for (let i = 0; i < 3; i++) {
      c.ws.send("ping");
      expect(await c.next()).toEqual({ type: "pong" });
    }
    c.ws.send("ping");
    expect(await c.closed).toBe(1008);
    expect(events.some((e) => e.startsWith("limited:acme@Public:api:message rate"))).toBe(true);
    // The closed connection's message log is released.
    for (let i = 0; i < 100 && messages.keys > 0; i++) await Bun.sleep(10);
    expect(messages.keys).toBe(0);
  });
});

describe("LIVE_STREAM without security hooks", () => {
  test("anonymous subscription names its scope and tenant; publish()", async () => {
    const tracker = new MasterPerfTracker();
    const s = startLiveStream({
      maxBodyBytes: 1024,
      maxMessageBytes: 1024,
      namespacePattern: NAMESPACE_PATTERN,
      // What the application does without RBAC: the parameters name the scope and tenant.
      authorize: async (_token, requested) =>
        isScopeName(requested.scope)
          ? { ok: true, subject: "anonymous", scope: requested.scope, tenant: requested.tenant ?? "default" }
          : { ok: false, status: 400, reason: requested.scope === undefined ? "scope required" : "unknown scope" },
      snapshot: (t) => tracker.read(t),
      ingest: (text) => {
        const parsed = parseMetricLines(text);
        for (const m of parsed.metrics) tracker.record(m);
        return {
          ok: true,
          accepted: parsed.metrics.length,
          rejected: 0,
          dropped: 0,
          targets: parsed.metrics.map((m) => ({ scope: m.scope, tenant: m.tenant, namespace: m.namespace })),
        };
      },
    });
    try {
      const http = s.url.replace("ws:", "http:");
      expect((await fetch(`${http}?namespace=web`)).status).toBe(400);
      expect(await (await fetch(`${http}?namespace=web&scope=Nope`)).text()).toBe("unknown scope");
      const c = await open(`${s.url}?namespace=web&scope=Public`);
      expect(await c.next()).toEqual({ type: "snapshot", scope: "Public", tenant: "default", namespace: "web", rows: [] });
      tracker.record(metric({ namespace: "web", tenant: "default" }));
      tracker.record(metric({ namespace: "web", tenant: "acme" }));
      expect(s.publish({ scope: "Public", tenant: "default", namespace: "web" })).toBe(1);
      expect((await c.next()).rows).toHaveLength(1);
      // Without an ingest authorizer, ingest is served to loopback clients only (this client is one).
      const res = await fetch(s.url.replace("ws:", "http:").replace("/stream", "/ingest"), {
        method: "POST",
        body: '{"name":"m","value":1,"namespace":"web","scope":"Public","ts":1}',
      });
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
  test("loopback addresses and topics per tenant in a scope", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect({ a, loop: isLoopback(a) }).toEqual({ a, loop: true });
    for (const a of ["10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "128.0.0.1", "", undefined])
      expect({ a, loop: isLoopback(a) }).toEqual({ a, loop: false });
    expect(topicFor({ scope: "Public", tenant: "acme", namespace: "api" })).toBe("acme@Public:api");
    expect(topicFor({ scope: "Enterprise", tenant: "acme", namespace: "api" })).toBe("acme@Enterprise:api");
  });
});
