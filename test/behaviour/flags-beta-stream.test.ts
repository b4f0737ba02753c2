/**
 * Behaviour proofs of the Beta streaming flags against every variant that ships them (data/variants.yaml):
 * LIVE_STREAM (aggregates pushed over real WebSockets by the built server) and RATE_LIMIT (connections per
 * tenant in a scope, messages per connection and ingested metrics a minute, at the records' limits). One server
 * per LIVE_STREAM variant, shared by this file's tests, which keep apart by tenant. Each test is named
 * `flag: NAME` › `variant <name>: ...`.
 */
import { describe, expect, test } from "bun:test";
import { connect, has, limit, lines, serveVariants, token, useHarness, variantsWith, type Client, type Variant } from "./harness.ts";

useHarness();

const SECRET = `behaviour-${crypto.randomUUID()}`;
const TIMEOUT = 60_000;
let counter = 0;
const uniq = (prefix: string) => `${prefix}-${++counter}`;

const serving = [...new Set([...variantsWith("LIVE_STREAM"), ...variantsWith("RATE_LIMIT")])];

const serverOf = serveVariants(() => serving, { PERF_TOKEN_SECRET: SECRET });

/** A subscriber's query and a writer's token: with RBAC the token names scope and tenant, without it the parameters do. */
async function access(v: Variant, tenant: string, namespace: string): Promise<{ query: string; writer?: string }> {
  if (!has(v, "RBAC")) return { query: `namespace=${namespace}&scope=Public&tenant=${tenant}` };
  return {
    query: `namespace=${namespace}&token=${await token(SECRET, "viewer", "Public", tenant)}`,
    writer: await token(SECRET, "operator", "Public", tenant),
  };
}

/** Metrics for ingest: without RBAC each names its scope and tenant, with RBAC the token does. */
function body(v: Variant, tenant: string, metrics: Record<string, unknown>[]): string {
  return lines(metrics.map((m) => (has(v, "RBAC") ? m : { ...m, scope: "Public", tenant })));
}

describe("flag: LIVE_STREAM", () => {
  const variants = variantsWith("LIVE_STREAM");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  interface Row {
    name: string;
    namespace: string;
    stats: { count: number; sum: number; min: number; max: number; mean: number };
  }
  const stats = (rows: Row[], name: string) => {
    const r = rows.find((x) => x.name === name);
    return r && { count: r.stats.count, sum: r.stats.sum, min: r.stats.min, max: r.stats.max, mean: r.stats.mean };
  };

  for (const v of variants) {
    test(
      `variant ${v.name}: a WebSocket subscriber gets a snapshot, then every ingest into its namespace as an update with the new aggregates; other namespaces stay silent`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("live");
        const mine = await access(v, tenant, "live");
        const other = await access(v, tenant, "elsewhere");
        const a = await connect(`${s.ws}?${mine.query}`);
        const b = await connect(`${s.ws}?${other.query}`);
        try {
          expect(await a.next()).toEqual({ type: "snapshot", scope: "Public", tenant, namespace: "live", rows: [] });
          expect(await b.next()).toEqual({ type: "snapshot", scope: "Public", tenant, namespace: "elsewhere", rows: [] });
          const now = Date.now();
          const first = await s.post(
            "/ingest",
            body(v, tenant, [
              { name: "lat", value: 10, namespace: "live", unit: "ms", ts: now - 3 },
              { name: "lat", value: 20, namespace: "live", unit: "ms", ts: now - 2 },
              { name: "lat", value: 30, namespace: "live", unit: "ms", ts: now - 1 },
              { name: "req", value: 1, namespace: "live", ts: now },
            ]),
            mine.writer,
          );
          expect(first.status).toBe(200);
          expect(await first.json()).toMatchObject({ accepted: 4, namespaces: ["live"] });
          const update = await a.next();
          expect(update).toMatchObject({ type: "update", scope: "Public", tenant, namespace: "live" });
          expect(stats(update.rows, "lat")).toEqual({ count: 3, sum: 60, min: 10, max: 30, mean: 20 });
          expect(stats(update.rows, "req")).toEqual({ count: 1, sum: 1, min: 1, max: 1, mean: 1 });
          // A second ingest: the update carries the running aggregates.
          expect(
            (
              await s.post(
                "/ingest",
                body(v, tenant, [{ name: "lat", value: 60, namespace: "live", unit: "ms", ts: now + 1 }]),
                mine.writer,
              )
            ).status,
          ).toBe(200);
          expect(stats((await a.next()).rows, "lat")).toEqual({ count: 4, sum: 120, min: 10, max: 60, mean: 30 });
          // Commands: ping, snapshot on demand, anything else is an error message.
          a.ws.send("ping");
          expect(await a.next()).toEqual({ type: "pong" });
          a.ws.send("snapshot");
          const snap = await a.next();
          expect(snap.type).toBe("snapshot");
          expect(stats(snap.rows, "lat")).toEqual({ count: 4, sum: 120, min: 10, max: 60, mean: 30 });
          a.ws.send("shutdown");
          expect(await a.next()).toEqual({ type: "error", error: "unknown command" });
          // The other namespace's subscriber received nothing: its next message is the snapshot it asks for, still empty.
          b.ws.send("snapshot");
          expect(await b.next()).toEqual({ type: "snapshot", scope: "Public", tenant, namespace: "elsewhere", rows: [] });
          expect([a.pending(), b.pending()]).toEqual([0, 0]);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      },
      TIMEOUT,
    );
  }
});

