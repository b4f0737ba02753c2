/**
 * End-to-end: `bun run --feature=X src/app/main.ts` (flags before the file; BUN_OPTIONS removed
 * from the environment so an outer --feature cannot leak in).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBehaviourView } from "../../src/core/model/views/behaviour.ts";

const ROOT = join(import.meta.dir, "../..");
const MAIN = "src/app/main.ts";
const NOW = "--now=2026-01-15T12:00:00Z";
const tmp = mkdtempSync(join(tmpdir(), "app-e2e-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_OPTIONS") env[k] = v;
  return env;
}

function run(features: string[], args: string[] = [], file = MAIN): { out: string; err: string; code: number } {
  const p = Bun.spawnSync([process.execPath, "run", ...features.map((f) => `--feature=${f}`), file, ...args], {
    cwd: ROOT,
    env: cleanEnv(),
  });
  return { out: p.stdout.toString(), err: p.stderr.toString(), code: p.exitCode ?? -1 };
}

function sectionOf(out: string, title: string): string[] {
  const lines = out.split("\n");
  const start = lines.indexOf(`== ${title} ==`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith("== "));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "");
}

describe("CLI end to end", () => {
  const base = run([]);

  test("no flags: built-in sample, plain aggregates, legacy snapshot, no optional sections", () => {
    expect(base.code).toBe(0);
    expect(base.out).toStartWith(
      "MasterPerfTracker report\nfeatures: none\nsource: built-in sample (50 metrics)\nclock: 2026-01-15T12:06:55.000Z\n",
    );
    expect(sectionOf(base.out, "aggregates")[0]).toMatch(/^key\s+count\s+sum\s+min\s+max\s+mean$/);
    expect(base.out).toContain("api/bad name!");
    expect(base.out).toContain("serializer legacy-json-v1: 50 records");
    expect(base.out.match(/^== .* ==$/gm)).toEqual(["== aggregates ==", "== samples with properties (last 5) ==", "== snapshot =="]);
    expect(base.err).toBe("");
    expect(run([]).out).toBe(base.out); // deterministic
  });

  test("--help and usage errors", () => {
    expect(run([], ["--help"]).out).toContain("usage: bun run [--feature=NAME ...] src/app/main.ts");
    const bad = run([], ["--nope"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown option "--nope"');
  });

  test("INPUT_SANITIZATION + PII_REDACTION clean the samples", () => {
    const r = run(["INPUT_SANITIZATION", "PII_REDACTION"]);
    expect(r.out).toContain("dropped: sanitize/invalid metric name=1");
    expect(r.out).not.toContain("api/bad name!");
    expect(r.out).toContain('worker/queue.depth 7 {"note":"line1line2","job":"reindex"}');
    expect(r.out).toContain('web/page.load 812 {"user":"[email]","client_ip":"[ip]","auth":"[token]","page":"/home"}');
    expect(r.out).toContain("redacted: 1 emails, 1 ips, 1 tokens, 0 sensitive keys");
  });

  test("SCOPE_ISOLATION rejects records and reads of another scope or tenant", () => {
    const r = run(["SCOPE_ISOLATION", "ENTERPRISE"], ["--scope=Public", "--tenant=globex"]);
    const rows = sectionOf(r.out, "aggregates").slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((l) => l.startsWith("globex@Public:"))).toBe(true);
    expect(r.out).toContain("caller: globex@Public");
    expect(r.out).toContain(
      "read globex@Enterprise as globex@Public: denied (scope violation: read of globex@Enterprise by globex@Public: cross-scope access)",
    );
    expect(r.out).toContain(
      "read other@Public as globex@Public: denied (scope violation: read of other@Public by globex@Public: cross-tenant access)",
    );
    expect(r.out).toMatch(/ingest: 50 in, 15 stored, 0 dropped, 35 rejected/);
    // Without --scope each metric is recorded by its own owner, except the one sent by another tenant ("via").
    const own = run(["SCOPE_ISOLATION"]);
    expect(own.out).toContain("caller: per metric (via, or its own scope and tenant)");
    expect(own.out).toContain("rejected records: 1");
    expect(own.out).toContain(
      "  acme@Enterprise:api/http.requests by globex@Enterprise: scope violation: record of acme@Enterprise by globex@Enterprise: cross-tenant access",
    );
    // An unknown scope is a usage error; without the flag the option changes nothing.
    expect(run(["SCOPE_ISOLATION"], ["--scope=api"]).code).toBe(2);
    expect(run([], ["--scope=Public"]).out).toBe(base.out);
  });

  test("HISTOGRAMS adds percentile columns; ENTERPRISE puts scopes and tenants in keys", () => {
    const r = run(["HISTOGRAMS", "ENTERPRISE"]);
    const agg = sectionOf(r.out, "aggregates");
    expect(agg[0]).toMatch(/mean\s+p50\s+p95\s+p99$/);
    expect(agg.find((l) => l.startsWith("acme@Enterprise:api/http.latency"))).toMatch(
      /^acme@Enterprise:api\/http\.latency\s+16\s+3599\s+97\s+940\s+224\.94\s+116\.50\s+775\s+907\.00$/,
    );
    expect(sectionOf(r.out, "tenants").map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "scope tenant",
      "Enterprise acme",
      "Internal default",
      "Public globex",
    ]);
  });

  test("MOCK_API is deterministic per seed and ignores input", () => {
    const a = run(["MOCK_API"], ["--seed=7", "--count=30"]);
    expect(a.out).toContain("source: mock api (seed=7, count=30)");
    expect(a.out).toContain("ingest: 30 in, 30 stored");
    expect(run(["MOCK_API"], ["--seed=7", "--count=30"]).out).toBe(a.out);
    expect(run(["MOCK_API"], ["--seed=8", "--count=30"]).out).not.toBe(a.out);
  });

  test("file input with RETENTION_POLICY, SAMPLING and BATCHING", async () => {
    const path = join(tmp, "in.jsonl");
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        name: "m",
        value: i,
        namespace: "api",
        scope: "Public",
        ts: Date.UTC(2026, 0, 15) - (i < 5 ? 100 : 0) * 86_400_000 + i,
      }),
    );
    await Bun.write(path, `${lines.join("\n")}\nnot json\n`);
    const r = run(["RETENTION_POLICY", "SAMPLING", "BATCHING"], [path, "--batch-size=8", "--sample-rate=2", "--sample-after=10"]);
    expect(r.out).toContain(`source: ${path} (40 metrics)`);
    expect(r.out).toContain("input error: line 41: JSON Parse error");
    // The default window is the record's (data/security.yaml "Retention Cleanup": 90 days).
    expect(r.out).toContain("dropped 5 samples older than 90d");
    const batching = sectionOf(r.out, "batching")[0]!;
    const sampling = sectionOf(r.out, "sampling")[0]!;
    const kept = Number(/kept (\d+)/.exec(sampling)![1]);
    expect(kept).toBeGreaterThan(10);
    expect(kept).toBeLessThan(40);
    expect(batching).toContain(`batch size 8: ${Math.ceil(kept / 8)} batches flushed`);
  });

  test("RBAC issues and verifies tokens; AUDIT_LOG records the auth event", () => {
    const issued = run(["RBAC"], [NOW, "--issue-token=viewer:Public", "--secret=s1"]);
    const token = /^token: (\S+)$/m.exec(issued.out)![1]!;
    const ok = run(["RBAC", "AUDIT_LOG"], [NOW, `--token=${token}`, "--secret=s1"]);
    expect(ok.out).toContain("token ok: sub=viewer@default role=viewer scope=Public tenant=default exp=2026-01-15T13:00:00.000Z");
    expect(ok.out).toMatch(/#\d+ 2026-01-15T12:00:00.000Z viewer@default auth.verify cli ok/);
    expect(ok.out).toMatch(/entries: \d+ \(\d+ kept in memory\), chain verified/);
    expect(run(["RBAC"], [NOW, `--token=${token}`, "--secret=other"]).out).toContain("token rejected: bad signature");
    const noRbac = run([], [`--token=${token}`]);
    expect(noRbac.err).toContain("token options ignored: this build has no RBAC");
    // No secret is built in: token operations and --serve refuse to run without one (exit 2).
    const noSecret = run(["RBAC"], [NOW, "--issue-token=viewer:Public"]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toContain("refusing to start: RBAC needs a signing secret");
    expect(noSecret.out).toBe("");
    const tenant = run(["RBAC"], [NOW, "--issue-token=operator:Enterprise:acme", "--secret=s1"]);
    const acme = /^token: (\S+)$/m.exec(tenant.out)![1]!;
    expect(run(["RBAC"], [NOW, `--token=${acme}`, "--secret=s1"]).out).toContain(
      "token ok: sub=operator@acme role=operator scope=Enterprise tenant=acme",
    );
  });

  test("exports: CSV, Prometheus, OTLP, CloudWatch, V2 snapshot", () => {
    const r = run(["CSV_EXPORT", "PROMETHEUS_EXPORT", "OTEL_EXPORT", "CLOUDWATCH", "V2_SERIALIZER"]);
    expect(sectionOf(r.out, "csv")[0]).toBe("namespace,name,unit,count,sum,min,max,mean");
    expect(sectionOf(r.out, "csv")).toContain("api,bad name!,,1,1,1,1,1");
    expect(r.out).toContain("# TYPE perf_http_latency_milliseconds summary");
    const otlp = JSON.parse(sectionOf(r.out, "otlp/json")[0]!);
    expect(otlp.resourceMetrics[0].scopeMetrics[0].metrics.length).toBeGreaterThan(0);
    const emf = sectionOf(r.out, "cloudwatch emf").map((l) => JSON.parse(l));
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe("MasterPerfTracker");
    expect(r.out).toContain("serializer mpt-v2: 50 records");
    expect(r.out).not.toContain("legacy-json-v1");
  });

  test("S3_EXPORT + COMPRESSION + TRACE_CONTEXT write gzip objects under --s3-out", () => {
    const dir = join(tmp, "s3");
    const r = run(
      ["S3_EXPORT", "COMPRESSION", "TRACE_CONTEXT"],
      [`--s3-out=${dir}`, "--s3-bucket=bk", "--traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"],
    );
    expect(r.out).toContain(
      "PUT s3://bk/metrics/scope=Enterprise/tenant=acme/namespace=api/date=2026-01-15/metrics-Enterprise-acme-api-2026-01-15.jsonl.gz",
    );
    expect(r.out).toContain('Content-Disposition: attachment; filename="metrics-Enterprise-acme-api-2026-01-15.jsonl.gz"');
    expect(r.out).toContain("run context: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(sectionOf(r.out, "compression").length).toBe(1);
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".gz"))
      .sort();
    expect(files).toContain(
      "bk/metrics/scope=Public/tenant=globex/namespace=web/date=2026-01-15/metrics-Public-globex-web-2026-01-15.jsonl.gz",
    );
    expect(files.length).toBe(4);
  });

  test("advanced analysis: time series, anomalies, alerts, SLA dashboard", () => {
    const r = run(["TIME_SERIES_STORAGE", "ANOMALY_DETECTION", "ALERTING", "SLA_DASHBOARD"]);
    expect(sectionOf(r.out, "time series")).toContain("api/http.latency: 16 raw points, 8 x 1m buckets, 2 x 1h buckets, peak 1m max 940");
    expect(sectionOf(r.out, "anomalies")[0]).toStartWith("api/http.latency at 2026-01-15T12:03:30.000Z: value 940 z=");
    expect(sectionOf(r.out, "alerts")).toContain("2026-01-15T12:04:00.000Z FIRING latency-high acme@Enterprise:api/http.latency value=720");
    expect(sectionOf(r.out, "sla dashboard")[1]).toBe("api      availability  81.82% [################....] BREACHED (9/11)");
  });

  test("DEBUG traces stages and dumps state on exit (stderr); PROFILING lists stages", () => {
    const r = run(["DEBUG", "PROFILING"]);
    expect(r.err).toContain("[debug] > ingest");
    expect(r.err).toMatch(/\[debug\] < ingest \d+\.\d{3}ms/);
    expect(r.err).toContain("[debug:state] samples=50 pending=0 grouping=namespace/name");
    expect(r.err).toContain("[debug:state] owners=acme@Enterprise,default@Internal,globex@Public namespaces=api,web,worker");
    expect(r.err).toMatch(/\[profile\] ingest calls=1 total=\d+\.\d{3}ms/);
    expect(sectionOf(r.out, "profile")).toContain("ingest calls=1");
    expect(sectionOf(r.out, "debug")[0]).toBe("stages: load > setup > ingest > flush > aggregate > export");
  });

  test("--serve needs LIVE_STREAM; with it the WebSocket server answers", async () => {
    const off = run([], ["--serve"]);
    expect(off.code).toBe(2);
    expect(off.err).toContain("--serve ignored: this build has no LIVE_STREAM");
    const proc = Bun.spawn([process.execPath, "run", "--feature=LIVE_STREAM", MAIN, "--serve", "--port=0", "--serve-ms=3000"], {
      cwd: ROOT,
      env: cleanEnv(),
      stdout: "pipe",
    });
    try {
      const reader = proc.stdout.getReader();
      let text = "";
      while (!/serving (ws:\S+)\?/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const url = /serving (ws:\S+)\?/.exec(text)![1]!;
      const ws = new WebSocket(`${url}?namespace=web&scope=Public&tenant=globex`);
      const first = await new Promise<any>((resolve) => (ws.onmessage = (e) => resolve(JSON.parse(String(e.data)))));
      expect(first.type).toBe("snapshot");
      expect(first.rows.map((r: { key: string }) => r.key)).toEqual(["web/http.latency", "web/page.load"]);
      ws.close();
    } finally {
      proc.kill();
      await proc.exited;
    }
  });

  test("the minified bundle with every flag prints what bun run prints", async () => {
    const registry = await Bun.file(join(ROOT, "src/generated/registry.ts")).text();
    const flags = [...(/features:([^;]*);/.exec(registry)?.[1] ?? "").matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!);
    // Every declared flag, as the records say (the registry is generated from them).
    expect([...flags].sort()).toEqual(
      loadBehaviourView(ROOT)
        .features.map((f) => f.name)
        .sort(),
    );
    const outdir = join(tmp, "bundle");
    const built = await Bun.build({ entrypoints: [join(ROOT, MAIN)], target: "bun", minify: true, features: flags, outdir });
    expect(built.success).toBe(true);
    const args = ["--seed=3", "--count=60"];
    const fromBundle = Bun.spawnSync([process.execPath, join(outdir, "main.js"), ...args], { cwd: ROOT, env: cleanEnv() });
    const fromSource = run(flags, args);
    expect(fromBundle.stdout.toString()).toBe(fromSource.out);
    const listed = /^features: (.*)$/m.exec(fromSource.out)![1]!.split(",");
    expect([...listed].sort()).toEqual([...flags].sort());
  });
});

describe("registry-features examples", () => {
  const ex = "src/examples/registry-features.ts";
  test("default, DEBUG and ENTERPRISE+MOCK_API variants print different results", () => {
    const plain = run([], [], ex);
    const debug = run(["DEBUG"], [], ex);
    const ent = run(["ENTERPRISE", "MOCK_API"], [], ex);
    expect(plain.code + debug.code + ent.code).toBe(0);
    expect(plain.out).toContain("debug logger: quiet");
    expect(plain.out).toContain("tier=production");
    expect(debug.out).toContain("debug logger: verbose, 5 aggregate rows");
    expect(debug.out).toContain("tier=development");
    expect(ent.out).toContain("grouping tenant@scope:namespace/name: first key acme@Enterprise:api/http.latency");
    expect(ent.out).toMatch(/tenant acme: \d+ mock samples/);
    expect(ent.out).toContain("tier=enterprise retention=");
    expect(ent.out).toContain("source=mock generator (seeded)");
    expect(new Set([plain.out, debug.out, ent.out]).size).toBe(3);
  });

  test("bun build --feature=ENTERPRISE drops the verbose debug logger and keeps the quiet one (content/bun-patterns.mdx)", () => {
    const out = mkdtempSync(join(tmpdir(), "takeoff-example-"));
    try {
      const p = Bun.spawnSync([process.execPath, "build", "--feature=ENTERPRISE", "--minify", ex, "--outdir", out], {
        cwd: ROOT,
        env: cleanEnv(),
      });
      expect(p.exitCode).toBe(0);
      const js = readdirSync(out)
        .filter((f) => f.endsWith(".js"))
        .map((f) => readFileSync(join(out, f), "utf8"))
        .join("\n");
      expect(js).toContain("debug logger: quiet");
      expect(js).not.toContain("debug logger: verbose");
      expect(js).not.toContain("aggregate rows");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test("every limit the examples print is the records' number (data/security.yaml)", () => {
    const { security } = loadBehaviourView(ROOT);
    const limit = (control: string, name: string) => security.find((c) => c.name === control)?.limits?.find((l) => l.name === name)?.value;
    const want = `retention=${limit("Retention Cleanup", "Retention window")}d connections/tenant=${limit("Per-Tenant Connection Limit", "Connections")} msgs/min=${limit("Message Rate Limit", "Stream messages")}`;
    expect(want).not.toContain("undefined");
    for (const flags of [[], ["DEBUG"], ["ENTERPRISE", "MOCK_API"]]) {
      const shown = /retention=\S+ connections\/tenant=\S+ msgs\/min=\S+/.exec(run(flags, [], ex).out)?.[0];
      expect({ flags, shown }).toEqual({ flags, shown: want });
    }
  });

  test("V2_SERIALIZER + SLA_DASHBOARD variant: negated legacy path and dynamic import", () => {
    const r = run(["V2_SERIALIZER", "SLA_DASHBOARD"], [], ex);
    expect(r.out).toContain("serializer mpt-v2");
    expect(r.out).toContain("SLA dashboard: availability target 99.00%");
    expect(r.out).not.toContain("SLA dashboard: not in this build");
    expect(r.out).not.toContain("legacy-json-v1");
  });
});
