/**
 * `npm run check` is run after every edit, so a clean result is remembered, keyed by a fingerprint of
 * every input that can change it: data, content, generated files, the checker's own code and the locked
 * dependency versions. Same inputs, same verdict; any change to any of them runs the full check.
 * Only clean runs are cached: a failing run always reports afresh. This module imports nothing heavy.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listInside, readInside, walkInside } from "../fs/safe-fs.ts";
import { writeAtomic } from "../fs/write-atomic.ts";

const CACHE_FILE = "node_modules/.cache/takeoff/check.json";
/** Inputs of a check, relative to the repository root; directories are read recursively. */
const INPUTS = ["data", "content", "src/generated", "src/core", "src/cli", "scripts/check.ts", "package-lock.json"];

export interface CachedCheck {
  fingerprint: string;
  records: number;
}

/** Inputs are hashed as the loader reads them: the same walker, the same refusals, the same bytes. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function fingerprint(root: string, extra: string): string {
  const hash = createHash("sha256").update(extra);
  for (const input of INPUTS) {
    const listed = listInside(root, input);
    const entries = listed === undefined || "refusal" in listed ? [{ rel: input, kind: "file" as const }] : walkInside(root, input);
    for (const e of entries) {
      hash.update(`\0${e.rel}\0`);
      if (e.kind === "refused") {
        hash.update(`\0refused:${e.refusal.rule}`);
        continue;
      }
      const read = readInside(root, e.rel, MAX_INPUT_BYTES);
      hash.update("refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : read.bytes);
    }
  }
  return hash.digest("hex");
}

export function readCachedCheck(root: string, print: string): CachedCheck | undefined {
  try {
    const cached = JSON.parse(readFileSync(join(root, CACHE_FILE), "utf8")) as CachedCheck;
    return cached.fingerprint === print ? cached : undefined;
  } catch {
    return undefined;
  }
}

export function writeCachedCheck(root: string, entry: CachedCheck): void {
  try {
    writeAtomic(join(root, CACHE_FILE), JSON.stringify(entry), root);
  } catch {
    // A cache that cannot be written only costs time.
  }
}
