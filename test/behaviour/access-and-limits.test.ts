/**
 * Behaviour proofs of the access and limit controls (data/security.yaml) against the built variants:
 * Scope Isolation, Input Sanitization, RBAC Token Validation, Per-Scope Connection Limit, Message Rate Limit.
 * One server per LIVE_STREAM variant, shared by every test of this file; variants without a server are
 * proven through their CLI. Each test is named `control: <record name>` › `variant <name>: ...`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/app/core/args.ts";
import type { Metric } from "../../src/app/core/types.ts";
import { createLegacySerializer } from "../../src/app/features/legacy-serializer.ts";
import { createV2Serializer } from "../../src/app/features/v2-serializer.ts";
import {
  AppServer,
  built,
  connect,
  eventually,
  has,
  limit,
  lines,
  runCli,
  sectionOf,
  sign,
  stopAll,
  tempDir,
  tempFile,
  token,
  VARIANTS,
  variantsFor,
  type Client,
  useHarness,
  type Variant,
} from "./harness.ts";

useHarness();

const SECRET = `behaviour-${crypto.randomUUID()}`;
const TIMEOUT = 60_000;
const servers = new Map<string, AppServer>();
let uniqueCounter = 0;
/** A scope name no other test uses (and that no sample or mock data has). */
const uniq = (prefix: string) => `${prefix}-${++uniqueCounter}`;
const nowTs = () => Date.now();

beforeAll(async () => {
  await Promise.all(VARIANTS.map(built));
  const started = await Promise.allSettled(
    VARIANTS.filter((v) => has(v, "LIVE_STREAM")).map((v) => AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET } })),
  );
  for (const s of started) if (s.status === "fulfilled") servers.set(s.value.variant.name, s.value);
  const failed = started.filter((s) => s.status === "rejected");
  if (failed.length) throw new Error(failed.map((f) => String((f as PromiseRejectedResult).reason)).join("\n"));
}, 120_000);

afterAll(() => stopAll(servers.values()));

function serverOf(v: Variant): AppServer {
  const s = servers.get(v.name);
  if (!s) throw new Error(`no server for ${v.name}`);
  return s;
}

const rowNames = (rows: { name: string }[]) => rows.map((r) => r.name).sort();