describe("flag: RATE_LIMIT", () => {
  const variants = variantsWith("RATE_LIMIT");
  const MAX = limit("Per-Tenant Connection Limit", "Connections");
  const N = limit("Message Rate Limit", "Stream messages");
  const INGESTED = limit("Message Rate Limit", "Ingested metrics");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: stream connection ${MAX + 1} of a tenant in a scope is refused with 429, a freed slot is reused, and message ${N + 1} within a minute closes the connection with 1008`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("rl");
        const { query } = await access(v, tenant, "api");
        const open: Client[] = [];
        try {
          for (let i = 0; i < MAX; i++) {
            const c = await connect(`${s.ws}?${query}`);
            expect((await c.next()).type).toBe("snapshot");
            open.push(c);
          }
          expect(await s.upgradeStatus(query)).toBe(429);
          await open.shift()!.close();
          let again: Client | undefined;
          for (let t = 0; t < 100 && !again; t++)
            again = await connect(`${s.ws}?${query}`).catch(() => Bun.sleep(20).then(() => undefined));
          expect(again).toBeDefined();
          open.push(again!);
          expect((await again!.next()).type).toBe("snapshot");
          // Messages: N answered, the next closes the connection.
          for (let i = 0; i < N; i++) again!.ws.send("ping");
          for (let i = 0; i < N; i++) expect(await again!.next()).toEqual({ type: "pong" });
          again!.ws.send("ping");
          // Refused means closed with 1008 and not answered: an answer (the limit let it through) fails at once.
          const after = await Promise.race([
            again!.closed.then((code) => ({ closed: code })),
            again!.next(10_000).then(
              (answer) => ({ answered: answer }),
              () => ({ closed: -1 }),
            ),
          ]);
          expect(after).toEqual({ closed: 1008 });
        } finally {
          await Promise.all(open.map((c) => c.close()));
        }
      },
      TIMEOUT,
    );

    test(
      `variant ${v.name}: ${INGESTED} ingested metrics a minute per tenant in a scope are accepted and the next request is refused whole with 429 and Retry-After`,
      async () => {
        const s = serverOf(v);
        const tenant = uniq("rl");
        const { writer } = await access(v, tenant, "api");
        const now = Date.now();
        const metric = (i: number) => ({ name: `m${i}`, value: i, namespace: "api", ts: now - i });
        const over = await s.post(
          "/ingest",
          body(
            v,
            tenant,
            Array.from({ length: INGESTED + 1 }, (_, i) => metric(i)),
          ),
          writer,
        );
        expect(over.status).toBe(429);
        expect(over.headers.get("retry-after")).toBe("60");
        const ok = await s.post(
          "/ingest",
          body(
            v,
            tenant,
            Array.from({ length: INGESTED }, (_, i) => metric(i)),
          ),
          writer,
        );
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ accepted: INGESTED });
        expect((await s.post("/ingest", body(v, tenant, [metric(INGESTED)]), writer)).status).toBe(429);
      },
      TIMEOUT,
    );
  }
});
