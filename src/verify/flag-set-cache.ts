/**
 * Raw and gzip sizes of flag-set builds, cached by the content of every file the build read. Bun's output
 * is deterministic for the same inputs, options and version, so an unchanged input set means unchanged
 * bytes; the toggles of the impact table (~160 builds) are then not rebuilt. The real variant builds and
 * the probe builds are never taken from here: they are built on every run.
 */
import { join } from "node:path";
import { readIfExists } from "../core/fs/write-atomic.ts";
import { hashContent as contentHash, isNumber, isRecord, openCache, type ContentCache } from "../core/cache/content-cache.ts";
import { BUILD_OPTIONS_ID } from "./build-variants.ts";

/** The builds and their measurement (the size worker and what it imports): the content cache's code fingerprint. */
const CODE = [new URL("./size-worker.ts", import.meta.url), new URL("./build-variants.ts", import.meta.url)];

const isEntry = (e: unknown): e is Entry =>
  isRecord(e) && Array.isArray(e.inputs) && e.inputs.every((i) => typeof i === "string") && typeof e.fingerprint === "string" && isNumber(e.raw) && isNumber(e.gzip);

/** Files besides the sources that change what the bundler produces. */
const BUILD_CONFIG = ["tsconfig.json", "bunfig.toml", "package.json"];

interface Entry {
  inputs: string[];
  fingerprint: string;
  raw: number;
  gzip: number;
}

export class FlagSetCache {
  private entries: Record<string, Entry> = {};
  private used: Record<string, Entry> = {};
  private hashes = new Map<string, string>();
  private readonly config: string;
  private readonly cache: ContentCache<Record<string, Entry>>;

  /** `enabled`: read and write the cache file; otherwise every lookup misses and nothing is written. */
  constructor(private readonly root: string, private readonly enabled: boolean) {
    const parts = [Bun.version, BUILD_OPTIONS_ID];
    for (const f of BUILD_CONFIG) {
      let text = readIfExists(join(root, f)) ?? "";
      // Scripts do not reach the bundler; leaving them out keeps `npm run generate` from emptying the cache.
      if (f === "package.json") {
        try {
          const { scripts: _scripts, ...rest } = JSON.parse(text) as Record<string, unknown>;
          text = JSON.stringify(rest);
        } catch {}
      }
      parts.push(f, text);
    }
    this.cache = openCache(root, { name: "verify-flag-sets", code: CODE, validate: (v) => (isRecord(v) && Object.values(v).every(isEntry) ? (v as Record<string, Entry>) : undefined) });
    this.config = this.cache.key(...parts);
    if (!enabled) return;
    this.entries = this.cache.get("flag-sets", this.config) ?? {};
  }

  private fingerprint(inputs: string[]): string | undefined {
    const parts: string[] = [];
    for (const path of inputs) {
      let h = this.hashes.get(path);
      if (h === undefined) {
        const text = readIfExists(join(this.root, path));
        if (text === undefined) return undefined;
        this.hashes.set(path, (h = contentHash(text)));
      }
      parts.push(path, h);
    }
    return contentHash(parts.join("\u0000"));
  }

  lookup(key: string): { raw: number; gzip: number } | undefined {
    const e = this.entries[key];
    if (!e || this.fingerprint(e.inputs) !== e.fingerprint) return undefined;
    this.used[key] = e;
    return { raw: e.raw, gzip: e.gzip };
  }

  store(key: string, inputs: string[], size: { raw: number; gzip: number }): void {
    const fingerprint = this.fingerprint([...inputs].sort());
    if (fingerprint) this.used[key] = { inputs: [...inputs].sort(), fingerprint, ...size };
  }

  /** Keeps only the entries this run used. */
  save(): void {
    if (this.enabled) this.cache.set("flag-sets", this.config, this.used);
  }
}
