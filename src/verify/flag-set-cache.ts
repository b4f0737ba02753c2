/**
 * Raw and gzip sizes of flag-set builds in the store, each valid while every file its build read has the
 * same content. Bun's output is deterministic for the same inputs, options and version, so the toggles of
 * the impact table (~160 builds) are then not rebuilt. The real variant builds and the probe builds are
 * never taken from here: they are built on every run.
 */
import { join } from "node:path";
import { readIfExists } from "../core/fs/write-atomic.ts";
import { fileDigest, hashContent, isNumber, isRecord, isStrings, openStore, type Store } from "../core/cache/store.ts";
import { BUILD_OPTIONS_ID } from "./build-variants.ts";

/** The builds and their measurement (the size worker and what it imports). */
const CODE = [new URL("./size-worker.ts", import.meta.url), new URL("./build-variants.ts", import.meta.url)];

interface Entry {
  inputs: string[];
  /** sha256 of the inputs' paths and contents. */
  fingerprint: string;
  raw: number;
  gzip: number;
}
const isEntry = (e: unknown): e is Entry => isRecord(e) && isStrings(e.inputs) && typeof e.fingerprint === "string" && isNumber(e.raw) && isNumber(e.gzip);

export class FlagSetCache {
  private entries: Record<string, Entry> = {};
  private used: Record<string, Entry> = {};
  private hashes = new Map<string, string | undefined>();
  private readonly disk: Store;
  private readonly key: string;

  /** `enabled`: read and write the store; otherwise every lookup misses and nothing is written. */
  constructor(private readonly root: string, private readonly enabled: boolean) {
    this.disk = openStore(root, CODE, { salt: BUILD_OPTIONS_ID });
    // Files besides the sources that change what the bundler produces; package.json without its scripts,
    // which never reach the bundler (so `npm run generate` keeps the entries).
    const config = ["tsconfig.json", "bunfig.toml"].map((f) => readIfExists(join(root, f)) ?? "");
    try {
      const { scripts: _scripts, ...rest } = JSON.parse(readIfExists(join(root, "package.json")) ?? "") as Record<string, unknown>;
      config.push(JSON.stringify(rest));
    } catch {}
    this.key = this.disk.key(...config);
    if (enabled) this.entries = this.disk.get("verify-flag-sets", this.key, (v) => (isRecord(v) && Object.values(v).every(isEntry) ? (v as Record<string, Entry>) : undefined)) ?? {};
  }

  private fingerprint(inputs: string[]): string | undefined {
    const parts: string[] = [];
    for (const path of inputs) {
      if (!this.hashes.has(path)) this.hashes.set(path, fileDigest(this.root, path));
      const h = this.hashes.get(path);
      if (h === undefined) return undefined;
      parts.push(path, h);
    }
    return hashContent(...parts);
  }

  lookup(key: string): { raw: number; gzip: number } | undefined {
    const e = Object.hasOwn(this.entries, key) ? this.entries[key] : undefined;
    if (!e || this.fingerprint(e.inputs) !== e.fingerprint) return undefined;
    this.used[key] = e;
    return { raw: e.raw, gzip: e.gzip };
  }

  store(key: string, inputs: string[], size: { raw: number; gzip: number }): void {
    const sorted = [...inputs].sort();
    const fingerprint = this.fingerprint(sorted);
    if (fingerprint) this.used[key] = { inputs: sorted, fingerprint, ...size };
  }

  /** Keeps only the entries this run used. */
  save(): void {
    if (this.enabled) this.disk.set("verify-flag-sets", this.key, this.used);
  }
}
