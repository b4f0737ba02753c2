/**
 * Raw and gzip sizes of flag-set builds in the store, one entry per flag set, valid while every file its
 * build read has the same content (its deps). Bun's output is deterministic for the same inputs, options
 * and version, so the toggles of the impact table (~160 builds) are then not rebuilt. The real variant
 * builds and the probe builds are never taken from here: they are built on every run.
 */
import { join } from "node:path";
import { readIfExists } from "../core/fs/write-atomic.ts";
import { fileDigest, isNumber, isRecord, openStore, type Deps } from "../core/cache/store.ts";
import { BUILD_OPTIONS_ID } from "./build-variants.ts";

type Size = { raw: number; gzip: number };

export class FlagSetCache {
  private readonly disk;
  private readonly key: string;
  private readonly digests = new Map<string, string | undefined>();
  private readonly digest = (rel: string) =>
    this.digests.has(rel) ? this.digests.get(rel) : this.digests.set(rel, fileDigest(this.root, rel)).get(rel);

  /** `enabled`: read and write the store; otherwise every lookup misses and nothing is written. */
  constructor(
    private readonly root: string,
    private readonly enabled: boolean,
  ) {
    this.disk = openStore(root);
    // What else changes the bundler's output; package.json without its scripts, which never reach it (so
    // `npm run generate` keeps the entries).
    const config = [BUILD_OPTIONS_ID, ...["tsconfig.json", "bunfig.toml"].map((f) => readIfExists(join(root, f)) ?? "")];
    try {
      const { scripts: _scripts, ...rest } = JSON.parse(readIfExists(join(root, "package.json")) ?? "") as Record<string, unknown>;
      config.push(JSON.stringify(rest));
    } catch {}
    this.key = this.disk.key(...config);
  }

  lookup(set: string): Size | undefined {
    if (!this.enabled) return undefined;
    return this.disk.get(
      `flag-set:${set}`,
      this.key,
      (v) => (isRecord(v) && isNumber(v.raw) && isNumber(v.gzip) ? { raw: v.raw, gzip: v.gzip } : undefined),
      this.digest,
    );
  }

  store(set: string, inputs: string[], size: Size): void {
    const deps: Deps = {};
    for (const rel of inputs) {
      const d = this.digest(rel);
      if (d === undefined) return;
      deps[rel] = d;
    }
    if (this.enabled) this.disk.set(`flag-set:${set}`, this.key, size, deps);
  }
}
