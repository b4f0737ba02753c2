/**
 * `npm run check` is run after every edit, so a clean result is remembered, keyed by a fingerprint of
 * every input that can change it: data, content, generated files, the checker's own code and the locked
 * dependency versions. Same inputs, same verdict; any change to any of them runs the full check.
 * Only clean runs are cached: a failing run always reports afresh. This module imports nothing heavy.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeAtomic } from "./write-atomic.ts";

const CACHE_FILE = "node_modules/.cache/takeoff/check.json";
/** Inputs of a check, relative to the repository root; directories are read recursively. */
const INPUTS = ["data", "content", "src/generated", "src/core", "scripts/check.ts", "package-lock.json"];

export interface CachedCheck {
  fingerprint: string;
  records: number;
}

function walk(root: string, rel: string, out: string[]): void {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    out.push(rel);
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(root, child, out);
    else out.push(child);
  }
}

export function fingerprint(root: string, extra: string): string {
  const hash = createHash("sha256").update(extra);
  const files: string[] = [];
  for (const input of INPUTS) walk(root, input, files);
  for (const file of files) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(join(root, file)));
    } catch {
      hash.update("\0missing");
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
    writeAtomic(join(root, CACHE_FILE), JSON.stringify(entry));
  } catch {
    // A cache that cannot be written only costs time.
  }
}
