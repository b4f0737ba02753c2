/**
 * S3_EXPORT: exportMetricsToS3() builds S3 PUT requests: one object per scope, tenant, namespace and UTC day,
 * keyed `prefix/scope=S/tenant=T/namespace=N/date=YYYY-MM-DD/...`, with Content-Disposition
 * and integrity headers. With `outDir` the request bodies are also written under that local directory;
 * `uploadToS3()` sends them to an S3-compatible endpoint with Bun's S3 client.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Metric, ScopeName, Serializer } from "../core/types.ts";

export interface S3PutRequest {
  method: "PUT";
  bucket: string;
  key: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  records: number;
}

export interface S3ExportOptions {
  bucket: string;
  prefix?: string;
  region?: string;
  serializer: Serializer;
  /** Optional body transform (COMPRESSION passes gzip here). */
  compress?: (body: string) => { body: Uint8Array; encoding: string };
  /** Outgoing W3C traceparent header (TRACE_CONTEXT). */
  traceparent?: string | undefined;
  /** Write each body to `outDir/<key>` as well. */
  outDir?: string | undefined;
}

export interface S3ExportResult {
  requests: S3PutRequest[];
  written: string[];
}

export function utcDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

function partitionValue(value: string): string {
  return encodeURIComponent(value).replace(/%/g, "_");
}

/** `prefix/scope=S/tenant=T/namespace=N/date=D/file`: every object lies in its scope's and tenant's partition. */
export function s3ObjectKey(prefix: string, g: S3Partition, file: string): string {
  const head = prefix.replace(/^\/+|\/+$/g, "");
  return `${head ? `${head}/` : ""}scope=${partitionValue(g.scope)}/tenant=${partitionValue(g.tenant)}/namespace=${partitionValue(g.namespace)}/date=${g.date}/${file}`;
}

export interface S3Partition {
  scope: ScopeName;
  tenant: string;
  namespace: string;
  date: string;
}

export async function exportMetricsToS3(samples: readonly Metric[], options: S3ExportOptions): Promise<S3ExportResult> {
  const region = options.region ?? "us-east-1";
  const order = (g: S3Partition) => `${g.scope}\u0000${g.tenant}\u0000${g.namespace}\u0000${g.date}`;
  const groups = new Map<string, S3Partition & { metrics: Metric[] }>();
  for (const m of samples) {
    const g: S3Partition = { scope: m.scope, tenant: m.tenant, namespace: m.namespace, date: utcDate(m.ts) };
    const id = order(g);
    const group = groups.get(id) ?? { ...g, metrics: [] };
    group.metrics.push(m);
    groups.set(id, group);
  }
  const requests: S3PutRequest[] = [];
  const written: string[] = [];
  const ordered = [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const g of ordered) {
    const text = options.serializer.serialize(g.metrics);
    const packed = options.compress?.(text);
    const fileName = `metrics-${[g.scope, g.tenant, g.namespace].map(partitionValue).join("-")}-${g.date}.${options.serializer.extension}${packed ? ".gz" : ""}`;
    const key = s3ObjectKey(options.prefix ?? "metrics", g, fileName);
    const body = packed ? packed.body : text;
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const headers: Record<string, string> = {
      "Content-Type": options.serializer.contentType,
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Content-Length": String(bytes.byteLength),
      "Content-MD5": new Bun.CryptoHasher("md5").update(bytes).digest("base64"),
      "x-amz-meta-record-count": String(g.metrics.length),
      "x-amz-meta-serializer": options.serializer.id,
    };
    if (packed) headers["Content-Encoding"] = packed.encoding;
    if (options.traceparent) headers.traceparent = options.traceparent;
    const url = `https://${options.bucket}.s3.${region}.amazonaws.com/${key.split("/").map(encodeURIComponent).join("/")}`;
    requests.push({ method: "PUT", bucket: options.bucket, key, url, headers, body, records: g.metrics.length });
    if (options.outDir) {
      const path = join(options.outDir, options.bucket, ...key.split("/"));
      await mkdir(dirname(path), { recursive: true });
      await Bun.write(path, body);
      written.push(path);
    }
  }
  return { requests, written };
}

/** Sends the requests to an S3-compatible endpoint (credentials from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY); returns the keys written. */
export async function uploadToS3(
  requests: readonly S3PutRequest[],
  endpoint: string,
  env: Record<string, string | undefined> = process.env,
): Promise<string[]> {
  const keys: string[] = [];
  for (const r of requests) {
    const client = new Bun.S3Client({
      endpoint,
      bucket: r.bucket,
      accessKeyId: env.S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY,
      region: env.S3_REGION ?? env.AWS_REGION ?? "us-east-1",
    });
    await client.write(r.key, r.body, {
      type: r.headers["Content-Type"],
      contentDisposition: r.headers["Content-Disposition"],
      ...(r.headers["Content-Encoding"] ? { contentEncoding: r.headers["Content-Encoding"] } : {}),
    });
    keys.push(r.key);
  }
  return keys;
}
