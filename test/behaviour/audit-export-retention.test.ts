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
  eventually,
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
const KEPT = limit("Audit Logging", "Entries in memory");

/** Resident memory of a process, in bytes (Linux /proc). */
function rss(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[];
  };
}

const EMF_UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

/**
 * What makes `doc` invalid CloudWatch Embedded Metric Format (the specification's rules): a root `_aws` with a
 * millisecond `Timestamp` and `CloudWatchMetrics` directives, each with a Namespace, at most 30 dimensions per set,
 * every dimension a root string member, at most 100 metrics each naming a root number, units from the list.
 */
function emfErrors(doc: unknown): string[] {
  const errors: string[] = [];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return ["not an object"];
  const root = doc as Record<string, unknown>;
  const aws = root._aws as Record<string, unknown> | undefined;
  if (typeof aws !== "object" || aws === null) return ["no _aws"];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0) errors.push("Timestamp is not epoch milliseconds");
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...errors, "no CloudWatchMetrics"];
  for (const d of directives as Record<string, unknown>[]) {
    if (typeof d.Namespace !== "string" || d.Namespace.length === 0 || d.Namespace.length > 255) errors.push("bad Namespace");
    if (!Array.isArray(d.Dimensions)) errors.push("Dimensions is not an array");
    else
      for (const set of d.Dimensions as unknown[]) {
        if (!Array.isArray(set) || set.length > 30) errors.push("a dimension set is not an array of at most 30");
        else
          for (const dim of set)
            if (typeof dim !== "string" || typeof root[dim] !== "string")
              errors.push(`dimension ${String(dim)} is not a root string member`);
      }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) errors.push("Metrics is not an array of at most 100");
    else
      for (const m of d.Metrics as Record<string, unknown>[]) {
        if (typeof m.Name !== "string" || m.Name.length === 0 || m.Name.length > 1024) errors.push("bad metric Name");
        else if (
          typeof root[m.Name] !== "number" &&
          !(Array.isArray(root[m.Name]) && (root[m.Name] as unknown[]).every((x) => typeof x === "number"))
        )
          errors.push(`metric ${m.Name} has no numeric root member`);
        if (m.Unit !== undefined && !EMF_UNITS.has(m.Unit as string)) errors.push(`unit ${String(m.Unit)} is not a CloudWatch unit`);
      }
  }
  return errors;
}
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
    test(
      `variant ${v.name}: auth events and metric mutations are appended to a file as a hash chain and survive kill -9, none lost`,
      async () => {
        const file = join(tempDir(`audit-${v.name}`), "audit.jsonl");
        const ns = "audited";
        const topic = `tenant-a@Public:${ns}`;
        const [viewer, operator] = await Promise.all([
          token(SECRET, "viewer", "Public", "tenant-a"),
          token(SECRET, "operator", "Public", "tenant-a", "writer@a"),
        ]);
        const first = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET }, args: [`--audit-file=${file}`] });
        const names = ["a0", "a1", "a2", "a3", "a4"];
        try {
          expect(await first.upgradeStatus(`namespace=${ns}`)).toBe(401);
          const c = await connect(`${first.ws}?namespace=${ns}&token=${viewer}`);
          expect((await c.next()).type).toBe("snapshot");
          const ok = await first.post(
            "/ingest",
            lines(names.map((name, i) => ({ name, value: i, namespace: ns, ts: Date.now() }))),
            operator,
          );
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
        expect(
          find(entries, { action: "stream.auth", target: `/stream?namespace=${ns}`, outcome: "denied", detail: "token required" }),
        ).toHaveLength(1);
        expect(find(entries, { action: "stream.auth", target: topic, outcome: "ok", actor: "viewer@tenant-a" })).toHaveLength(1);
        expect(find(entries, { action: "stream.connect", target: topic, actor: "viewer@tenant-a" })).toHaveLength(1);
        expect(find(entries, { action: "stream.auth", target: "/ingest", outcome: "ok", actor: "writer@a" })).toHaveLength(1);
        expect(find(entries, { action: "stream.auth", target: "/ingest", outcome: "denied", actor: "viewer@tenant-a" })).toHaveLength(1);
        for (const name of names)
          expect(find(entries, { action: "metric.record", target: `${topic}/${name}`, actor: "writer@a" })).toHaveLength(1);

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
      },
      TIMEOUT,
    );

    if (has(v, "CLOUDWATCH", "LIVE_STREAM")) {
      test(
        `variant ${v.name}: while serving, every audit entry (auth events, denied requests, metric mutations) is shipped as a CloudWatch EMF line as it happens`,
        async () => {
          const s = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET } });
          try {
            const ns = "shipped";
            const tenant = "emf-a";
            const topic = `${tenant}@Public:${ns}`;
            const [viewer, operator] = await Promise.all([
              token(SECRET, "viewer", "Public", tenant),
              token(SECRET, "operator", "Public", tenant, "writer@emf"),
            ]);
            expect(await s.upgradeStatus(`namespace=${ns}`)).toBe(401);
            expect((await s.post("/ingest", lines([{ name: "x", value: 1, namespace: ns, ts: Date.now() }]), "forged.token")).status).toBe(
              401,
            );
            expect((await s.post("/ingest", lines([{ name: "x", value: 1, namespace: ns, ts: Date.now() }]), viewer)).status).toBe(403);
            const ts = Date.now();
            expect(
              (
                await s.post(
                  "/ingest",
                  lines(["e0", "e1", "e2"].map((name, i) => ({ name, value: i, namespace: ns, ts: ts - i }))),
                  operator,
                )
              ).status,
            ).toBe(200);
            const shipped = (): Record<string, unknown>[] =>
              s.stdout
                .split("\n")
                .filter((l) => l.startsWith("{"))
                .map((l) => JSON.parse(l) as Record<string, unknown>)
                .filter(
                  (d) =>
                    typeof d.action === "string" &&
                    emfErrors(d).length === 0 &&
                    (d._aws as Emf["_aws"]).CloudWatchMetrics.some((m) => m.Namespace.endsWith("/Audit")),
                );
            const wanted = (d: Record<string, unknown>[]) => d.filter((e) => e.action === "metric.record").length >= 3;
            expect(await eventually(() => wanted(shipped()), 10_000)).toBe(true);
            const docs = shipped();
            // Every line on stdout that claims to be EMF is valid EMF.
            for (const line of s.stdout.split("\n").filter((l) => l.includes('"_aws"'))) expect(emfErrors(JSON.parse(line))).toEqual([]);
            const has1 = (match: Record<string, unknown>) =>
              docs.filter((d) => Object.entries(match).every(([k, val]) => d[k] === val)).length;
            expect(has1({ action: "stream.auth", outcome: "denied", target: `/stream?namespace=${ns}`, detail: "token required" })).toBe(1);
            expect(has1({ action: "stream.auth", outcome: "denied", target: "/ingest", actor: "anonymous" })).toBeGreaterThanOrEqual(1);
            expect(has1({ action: "stream.auth", outcome: "denied", target: "/ingest", actor: `viewer@${tenant}` })).toBe(1);
            expect(has1({ action: "stream.auth", outcome: "ok", target: "/ingest", actor: "writer@emf" })).toBe(1);
            for (const name of ["e0", "e1", "e2"])
              expect(has1({ action: "metric.record", outcome: "ok", target: `${topic}/${name}`, actor: "writer@emf" })).toBe(1);
            // Each is one count of its action and outcome, in sequence, stamped by the server's clock.
            const seqs = docs.map((d) => d.seq as number);
            expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
            expect(new Set(seqs).size).toBe(seqs.length);
            for (const d of docs) {
              expect(d.events).toBe(1);
              expect(Math.abs((d._aws as Emf["_aws"]).Timestamp - Date.now())).toBeLessThan(60_000);
            }
          } finally {
            await s.stop("SIGKILL");
          }
        },
        TIMEOUT,
      );

      test(`variant ${v.name}: refused requests do not grow the server's memory (the log keeps the ${KEPT} most recent entries)`, async () => {
        const s = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET } });
        try {
          const viewer = await token(SECRET, "viewer", "Public", "mem-a");
          // Each refusal names a 4 KB scope, so an audit log that kept every entry would grow by about that much.
          const refusal = `${s.http}/stream?namespace=mem&scope=${"S".repeat(4_000)}&token=${viewer}`;
          const refuse = async (n: number) => {
            let next = 0;
            await Promise.all(
              Array.from({ length: 8 }, async () => {
                while (next++ < n) {
                  const res = await fetch(refusal, {
                    headers: {
                      Connection: "Upgrade",
                      Upgrade: "websocket",
                      "Sec-WebSocket-Version": "13",
                      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                    },
                  });
                  expect(res.status).toBe(403);
                  await res.arrayBuffer();
                }
              }),
            );
          };
          await refuse(KEPT + 6_000);
          const before = rss(s.proc.pid);
          await refuse(8_000);
          const after = rss(s.proc.pid);
          // Kept entries alone would be 8,000 x 4 KB = 32 MB more (a log that kept them all grew 50 MB here).
          expect(Math.round((after - before) / 1e6)).toBeLessThan(16);
        } finally {
          await s.stop("SIGKILL");
        }
      }, 120_000);
    }

    test(
      `variant ${v.name}: a report keeps only the ${KEPT} most recent audit entries in memory, counts all and ships the counts as CloudWatch EMF`,
      async () => {
        const total = KEPT + 150;
        const input = tempFile(
          "many.jsonl",
          lines(
            Array.from({ length: total }, (_, i) => ({
              name: `m${i}`,
              value: i,
              namespace: "api",
              scope: "Public",
              ts: Date.UTC(2026, 0, 15) - i,
            })),
          ),
        );
        const r = await runCli(v, [input, "--now=2026-01-15T00:00:00Z"]);
        expect(r.code).toBe(0);
        const audit = sectionOf(r.out, "audit log");
        // Every metric is recorded (and batches committed): more entries than the log keeps.
        const [, appended, kept] = /^entries: (\d+) \((\d+) kept in memory\), chain verified$/.exec(audit[0] ?? "") ?? [];
        expect(Number(appended)).toBeGreaterThan(total);
        expect(Number(kept)).toBe(KEPT);
        expect(audit[1]).toContain(`metric.record=${total}`);
        const emf = sectionOf(r.out, "cloudwatch emf").map((l) => JSON.parse(l));
        for (const d of emf) expect(emfErrors(d)).toEqual([]);
        const counts = emf.find((d) => d._aws.CloudWatchMetrics[0].Namespace.endsWith("/Audit"));
        expect(counts["audit.metric.record"]).toBe(total);
      },
      TIMEOUT,
    );

    test(
      `variant ${v.name}: audit counts are shipped as CloudWatch EMF`,
      async () => {
        const input = tempFile(
          "audit.jsonl",
          lines([{ name: "m", value: 1, namespace: "api", scope: "Public", ts: Date.UTC(2026, 0, 15) }]),
        );
        const r = await runCli(v, [input, "--now=2026-01-15T00:00:00Z"]);
        expect(r.code).toBe(0);
        const emf = sectionOf(r.out, "cloudwatch emf").map((l) => JSON.parse(l));
        const audit = emf.find((d) => d._aws.CloudWatchMetrics[0].Namespace.endsWith("/Audit"));
        expect(audit).toBeDefined();
        expect(audit["audit.metric.record"]).toBe(1);
      },
      TIMEOUT,
    );
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
    s3 = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory: tempDir("s3rver"),
      configureBuckets: variants.map((v) => ({ name: bucket(v) })),
    });
    const info = await s3.run();
    endpoint = `http://127.0.0.1:${info.port}`;
  }, 60_000);
  afterAll(async () => {
    await s3?.close();
  });

  for (const v of variants) {
    test(
      `variant ${v.name}: each export is uploaded under scope/tenant/namespace/date keys with Content-Disposition attachment and reads back`,
      async () => {
        const now = Date.UTC(2026, 2, 1, 12);
        const groups = [
          { scope: "Enterprise", tenant: "acme", namespace: "api", day: now - DAY, n: 3 },
          { scope: "Enterprise", tenant: "acme", namespace: "api", day: now, n: 2 },
          { scope: "Enterprise", tenant: "acme", namespace: "web", day: now, n: 1 },
          { scope: "Enterprise", tenant: "globex", namespace: "api", day: now, n: 4 },
          // The same tenant id in another scope has its own partition.
          { scope: "Public", tenant: "acme", namespace: "api", day: now, n: 2 },
        ];
        const input = groups.flatMap((g) =>
          Array.from({ length: g.n }, (_, i) => ({
            name: `m${i}`,
            value: i,
            namespace: g.namespace,
            scope: g.scope,
            tenant: g.tenant,
            ts: g.day - i * 1000,
          })),
        );
        const r = await runCli(
          v,
          [tempFile("export.jsonl", lines(input)), `--now=${now}`, `--s3-endpoint=${endpoint}`, `--s3-bucket=${bucket(v)}`],
          {
            S3_ACCESS_KEY_ID: "S3RVER",
            S3_SECRET_ACCESS_KEY: "S3RVER",
          },
        );
        expect({ code: r.code, errors: r.err.split("\n").filter((l) => /error|ignored/.test(l)) }).toEqual({ code: 0, errors: [] });
        const client = new Bun.S3Client({ endpoint, bucket: bucket(v), accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
        const keys = ((await client.list()).contents ?? []).map((c) => c.key).sort();
        const date = (ts: number) => new Date(ts).toISOString().slice(0, 10);
        expect(keys.map((k) => k.replace(/\/[^/]+$/, ""))).toEqual(
          groups.map((g) => `metrics/scope=${g.scope}/tenant=${g.tenant}/namespace=${g.namespace}/date=${date(g.day)}`).sort(),
        );
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
          for (const m of stored)
            expect<Record<string, string>>({ scope: m.scope, tenant: m.tenant, namespace: m.namespace, day: date(m.ts) }).toEqual({
              scope,
              tenant,
              namespace,
              day,
            });
        }
      },
      TIMEOUT,
    );
  }
});

