/**
 * Behaviour proofs of the Beta ingestion flags against every variant that ships them (data/variants.yaml):
 * PII_REDACTION (e-mail addresses, IP addresses and tokens gone from stored property values, checked with
 * node:net's IP parser besides the expected text) and TRACE_CONTEXT (traceparent accepted exactly when
 * OpenTelemetry's W3C propagator accepts it, and propagated as a child span of the same trace). What was
 * stored is read back from the run's snapshot (--out). Each test is named `flag: NAME` › `variant <name>: ...`;
 * variants with MOCK_API generate their data, so they are proven through what their generator and options allow.
 */
import { describe, expect, test } from "bun:test";
import { isIP } from "node:net";
import { parseMpt2, readSnapshot, w3cTraceparent } from "./formats.ts";
import { has, lines, runCli, sectionOf, tempDir, tempFile, useHarness, variantsWith, type Variant } from "./harness.ts";

useHarness();

const TIMEOUT = 60_000;
const NOW = Date.UTC(2026, 0, 15, 13);

/** Stored samples of a run with --out: mpt2 with V2_SERIALIZER, legacy JSON lines without. */
function stored(v: Variant, dir: string): { name: string; props: Record<string, string>; traceparent?: string }[] {
  const { text } = readSnapshot(dir);
  if (has(v, "V2_SERIALIZER")) return parseMpt2(text);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const r = JSON.parse(l);
      return { name: r.metric_name, props: r.properties, ...(r.trace_parent ? { traceparent: r.trace_parent } : {}) };
    });
}

