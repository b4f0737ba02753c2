/**
 * Behaviour proofs of the access and limit controls (data/security.yaml) against the built variants:
 * Scope Isolation, Input Sanitization, RBAC Token Validation, Per-Tenant Connection Limit, Message Rate Limit.
 * Scopes are the records' (data/scopes.yaml); tests share one server per variant and keep apart by tenant.
 * One server per LIVE_STREAM variant, shared by every test of this file; variants without a server are
 * proven through their CLI. Each test is named `control: <record name>` › `variant <name>: ...`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
  serveVariants,
  sign,
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
let uniqueCounter = 0;
/** A tenant id no other test uses (and that no sample or mock data has). */
const uniq = (prefix: string) => `${prefix}-${++uniqueCounter}`;

/** The query of a subscription: with RBAC the token names scope and tenant; without it the parameters do. */
function subscription(v: Variant, o: { namespace: string; scope: string; tenant: string; token?: string }): string {
  return has(v, "RBAC") ? `namespace=${o.namespace}&token=${o.token}` : `namespace=${o.namespace}&scope=${o.scope}&tenant=${o.tenant}`;
}
const nowTs = () => Date.now();

beforeAll(() => Promise.all(VARIANTS.map(built)), 120_000);
const serverOf = serveVariants(() => VARIANTS.filter((v) => has(v, "LIVE_STREAM")), { PERF_TOKEN_SECRET: SECRET });

const rowNames = (rows: { name: string }[]) => rows.map((r) => r.name).sort();