describe("control: Scope Isolation", () => {
  const variants = variantsFor("Scope Isolation");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    if (has(v, "RBAC", "LIVE_STREAM")) {
      test(`variant ${v.name}: a token of tenant A never receives tenant B's data; cross-scope and cross-tenant writes are refused`, async () => {
        const s = serverOf(v);
        const scope = uniq("iso");
        const other = uniq("iso");
        const [aRead, aWrite, bWrite, aOther] = await Promise.all([
          token(SECRET, "viewer", scope, "tenant-a"),
          token(SECRET, "operator", scope, "tenant-a"),
          token(SECRET, "operator", scope, "tenant-b"),
          token(SECRET, "viewer", other, "tenant-a"),
        ]);
        // Tenant B writes a secret metric under the same scope name.
        expect((await s.post("/ingest", lines([{ name: "secret.revenue", value: 1e6, scope, ts: nowTs() }]), bWrite)).status).toBe(200);
        const c = await connect(`${s.ws}?scope=${scope}&token=${aRead}`);
        try {
          expect(await c.next()).toEqual({ type: "snapshot", scope, rows: [] });
          // B writes again (published to B's subscribers only), then A writes: A's next message is A's own update.
          expect((await s.post("/ingest", lines([{ name: "secret.revenue", value: 2e6, scope, ts: nowTs() }]), bWrite)).status).toBe(200);
          expect((await s.post("/ingest", lines([{ name: "own.metric", value: 1, scope, ts: nowTs() }]), aWrite)).status).toBe(200);
          const update = await c.next();
          expect(update.type).toBe("update");
          expect(rowNames(update.rows)).toEqual(["own.metric"]);
          if (has(v, "ENTERPRISE")) expect(update.rows.map((r: { tenant?: string }) => r.tenant)).toEqual(["tenant-a"]);
          // A metric claiming tenant B, a metric of another scope (even "via" this one): the whole request is refused.
          const forged = await s.post("/ingest", lines([{ name: "forged", value: 1, scope, tenant: "tenant-b", ts: nowTs() }]), aWrite);
          expect(forged.status).toBe(403);
          const cross = await s.post("/ingest", lines([{ name: "ok", value: 1, scope, ts: nowTs() }, { name: "x", value: 1, scope: other, via: scope, ts: nowTs() }]), aWrite);
          expect(cross.status).toBe(403);
          // Reads: this scope still holds only A's metric; another scope's subscription needs a token for it.
          c.ws.send("snapshot");
          const again = await c.next();
          expect(again.type).toBe("snapshot");
          expect(rowNames(again.rows)).toEqual(["own.metric"]);
          expect(await s.upgradeStatus(`scope=${other}&token=${aRead}`)).toBe(403);
          const o = await connect(`${s.ws}?scope=${other}&token=${aOther}`);
          expect((await o.next()).rows).toEqual([]);
          await o.close();
          expect(c.pending()).toBe(0);
        } finally {
          await c.close();
        }
      }, TIMEOUT);
    } else if (has(v, "LIVE_STREAM")) {
      test(`variant ${v.name}: a subscriber of one scope receives only that scope; a metric sent via another scope is rejected`, async () => {
        const s = serverOf(v);
        const scope = uniq("iso");
        const other = uniq("iso");
        const c = await connect(`${s.ws}?scope=${scope}`);
        try {
          expect(await c.next()).toEqual({ type: "snapshot", scope, rows: [] });
          const res = await s.post(
            "/ingest",
            lines([
              { name: "mine", value: 1, scope, ts: nowTs() },
              { name: "theirs", value: 1, scope: other, ts: nowTs() },
              { name: "smuggled", value: 1, scope, via: other, ts: nowTs() },
            ]),
          );
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({ accepted: 2, rejected: 1 });
          const update = await c.next();
          expect(update).toMatchObject({ type: "update", scope });
          expect(rowNames(update.rows)).toEqual(["mine"]);
          c.ws.send("snapshot");
          const again = await c.next();
          expect(again.type).toBe("snapshot"); // no update of the other scope came first
          expect(rowNames(again.rows)).toEqual(["mine"]);
          // Without RBAC, ingest is for loopback clients only, and the server says so.
          expect(s.stderr).toContain("POST /ingest accepts loopback clients only");
        } finally {
          await c.close();
        }
      }, TIMEOUT);
    } else {
      test(`variant ${v.name}: records and reads outside the caller's scope are refused`, async () => {
        const args = has(v, "MOCK_API")
          ? ["--scope=api", "--count=60"]
          : [
              tempFile(
                "scopes.jsonl",
                lines([
                  { name: "a", value: 1, scope: "api", ts: 1_000 },
                  { name: "b", value: 1, scope: "web", ts: 2_000 },
                  { name: "c", value: 1, scope: "api", via: "web", ts: 3_000 },
                ]),
              ),
              "--scope=api",
            ];
        const r = await runCli(v, args);
        expect(r.code).toBe(0);
        const rows = sectionOf(r.out, "aggregates").slice(1);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row).toMatch(/^(?:[^:\s]+:)?api\//);
        expect(r.out).toContain('read web as api: denied (scope violation: read of scope "web" by scope "api": cross-scope access)');
        const rejected = Number(/^rejected records: (\d+)$/m.exec(r.out)?.[1] ?? -1);
        expect(rejected).toBeGreaterThan(0);
      }, TIMEOUT);
    }
  }
});

