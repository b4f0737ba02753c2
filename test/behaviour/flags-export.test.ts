/**
 * Behaviour proofs of the export flags (data/features.yaml) against every built variant that ships each one:
 * CSV_EXPORT (read back by csv-parse, strict RFC 4180), PROMETHEUS_EXPORT (read back by
 * parse-prometheus-text-format) and COMPRESSION (every export file decompressed by node:zlib). Each variant runs
 * once with --out on an input whose namespaces and units hold the characters each format must quote or escape
 * (comma, double quote, line breaks, backslash); variants with MOCK_API generate their data from a seed instead.
 * Values are compared with aggregates computed here from the same metrics. Tests are named
 * `flag: <NAME>` › `variant <name>: …`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { parse as parseCsv } from "csv-parse/sync";
import parsePrometheus from "parse-prometheus-text-format";
import type { Metric } from "../../src/app/core/types.ts";
import { built, has, useHarness, VARIANTS, variantsWith, variantsWithout, type Variant } from "./harness.ts";
import { dataset, exportRun, exportText, metric, NO_SAMPLING, once, reference, section, type RefRow } from "./flag-data.ts";

useHarness();

const TIMEOUT = 60_000;

beforeAll(async () => {
  await Promise.all(VARIANTS.map(built));
}, 120_000);

/**
 * Namespaces as ingest accepts them (letters, digits and _ . : -); units carry every character CSV must quote
 * and the exposition format's HELP line must escape (comma, double quote, CR, LF, backslash).
 */
const NAMESPACES = ["plain", "eu.west", "team:a", "x_y-z"];
const OWNERS = [
  { scope: "Enterprise", tenant: "acme" },
  { scope: "Public", tenant: "globex" },
] as const;

function exportInput(): Metric[] {
  const out: Metric[] = [];
  let i = 0;
  for (const namespace of NAMESPACES) {
    for (const owner of OWNERS) {
      for (let k = 0; k < 9; k++) {
        out.push(
          metric(i++, { name: "http.latency", unit: "ms", value: 100 + ((k * 37 + namespace.length) % 23) + k / 4, namespace, ...owner }),
        );
        out.push(metric(i++, { name: "jobs.done", unit: 'items,"batch"', value: k % 3, namespace, ...owner }));
        // A unit that tries to end the HELP line and inject a sample of its own.
        if (k < 2)
          out.push(metric(i++, { name: "queue.wait", unit: "s)\nperf_injected 1\n# HELP x \\", value: k + 0.5, namespace, ...owner }));
        if (k < 3) out.push(metric(i++, { name: "disk.io", unit: 'cr\r\nlf "back\\slash"', value: k * 2, namespace, ...owner }));
      }
    }
  }
  return out;
}

/** One export run per variant, shared by the tests of this file. */
const exported = once(async (name: string) => {
  const v = VARIANTS.find((x) => x.name === name)!;
  const data = dataset(v, exportInput());
  return { data, ...(await exportRun(v, data, [NO_SAMPLING])) };
});

/** Numbers as written: integers exactly, others rounded to 6 decimals (CSV) or printed in full (Prometheus). */
const close = (text: string | undefined, expected: number, eps = 5e-7) =>
  text !== undefined && text !== "" && Math.abs(Number(text) - expected) <= eps + 1e-12 * Math.abs(expected);

const ownerId = (r: { scope: string; tenant: string; namespace: string; name: string }, v: Variant) =>
  `${has(v, "ENTERPRISE") ? `${r.tenant}@${r.scope}:` : ""}${JSON.stringify(r.namespace)}/${r.name}`;