describe("control: Scope Isolation", () => {
  const variants = variantsFor("Scope Isolation");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    if (has(v, "RBAC", "LIVE_STREAM")) {
      test(
        `variant ${v.name}: a token reads and writes only its own scope and tenant; another tenant, or the same tenant id in another scope, never sees its data`,
        async () => {
          const s = serverOf(v);
          const a = uniq("iso");
          const b = uniq("iso");
          const ns = "api";
          const [aRead, aWrite, bWrite, aEnterpriseRead, aEnterpriseWrite] = await Promise.all([
            token(SECRET, "viewer", "Public", a),
            token(SECRET, "operator", "Public", a),
            token(SECRET, "operator", "Public", b),
            token(SECRET, "viewer", "Enterprise", a),
            token(SECRET, "operator", "Enterprise", a),
          ]);
          // Tenant B writes a secret metric under the same scope and namespace.
          expect(
            (await s.post("/ingest", lines([{ name: "secret.revenue", value: 1e6, namespace: ns, ts: nowTs() }]), bWrite)).status,
          ).toBe(200);
          const c = await connect(`${s.ws}?namespace=${ns}&token=${aRead}`);
          try {
            expect(await c.next()).toEqual({ type: "snapshot", scope: "Public", tenant: a, namespace: ns, rows: [] });
            // B writes again (published to B's subscribers only), then A writes: A's next message is A's own update.
            expect(
              (await s.post("/ingest", lines([{ name: "secret.revenue", value: 2e6, namespace: ns, ts: nowTs() }]), bWrite)).status,
            ).toBe(200);
            expect((await s.post("/ingest", lines([{ name: "own.metric", value: 1, namespace: ns, ts: nowTs() }]), aWrite)).status).toBe(
              200,
            );
            const update = await c.next();
            expect(update.type).toBe("update");
            expect(rowNames(update.rows)).toEqual(["own.metric"]);
            if (has(v, "ENTERPRISE"))
              expect(update.rows.map((r: { scope?: string; tenant?: string }) => `${r.tenant}@${r.scope}`)).toEqual([`${a}@Public`]);
            // A metric claiming tenant B, a metric of another scope: the whole request is refused.
            const forged = await s.post("/ingest", lines([{ name: "forged", value: 1, namespace: ns, tenant: b, ts: nowTs() }]), aWrite);
            expect(forged.status).toBe(403);
            const cross = await s.post(
              "/ingest",
              lines([
                { name: "ok", value: 1, namespace: ns, ts: nowTs() },
                { name: "x", value: 1, namespace: ns, scope: "Enterprise", ts: nowTs() },
              ]),
              aWrite,
            );
            expect(cross.status).toBe(403);
            // The same tenant id in scope Enterprise is another tenant: its write does not reach A in Public, and its
            // token reads only its own data and may not ask for Public's.
            expect(
              (await s.post("/ingest", lines([{ name: "enterprise.only", value: 1, namespace: ns, ts: nowTs() }]), aEnterpriseWrite))
                .status,
            ).toBe(200);
            expect(await s.upgradeStatus(`namespace=${ns}&scope=Public&token=${aEnterpriseRead}`)).toBe(403);
            expect(await s.upgradeStatus(`namespace=${ns}&tenant=${b}&token=${aRead}`)).toBe(403);
            const e = await connect(`${s.ws}?namespace=${ns}&token=${aEnterpriseRead}`);
            const eSnap = await e.next();
            expect(eSnap).toMatchObject({ type: "snapshot", scope: "Enterprise", tenant: a, namespace: ns });
            expect(rowNames(eSnap.rows)).toEqual(["enterprise.only"]);
            await e.close();
            // Reads: this scope and tenant still hold only A's metric.
            c.ws.send("snapshot");
            const again = await c.next();
            expect(again.type).toBe("snapshot");
            expect(rowNames(again.rows)).toEqual(["own.metric"]);
            expect(c.pending()).toBe(0);
          } finally {
            await c.close();
          }
        },
        TIMEOUT,
      );
    } else if (has(v, "LIVE_STREAM")) {
      test(
        `variant ${v.name}: a subscriber receives only its scope and tenant; a metric sent by another tenant ("via") is rejected`,
        async () => {
          const s = serverOf(v);
          const a = uniq("iso");
          const b = uniq("iso");
          const ns = "api";
          const c = await connect(`${s.ws}?namespace=${ns}&scope=Development&tenant=${a}`);
          try {
            expect(await c.next()).toEqual({ type: "snapshot", scope: "Development", tenant: a, namespace: ns, rows: [] });
            const res = await s.post(
              "/ingest",
              lines([
                { name: "mine", value: 1, namespace: ns, scope: "Development", tenant: a, ts: nowTs() },
                { name: "theirs", value: 1, namespace: ns, scope: "Development", tenant: b, ts: nowTs() },
                { name: "other.scope", value: 1, namespace: ns, scope: "Public", tenant: a, ts: nowTs() },
                { name: "smuggled", value: 1, namespace: ns, scope: "Development", tenant: a, via: { tenant: b }, ts: nowTs() },
                { name: "unknown.scope", value: 1, namespace: ns, scope: "api", tenant: a, ts: nowTs() },
              ]),
            );
            expect(res.status).toBe(200);
            expect(await res.json()).toMatchObject({ accepted: 3, rejected: 2 });
            const update = await c.next();
            expect(update).toMatchObject({ type: "update", scope: "Development", tenant: a, namespace: ns });
            expect(rowNames(update.rows)).toEqual(["mine"]);
            c.ws.send("snapshot");
            const again = await c.next();
            expect(again.type).toBe("snapshot"); // no update of another tenant or scope came first
            expect(rowNames(again.rows)).toEqual(["mine"]);
            // A subscription must name a scope of data/scopes.yaml.
            expect(await s.upgradeStatus(`namespace=${ns}&scope=api&tenant=${a}`)).toBe(400);
            expect(await s.upgradeStatus(`namespace=${ns}&tenant=${a}`)).toBe(400);
            // Without RBAC, ingest is for loopback clients only, and the server says so.
            expect(s.stderr).toContain("POST /ingest accepts loopback clients only");
          } finally {
            await c.close();
          }
        },
        TIMEOUT,
      );
    } else {
      test(
        `variant ${v.name}: records and reads outside the caller's scope and tenant are refused`,
        async () => {
          const mock = has(v, "MOCK_API");
          const args = mock
            ? ["--scope=Development", "--tenant=acme", "--count=60"]
            : [
                tempFile(
                  "owners.jsonl",
                  lines([
                    { name: "a", value: 1, namespace: "api", scope: "Public", tenant: "acme", ts: 1_000 },
                    { name: "b", value: 1, namespace: "api", scope: "Public", tenant: "globex", ts: 2_000 },
                    { name: "c", value: 1, namespace: "api", scope: "Enterprise", tenant: "acme", ts: 3_000 },
                    { name: "d", value: 1, namespace: "web", ts: 4_000 },
                  ]),
                ),
                "--scope=Public",
                "--tenant=acme",
              ];
          const r = await runCli(v, args);
          expect(r.code).toBe(0);
          const caller = mock ? "acme@Development" : "acme@Public";
          const rows = sectionOf(r.out, "aggregates").slice(1);
          expect(rows.length).toBeGreaterThan(0);
          for (const row of rows) expect(row).toMatch(has(v, "ENTERPRISE") ? new RegExp(`^${caller}:`) : /^[a-z]+\//);
          if (!mock) expect(rows.map((row) => row.split(/\s+/)[0]!.replace(/^.*:/, ""))).toEqual(["api/a", "web/d"]);
          expect(r.out).toContain(`caller: ${caller}`);
          const other = mock ? "acme@Public" : "acme@Enterprise";
          expect(r.out).toContain(
            `read ${other} as ${caller}: denied (scope violation: read of ${other} by ${caller}: cross-scope access)`,
          );
          const otherTenant = mock ? "other@Development" : "other@Public";
          expect(r.out).toContain(
            `read ${otherTenant} as ${caller}: denied (scope violation: read of ${otherTenant} by ${caller}: cross-tenant access)`,
          );
          const rejected = Number(/^rejected records: (\d+)$/m.exec(r.out)?.[1] ?? -1);
          if (mock) expect(rejected).toBeGreaterThan(0);
          else expect(rejected).toBe(2);
          // An unknown scope is refused outright.
          const unknown = await runCli(v, ["--scope=api"]);
          expect(unknown.code).toBe(2);
          expect(unknown.err).toContain("--scope must be one of Public, Enterprise, Development, Internal: api");
        },
        TIMEOUT,
      );
    }
  }
});