describe("control: Input Sanitization", () => {
  const variants = variantsFor("Input Sanitization");
  const KEY = limit("Input Sanitization", "Property key length");
  const VALUE = limit("Input Sanitization", "Property value length");
  const COUNT = limit("Input Sanitization", "Properties per metric");
  const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  /** Hostile metrics at the record's limits (and one past them). */
  function hostileInput(ts: number): string {
    const many: Record<string, string> = {};
    for (let i = 0; i < COUNT + 8; i++) many[`k${String(i).padStart(3, "0")}`] = "x";
    return [
      JSON.stringify({ name: "hostile.count", value: 1, scope: "api", ts, props: many }),
      JSON.stringify({ name: "hostile.keys", value: 1, scope: "api", ts, props: { ["k".repeat(KEY + 1)]: "too long", ["k".repeat(KEY)]: "longest", "bad key": "space" } }),
      JSON.stringify({ name: "hostile.values", value: 1, scope: "api", ts, props: { long: "v".repeat(VALUE + 44), longest: "w".repeat(VALUE) } }),
      '{"name":"hostile.forbidden","value":1,"scope":"api","ts":' + ts + ',"props":{"__proto__":"p","constructor":"c","prototype":"q","note":"a\\u0000b\\u202ec\\u0007"}}',
      JSON.stringify({ name: "bad name!", value: 1, scope: "api", ts, props: {} }),
    ].join("\n");
  }

  /** The samples a CLI run stored, read back from its --out snapshot. */
  function snapshotOf(v: Variant, dir: string): Metric[] {
    const file = readdirSync(dir).find((f) => f.startsWith("snapshot."));
    if (!file) throw new Error(`no snapshot in ${dir}`);
    let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(readFileSync(join(dir, file)));
    if (file.endsWith(".gz")) bytes = Bun.gunzipSync(bytes);
    const serializer = has(v, "V2_SERIALIZER") ? createV2Serializer() : createLegacySerializer();
    return serializer.deserialize(new TextDecoder().decode(bytes));
  }

  for (const v of variants) {
    test(`variant ${v.name}: property key length ${KEY}, value length ${VALUE} and count ${COUNT} hold; forbidden keys, control characters and bad names are removed`, async () => {
      const out = tempDir(`sanitize-${v.name}`);
      const ts = Date.UTC(2026, 0, 15, 12);
      const mock = has(v, "MOCK_API");
      const args = mock ? ["--count=20", "--mock-hostile=5", `--out=${out}`] : [tempFile("hostile.jsonl", hostileInput(ts)), `--now=${ts}`, `--out=${out}`];
      const r = await runCli(v, args);
      expect(r.code).toBe(0);
      const stored = snapshotOf(v, out);
      expect(stored.length).toBeGreaterThan(0);
      for (const m of stored) {
        const keys = Object.keys(m.props);
        expect({ name: m.name, count: keys.length <= COUNT }).toEqual({ name: m.name, count: true });
        for (const k of keys) {
          expect({ k, ok: k.length <= KEY && !["__proto__", "constructor", "prototype"].includes(k) }).toEqual({ k, ok: true });
          const value = m.props[k]!;
          expect({ k, ok: value.length <= VALUE && !CONTROL.test(value) }).toEqual({ k, ok: true });
        }
      }
      const names = stored.map((m) => m.name);
      expect(names).not.toContain("bad name!");
      const counters = sectionOf(r.out, "input sanitization")[0] ?? "";
      const [rejectedKeys, truncated, stripped] = [...counters.matchAll(/: (\d+)/g)].map((x) => Number(x[1]));
      expect(rejectedKeys).toBeGreaterThan(0);
      expect(truncated).toBeGreaterThan(0);
      expect(stripped).toBeGreaterThan(0);
      if (!mock) {
        // At the limits exactly: the first COUNT keys, the KEY-long key and the VALUE-long value are kept intact.
        const by = (n: string) => stored.find((m) => m.name === n)!;
        expect(Object.keys(by("hostile.count").props)).toEqual(Array.from({ length: COUNT }, (_, i) => `k${String(i).padStart(3, "0")}`));
        expect(Object.keys(by("hostile.keys").props)).toEqual(["k".repeat(KEY)]);
        expect(by("hostile.values").props).toEqual({ long: "v".repeat(VALUE), longest: "w".repeat(VALUE) });
        expect(by("hostile.forbidden").props).toEqual({ note: "abc" });
        expect(Object.getPrototypeOf(by("hostile.forbidden").props)).toBe(Object.prototype);
      }
    }, TIMEOUT);

    if (has(v, "LIVE_STREAM")) {
      test(`variant ${v.name}: an ingest body over ${DEFAULT_MAX_BODY_BYTES} bytes is refused with 413; one of that size is read`, async () => {
        const s = serverOf(v);
        const scope = uniq("body");
        const writer = has(v, "RBAC") ? await token(SECRET, "operator", scope, "tenant-a") : undefined;
        const over = await s.post("/ingest", "#".repeat(DEFAULT_MAX_BODY_BYTES + 1), writer);
        expect(over.status).toBe(413);
        // A comment line of exactly the limit: read, nothing in it.
        const at = await s.post("/ingest", "#".repeat(DEFAULT_MAX_BODY_BYTES), writer);
        expect(at.status).toBe(200);
        expect(await at.json()).toEqual({ accepted: 0, rejected: 0, dropped: 0, scopes: [] });
      }, TIMEOUT);
    }
  }
});

