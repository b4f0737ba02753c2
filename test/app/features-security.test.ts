import { describe, expect, test } from "bun:test";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { isForbiddenKey, SanitizationStage, sanitizeProperties } from "../../src/app/features/input-sanitization.ts";
import { PiiRedactionStage, redactProperties, redactValue } from "../../src/app/features/pii-redaction.ts";
import { ConnectionLimiter, MessageRateLimiter, RateLimitStage } from "../../src/app/features/rate-limit.ts";
import { canIngest, canSubscribe, claimsFromSpec, ingestDenial, randomSecret, signToken, verifyToken } from "../../src/app/features/rbac.ts";
import { ScopeViolationError, validateMetricScope } from "../../src/app/features/scope-isolation.ts";
import { metric } from "./helpers.ts";

describe("SCOPE_ISOLATION validateMetricScope", () => {
  test("own scope passes, cross-scope / unscoped / malformed throw ScopeViolationError", () => {
    expect(() => validateMetricScope("api", { scope: "api" })).not.toThrow();
    expect(() => validateMetricScope("api", { scope: "web" })).toThrow(ScopeViolationError);
    expect(() => validateMetricScope("api", {})).toThrow("caller scope required");
    expect(() => validateMetricScope("API!", { scope: "API!" }, "read")).toThrow("malformed scope name");
    try {
      validateMetricScope("api", { scope: "web" }, "read");
    } catch (e) {
      expect(e).toBeInstanceOf(ScopeViolationError);
      expect(e as ScopeViolationError).toMatchObject({ metricScope: "api", callerScope: "web", op: "read" });
    }
  });

  test("as tracker guard: cross-scope record and read throw", () => {
    const t = new MasterPerfTracker().setScopeGuard(validateMetricScope);
    t.record(metric(), { scope: "api" });
    expect(() => t.record(metric(), { scope: "web" })).toThrow(ScopeViolationError);
    expect(() => t.read("api", { scope: "web" })).toThrow("cross-scope access");
    expect(t.read("api", { scope: "api" })[0]!.stats.count).toBe(1);
  });
});

describe("INPUT_SANITIZATION sanitizeProperties", () => {
  test("drops forbidden, invalid and too-long keys, strips control chars, truncates values", () => {
    const raw = JSON.parse('{"__proto__":{"polluted":true},"constructor":"x","prototype":"y","bad key":"1","ok.key-1":"a\\u0000b\\u202ec\\n","long":"' + "v".repeat(300) + '"}');
    raw["k".repeat(65)] = "z";
    const r = sanitizeProperties(raw);
    expect(r.props).toEqual({ "ok.key-1": "abc", long: "v".repeat(256) });
    expect(r.rejected.map((x) => x.reason)).toEqual(["forbidden key", "forbidden key", "forbidden key", "invalid key characters", "key too long"]);
    expect(r.truncated).toEqual(["long"]);
    expect(r.strippedChars).toBe(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.props)).toBe(Object.prototype);
  });

  test("key count limit and forbidden key helper", () => {
    const raw = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, "v"]));
    expect(Object.keys(sanitizeProperties(raw, { maxKeys: 3, maxKeyLength: 64, maxValueLength: 10 }).props)).toEqual(["k0", "k1", "k2"]);
    expect(isForbiddenKey("__proto__")).toBe(true);
    expect(isForbiddenKey("proto")).toBe(false);
  });

  test("stage drops invalid metric names and counts issues", () => {
    const s = new SanitizationStage();
    expect(s.process(metric({ name: "bad name!" }))).toEqual({ drop: "invalid metric name" });
    const out = s.process(metric({ props: { "bad key": "1", fine: "x\u0007" } }));
    expect(out).toMatchObject({ props: { fine: "x" } });
    expect([s.rejectedKeys, s.strippedChars]).toEqual([1, 1]);
  });
});

describe("PII_REDACTION", () => {
  test("redacts emails, IPv4/IPv6 and tokens", () => {
    const hits = { email: 0, ip: 0, token: 0, secretKey: 0 };
    expect(redactValue("mail jane.doe@example.com from 203.0.113.42 and 2001:db8::1", hits)).toBe("mail [email] from [ip] and [ip]");
    expect(redactValue("Authorization: Bearer abc.def-123", hits)).toBe("Authorization: [token]");
    expect(redactValue("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_123", hits)).toBe("jwt [token]");
    expect(redactValue("key sk_live_abcdef1234567890 aws AKIAABCDEFGHIJKLMNOP", hits)).toBe("key [token] aws [token]");
    expect(redactValue("version 1.2.3 not an ip, 999.1.1.1 neither", hits)).toBe("version 1.2.3 not an ip, 999.1.1.1 neither");
    expect(hits).toEqual({ email: 1, ip: 2, token: 4, secretKey: 0 });
  });

  test("sensitive keys are fully redacted; __proto__ key survives as data", () => {
    const props = JSON.parse('{"password":"hunter2","user":"a@b.io","__proto__":"x@y.io"}');
    const out = redactProperties(props);
    expect(out.password).toBe("[redacted]");
    expect(out.user).toBe("[email]");
    expect(Object.keys(out)).toEqual(["password", "user", "__proto__"]);
    const stage = new PiiRedactionStage();
    stage.process(metric({ props: { ip: "10.0.0.1" } }));
    expect(stage.hits.ip).toBe(1);
  });
});