describe("control: Input Sanitization", () => {
  const variants = variantsFor("Input Sanitization");
  const KEY = limit("Input Sanitization", "Property key length");
  const VALUE = limit("Input Sanitization", "Property value length");
  const COUNT = limit("Input Sanitization", "Properties per metric");
  const NAME = limit("Input Sanitization", "Metric name length");
  const NAMESPACE = limit("Input Sanitization", "Namespace length");
  const UNIT = limit("Input Sanitization", "Unit length");
  const BODY = limit("Input Sanitization", "Ingest body");
  const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  /** Hostile metrics at the record's limits (and one past them). */
  function hostileInput(ts: number): string {
    const many: Record<string, string> = {};
    for (let i = 0; i < COUNT + 8; i++) many[`k${String(i).padStart(3, "0")}`] = "x";
    return [
      JSON.stringify({ name: "hostile.count", value: 1, namespace: "api", scope: "Public", ts, props: many }),
      JSON.stringify({
        name: "hostile.keys",
        value: 1,
        namespace: "api",
        scope: "Public",
        ts,
        props: { ["k".repeat(KEY + 1)]: "too long", ["k".repeat(KEY)]: "longest", "bad key": "space" },
      }),
      JSON.stringify({
        name: "hostile.values",
        value: 1,
        namespace: "api",
        scope: "Public",
        ts,
        props: { long: "v".repeat(VALUE + 44), longest: "w".repeat(VALUE) },
      }),
      `{"name":"hostile.forbidden","value":1,"namespace":"api","scope":"Public","ts":${ts},"props":{"__proto__":"p","constructor":"c","prototype":"q","note":"a\\u0000b\\u202ec\\u0007"}}`,
      JSON.stringify({ name: "bad name!", value: 1, namespace: "api", scope: "Public", ts, props: {} }),
      // Lines 6 to 10: name, namespace and unit at their limits (stored), then one past each (rejected as read).
      JSON.stringify({ name: "n".repeat(NAME), value: 1, namespace: "s".repeat(NAMESPACE), unit: "u".repeat(UNIT), scope: "Public", ts }),
      JSON.stringify({ name: "n".repeat(NAME + 1), value: 1, namespace: "api", scope: "Public", ts }),
      JSON.stringify({ name: "long.namespace", value: 1, namespace: "s".repeat(NAMESPACE + 1), scope: "Public", ts }),
      JSON.stringify({ name: "spaced.namespace", value: 1, namespace: "bad ns", scope: "Public", ts }),
      JSON.stringify({ name: "long.unit", value: 1, namespace: "api", unit: "u".repeat(UNIT + 1), scope: "Public", ts }),
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
    test(
      `variant ${v.name}: property key length ${KEY}, value length ${VALUE} and count ${COUNT} hold; forbidden keys, control characters and bad names are removed`,
      async () => {
        const out = tempDir(`sanitize-${v.name}`);
        const ts = Date.UTC(2026, 0, 15, 12);
        const mock = has(v, "MOCK_API");
        const args = mock
          ? ["--count=20", "--mock-hostile=5", `--out=${out}`]
          : [tempFile("hostile.jsonl", hostileInput(ts)), `--now=${ts}`, `--out=${out}`];
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
          expect(by("n".repeat(NAME))).toMatchObject({ namespace: "s".repeat(NAMESPACE), unit: "u".repeat(UNIT) });
          for (const gone of ["n".repeat(NAME + 1), "long.namespace", "spaced.namespace", "long.unit"]) expect(names).not.toContain(gone);
          const inputErrors = r.out.split("\n").filter((l) => l.startsWith("input error: "));
          expect(inputErrors.map((l) => Number(/^input error: line (\d+):/.exec(l)?.[1]))).toEqual([7, 8, 9, 10]);
        }
      },
      TIMEOUT,
    );

    if (has(v, "LIVE_STREAM")) {
      test(
        `variant ${v.name}: an ingest body over ${BODY} bytes is refused with 413; one of that size is read`,
        async () => {
          const s = serverOf(v);
          const writer = has(v, "RBAC") ? await token(SECRET, "operator", "Public", uniq("body")) : undefined;
          const over = await s.post("/ingest", "#".repeat(BODY + 1), writer);
          expect(over.status).toBe(413);
          // A comment line of exactly the limit: read, nothing in it.
          const at = await s.post("/ingest", "#".repeat(BODY), writer);
          expect(at.status).toBe(200);
          expect(await at.json()).toEqual({ accepted: 0, rejected: 0, dropped: 0, namespaces: [] });
        },
        TIMEOUT,
      );

      test(
        `variant ${v.name}: a metric whose name passes ${NAME}, namespace ${NAMESPACE} or unit ${UNIT} characters is rejected at ingest; one at the limits is stored`,
        async () => {
          const s = serverOf(v);
          const tenant = uniq("caps");
          const rbac = has(v, "RBAC");
          const scope = rbac ? "Public" : "Development";
          const owner = rbac ? {} : { scope, tenant };
          const writer = rbac ? await token(SECRET, "operator", scope, tenant) : undefined;
          const ns = "s".repeat(NAMESPACE);
          const ts = nowTs();
          const res = await s.post(
            "/ingest",
            lines([
              { name: "n".repeat(NAME), value: 1, namespace: ns, unit: "u".repeat(UNIT), ts, ...owner },
              { name: "n".repeat(NAME + 1), value: 1, namespace: ns, ts, ...owner },
              { name: "long.namespace", value: 1, namespace: "s".repeat(NAMESPACE + 1), ts, ...owner },
              { name: "huge.namespace", value: 1, namespace: "s".repeat(900_000), ts, ...owner },
              { name: "spaced.namespace", value: 1, namespace: "bad ns", ts, ...owner },
              { name: "long.unit", value: 1, namespace: ns, unit: "u".repeat(UNIT + 1), ts, ...owner },
            ]),
            writer,
          );
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ accepted: 1, rejected: 5, dropped: 0, namespaces: [ns] });
          const reader = rbac ? await token(SECRET, "viewer", scope, tenant) : undefined;
          const c = await connect(`${s.ws}?${subscription(v, { namespace: ns, scope, tenant, token: reader })}`);
          try {
            const snap = await c.next();
            expect(rowNames(snap.rows)).toEqual(["n".repeat(NAME)]);
          } finally {
            await c.close();
          }
        },
        TIMEOUT,
      );
    }
  }
});

