/**
 * Behaviour proofs of the enterprise controls (data/security.yaml) against the built variants: Audit Logging
 * (a hash-chained file that survives kill -9), Export Content-Disposition (uploaded to a real S3-compatible
 * server, s3rver, and read back) and Retention Cleanup (exactly what is older than the recorded window goes).
 * Each test is named `control: <record name>` › `variant <name>: ...`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import S3rver from "s3rver";
import type { Metric } from "../../src/app/core/types.ts";
import { parseAuditLines, verifyAuditChain, type AuditEntry } from "../../src/app/features/audit-log.ts";
import { createLegacySerializer } from "../../src/app/features/legacy-serializer.ts";
import { createV2Serializer } from "../../src/app/features/v2-serializer.ts";
import {
  AppServer,
  built,
  connect,
  has,
  limit,
  lines,
  runCli,
  sectionOf,
  tempDir,
  tempFile,
  token,
  variantsFor,
  useHarness,
  type Variant,
} from "./harness.ts";

useHarness();

const SECRET = `behaviour-${crypto.randomUUID()}`;
const TIMEOUT = 60_000;
const DAY = 86_400_000;

describe("control: Audit Logging", () => {
  const variants = variantsFor("Audit Logging");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));
  beforeAll(() => Promise.all(variants.map(built)), 60_000);

  const readLog = (path: string): AuditEntry[] => parseAuditLines(readFileSync(path, "utf8"));
  const find = (entries: AuditEntry[], match: Partial<AuditEntry>) =>
    entries.filter((e) => Object.entries(match).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v));

  for (const v of variants) {
    test(`variant ${v.name}: auth events and metric mutations are appended to a file as a hash chain and survive kill -9, none lost`, async () => {
      const file = join(tempDir(`audit-${v.name}`), "audit.jsonl");
      const ns = "audited";
      const topic = `tenant-a@Public:${ns}`;
      const [viewer, operator] = await Promise.all([token(SECRET, "viewer", "Public", "tenant-a"), token(SECRET, "operator", "Public", "tenant-a", "writer@a")]);
      const first = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET }, args: [`--audit-file=${file}`] });
      const names = ["a0", "a1", "a2", "a3", "a4"];
      try {
        expect(await first.upgradeStatus(`namespace=${ns}`)).toBe(401);
        const c = await connect(`${first.ws}?namespace=${ns}&token=${viewer}`);
        expect((await c.next()).type).toBe("snapshot");
        const ok = await first.post("/ingest", lines(names.map((name, i) => ({ name, value: i, namespace: ns, ts: Date.now() }))), operator);
        expect(ok.status).toBe(200);
        expect((await first.post("/ingest", lines([{ name: "x", value: 1, namespace: ns, ts: Date.now() }]), viewer)).status).toBe(403);
        expect((await c.next()).type).toBe("update");
      } finally {
        // No shutdown path: whatever the server acknowledged must already be on disk.
        await first.stop("SIGKILL");
      }
      const entries = readLog(file);
      expect(verifyAuditChain(entries)).toBe(true);
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev).toBe(entries[i - 1]!.hash);
      expect(find(entries, { action: "stream.auth", target: `/stream?namespace=${ns}`, outcome: "denied", detail: "token required" })).toHaveLength(1);
      expect(find(entries, { action: "stream.auth", target: topic, outcome: "ok", actor: "viewer@tenant-a" })).toHaveLength(1);
      expect(find(entries, { action: "stream.connect", target: topic, actor: "viewer@tenant-a" })).toHaveLength(1);
      expect(find(entries, { action: "stream.auth", target: "/ingest", outcome: "ok", actor: "writer@a" })).toHaveLength(1);
      expect(find(entries, { action: "stream.auth", target: "/ingest", outcome: "denied", actor: "viewer@tenant-a" })).toHaveLength(1);
      for (const name of names) expect(find(entries, { action: "metric.record", target: `${topic}/${name}`, actor: "writer@a" })).toHaveLength(1);

      // A restart continues the chain after verifying it; nothing written before is changed.
      const second = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET }, args: [`--audit-file=${file}`] });
      try {
        expect(await second.upgradeStatus(`namespace=${ns}`)).toBe(401);
      } finally {
        await second.stop("SIGKILL");
      }
      const after = readLog(file);
      expect(after.slice(0, entries.length)).toEqual(entries);
      expect(after.length).toBeGreaterThan(entries.length);
      expect(after[entries.length]!.prev).toBe(entries.at(-1)!.hash);
      expect(verifyAuditChain(after)).toBe(true);
      expect(find(after, { action: "stream.auth", target: `/stream?namespace=${ns}`, outcome: "denied" })).toHaveLength(2);

      // A tampered file is refused, not extended.
      const tampered = join(tempDir(`audit-${v.name}`), "tampered.jsonl");
      await Bun.write(tampered, readFileSync(file, "utf8").replace('"a2"', '"zz"').replace(`/a2"`, `/zz"`));
      const refused = await runCli(v, ["--now=2026-01-15T12:00:00Z", `--audit-file=${tampered}`]);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain("hash chain broken");
    }, TIMEOUT);

    test(`variant ${v.name}: audit counts are shipped as CloudWatch EMF`, async () => {
      const input = tempFile("audit.jsonl", lines([{ name: "m", value: 1, namespace: "api", scope: "Public", ts: Date.UTC(2026, 0, 15) }]));
      const r = await runCli(v, [input, "--now=2026-01-15T00:00:00Z"]);
      expect(r.code).toBe(0);
      const emf = sectionOf(r.out, "cloudwatch emf").map((l) => JSON.parse(l));
      const audit = emf.find((d) => d._aws.CloudWatchMetrics[0].Namespace.endsWith("/Audit"));
      expect(audit).toBeDefined();
      expect(audit["audit.metric.record"]).toBe(1);
    }, TIMEOUT);
  }
});

describe("control: Export Content-Disposition", () => {
  const variants = variantsFor("Export Content-Disposition");
  let s3: S3rver | undefined;
  let endpoint = "";
  const bucket = (v: Variant) => `behaviour-${v.name}`;
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  beforeAll(async () => {
    await Promise.all(variants.map(built));
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: tempDir("s3rver"), configureBuckets: variants.map((v) => ({ name: bucket(v) })) });
    const info = await s3.run();
    endpoint = `http://127.0.0.1:${info.port}`;
  }, 60_000);
  afterAll(async () => {
    await s3?.close();
  });

  for (const v of variants) {
    test(`variant ${v.name}: each export is uploaded under scope/tenant/namespace/date keys with Content-Disposition attachment and reads back`, async () => {
      const now = Date.UTC(2026, 2, 1, 12);
      const groups = [
        { scope: "Enterprise", tenant: "acme", namespace: "api", day: now - DAY, n: 3 },
        { scope: "Enterprise", tenant: "acme", namespace: "api", day: now, n: 2 },
        { scope: "Enterprise", tenant: "acme", namespace: "web", day: now, n: 1 },
        { scope: "Enterprise", tenant: "globex", namespace: "api", day: now, n: 4 },
        // The same tenant id in another scope has its own partition.
        { scope: "Public", tenant: "acme", namespace: "api", day: now, n: 2 },
      ];
      const input = groups.flatMap((g) => Array.from({ length: g.n }, (_, i) => ({ name: `m${i}`, value: i, namespace: g.namespace, scope: g.scope, tenant: g.tenant, ts: g.day - i * 1000 })));
      const r = await runCli(v, [tempFile("export.jsonl", lines(input)), `--now=${now}`, `--s3-endpoint=${endpoint}`, `--s3-bucket=${bucket(v)}`], {
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
      });
      expect({ code: r.code, errors: r.err.split("\n").filter((l) => /error|ignored/.test(l)) }).toEqual({ code: 0, errors: [] });
      const client = new Bun.S3Client({ endpoint, bucket: bucket(v), accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
      const keys = ((await client.list()).contents ?? []).map((c) => c.key).sort();
      const date = (ts: number) => new Date(ts).toISOString().slice(0, 10);
      expect(keys.map((k) => k.replace(/\/[^/]+$/, ""))).toEqual(groups.map((g) => `metrics/scope=${g.scope}/tenant=${g.tenant}/namespace=${g.namespace}/date=${date(g.day)}`).sort());
      expect(r.out.split("\n").filter((l) => l.startsWith("uploaded ")).length).toBe(groups.length);
      const serializer = has(v, "V2_SERIALIZER") ? createV2Serializer() : createLegacySerializer();
      for (const key of keys) {
        const parts = /^metrics\/scope=([^/]+)\/tenant=([^/]+)\/namespace=([^/]+)\/date=([^/]+)\/([^/]+)$/.exec(key)!;
        const [scope, tenant, namespace, day, file] = [parts[1]!, parts[2]!, parts[3]!, parts[4]!, parts[5]!];
        const res = await fetch(client.presign(key));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${file}"`);
        const stored: Metric[] = serializer.deserialize(await res.text());
        const group = groups.find((g) => g.scope === scope && g.tenant === tenant && g.namespace === namespace && date(g.day) === day)!;
        expect(stored).toHaveLength(group.n);
        for (const m of stored) expect<Record<string, string>>({ scope: m.scope, tenant: m.tenant, namespace: m.namespace, day: date(m.ts) }).toEqual({ scope, tenant, namespace, day });
      }
    }, TIMEOUT);
  }
});

describe("control: Retention Cleanup", () => {
  const variants = variantsFor("Retention Cleanup");
  const WINDOW = limit("Retention Cleanup", "Retention window");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(`variant ${v.name}: cleanup removes exactly the samples older than ${WINDOW} days (the default window)`, async () => {
      const now = Date.UTC(2026, 5, 1, 12);
      const ages: [string, number, boolean][] = [
        ["fresh", 0, true],
        ["inside", WINDOW * DAY - 1, true],
        ["edge", WINDOW * DAY, true],
        ["past.edge", WINDOW * DAY + 1, false],
        ["old", (WINDOW + 1) * DAY, false],
        ["ancient", 3 * WINDOW * DAY, false],
      ];
      const input = lines(ages.map(([name, age]) => ({ name, value: 1, namespace: "api", scope: "Enterprise", tenant: "acme", ts: now - age })));
      const r = await runCli(v, [tempFile("retention.jsonl", input), `--now=${now}`]);
      expect(r.code).toBe(0);
      const dropped = ages.filter(([, , kept]) => !kept).length;
      expect(sectionOf(r.out, "retention")).toEqual([`dropped ${dropped} samples older than ${WINDOW}d (cutoff ${new Date(now - WINDOW * DAY).toISOString()})`]);
      const csv = sectionOf(r.out, "csv");
      const nameAt = csv[0]!.split(",").indexOf("name");
      const names = csv.slice(1).map((l) => l.split(",")[nameAt]).sort();
      expect(names).toEqual(ages.filter(([, , kept]) => kept).map(([n]) => n).sort());
    }, TIMEOUT);
  }
});
