import { describe, expect, test } from "bun:test";
import { MasterPerfTracker } from "../../src/app/core/tracker.ts";
import { isForbiddenKey, SanitizationStage, sanitizeProperties } from "../../src/app/features/input-sanitization.ts";
import { PiiRedactionStage, redactProperties, redactValue } from "../../src/app/features/pii-redaction.ts";
import {
  ConnectionLimiter,
  IngestRateLimit,
  MessageRateLimiter,
  rateKey,
  sampleBytes,
  TenantQuota,
} from "../../src/app/features/rate-limit.ts";
import {
  accessDenial,
  canIngest,
  claimsFromSpec,
  ingestDenial,
  randomSecret,
  signToken,
  verifyToken,
} from "../../src/app/features/rbac.ts";
import { ScopeViolationError, validateMetricScope } from "../../src/app/features/scope-isolation.ts";
import { metric } from "./helpers.ts";

describe("SCOPE_ISOLATION validateMetricScope", () => {
  const acmePublic = { scope: "Public", tenant: "acme" } as const;
  test("own scope and tenant pass; another scope, another tenant, unknown or missing scope and tenant throw", () => {
    expect(() => validateMetricScope(acmePublic, { scope: "Public", tenant: "acme" })).not.toThrow();
    expect(() => validateMetricScope(acmePublic, { scope: "Enterprise", tenant: "acme" })).toThrow("cross-scope access");
    expect(() => validateMetricScope(acmePublic, { scope: "Public", tenant: "globex" })).toThrow("cross-tenant access");
    expect(() => validateMetricScope(acmePublic, {})).toThrow("caller scope required");
    expect(() => validateMetricScope(acmePublic, { scope: "Public" })).toThrow("caller tenant required");
    expect(() => validateMetricScope(acmePublic, { scope: "api", tenant: "acme" })).toThrow("unknown caller scope");
    expect(() => validateMetricScope({ scope: "Nope" as never, tenant: "acme" }, { scope: "Nope", tenant: "acme" }, "read")).toThrow(
      "unknown scope",
    );
    try {
      validateMetricScope(acmePublic, { scope: "Enterprise", tenant: "acme" }, "read");
      throw new Error("not refused");
    } catch (e) {
      expect(e).toBeInstanceOf(ScopeViolationError);
      expect(e as ScopeViolationError).toMatchObject({ owner: acmePublic, caller: { scope: "Enterprise", tenant: "acme" }, op: "read" });
      expect((e as Error).message).toBe("scope violation: read of acme@Public by acme@Enterprise: cross-scope access");
    }
  });

  test("as tracker guard: records and reads of another scope or tenant throw", () => {
    const t = new MasterPerfTracker().setScopeGuard(validateMetricScope);
    t.record(metric(), acmePublic);
    expect(() => t.record(metric(), { scope: "Enterprise", tenant: "acme" })).toThrow(ScopeViolationError);
    expect(() => t.record(metric(), { scope: "Public", tenant: "globex" })).toThrow(ScopeViolationError);
    expect(() => t.read(acmePublic, { scope: "Enterprise", tenant: "acme" })).toThrow("cross-scope access");
    expect(() => t.read(acmePublic, { scope: "Public", tenant: "globex" })).toThrow("cross-tenant access");
    expect(t.read(acmePublic, acmePublic)[0]!.stats.count).toBe(1);
    expect(t.read({ scope: "Enterprise", tenant: "acme" }, { scope: "Enterprise", tenant: "acme" })).toEqual([]);
  });
});