describe("control: RBAC Token Validation", () => {
  const variants = variantsFor("RBAC Token Validation");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  test(
    "all variants: no default signing secret is compiled into any bundle",
    async () => {
      for (const v of VARIANTS) {
        const text = await Bun.file(await built(v)).text();
        expect({ variant: v.name, devSecret: text.includes("dev-secret") }).toEqual({ variant: v.name, devSecret: false });
      }
    },
    TIMEOUT,
  );

  for (const v of variants) {
    test(
      `variant ${v.name}: anonymous, forged, expired, tenantless, unknown-scope and wrongly-scoped subscriptions and ingests are refused`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("rbac");
        const ns = "rbac";
        const exp = Math.floor(Date.now() / 1000) + 3600;
        const [viewer, operator, devSigned, devWriter, expired, tenantless, apiViewer, apiWriter, nopeViewer, nopeWriter] =
          await Promise.all([
            token(SECRET, "viewer", "Public", tenant),
            token(SECRET, "operator", "Public", tenant),
            sign({ sub: "x", role: "admin", scope: "Public", tenant, exp }, "dev-secret"),
            sign({ sub: "x", role: "operator", scope: "Public", tenant, exp }, "dev-secret"),
            sign({ sub: "x", role: "viewer", scope: "Public", tenant, exp: Math.floor(Date.now() / 1000) - 1 }, SECRET),
            sign({ sub: "x", role: "viewer", scope: "Public", exp }, SECRET),
            // Tokens naming a scope that is not in data/scopes.yaml: an old metric namespace, a made-up name.
            token(SECRET, "viewer", "api", tenant),
            token(SECRET, "operator", "api", tenant),
            token(SECRET, "viewer", "Nope", tenant),
            token(SECRET, "admin", "Nope", tenant),
          ]);
        // Subscriptions.
        expect(await s.upgradeStatus(`namespace=${ns}`)).toBe(401);
        for (const bad of [devSigned, expired, tenantless, apiViewer, nopeViewer])
          expect(await s.upgradeStatus(`namespace=${ns}&token=${bad}`)).toBe(401);
        expect(await s.upgradeStatus(`namespace=${ns}&scope=Enterprise&token=${viewer}`)).toBe(403);
        const c = await connect(`${s.ws}?namespace=${ns}&token=${viewer}`);
        try {
          expect(await c.next()).toEqual({ type: "snapshot", scope: "Public", tenant, namespace: ns, rows: [] });
          // Ingests: anonymous, forged, unknown-scope, read-only and wrongly-scoped are refused, and nothing reaches the subscriber.
          const body = lines([{ name: "m", value: 1, namespace: ns, ts: nowTs() }]);
          expect((await s.post("/ingest", body)).status).toBe(401);
          for (const bad of [devWriter, tenantless, apiWriter, nopeWriter]) expect((await s.post("/ingest", body, bad)).status).toBe(401);
          expect((await s.post("/ingest", body, viewer)).status).toBe(403);
          expect(
            (await s.post("/ingest", lines([{ name: "m", value: 1, namespace: ns, scope: "Enterprise", ts: nowTs() }]), operator)).status,
          ).toBe(403);
          // The right token is accepted and its update reaches the subscriber first.
          const ok = await s.post("/ingest", body, operator);
          expect(ok.status).toBe(200);
          expect(await ok.json()).toMatchObject({ accepted: 1, namespaces: [ns] });
          const update = await c.next();
          expect(update.type).toBe("update");
          expect(rowNames(update.rows)).toEqual(["m"]);
          expect(update.rows[0].stats.count).toBe(1);
        } finally {
          await c.close();
        }
      },
      TIMEOUT,
    );

    test(
      `variant ${v.name}: a token with anything but strict base64url around its two parts is refused`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("b64");
        const [viewer, operator] = await Promise.all([
          token(SECRET, "viewer", "Public", tenant),
          token(SECRET, "operator", "Public", tenant),
        ]);
        const junk = (t: string): string[] => {
          const [p, sig] = t.split(".") as [string, string];
          return [
            `${t}!!`,
            `${t}====`,
            `${t}=`,
            `${p.slice(0, 5)}!${p.slice(5)}.${sig}`,
            `${p}.${sig.slice(0, 4)} ${sig.slice(4)}`,
            `${p}=.${sig}`,
            ` ${t}`,
            `${p}.${sig}.`,
          ];
        };
        for (const bad of junk(viewer))
          expect({ bad, status: await s.upgradeStatus(`namespace=b64&token=${encodeURIComponent(bad)}`) }).toEqual({ bad, status: 401 });
        const body = lines([{ name: "m", value: 1, namespace: "b64", ts: nowTs() }]);
        for (const bad of junk(operator))
          expect({ bad, status: (await s.post(`/ingest?token=${encodeURIComponent(bad)}`, body)).status }).toEqual({ bad, status: 401 });
        // The tokens themselves are accepted.
        expect(await s.upgradeStatus(`namespace=b64&token=${viewer}`)).toBe(101);
        expect((await s.post("/ingest", body, operator)).status).toBe(200);
      },
      TIMEOUT,
    );

    test(
      `variant ${v.name}: an open subscription is closed with 1008 when its token expires, and receives nothing after`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("exp");
        const ns = "expiry";
        const exp = Math.floor(Date.now() / 1000) + 3;
        const [shortLived, operator] = await Promise.all([
          sign({ sub: "short", role: "viewer", scope: "Public", tenant, exp }, SECRET),
          token(SECRET, "operator", "Public", tenant),
        ]);
        const c = await connect(`${s.ws}?namespace=${ns}&token=${shortLived}`);
        try {
          expect((await c.next()).type).toBe("snapshot");
          expect((await s.post("/ingest", lines([{ name: "before", value: 1, namespace: ns, ts: nowTs() }]), operator)).status).toBe(200);
          expect((await c.next()).type).toBe("update");
          const code = await Promise.race([c.closed, Bun.sleep(10_000).then(() => -1)]);
          expect(code).toBe(1008);
          expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 50);
          expect((await s.post("/ingest", lines([{ name: "after", value: 1, namespace: ns, ts: nowTs() }]), operator)).status).toBe(200);
          await Bun.sleep(200);
          expect(c.pending()).toBe(0);
          // The expired token cannot subscribe again.
          expect(await s.upgradeStatus(`namespace=${ns}&token=${shortLived}`)).toBe(401);
        } finally {
          await c.close();
        }
      },
      TIMEOUT,
    );

    // Only mock-data builds may invent a secret; staging (DEBUG, real data) must be given one.
    const development = has(v, "MOCK_API");
    test(
      `variant ${v.name}: ${development ? "without PERF_TOKEN_SECRET it uses a random per-process secret, printed once" : "refuses to start without PERF_TOKEN_SECRET"}`,
      async () => {
        if (!development) {
          // A build that serves after all is stopped as soon as it says so (and fails below), not at the deadline.
          const r = await runCli(v, ["--serve", "--port=0", "--host=127.0.0.1"], {}, 30_000, (out) => out.includes("serving"));
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
          const tenant = uniq("rnd");
          expect(await s.upgradeStatus(`namespace=api&token=${await token("dev-secret", "viewer", "Development", tenant)}`)).toBe(401);
          const c = await connect(`${s.ws}?namespace=api&token=${await token(secret, "viewer", "Development", tenant)}`);
          expect((await c.next()).type).toBe("snapshot");
          await c.close();
        } finally {
          await s.stop("SIGKILL");
        }
      },
      TIMEOUT,
    );
  }
});

