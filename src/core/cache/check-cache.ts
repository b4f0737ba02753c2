/**
 * `npm run check` is run after every edit, so a clean result is remembered, keyed by every input that can
 * change it: data, content, generated files and the files with generated parts, hashed exactly as the loader
 * reads them, plus the checker's own code and package versions (the content cache's code fingerprint of
 * the CLI module, which follows everything it imports). Same inputs, same verdict; any change to any of
 * them runs the full check. Only clean runs are cached: a failing run always reports afresh.
 * This module imports nothing heavy.
 */
import { listInside, readInside, walkInside } from "../fs/safe-fs.ts";
import { isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";

/** Inputs of a check, relative to the repository root; directories are read recursively. */
export const CHECK_INPUTS = ["data", "content", "src/generated", "package.json", ".github/workflows/build-variants.yml", "README.md"];

export interface CachedCheck {
  records: number;
}

/** Inputs are hashed as the loader reads them: the same walker, the same refusals, the same bytes. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** sha256 of every input as the loader reads it (a refused path by its refusal), and `extra` (the arguments). */
export function inputsFingerprint(root: string, extra: string): string {
  const hash = new Bun.CryptoHasher("sha256").update(extra);
  for (const input of CHECK_INPUTS) {
    const listed = listInside(root, input);
    const entries = listed === undefined || "refusal" in listed ? [{ rel: input, kind: "file" as const }] : walkInside(root, input);
    for (const e of entries) {
      hash.update(`\0${e.rel}\0`);
      if (e.kind === "refused") {
        hash.update(`\0refused:${e.refusal.rule}`);
        continue;
      }
      if (e.kind === "dir") continue;
      const read = readInside(root, e.rel, MAX_INPUT_BYTES);
      hash.update("refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : read.bytes);
    }
  }
  return hash.digest("hex");
}

export interface CheckCache {
  /** The remembered clean verdict for these inputs and arguments, if any. */
  read(): CachedCheck | undefined;
  write(entry: CachedCheck): void;
}

/**
 * The verdict cache of the project at `root` for a run with `args`; `code` are the module URLs of the
 * checker (the CLI's `import.meta.url`: its imports are followed). Inputs are hashed once, when opened.
 */
export function openCheckCache(root: string, args: readonly string[], code: readonly (string | URL)[]): CheckCache {
  const cache: ContentCache<CachedCheck> = openCache(root, {
    name: "check",
    code,
    validate: (v) => (isRecord(v) && isNumber(v.records) ? { records: v.records } : undefined),
  });
  const key = cache.key(inputsFingerprint(root, JSON.stringify(args)));
  return { read: () => cache.get("verdict", key), write: (entry) => cache.set("verdict", key, entry) };
}