describe("control: Retention Cleanup", () => {
  const variants = variantsFor("Retention Cleanup");
  const WINDOW = limit("Retention Cleanup", "Retention window");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: cleanup removes exactly the samples older than ${WINDOW} days (the default window)`,
      async () => {
        const now = Date.UTC(2026, 5, 1, 12);
        const ages: [string, number, boolean][] = [
          ["fresh", 0, true],
          ["inside", WINDOW * DAY - 1, true],
          ["edge", WINDOW * DAY, true],
          ["past.edge", WINDOW * DAY + 1, false],
          ["old", (WINDOW + 1) * DAY, false],
          ["ancient", 3 * WINDOW * DAY, false],
        ];
        const input = lines(
          ages.map(([name, age]) => ({ name, value: 1, namespace: "api", scope: "Enterprise", tenant: "acme", ts: now - age })),
        );
        const r = await runCli(v, [tempFile("retention.jsonl", input), `--now=${now}`]);
        expect(r.code).toBe(0);
        const dropped = ages.filter(([, , kept]) => !kept).length;
        expect(sectionOf(r.out, "retention")).toEqual([
          `dropped ${dropped} samples older than ${WINDOW}d (cutoff ${new Date(now - WINDOW * DAY).toISOString()})`,
        ]);
        const csv = sectionOf(r.out, "csv");
        const nameAt = csv[0]!.split(",").indexOf("name");
        const names = csv
          .slice(1)
          .map((l) => l.split(",")[nameAt])
          .sort();
        expect(names).toEqual(
          ages
            .filter(([, , kept]) => kept)
            .map(([n]) => n)
            .sort(),
        );
      },
      TIMEOUT,
    );

    if (has(v, "LIVE_STREAM")) {
      test(
        `variant ${v.name}: the server drops at ingest every sample already older than ${WINDOW} days by its clock`,
        async () => {
          const s = await AppServer.start(v, { env: { PERF_TOKEN_SECRET: SECRET } });
          try {
            const tenant = "retention-a";
            const now = Date.now();
            const HOUR = 3_600_000;
            const ages: [string, number][] = [
              ["fresh", 0],
              ["inside", WINDOW * DAY - HOUR],
              ["past.window", WINDOW * DAY + HOUR],
              ["ancient", Math.max(400, 3 * WINDOW) * DAY],
            ];
            const res = await s.post(
              "/ingest",
              lines(ages.map(([name, age]) => ({ name, value: 1, namespace: "kept", ts: now - age }))),
              await token(SECRET, "operator", "Enterprise", tenant),
            );
            expect(res.status).toBe(200);
            expect(await res.json()).toMatchObject({ accepted: 2, dropped: 2, rejected: 0 });
            const c = await connect(`${s.ws}?namespace=kept&token=${await token(SECRET, "viewer", "Enterprise", tenant)}`);
            try {
              expect(((await c.next()).rows as { name: string }[]).map((r) => r.name).sort()).toEqual(["fresh", "inside"]);
            } finally {
              await c.close();
            }
          } finally {
            await s.stop("SIGKILL");
          }
        },
        TIMEOUT,
      );
    }
  }
});