describe("control: RBAC Token Validation", () => {
  const variants = variantsFor("RBAC Token Validation");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  test("all variants: no default signing secret is compiled into any bundle", async () => {
    for (const v of VARIANTS) {
      const text = await Bun.file(await built(v)).text();
      expect({ variant: v.name, devSecret: text.includes("dev-secret") }).toEqual({ variant: v.name, devSecret: false });
    }
  }, TIMEOUT);

  for (const v of variants) {
    test(`variant ${v.name}: anonymous, forged, expired, tenantless and wrongly-scoped subscriptions and ingests are refused`, async () => {
      const s = serverOf(v);
      const scope = uniq("rbac");
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const [viewer, operator, devSigned, devWriter, expired, tenantless, otherScope] = await Promise.all([
        token(SECRET, "viewer", scope, "tenant-a"),
        token(SECRET, "operator", scope, "tenant-a"),
        sign({ sub: "x", role: "admin", scope: "*", tenant: "tenant-a", exp }, "dev-secret"),
        sign({ sub: "x", role: "operator", scope, tenant: "tenant-a", exp }, "dev-secret"),
        sign({ sub: "x", role: "viewer", scope, tenant: "tenant-a", exp: Math.floor(Date.now() / 1000) - 1 }, SECRET),
        sign({ sub: "x", role: "viewer", scope, exp }, SECRET),
        token(SECRET, "viewer", "elsewhere", "tenant-a"),
      ]);
      // Subscriptions.
      expect(await s.upgradeStatus(`scope=${scope}`)).toBe(401);
      expect(await s.upgradeStatus(`scope=${scope}&token=${devSigned}`)).toBe(401);
      expect(await s.upgradeStatus(`scope=${scope}&token=${expired}`)).toBe(401);
      expect(await s.upgradeStatus(`scope=${scope}&token=${tenantless}`)).toBe(401);
      expect(await s.upgradeStatus(`scope=${scope}&token=${otherScope}`)).toBe(403);
      const c = await connect(`${s.ws}?scope=${scope}&token=${viewer}`);
      try {
        expect(await c.next()).toEqual({ type: "snapshot", scope, rows: [] });
        // Ingests: anonymous, forged, read-only and wrongly-scoped are refused, and nothing reaches the subscriber.
        const body = lines([{ name: "m", value: 1, scope, ts: nowTs() }]);
        expect((await s.post("/ingest", body)).status).toBe(401);
        expect((await s.post("/ingest", body, devWriter)).status).toBe(401);
        expect((await s.post("/ingest", body, tenantless)).status).toBe(401);
        expect((await s.post("/ingest", body, viewer)).status).toBe(403);
        expect((await s.post("/ingest", lines([{ name: "m", value: 1, scope: "elsewhere", ts: nowTs() }]), operator)).status).toBe(403);
        // The right token is accepted and its update reaches the subscriber first.
        const ok = await s.post("/ingest", body, operator);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ accepted: 1, scopes: [scope] });
        const update = await c.next();
        expect(update.type).toBe("update");
        expect(rowNames(update.rows)).toEqual(["m"]);
        expect(update.rows[0].stats.count).toBe(1);
      } finally {
        await c.close();
      }
    }, TIMEOUT);

    // Only mock-data builds may invent a secret; staging (DEBUG, real data) must be given one.
    const development = has(v, "MOCK_API");
    test(`variant ${v.name}: ${development ? "without PERF_TOKEN_SECRET it uses a random per-process secret, printed once" : "refuses to start without PERF_TOKEN_SECRET"}`, async () => {
      if (!development) {
        const r = await runCli(v, ["--serve", "--port=0", "--host=127.0.0.1"]);
        expect(r.code).toBe(2);
        expect(r.err).toContain("refusing to start: RBAC needs a signing secret");
        expect(r.out).not.toContain("serving");
        return;
      }
      const s = await AppServer.start(v);
      try {
        expect(await eventually(() => s.stderr.includes("random per-process secret"))).toBe(true);
        const printed = [...s.stderr.matchAll(/random per-process secret: (\S+)/g)].map((m) => m[1]!);
        expect(printed).toHaveLength(1);
        const secret = printed[0]!;
        expect(secret.length).toBeGreaterThanOrEqual(32);
        const scope = uniq("rnd");
        expect(await s.upgradeStatus(`scope=${scope}&token=${await token("dev-secret", "viewer", scope, "tenant-a")}`)).toBe(401);
        const c = await connect(`${s.ws}?scope=${scope}&token=${await token(secret, "viewer", scope, "tenant-a")}`);
        expect((await c.next()).type).toBe("snapshot");
        await c.close();
      } finally {
        await s.stop("SIGKILL");
      }
    }, TIMEOUT);
  }
});

