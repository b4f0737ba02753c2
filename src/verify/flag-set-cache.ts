/**
 * Raw and gzip sizes of flag-set builds, cached by the content of every file the build read. Bun's output
 * is deterministic for the same inputs, options and version, so an unchanged input set means unchanged
 * bytes; the toggles of the impact table (~160 builds) are then not rebuilt. The real variant builds and
 * the probe builds are never taken from here: they are built on every run.
 */
import { join } from "node:path";
import { readIfExists, writeAtomic } from "../core/fs/write-atomic.ts";
import { contentHash } from "./analysis-cache.ts";
import { BUILD_OPTIONS_ID } from "./build-variants.ts";

export const FLAG_SET_CACHE = ".cache/verify/flag-sets.json";

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
    this.config = contentHash(parts.join("\u0000"));
    if (!enabled) return;
    try {
      const stored = JSON.parse(readIfExists(join(root, FLAG_SET_CACHE)) ?? "") as { config?: string; entries?: Record<string, Entry> };
      if (stored.config === this.config && stored.entries) this.entries = stored.entries;
    } catch {}
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
    if (this.enabled) writeAtomic(join(this.root, FLAG_SET_CACHE), `${JSON.stringify({ config: this.config, entries: this.used })}\n`, this.root);
  }
}