describe("control: Per-Tenant Connection Limit", () => {
  const variants = variantsFor("Per-Tenant Connection Limit");
  const MAX = limit("Per-Tenant Connection Limit", "Connections");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  /** Opens a connection, retrying while the server has not yet seen an earlier close. */
  async function connectSoon(url: string): Promise<Client> {
    let c: Client | undefined;
    for (let t = 0; t < 100 && !c; t++) {
      c = await connect(url).catch(() => undefined);
      if (!c) await Bun.sleep(20);
    }
    if (!c) throw new Error(`no connection: ${url}`);
    return c;
  }

  for (const v of variants) {
    test(
      `variant ${v.name}: connection ${MAX + 1} of one tenant in a scope is refused with 429 in any namespace; another tenant in the scope has its own ${MAX}; a freed slot is reusable`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("conn");
        const other = uniq("conn");
        const query = async (scope: string, t: string, namespace = "api") =>
          subscription(v, { namespace, scope, tenant: t, token: has(v, "RBAC") ? await token(SECRET, "viewer", scope, t) : undefined });
        const q = await query("Public", tenant);
        const url = `${s.ws}?${q}`;
        const open: Client[] = [];
        try {
          for (let i = 0; i < MAX; i++) {
            const c = await connect(url);
            expect((await c.next()).type).toBe("snapshot");
            open.push(c);
          }
          expect(await s.upgradeStatus(q)).toBe(429);
          // The limit is per tenant, not per namespace.
          expect(await s.upgradeStatus(await query("Public", tenant, "web"))).toBe(429);
          // Another tenant in the same scope has its own MAX connections, and is then limited too.
          const otherUrl = `${s.ws}?${await query("Public", other)}`;
          for (let i = 0; i < MAX; i++) open.push(await connect(otherUrl));
          expect(await s.upgradeStatus(await query("Public", other))).toBe(429);
          // The same tenant id in another scope is another tenant.
          const e = await connect(`${s.ws}?${await query("Enterprise", tenant)}`);
          await e.close();
          // Free one slot: a new connection gets it (once the server has seen the close), and the limit holds again.
          await open.shift()!.close();
          const reused = await connectSoon(url);
          open.push(reused);
          expect((await reused.next()).type).toBe("snapshot");
          expect(await s.upgradeStatus(q)).toBe(429);
        } finally {
          await Promise.all(open.map((c) => c.close()));
        }
        // Every slot is released once all are closed: the tenant takes MAX connections again.
        const again: Client[] = [];
        try {
          for (let i = 0; i < MAX; i++) again.push(await connectSoon(url));
        } finally {
          await Promise.all(again.map((c) => c.close()));
        }
      },
      TIMEOUT,
    );
  }
});