describe("control: Per-Scope Connection Limit", () => {
  const variants = variantsFor("Per-Scope Connection Limit");
  const MAX = limit("Per-Scope Connection Limit", "Connections");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(`variant ${v.name}: connection ${MAX + 1} in one scope is refused with 429; a freed slot is reusable`, async () => {
      const s = serverOf(v);
      const scope = uniq("conn");
      const tok = has(v, "RBAC") ? await token(SECRET, "viewer", scope, "tenant-a") : "";
      const url = `${s.ws}?scope=${scope}${tok ? `&token=${tok}` : ""}`;
      const query = `scope=${scope}${tok ? `&token=${tok}` : ""}`;
      const open: Client[] = [];
      try {
        for (let i = 0; i < MAX; i++) {
          const c = await connect(url);
          expect((await c.next()).type).toBe("snapshot");
          open.push(c);
        }
        expect(await s.upgradeStatus(query)).toBe(429);
        // Another scope, and another tenant's same scope, have their own slots.
        const elsewhere = uniq("conn");
        const e = await connect(`${s.ws}?scope=${elsewhere}${has(v, "RBAC") ? `&token=${await token(SECRET, "viewer", elsewhere, "tenant-a")}` : ""}`);
        await e.close();
        if (has(v, "RBAC")) {
          const b = await connect(`${s.ws}?scope=${scope}&token=${await token(SECRET, "viewer", scope, "tenant-b")}`);
          await b.close();
        }
        // Free one slot: a new connection gets it (once the server has seen the close), and the limit holds again.
        await open.shift()!.close();
        let reused: Client | undefined;
        for (let i = 0; i < 100 && !reused; i++) {
          reused = await connect(url).catch(() => undefined);
          if (!reused) await Bun.sleep(20);
        }
        expect(reused).toBeDefined();
        open.push(reused!);
        expect((await reused!.next()).type).toBe("snapshot");
        expect(await s.upgradeStatus(query)).toBe(429);
      } finally {
        await Promise.all(open.map((c) => c.close()));
      }
      // Every slot is released once all are closed: the scope takes MAX connections again.
      const again: Client[] = [];
      try {
        for (let i = 0; i < MAX; i++) {
          let c: Client | undefined;
          for (let t = 0; t < 100 && !c; t++) {
            c = await connect(url).catch(() => undefined);
            if (!c) await Bun.sleep(20);
          }
          expect(c).toBeDefined();
          again.push(c!);
        }
      } finally {
        await Promise.all(again.map((c) => c.close()));
      }
    }, TIMEOUT);
  }
});

