/**
 * The exports: CSV, Prometheus and OTLP text, the snapshot in this build's serializer, their gzip sizes, the
 * files under --out and (S3_EXPORT) the S3 requests and upload.
 */
import { feature } from "bun:bundle";
import { bar, section } from "../core/format.ts";
import { errorMessage } from "../core/tracker.ts";
import type { Serializer } from "../core/types.ts";
import { gzipPayload } from "../features/compression.ts";
import { aggregatesToCsv } from "../features/csv-export.ts";
import { createLegacySerializer } from "../features/legacy-serializer.ts";
import { toOtlpJson } from "../features/otel-export.ts";
import { toPrometheus } from "../features/prometheus-export.ts";
import { createV2Serializer } from "../features/v2-serializer.ts";
import type { Reported } from "./run.ts";

/** The serializer of this build: legacy JSON lines unless V2_SERIALIZER is compiled in. */
export function selectSerializer(): Serializer {
  if (!feature("V2_SERIALIZER")) {
    return createLegacySerializer();
  } else {
    return createV2Serializer();
  }
}

interface ExportFile {
  name: string;
  body: string;
}

function byteLength(payload: string | Uint8Array): number {
  return typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
}

/** Every export of the run; false when an S3 upload failed. */
export async function exportAll(run: Reported): Promise<boolean> {
  const { out, opts, rows, visible, now } = run;
  const serializer = selectSerializer();
  const files: ExportFile[] = [];
  if (feature("CSV_EXPORT")) {
    const csv = aggregatesToCsv(rows);
    out(section("csv"));
    for (const line of csv.trimEnd().split("\r\n")) out(line);
    files.push({ name: "aggregates.csv", body: csv });
  }
  if (feature("PROMETHEUS_EXPORT")) {
    const text = toPrometheus(rows);
    out(section("prometheus"));
    for (const line of text.trimEnd().split("\n")) out(line);
    files.push({ name: "metrics.prom", body: text });
  }
  if (feature("OTEL_EXPORT")) {
    const payload = JSON.stringify(toOtlpJson(rows, { startMs: visible.reduce((a, m) => Math.min(a, m.ts), now), endMs: now }));
    out(section("otlp/json"));
    out(payload);
    files.push({ name: "metrics.otlp.json", body: payload });
  }

  const snapshot = serializer.serialize(visible);
  const roundtrip = serializer.deserialize(snapshot).length === visible.length ? "ok" : "MISMATCH";
  out(section("snapshot"));
  out(`serializer ${serializer.id}: ${visible.length} records, ${byteLength(snapshot)} bytes, roundtrip ${roundtrip}`);
  for (const line of snapshot.split("\n").slice(0, 2)) out(`  ${line}`);
  files.push({ name: `snapshot.${serializer.extension}`, body: snapshot });

  if (feature("COMPRESSION")) {
    out(section("compression"));
    for (const f of files) {
      const packed = gzipPayload(f.body);
      out(
        `${f.name}: ${packed.rawBytes} bytes -> ${packed.body.byteLength} bytes gzip ${bar(packed.body.byteLength / Math.max(1, packed.rawBytes), 10)}`,
      );
    }
  }
  if (opts.out !== undefined) await writeFiles(run, files);
  if (feature("S3_EXPORT")) {
    return s3Export(run, serializer);
  } else {
    if (opts.s3Endpoint !== undefined) run.io.err("--s3-endpoint ignored: this build has no S3_EXPORT");
  }
  return true;
}

async function writeFiles({ out, opts }: Reported, files: ExportFile[]): Promise<void> {
  for (const f of files) {
    if (feature("COMPRESSION")) {
      await Bun.write(`${opts.out}/${f.name}.gz`, gzipPayload(f.body).body);
      out(`wrote ${opts.out}/${f.name}.gz`);
    } else {
      await Bun.write(`${opts.out}/${f.name}`, f.body);
      out(`wrote ${opts.out}/${f.name}`);
    }
  }
}

/** S3_EXPORT: the requests (written under --s3-out) and, with --s3-endpoint, the upload; false when it failed. */
async function s3Export({ out, opts, visible, io, hooks }: Reported, serializer: Serializer): Promise<boolean> {
  const { exportMetricsToS3, uploadToS3 } = await import("../features/s3-export.ts");
  const result = await exportMetricsToS3(visible, {
    bucket: opts.s3Bucket,
    prefix: opts.s3Prefix,
    serializer,
    compress: feature("COMPRESSION") ? (text: string) => gzipPayload(text) : undefined,
    traceparent: hooks.traceparent?.("s3-export"),
    outDir: opts.s3Out,
  });
  out(section("s3 export"));
  for (const r of result.requests) {
    out(
      `PUT s3://${r.bucket}/${r.key} records=${r.records} bytes=${r.headers["Content-Length"]}${r.headers["Content-Encoding"] ? ` encoding=${r.headers["Content-Encoding"]}` : ""}`,
    );
    out(`  Content-Disposition: ${r.headers["Content-Disposition"]}`);
  }
  for (const w of result.written) out(`wrote ${w}`);
  if (opts.s3Endpoint !== undefined) {
    try {
      for (const key of await uploadToS3(result.requests, opts.s3Endpoint)) out(`uploaded s3://${opts.s3Bucket}/${key}`);
    } catch (error) {
      io.err(`error: s3 upload to ${opts.s3Endpoint} failed: ${errorMessage(error)}`);
      return false;
    }
  }
  return true;
}
