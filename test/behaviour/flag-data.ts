/**
 * Inputs and references of the flag proofs (flags-*.test.ts): metrics the tests feed a built variant, the
 * aggregates those metrics must produce computed here (independently of the application's code), and readers
 * of what a variant prints and writes. A variant with MOCK_API ignores its input and generates data from a seed,
 * so for it the test's metrics are the documented generator's output for that seed (src/app/features/mock-api.ts,
 * whose own proof shows the built variant uses exactly that generator).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Metric } from "../../src/app/core/types.ts";
import { generateMockMetrics } from "../../src/app/features/mock-api.ts";
import { has, runCli, tempDir, tempFile, type CliRun, type Variant } from "./harness.ts";

/** 2026-01-15T12:00:00Z: the first timestamp of the inputs and of the mock generator. */
export const BASE_TS = Date.parse("2026-01-15T12:00:00Z");

/** A metric of the inputs: Public scope, tenant "default", one second after the previous one unless told. */
export function metric(i: number, m: Partial<Metric> & Pick<Metric, "name" | "value">): Metric {
  return { namespace: "api", scope: "Public", tenant: "default", ts: BASE_TS + i * 1000, props: {}, ...m };
}

/** JSON lines of `metrics`, as the CLI reads them. */
export function jsonl(metrics: readonly Metric[]): string {
  return metrics.map((m) => JSON.stringify(m)).join("\n");
}

/** Turns sampling off (its threshold above any input) where a proof needs every sample stored. */
export const NO_SAMPLING = "--sample-after=100000000";

export interface Dataset {
  /** The metrics the variant ingests. */
  metrics: Metric[];
  /** Arguments that make the variant ingest them. */
  args: string[];
}

/**
 * What a variant ingests for `metrics`: a file of them, or with MOCK_API (which ignores input) the generator's
 * metrics for `mock` (seed and count).
 */
export function dataset(v: Variant, metrics: readonly Metric[], mock: { seed: number; count: number } = { seed: 42, count: 200 }): Dataset {
  if (has(v, "MOCK_API")) {
    const generated = generateMockMetrics({ seed: mock.seed, count: mock.count });
    return { metrics: generated, args: [`--seed=${mock.seed}`, `--count=${mock.count}`, `--now=${lastTs(generated)}`] };
  }
  return { metrics: [...metrics], args: [tempFile("input.jsonl", jsonl(metrics)), `--now=${lastTs(metrics)}`] };
}

const lastTs = (metrics: readonly Metric[]) => metrics.reduce((a, m) => Math.max(a, m.ts), 0);

/** Runs a variant on a dataset; a non-zero exit fails the test with what it printed. */
export async function report(v: Variant, data: Dataset, extra: string[] = []): Promise<CliRun> {
  const r = await runCli(v, [...data.args, ...extra]);
  if (r.code !== 0) throw new Error(`${v.name} exited ${r.code}: ${r.err}`);
  return r;
}

// ---- reference aggregates ------------------------------------------------------------------------