describe("control: Message Rate Limit", () => {
  const variants = variantsFor("Message Rate Limit");
  const N = limit("Message Rate Limit", "Stream messages");
  const SIZE = limit("Message Rate Limit", "Message size");
  const INGEST = limit("Message Rate Limit", "Ingested metrics");
  const STORED = limit("Message Rate Limit", "Stored bytes");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: message ${N + 1} within a minute closes the connection with 1008`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("msg");
        const q = subscription(v, {
          namespace: "api",
          scope: "Public",
          tenant,
          token: has(v, "RBAC") ? await token(SECRET, "viewer", "Public", tenant) : undefined,
        });
        const url = `${s.ws}?${q}`;
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
      },
      TIMEOUT,
    );

    test(
      `variant ${v.name}: a WebSocket message over ${SIZE} bytes closes the connection with 1009; one of that size is answered`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("size");
        const c = await connect(
          `${s.ws}?${subscription(v, { namespace: "api", scope: "Public", tenant, token: has(v, "RBAC") ? await token(SECRET, "viewer", "Public", tenant) : undefined })}`,
        );
        try {
          expect((await c.next()).type).toBe("snapshot");
          c.ws.send("x".repeat(SIZE));
          expect(await c.next()).toEqual({ type: "error", error: "unknown command" });
          c.ws.send("x".repeat(SIZE + 1));
          expect(await Promise.race([c.closed, Bun.sleep(10_000).then(() => -1)])).toBe(1009);
        } finally {
          await c.close();
        }
      },
      TIMEOUT,
    );

    if (has(v, "RBAC")) {
      test(
        `variant ${v.name}: metric lines that parsing, sanitizing or sampling drop count against the ${INGEST} a minute`,
        async () => {
          const s = serverOf(v);
          const ns = "counted";
          const base = nowTs();
          const half = Math.floor(INGEST / 2);
          // Tenant A: invalid names (sanitizing drops them), then one series (sampling thins it out).
          const a = uniq("drop");
          const aWriter = await token(SECRET, "operator", "Public", a);
          const invalid = await s.post(
            "/ingest",
            lines(Array.from({ length: half }, (_, i) => ({ name: "bad name!", value: i, namespace: ns, ts: base - i }))),
            aWriter,
          );
          expect(invalid.status).toBe(200);
          expect(await invalid.json()).toMatchObject({ accepted: 0, dropped: half });
          const series = await s.post(
            "/ingest",
            lines(Array.from({ length: INGEST - half }, (_, i) => ({ name: "one.series", value: i, namespace: ns, ts: base - i }))),
            aWriter,
          );
          expect(series.status).toBe(200);
          const kept = (await series.json()) as { accepted: number; dropped: number };
          if (has(v, "SAMPLING")) expect(kept.dropped).toBeGreaterThan(0);
          expect(kept.accepted + kept.dropped).toBe(INGEST - half);
          expect((await s.post("/ingest", lines([{ name: "valid", value: 1, namespace: ns, ts: base }]), aWriter)).status).toBe(429);
          // Tenant B: lines that do not parse count too.
          const b = uniq("drop");
          const bWriter = await token(SECRET, "operator", "Public", b);
          const junk = await s.post("/ingest", Array.from({ length: INGEST }, (_, i) => `{"name": ${i}}`).join("\n"), bWriter);
          expect(junk.status).toBe(200);
          expect(await junk.json()).toMatchObject({ accepted: 0, rejected: INGEST });
          expect((await s.post("/ingest", lines([{ name: "valid", value: 1, namespace: ns, ts: base }]), bWriter)).status).toBe(429);
        },
        TIMEOUT,
      );

      test(
        `variant ${v.name}: stored bytes per tenant in a scope are bounded (${STORED} by default); a request that would pass the bound is refused whole with 507`,
        async () => {
          // The default is the record's.
          const report = await runCli(v, ["--now=2026-01-15T12:00:00Z"]);
          expect(sectionOf(report.out, "rate limit").join("\n")).toContain(`${STORED} stored bytes`);
          // A small bound on a server of its own, so the test stays within the rate limit.
          const bound = 4_000;
          const s = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET }, args: [`--tenant-bytes=${bound}`] });
          try {
            const tenant = uniq("bytes");
            const writer = await token(SECRET, "operator", "Public", tenant);
            const metric = (i: number) => ({ name: `m${i}`, value: i, namespace: "bytes", ts: nowTs(), props: { pad: "p".repeat(200) } });
            // Each stored sample is at least 200 bytes (its pad) and at most 600: between 6 and 20 fit.
            let accepted = 0;
            let status = 200;
            for (let i = 0; i < 40 && status === 200; i++) {
              const res = await s.post("/ingest", lines([metric(i)]), writer);
              status = res.status;
              if (status === 200) accepted += ((await res.json()) as { accepted: number }).accepted;
            }
            expect(status).toBe(507);
            expect(accepted).toBeGreaterThanOrEqual(Math.floor(bound / 600));
            expect(accepted).toBeLessThanOrEqual(Math.floor(bound / 200));
            // Refused whole: nothing of the refused request was stored; another tenant has its own bound.
            const c = await connect(`${s.ws}?namespace=bytes&token=${await token(SECRET, "viewer", "Public", tenant)}`);
            try {
              expect((await c.next()).rows).toHaveLength(accepted);
            } finally {
              await c.close();
            }
            expect((await s.post("/ingest", lines([metric(0)]), await token(SECRET, "operator", "Public", uniq("bytes")))).status).toBe(
              200,
            );
          } finally {
            await s.stop("SIGKILL");
          }
        },
        TIMEOUT,
      );

      test(
        `variant ${v.name}: ingest counts ${INGEST} metrics a minute per tenant in a scope by the server's clock, not metric timestamps`,
        async () => {
          const s = serverOf(v);
          const tenant = uniq("rate");
          const ns = "rate";
          const writer = await token(SECRET, "operator", "Public", tenant);
          const base = nowTs();
          // 3N metrics with timestamps 61 s apart: refused whole.
          const spread = lines(
            Array.from({ length: 3 * INGEST }, (_, i) => ({ name: `m${i}`, value: i, namespace: ns, ts: base + i * 61_000 })),
          );
          const refused = await s.post("/ingest", spread, writer);
          expect(refused.status).toBe(429);
          expect(refused.headers.get("retry-after")).toBe("60");
          // N fit (distinct series, so no sampling), the next one does not, in any namespace of the tenant;
          // another tenant in the scope, and the same tenant id in another scope, have their own budgets.
          const ok = await s.post(
            "/ingest",
            lines(Array.from({ length: INGEST }, (_, i) => ({ name: `m${i}`, value: i, namespace: ns, ts: base - i * 61_000 }))),
            writer,
          );
          expect(ok.status).toBe(200);
          expect(await ok.json()).toMatchObject({ accepted: INGEST, dropped: 0 });
          expect((await s.post("/ingest", lines([{ name: "late", value: 1, namespace: ns, ts: base + 3_600_000 }]), writer)).status).toBe(
            429,
          );
          expect((await s.post("/ingest", lines([{ name: "late", value: 1, namespace: "elsewhere", ts: base }]), writer)).status).toBe(429);
          const otherTenant = await token(SECRET, "operator", "Public", uniq("rate"));
          expect((await s.post("/ingest", lines([{ name: "b", value: 1, namespace: ns, ts: base }]), otherTenant)).status).toBe(200);
          const otherScope = await token(SECRET, "operator", "Enterprise", tenant);
          expect((await s.post("/ingest", lines([{ name: "b", value: 1, namespace: ns, ts: base }]), otherScope)).status).toBe(200);
          // Nothing of the refused requests was stored.
          const c = await connect(`${s.ws}?namespace=${ns}&token=${await token(SECRET, "viewer", "Public", tenant)}`);
          try {
            const snap = await c.next();
            expect(snap.rows).toHaveLength(INGEST);
            expect(snap.rows.every((r: { stats: { count: number } }) => r.stats.count === 1)).toBe(true);
          } finally {
            await c.close();
          }
        },
        TIMEOUT,
      );
    }
  }
});
