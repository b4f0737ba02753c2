/**
 * COMPRESSION: gzip export payloads with Bun.gzipSync.
 */
export interface CompressedPayload {
  body: Uint8Array<ArrayBuffer>;
  encoding: "gzip";
  rawBytes: number;
}

export function gzipPayload(payload: string | Uint8Array<ArrayBuffer>, level: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 9): CompressedPayload {
  const raw = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return { body: Bun.gzipSync(raw, { level }), encoding: "gzip", rawBytes: raw.byteLength };
}

export function gunzipText(body: Uint8Array<ArrayBuffer>): string {
  return new TextDecoder().decode(Bun.gunzipSync(body));
}

export function compressionRatio(p: CompressedPayload): number {
  return p.rawBytes === 0 ? 1 : p.body.byteLength / p.rawBytes;
}