describe("flag: PII_REDACTION", () => {
  const variants = variantsWith("PII_REDACTION");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  const GITHUB = `ghp_${"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}`;
  /** Property key → value written → value stored. */
  const CASES: [string, string, string][] = [
    ["email", "mail jane.doe+ops@example.co.uk now", "mail [email] now"],
    ["ipv4", "from 203.0.113.7 via 10.0.0.1", "from [ip] via [ip]"],
    ["ipv6", "peer 2001:db8::8a2e:370:7334 up", "peer [ip] up"],
    ["ipv6full", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[ip]"],
    ["bearer", "Bearer abc.DEF-ghi_123", "[token]"],
    ["jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "[token]"],
    ["aws", "key AKIAIOSFODNN7EXAMPLE", "key [token]"],
    ["github", GITHUB, "[token]"],
    ["password", "hunter2", "[redacted]"],
    ["plain", "version 1.2.3 at 12:30:45 on /v1/users/42", "version 1.2.3 at 12:30:45 on /v1/users/42"],
  ];
  const SECRETS = ["jane.doe", "203.0.113.7", "10.0.0.1", "2001:db8", "8a2e", "abc.DEF", "eyJ", "AKIA", GITHUB, "hunter2"];

  /** No stored value holds an address node:net parses, an e-mail address, or any of the written secrets. */
  function expectNoPii(values: string[]): void {
    for (const value of values) {
      const found = value.split(/[\s,;()<>"'=]+/).filter((w) => isIP(w) !== 0 || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(w));
      expect({ value, found, secrets: SECRETS.filter((s) => value.includes(s)) }).toEqual({ value, found: [], secrets: [] });
    }
  }

  for (const v of variants) {
    if (has(v, "MOCK_API")) {
      test(
        `variant ${v.name}: the generated user e-mail addresses are stored redacted, and no stored value holds an e-mail or IP address`,
        async () => {
          const out = tempDir(`pii-${v.name}`);
          const r = await runCli(v, ["--count=200", `--now=${NOW}`, `--out=${out}`]);
          expect(r.code).toBe(0);
          const samples = stored(v, out);
          const users = samples.flatMap((m) => (m.props.user === undefined ? [] : [m.props.user]));
          expect(users.length).toBeGreaterThan(0);
          expect(new Set(users)).toEqual(new Set(["[email]"]));
          expectNoPii(samples.flatMap((m) => Object.values(m.props)));
          const emails = Number(/^redacted: (\d+) emails/m.exec(sectionOf(r.out, "pii redaction")[0] ?? "")?.[1] ?? -1);
          expect(emails).toBeGreaterThanOrEqual(users.length);
        },
        TIMEOUT,
      );
    } else {
      test(
        `variant ${v.name}: e-mail addresses, IPv4 and IPv6 addresses, bearer, JWT, AWS and GitHub tokens and sensitive keys are redacted in stored property values; other text is kept`,
        async () => {
          const out = tempDir(`pii-${v.name}`);
          const input = CASES.map(([key, value], i) => ({
            name: `pii.${key}`,
            value: i,
            namespace: "pii",
            scope: "Public",
            tenant: "pii",
            ts: NOW - i * 1000,
            props: { [key]: value },
          }));
          const r = await runCli(v, [tempFile("pii.jsonl", lines(input)), `--now=${NOW}`, `--out=${out}`]);
          expect(r.code).toBe(0);
          const samples = stored(v, out);
          expect(Object.fromEntries(samples.map((m) => [m.name, m.props]))).toEqual(
            Object.fromEntries(CASES.map(([key, , want]) => [`pii.${key}`, { [key]: want }])),
          );
          expectNoPii(samples.flatMap((m) => Object.values(m.props)));
          expect(sectionOf(r.out, "pii redaction")).toEqual(["redacted: 1 emails, 4 ips, 4 tokens, 1 sensitive keys"]);
          // The report's own sample lines show redacted values only.
          expect(sectionOf(r.out, "samples with properties (last 5)").filter((l) => SECRETS.some((s) => l.includes(s)))).toEqual([]);
        },
        TIMEOUT,
      );
    }
  }
});

describe("flag: TRACE_CONTEXT", () => {
  const variants = variantsWith("TRACE_CONTEXT");
  test("the records name variants that ship it", () => expect(variants.length).toBeGreaterThan(0));

  const T = "0af7651916cd43dd8448eb211c80319c";
  const P = "b7ad6b7169203331";
  /** The run's own context, inherited by metrics without a valid traceparent. */
  const RUN_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  const RUN_PARENT = "00f067aa0ba902b7";
  const RUN = `00-${RUN_TRACE}-${RUN_PARENT}-01`;
  /** traceparent → valid per W3C Trace Context (version-traceid-parentid-flags, lower-case hex, no all-zero id). */
  const HEADERS: [string, boolean][] = [
    [`00-${T}-${P}-01`, true],
    [`00-${T.replace(/^0a/, "1b")}-${P}-00`, true],
    [`cc-${T.replace(/^0a/, "2c")}-${P}-09-future`, true],
    [`00-${T.toUpperCase()}-${P}-01`, false],
    [`00-${"0".repeat(32)}-${P}-01`, false],
    [`00-${T}-${"0".repeat(16)}-01`, false],
    [`ff-${T}-${P}-01`, false],
    [`00-${T}-${P}-01-extra`, false],
    [`00-${T.slice(1)}-${P}-01`, false],
    [`00-${T}-${P}`, false],
    [`00-${T}-${P}-0x`, false],
    [`00_${T}_${P}_01`, false],
  ];
  const parts = (h: string) => {
    const [version, traceId, parentId, flags] = h.split("-") as [string, string, string, string];
    return { version, traceId, parentId, flags };
  };

  test("the header table agrees with OpenTelemetry's W3C propagator", () => {
    expect(HEADERS.map(([h]) => [h, w3cTraceparent(h) !== undefined])).toEqual(HEADERS);
    expect(w3cTraceparent(RUN)).toBeDefined();
  });

  /** A stored traceparent is a valid child of `parent`: same trace and flags, version 00, a new span id. */
  function expectChildOf(child: string | undefined, parent: string): void {
    const p = parts(parent);
    expect(child).toBeDefined();
    expect(w3cTraceparent(child!)).toBeDefined();
    const c = parts(child!);
    expect({ version: c.version, traceId: c.traceId, flags: c.flags, newSpan: c.parentId !== p.parentId }).toEqual({
      version: "00",
      traceId: p.traceId,
      flags: p.flags,
      newSpan: true,
    });
  }

  for (const v of variants) {
    if (has(v, "MOCK_API")) {
      test(
        `variant ${v.name}: --traceparent is taken as the run's context exactly when it is valid W3C Trace Context`,
        async () => {
          const runs = await Promise.all(HEADERS.map(([h]) => runCli(v, ["--count=3", `--now=${NOW}`, `--traceparent=${h}`])));
          const contexts = runs.map((r) => /^run context: (\S+);/m.exec(r.out)?.[1]);
          expect(contexts).toEqual(
            HEADERS.map(([h, valid]) => (valid ? `00-${parts(h).traceId}-${parts(h).parentId}-${parts(h).flags}` : "none")),
          );
        },
        TIMEOUT,
      );

      test(
        `variant ${v.name}: every stored traceparent is valid W3C Trace Context, a child of the metric's own or of the run's context`,
        async () => {
          const out = tempDir(`trace-${v.name}`);
          const r = await runCli(v, ["--count=40", `--now=${NOW}`, `--traceparent=${RUN}`, `--out=${out}`]);
          expect(r.code).toBe(0);
          const samples = stored(v, out);
          expect(samples.length).toBeGreaterThan(0);
          for (const m of samples) expect(w3cTraceparent(m.traceparent ?? "")).toBeDefined();
          const inherited = samples.filter((m) => parts(m.traceparent!).traceId === RUN_TRACE);
          for (const m of inherited) expectChildOf(m.traceparent, RUN);
          expect(inherited.length).toBeGreaterThan(0);
          expect(inherited.length).toBeLessThan(samples.length);
        },
        TIMEOUT,
      );
    } else {
      test(
        `variant ${v.name}: a metric's traceparent is accepted exactly when it is valid W3C Trace Context and propagated as a child span; the others inherit the run's context`,
        async () => {
          const out = tempDir(`trace-${v.name}`);
          const input = [
            ...HEADERS.map(([h], i) => ({
              name: `t${i}`,
              value: i,
              namespace: "trace",
              scope: "Public",
              tenant: "trace",
              ts: NOW - i * 1000,
              traceparent: h,
            })),
            { name: "t.none", value: 0, namespace: "trace", scope: "Public", tenant: "trace", ts: NOW },
          ];
          const r = await runCli(v, [tempFile("trace.jsonl", lines(input)), `--now=${NOW}`, `--traceparent=${RUN}`, `--out=${out}`]);
          expect(r.code).toBe(0);
          const invalid = HEADERS.filter(([, valid]) => !valid).length;
          expect(sectionOf(r.out, "trace context")[0]).toBe(
            `run context: ${RUN}; invalid traceparents ignored: ${invalid}; inherited: ${invalid + 1}`,
          );
          const byName = new Map(stored(v, out).map((m) => [m.name, m.traceparent]));
          expect(byName.size).toBe(input.length);
          for (const [i, [h, valid]] of HEADERS.entries()) expectChildOf(byName.get(`t${i}`), valid ? h : RUN);
          expectChildOf(byName.get("t.none"), RUN);
        },
        TIMEOUT,
      );
    }
  }
});