describe("INPUT_SANITIZATION sanitizeProperties", () => {
  test("drops forbidden, invalid and too-long keys, strips control chars, truncates values", () => {
    const raw = JSON.parse(
      `{"__proto__":{"polluted":true},"constructor":"x","prototype":"y","bad key":"1","ok.key-1":"a\\u0000b\\u202ec\\n","long":"${"v".repeat(300)}"}`,
    );
    raw["k".repeat(65)] = "z";
    const r = sanitizeProperties(raw);
    expect(r.props).toEqual({ "ok.key-1": "abc", long: "v".repeat(256) });
    expect(r.rejected.map((x) => x.reason)).toEqual([
      "forbidden key",
      "forbidden key",
      "forbidden key",
      "invalid key characters",
      "key too long",
    ]);
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
    const claims = claimsFromSpec("viewer:Public", now);
    expect(claims).toEqual({ sub: "viewer@default", role: "viewer", scope: "Public", tenant: "default", exp: now / 1000 + 3600 });
    expect(claimsFromSpec("operator:Enterprise:acme:bot", now)).toMatchObject({
      sub: "bot",
      role: "operator",
      scope: "Enterprise",
      tenant: "acme",
    });
    expect(() => claimsFromSpec("viewer:Public:Not A Tenant", now)).toThrow("tenant");
    expect(() => claimsFromSpec("viewer:api:acme", now)).toThrow("SCOPE in Public|Enterprise|Development|Internal");
    const token = await signToken(claims, "s3cret");
    expect(await verifyToken(token, "s3cret", now)).toEqual({ ok: true, claims });
    expect(await verifyToken(token, "other", now)).toEqual({ ok: false, reason: "bad signature" });
    const [p, s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin", scope: "Internal" })).toString("base64url");
    expect(await verifyToken(`${forged}.${s}`, "s3cret", now)).toEqual({ ok: false, reason: "bad signature" });
    expect(await verifyToken(`${p}`, "s3cret", now)).toEqual({ ok: false, reason: "malformed token" });
    expect(await verifyToken(token, "s3cret", now + 3601_000)).toEqual({ ok: false, reason: "token expired" });
  });

  test("claims validation and access rules", async () => {
    // Unknown scope names (the old metric namespaces, a wildcard, a typo) are refused.
    for (const scope of ["*", "api", "Nope", "public"]) {
      const bad = await signToken({ sub: "x", role: "admin", scope, tenant: "default", exp: 9e9 } as never, "k");
      expect(await verifyToken(bad, "k", 0)).toEqual({ ok: false, reason: "token names an unknown scope" });
    }
    // A token without a tenant (the old format) is refused.
    const noTenant = await signToken({ sub: "x", role: "viewer", scope: "Public", exp: 9e9 } as never, "k");
    expect(await verifyToken(noTenant, "k", 0)).toEqual({ ok: false, reason: "token carries no valid tenant" });
    expect(() => claimsFromSpec("root:Public", 0)).toThrow("ROLE:SCOPE");
    const viewer = { sub: "a", role: "viewer", scope: "Public", tenant: "acme", exp: 1 } as const;
    expect(accessDenial(viewer, {})).toBeUndefined();
    expect(accessDenial(viewer, { scope: "Public", tenant: "acme" })).toBeUndefined();
    expect(accessDenial(viewer, { scope: "Enterprise" })).toBe("token not valid for scope Enterprise");
    expect(accessDenial(viewer, { tenant: "globex" })).toBe("token not valid for tenant globex");
    expect(canIngest(viewer)).toBe(false);
    expect(canIngest({ ...viewer, role: "operator" })).toBe(true);
  });

  test("ingest rules: writer role, scope and tenant of every metric", () => {
    const op = { sub: "a", role: "operator", scope: "Public", tenant: "acme", exp: 1 } as const;
    expect(ingestDenial(op, { scope: "Public", tenant: "acme" })).toBeUndefined();
    expect(ingestDenial(op, { scope: "Public", tenant: "globex" })).toBe("token not valid for tenant globex");
    expect(ingestDenial(op, { scope: "Enterprise", tenant: "acme" })).toBe("token not valid for scope Enterprise");
    expect(ingestDenial({ ...op, role: "viewer" }, { scope: "Public", tenant: "acme" })).toBe("role viewer may not ingest");
    const a = randomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomSecret()).not.toBe(a);
  });
});

describe("RATE_LIMIT", () => {
  test("connection limiter: max per tenant in a scope, release frees a slot", () => {
    const c = new ConnectionLimiter();
    const acme = rateKey({ scope: "Public", tenant: "acme" });
    for (let i = 0; i < 10; i++) expect(c.tryAcquire(acme)).toBe(true);
    expect(c.tryAcquire(acme)).toBe(false);
    expect(c.tryAcquire(rateKey({ scope: "Public", tenant: "globex" }))).toBe(true);
    expect(c.tryAcquire(rateKey({ scope: "Enterprise", tenant: "acme" }))).toBe(true);
    c.release(acme);
    expect(c.count(acme)).toBe(9);
    expect(c.tryAcquire(acme)).toBe(true);
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

  test("ingest limit: a request's lines per tenant in a scope, all or nothing, by the server clock", () => {
    let clock = 1_000_000;
    const s = new IngestRateLimit(new MessageRateLimiter(3), () => clock);
    const acme = rateKey(metric());
    expect(acme).toBe("acme@Public");
    expect(s.take(new Map([[acme, 2]]))).toBe(true);
    // Two more do not fit: refused whole, and nothing of them is taken.
    expect(s.take(new Map([[acme, 2]]))).toBe(false);
    expect(s.take(new Map([[acme, 1]]))).toBe(true);
    expect(s.take(new Map([[acme, 1]]))).toBe(false);
    // Another scope or tenant has its own budget; a request that does not fit for one key takes nothing for any.
    expect(
      s.take(
        new Map([
          ["globex@Public", 2],
          [acme, 1],
        ]),
      ),
    ).toBe(false);
    expect(s.fits(new Map([["globex@Public", 3]]))).toBe(true);
    expect(s.take(new Map([["acme@Enterprise", 3]]))).toBe(true);
    expect(s.limited).toBe(3);
    clock += 60_001; // the server's minute passed
    expect(s.take(new Map([[acme, 3]]))).toBe(true);
  });

  test("tenant quota: stored bytes per tenant in a scope, recounted after purges", () => {
    const q = new TenantQuota(1000);
    const m = metric({ props: { pad: "p".repeat(100) } });
    const size = sampleBytes(m);
    expect(size).toBe(Buffer.byteLength(JSON.stringify(m)));
    const n = Math.floor(1000 / size);
    for (let i = 0; i < n; i++) q.add(m);
    expect(q.used("acme@Public")).toBe(n * size);
    expect(q.fits(new Map([["acme@Public", size]]))).toBe(false);
    expect(q.fits(new Map([["acme@Public", 1000 - n * size]]))).toBe(true);
    expect(q.fits(new Map([["globex@Public", 1000]]))).toBe(true);
    q.recount([m]);
    expect(q.used("acme@Public")).toBe(size);
  });
});