describe("RBAC tokens", () => {
  const now = Date.UTC(2026, 0, 15, 12);
  test("sign / verify round trip, tamper, wrong secret, expiry", async () => {
    const claims = claimsFromSpec("viewer:api", now);
    expect(claims).toEqual({ sub: "viewer@api", role: "viewer", scope: "api", tenant: "default", exp: now / 1000 + 3600 });
    expect(claimsFromSpec("operator:api:acme:bot", now)).toMatchObject({ sub: "bot", role: "operator", scope: "api", tenant: "acme" });
    expect(() => claimsFromSpec("viewer:api:Not A Tenant", now)).toThrow("tenant");
    const token = await signToken(claims, "s3cret");
    expect(await verifyToken(token, "s3cret", now)).toEqual({ ok: true, claims });
    expect(await verifyToken(token, "other", now)).toEqual({ ok: false, reason: "bad signature" });
    const [p, s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin", scope: "*" })).toString("base64url");
    expect(await verifyToken(`${forged}.${s}`, "s3cret", now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyToken(`${p}`, "s3cret", now)).toEqual({ ok: false, reason: "malformed token" });
    expect(await verifyToken(token, "s3cret", now + 3601_000)).toEqual({ ok: false, reason: "token expired" });
  });

  test("claims validation and subscription rules", async () => {
    const bad = await signToken({ sub: "x", role: "viewer", scope: "*", tenant: "default", exp: 9e9 }, "k");
    expect(await verifyToken(bad, "k", 0)).toEqual({ ok: false, reason: "wildcard scope requires admin" });
    // A token without a tenant (the old format) is refused.
    const noTenant = await signToken({ sub: "x", role: "viewer", scope: "api", exp: 9e9 } as never, "k");
    expect(await verifyToken(noTenant, "k", 0)).toEqual({ ok: false, reason: "token carries no valid tenant" });
    expect(() => claimsFromSpec("root:api", 0)).toThrow("ROLE:SCOPE");
    const viewer = { sub: "a", role: "viewer", scope: "api", tenant: "acme", exp: 1 } as const;
    expect(canSubscribe(viewer, "api")).toBe(true);
    expect(canSubscribe(viewer, "web")).toBe(false);
    expect(canSubscribe({ ...viewer, role: "admin", scope: "*" }, "web")).toBe(true);
    expect(canIngest(viewer, "api")).toBe(false);
    expect(canIngest({ ...viewer, role: "operator" }, "api")).toBe(true);
    expect(canIngest({ ...viewer, role: "operator" }, "web")).toBe(false);
  });

  test("ingest rules: writer role, scope and tenant of every metric", () => {
    const op = { sub: "a", role: "operator", scope: "api", tenant: "acme", exp: 1 } as const;
    expect(ingestDenial(op, { scope: "api" })).toBeUndefined();
    expect(ingestDenial(op, { scope: "api", tenant: "acme" })).toBeUndefined();
    expect(ingestDenial(op, { scope: "api", tenant: "globex" })).toBe("token not valid for tenant globex");
    expect(ingestDenial(op, { scope: "web" })).toBe("token not valid for scope web");
    expect(ingestDenial({ ...op, role: "viewer" }, { scope: "api" })).toBe("role viewer may not ingest");
    const a = randomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomSecret()).not.toBe(a);
  });
});

describe("RATE_LIMIT", () => {
  test("connection limiter: max per scope, release frees a slot", () => {
    const c = new ConnectionLimiter();
    for (let i = 0; i < 10; i++) expect(c.tryAcquire("api")).toBe(true);
    expect(c.tryAcquire("api")).toBe(false);
    expect(c.tryAcquire("web")).toBe(true);
    c.release("api");
    expect(c.count("api")).toBe(9);
    expect(c.tryAcquire("api")).toBe(true);
  });

  test("message limiter: 100 per sliding minute; forget() releases a key", () => {
    const m = new MessageRateLimiter();
    for (let i = 0; i < 100; i++) expect(m.allow("c1", 1000 + i)).toBe(true);
    expect(m.allow("c1", 30_000)).toBe(false);
    expect(m.allow("c2", 30_000)).toBe(true);
    expect(m.used("c1", 30_000)).toBe(100);
    expect(m.remaining("c1", 30_000)).toBe(0);
    expect(m.allow("c1", 61_000)).toBe(true); // the first message (t=1000) left the window
    expect(m.keys).toBe(2);
    m.forget("c1");
    m.forget("c2");
    expect(m.keys).toBe(0);
    expect(m.used("c3", 0)).toBe(0);
    expect(m.keys).toBe(0); // reading does not create state
  });

  test("ingest stage limits per tenant and scope by the server clock, not metric time", () => {
    let clock = 1_000_000;
    const s = new RateLimitStage(new MessageRateLimiter(2), () => clock);
    // Metric timestamps 61 s apart do not open new windows.
    const out = [0, 1, 2].map((i) => s.process(metric({ ts: i * 61_000 })));
    expect(out[2]).toEqual({ drop: "rate limited" });
    expect(s.process(metric({ scope: "web" }))).toMatchObject({ scope: "web" });
    expect(s.process(metric({ tenant: "globex" }))).toMatchObject({ tenant: "globex" });
    expect(s.limited).toBe(1);
    expect(s.fits(new Map([["scope:/api", 1]]))).toBe(false);
    expect(s.fits(new Map([["scope:globex/api", 1]]))).toBe(true);
    expect(s.fits(new Map([["scope:globex/api", 2]]))).toBe(false);
    clock += 60_001; // the server's minute passed
    expect(s.process(metric())).toMatchObject({ scope: "api" });
  });
});
