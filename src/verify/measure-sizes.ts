/**
 * Raw, gzip and brotli sizes of build outputs, and the budget check. Compression dominates the cost of
 * measuring (brotli quality 11 is tens of milliseconds per bundle), so sizes are cached by content hash,
 * in memory for the run and on disk between runs; brotli runs on the libuv pool so builds go on meanwhile.
 * gzip is level 9 via Bun.gzipSync, the same runtime that records and checks the sizes (Bun's and Node's
 * gzip differ by up to ~1%).
 */
import { promisify } from "node:util";
import { brotliCompress, constants } from "node:zlib";
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";
import type { Entry } from "../core/load/load-records.ts";
import { hashContent, isNumber, isRecord, openStore, type Store } from "../core/cache/store.ts";
import type { BuildOutput } from "./build-variants.ts";
import { bytes } from "./places.ts";
import { recordPlace } from "../core/load/yaml-source.ts";
import type { RawGzip, Sizes } from "./results-file.ts";

const brotli = promisify(brotliCompress);

interface Cached {
  gzip?: number;
  brotli?: number;
}

const isCached = (v: unknown) =>
  isRecord(v) && (v.gzip === undefined || isNumber(v.gzip)) && (v.brotli === undefined || isNumber(v.brotli));

/** sha256 of the code outputs a user downloads (source maps excluded), each with its path: the bundle's identity. */
export function outputsHash(outputs: BuildOutput[]): string {
  const code = outputs.filter((o) => o.kind !== "sourcemap").sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return hashContent(...code.flatMap((o) => [o.path, o.bytes]));
}

export class SizeMeter {
  private cache = new Map<string, Cached>();
  private used = new Set<string>();
  private pending = new Map<string, Promise<number>>();

  private readonly disk?: { store: Store; key: string };

  /** `root`: the project whose store keeps sizes between runs; none for a cold, memory-only meter. */
  constructor(root?: string) {
    if (root === undefined) return;
    const store = openStore(root);
    this.disk = { store, key: store.key() };
    const stored = store.get("verify-sizes", this.disk.key, (v) =>
      isRecord(v) && Object.values(v).every(isCached) ? (v as Record<string, Cached>) : undefined,
    );
    for (const [k, v] of Object.entries(stored ?? {})) this.cache.set(k, v);
  }

  private key(b: Uint8Array): string {
    const k = hashContent(b);
    this.used.add(k);
    return k;
  }

  private entry(k: string): Cached {
    let e = this.cache.get(k);
    if (!e) this.cache.set(k, (e = {}));
    return e;
  }

  gzip(b: Uint8Array<ArrayBuffer>): number {
    const e = this.entry(this.key(b));
    return (e.gzip ??= Bun.gzipSync(b, { level: 9 }).byteLength);
  }

  brotli(b: Uint8Array<ArrayBuffer>): Promise<number> {
    const k = this.key(b);
    const e = this.entry(k);
    if (e.brotli !== undefined) return Promise.resolve(e.brotli);
    let p = this.pending.get(k);
    if (!p) {
      p = brotli(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).then((out) => (e.brotli = out.byteLength));
      this.pending.set(k, p);
    }
    return p;
  }

  /** Sum over the code outputs (source maps excluded), as the files a user downloads. */
  async measure(outputs: BuildOutput[]): Promise<Sizes> {
    const code = outputs.filter((o) => o.kind !== "sourcemap");
    const br = await Promise.all(code.map((o) => this.brotli(o.bytes)));
    return {
      raw: code.reduce((s, o) => s + o.bytes.byteLength, 0),
      gzip: code.reduce((s, o) => s + this.gzip(o.bytes), 0),
      brotli: br.reduce((s, n) => s + n, 0),
    };
  }

  rawAndGzip(outputs: BuildOutput[]): RawGzip {
    const code = outputs.filter((o) => o.kind !== "sourcemap");
    return { raw: code.reduce((s, o) => s + o.bytes.byteLength, 0), gzip: code.reduce((s, o) => s + this.gzip(o.bytes), 0) };
  }

  /** Keeps only the entries this run used, so the file does not grow forever. */
  save(): void {
    if (!this.disk) return;
    const sizes: Record<string, Cached> = {};
    for (const k of [...this.used].sort()) {
      const v = this.cache.get(k);
      if (v) sizes[k] = v;
    }
    this.disk.store.set("verify-sizes", this.disk.key, sizes);
  }
}

export function budgetDiagnostic(variant: Entry<"variants">, sizes: Sizes): Diagnostic | undefined {
  const budget = variant.record.budget;
  if (sizes.raw <= budget) return undefined;
  return diagnostic(
    "over-budget",
    recordPlace(variant, ["budget"]),
    `variant "${variant.record.name}" is ${bytes(sizes.raw)} minified (gzip ${bytes(sizes.gzip)}, brotli ${bytes(sizes.brotli)}), ${bytes(sizes.raw - budget)} over its budget of ${bytes(budget)}`,
    "make the bundle smaller (the flag impact table shows where the bytes are), or raise the budget in review",
  );
}