describe("control: Message Rate Limit", () => {
  const variants = variantsFor("Message Rate Limit");
  const N = limit("Message Rate Limit", "Messages");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(`variant ${v.name}: message ${N + 1} within a minute closes the connection with 1008`, async () => {
      const s = serverOf(v);
      const scope = uniq("msg");
      const tok = has(v, "RBAC") ? await token(SECRET, "viewer", scope, "tenant-a") : "";
      const url = `${s.ws}?scope=${scope}${tok ? `&token=${tok}` : ""}`;
      const c = await connect(url);
      try {
        expect((await c.next()).type).toBe("snapshot");
        for (let i = 0; i < N; i++) c.ws.send("ping");
        for (let i = 0; i < N; i++) expect(await c.next()).toEqual({ type: "pong" });
        c.ws.send("ping");
        expect(await Promise.race([c.closed, Bun.sleep(10_000).then(() => -1)])).toBe(1008);
      } finally {
        await c.close();
      }
      // The limit is per connection: a new one starts afresh.
      const d = await connect(url);
      try {
        await d.next();
        d.ws.send("ping");
        expect(await d.next()).toEqual({ type: "pong" });
      } finally {
        await d.close();
      }
    }, TIMEOUT);

    if (has(v, "RBAC")) {
      test(`variant ${v.name}: ingest counts ${N} metrics a minute per tenant and scope by the server's clock, not metric timestamps`, async () => {
        const s = serverOf(v);
        const scope = uniq("rate");
        const writer = await token(SECRET, "operator", scope, "tenant-a");
        const base = nowTs();
        // 3N metrics with timestamps 61 s apart: refused whole.
        const spread = lines(Array.from({ length: 3 * N }, (_, i) => ({ name: `m${i}`, value: i, scope, ts: base + i * 61_000 })));
        const refused = await s.post("/ingest", spread, writer);
        expect(refused.status).toBe(429);
        expect(refused.headers.get("retry-after")).toBe("60");
        // N fit (distinct series, so no sampling), the next one does not; another tenant has its own budget.
        const ok = await s.post("/ingest", lines(Array.from({ length: N }, (_, i) => ({ name: `m${i}`, value: i, scope, ts: base - i * 61_000 }))), writer);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ accepted: N, dropped: 0 });
        expect((await s.post("/ingest", lines([{ name: "late", value: 1, scope, ts: base + 3_600_000 }]), writer)).status).toBe(429);
        const otherTenant = await token(SECRET, "operator", scope, "tenant-b");
        expect((await s.post("/ingest", lines([{ name: "b", value: 1, scope, ts: base }]), otherTenant)).status).toBe(200);
        // Nothing of the refused requests was stored.
        const c = await connect(`${s.ws}?scope=${scope}&token=${await token(SECRET, "viewer", scope, "tenant-a")}`);
        try {
          const snap = await c.next();
          expect(snap.rows).toHaveLength(N);
          expect(snap.rows.every((r: { stats: { count: number } }) => r.stats.count === 1)).toBe(true);
        } finally {
          await c.close();
        }
      }, TIMEOUT);
    }
  }
});