describe("flag: CSV_EXPORT", () => {
  const variants = variantsWith("CSV_EXPORT");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: aggregates.csv is RFC 4180 CSV (CRLF records, quoted fields) that a strict CSV parser reads back to the exact aggregates`,
      async () => {
        const { data, files } = await exported(v.name);
        const text = exportText(files, "aggregates.csv");
        expect(text.endsWith("\r\n")).toBe(true);
        // Strict: CRLF records only, every record as many fields as the header, no stray quote anywhere.
        const records: string[][] = parseCsv(text, {
          record_delimiter: "\r\n",
          relax_quotes: false,
          relax_column_count: false,
          skip_empty_lines: false,
        });
        const [header, ...rows] = records;
        const percentiles = has(v, "HISTOGRAMS") ? ["p50", "p95", "p99"] : [];
        const owner = has(v, "ENTERPRISE") ? ["scope", "tenant"] : [];
        expect(header).toEqual([...owner, "namespace", "name", "unit", "count", "sum", "min", "max", "mean", ...percentiles]);
        const ref = reference(v, data.metrics);
        const got = new Map(
          rows.map((cells) => {
            const r = Object.fromEntries(header!.map((h, i) => [h, cells[i]!]));
            return [ownerId({ scope: r.scope ?? "", tenant: r.tenant ?? "", namespace: r.namespace!, name: r.name! }, v), r];
          }),
        );
        expect([...got.keys()].sort()).toEqual([...ref.values()].map((r) => ownerId(r, v)).sort());
        for (const r of ref.values()) {
          const row = got.get(ownerId(r, v))!;
          expect(row.unit).toBe(r.unit ?? "");
          expect(row.count).toBe(String(r.count));
          for (const k of ["sum", "min", "max", "mean", ...percentiles] as const) {
            if (!close(row[k], r[k as keyof RefRow] as number))
              throw new Error(`${ownerId(r, v)} ${k}: CSV has ${row[k]}, expected ${r[k as keyof RefRow]}`);
          }
        }
      },
      TIMEOUT,
    );
  }
});

/** The exposition family of a metric name and unit: perf_ + the name with every other character as _, unit suffix. */
const family = (r: RefRow) =>
  `perf_${r.name.replace(/[^a-zA-Z0-9_:]/g, "_")}${r.unit === "ms" ? "_milliseconds" : r.unit === "percent" ? "_percent" : ""}`;

interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

/**
 * Every sample of an exposition, read by parse-prometheus-text-format. The library folds a summary's samples into
 * one entry and drops their labels, so the samples are read from the text without its `# TYPE` lines (every
 * sample line then stands as its own untyped family, parsed unchanged); the TYPE and HELP lines are read from a
 * parse of the whole text.
 */
function promSamples(text: string): PromSample[] {
  const untyped = text
    .split("\n")
    .filter((l) => !l.startsWith("# TYPE "))
    .join("\n");
  return parsePrometheus(untyped).flatMap((f) =>
    f.metrics.map((m) => ({ name: f.name, labels: { ...(m.labels ?? {}) }, value: String(m.value) })),
  );
}

describe("flag: PROMETHEUS_EXPORT", () => {
  const variants = variantsWith("PROMETHEUS_EXPORT");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: metrics.prom parses as Prometheus text exposition (HELP, TYPE, escaped labels) with a summary and min/max gauges per series, equal to the aggregates`,
      async () => {
        const { data, files } = await exported(v.name);
        const text = exportText(files, "metrics.prom");
        const ref = [...reference(v, data.metrics).values()];
        const families = parsePrometheus(text);
        const types = new Map(families.map((f) => [f.name, f.type]));
        for (const f of families) expect(f.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        // HELP reads back as written: the metric's name and unit, escaped so that no unit can end the line.
        const help = Object.fromEntries(families.map((f) => [f.name, f.help]));
        expect(help).toEqual(
          Object.fromEntries(
            ref.flatMap((r) => [
              [family(r), `${r.name} (${r.unit ?? "value"})`],
              [`${family(r)}_min`, `min of ${r.name}`],
              [`${family(r)}_max`, `max of ${r.name}`],
            ]),
          ),
        );
        const expectedTypes = new Map(
          ref.flatMap(
            (r) =>
              [
                [family(r), "SUMMARY"],
                [`${family(r)}_min`, "GAUGE"],
                [`${family(r)}_max`, "GAUGE"],
              ] as [string, string][],
          ),
        );
        expect(Object.fromEntries(types)).toEqual(Object.fromEntries(expectedTypes));

        const samples = promSamples(text);
        const expected: PromSample[] = [];
        for (const r of ref) {
          const labels: Record<string, string> = {
            ...(has(v, "ENTERPRISE") ? { scope: r.scope, tenant: r.tenant } : {}),
            namespace: r.namespace,
          };
          const f = family(r);
          if (has(v, "HISTOGRAMS"))
            for (const [q, x] of [
              ["0.5", r.p50],
              ["0.95", r.p95],
              ["0.99", r.p99],
            ] as const)
              expected.push({ name: f, labels: { ...labels, quantile: q }, value: String(x) });
          expected.push({ name: `${f}_sum`, labels, value: String(r.sum) }, { name: `${f}_count`, labels, value: String(r.count) });
          expected.push({ name: `${f}_min`, labels, value: String(r.min) }, { name: `${f}_max`, labels, value: String(r.max) });
        }
        const id = (s: PromSample) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
        const got = new Map(samples.map((s) => [id(s), s.value]));
        expect([...got.keys()].sort()).toEqual(expected.map(id).sort());
        for (const e of expected) {
          if (!close(got.get(id(e)), Number(e.value), 1e-9))
            throw new Error(`${id(e)}: exposition has ${got.get(id(e))}, expected ${e.value}`);
        }
      },
      TIMEOUT,
    );
  }
});

/** The text of a report section as printed, line breaks inside values included. */
function rawSection(out: string, title: string): string {
  const start = out.indexOf(`\n== ${title} ==\n`);
  if (start < 0) throw new Error(`the report has no ${title} section`);
  const body = out.slice(start + title.length + 8);
  const end = body.search(/\n== [a-z/ ()0-9]+ ==\n/);
  return end < 0 ? body.trimEnd() : body.slice(0, end);
}

describe("flag: COMPRESSION", () => {
  const variants = variantsWith("COMPRESSION");
  test("the records name variants to prove it in", () => expect(variants.length).toBeGreaterThan(0));

  for (const v of variants) {
    test(
      `variant ${v.name}: every export file is written gzip-compressed and node:zlib decompresses it to exactly the payload the report shows`,
      async () => {
        const { run, files } = await exported(v.name);
        expect(files.size).toBeGreaterThan(0);
        for (const f of files.values()) {
          expect({ file: f.name, gzip: f.gzip, magic: f.bytes.subarray(0, 2).toString("hex"), error: f.error }).toEqual({
            file: f.name,
            gzip: true,
            magic: "1f8b",
            error: undefined,
          });
        }
        // The decompressed payloads are the exports the report prints (one line per CSV record, CRLF shown as LF).
        if (has(v, "CSV_EXPORT"))
          expect(exportText(files, "aggregates.csv").trimEnd().split("\r\n").join("\n")).toBe(rawSection(run.out, "csv"));
        if (has(v, "PROMETHEUS_EXPORT")) expect(exportText(files, "metrics.prom").trimEnd()).toBe(rawSection(run.out, "prometheus"));
        // The report's sizes: raw bytes are the decompressed length, gzip bytes the file's, and gzip is smaller.
        const sizes = section(run.out, "compression")!.filter((l) => !l.startsWith("wrote "));
        expect(sizes.length).toBe(files.size);
        for (const line of sizes) {
          const m = /^(\S+): (\d+) bytes -> (\d+) bytes gzip /.exec(line);
          if (!m) throw new Error(`not a compression line: ${line}`);
          const f = files.get(m[1]!)!;
          expect({ file: m[1], raw: Number(m[2]), gzip: Number(m[3]) }).toEqual({
            file: m[1],
            raw: Buffer.byteLength(f.text!),
            gzip: f.bytes.byteLength,
          });
          expect(f.bytes.byteLength).toBeLessThan(Buffer.byteLength(f.text!));
        }
      },
      TIMEOUT,
    );
  }

  for (const v of variantsWithout("COMPRESSION")) {
    test(
      `variant ${v.name}: without COMPRESSION, export files are written uncompressed`,
      async () => {
        const { run, files } = await exported(v.name);
        expect(files.size).toBeGreaterThan(0);
        for (const f of files.values())
          expect({ file: f.name, gzip: f.gzip, magic: f.bytes.subarray(0, 2).toString("hex") === "1f8b" }).toEqual({
            file: f.name,
            gzip: false,
            magic: false,
          });
        expect(section(run.out, "compression")).toBeUndefined();
      },
      TIMEOUT,
    );
  }
});