/** Percentile `p` (0..100) by linear interpolation between closest ranks (R-7, Excel PERCENTILE.INC). */
export function percentileR7(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * (p / 100);
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

export interface RefRow {
  key: string;
  namespace: string;
  name: string;
  unit: string | undefined;
  scope: string;
  tenant: string;
  values: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** The key of a series: `tenant@Scope:namespace/name` with ENTERPRISE, else `namespace/name` (tenants merged). */
export const keyOf = (v: Variant, m: Pick<Metric, "namespace" | "name" | "scope" | "tenant">): string =>
  has(v, "ENTERPRISE") ? `${m.tenant}@${m.scope}:${m.namespace}/${m.name}` : `${m.namespace}/${m.name}`;

/** Aggregates of `metrics` as the variant `v` groups them, by key. */
export function reference(v: Variant, metrics: readonly Metric[]): Map<string, RefRow> {
  const rows = new Map<string, RefRow>();
  for (const m of metrics) {
    const key = keyOf(v, m);
    const row = rows.get(key) ?? {
      key,
      namespace: m.namespace,
      name: m.name,
      unit: m.unit,
      scope: m.scope,
      tenant: m.tenant,
      values: [],
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
      mean: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    };
    row.values.push(m.value);
    rows.set(key, row);
  }
  for (const r of rows.values()) {
    r.count = r.values.length;
    r.sum = r.values.reduce((a, b) => a + b, 0);
    r.min = Math.min(...r.values);
    r.max = Math.max(...r.values);
    r.mean = r.sum / r.count;
    r.p50 = percentileR7(r.values, 50);
    r.p95 = percentileR7(r.values, 95);
    r.p99 = percentileR7(r.values, 99);
  }
  return rows;
}

// ---- reading a report ----------------------------------------------------------------------------

/** Lines of a report section (`== title ==`), blank lines kept out; undefined when the section is absent. */
export function section(out: string, title: string): string[] | undefined {
  const lines = out.split("\n");
  const start = lines.indexOf(`== ${title} ==`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^== .* ==$/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "");
}

/** A plain table of the report (cells without spaces): one object per row, by header. */
export function tableOf(lines: readonly string[]): Record<string, string>[] {
  const [head, ...rows] = lines.map((l) => l.trim().split(/\s+/));
  return rows.map((cells) => Object.fromEntries((head ?? []).map((h, i) => [h, cells[i] ?? ""])));
}

/** The aggregates table of a report, by key. */
export function aggregatesOf(out: string): Map<string, Record<string, string>> {
  const lines = section(out, "aggregates");
  if (!lines) throw new Error("the report has no aggregates section");
  return new Map(tableOf(lines).map((r) => [r.key!, r]));
}

/** The report rounds non-integers to 2 decimals: equal within that rounding. */
export function near2(shown: string | undefined, expected: number): boolean {
  return shown !== undefined && Math.abs(Number(shown) - expected) <= 0.005 + 1e-9 * Math.abs(expected);
}

/** Samples the report says it stored: the sum of the aggregates' counts. */
export function storedCount(out: string): number {
  return [...aggregatesOf(out).values()].reduce((a, r) => a + Number(r.count), 0);
}

// ---- exports -------------------------------------------------------------------------------------

export interface ExportFile {
  /** The file's name without a .gz suffix. */
  name: string;
  /** As written. */
  bytes: Buffer;
  gzip: boolean;
  /** The text, decompressed (node:zlib) when written with .gz; undefined when that fails (see `error`). */
  text: string | undefined;
  error?: string;
}

/** The text of an export the variant wrote; throws when it did not write it or it does not decompress. */
export function exportText(files: Map<string, ExportFile>, name: string): string {
  const f = files.get(name);
  if (!f) throw new Error(`no ${name} written (files: ${[...files.keys()].join(", ")})`);
  if (f.text === undefined) throw new Error(`${name}.gz does not decompress: ${f.error}`);
  return f.text;
}

/** Runs the variant with --out=DIR and reads back every file it wrote there. */
export async function exportRun(v: Variant, data: Dataset, extra: string[] = []): Promise<{ run: CliRun; files: Map<string, ExportFile> }> {
  const dir = tempDir(`out-${v.name}`);
  const run = await report(v, data, [`--out=${dir}`, ...extra]);
  const files = new Map<string, ExportFile>();
  for (const f of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, f));
    const gzip = f.endsWith(".gz");
    const name = gzip ? f.slice(0, -3) : f;
    try {
      files.set(name, { name, bytes, gzip, text: (gzip ? gunzipSync(bytes) : bytes).toString("utf8") });
    } catch (error) {
      files.set(name, { name, bytes, gzip, text: undefined, error: String(error) });
    }
  }
  return { run, files };
}

/** Memoises one promise per key (one run per variant shared by several tests of a file). */
export function once<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = make(key)));
    return p;
  };
}
