/**
 * Parsed data files remembered by content: with thousands of records split over many files, a writer who
 * edits one file should wait for that file only. The key is the file's bytes plus the parser's own code
 * and the yaml version, so a parser change re-parses everything. Entries are plain JSON; a broken or
 * foreign entry is ignored.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedFile } from "./parse-data-files.ts";
import { writeAtomic } from "./write-atomic.ts";

/** Where CLIs keep it; npm ci wipes it with node_modules. */
export const PARSE_CACHE_DIR = "node_modules/.cache/takeoff/parse";

let parserVersion: string | undefined;
function version(): string {
  if (parserVersion === undefined) {
    const hash = createHash("sha256");
    for (const file of ["yaml-source.ts", "parse-data-files.ts", "parse-cache.ts"]) hash.update(readFileSync(join(import.meta.dirname, file)));
    hash.update(readFileSync(join(import.meta.dirname, "../../node_modules/yaml/package.json")));
    parserVersion = hash.digest("hex");
  }
  return parserVersion;
}

export interface ParseCache {
  get(rel: string, bytes: Uint8Array): ParsedFile | undefined;
  set(rel: string, bytes: Uint8Array, parsed: ParsedFile): void;
}

export function openParseCache(dir: string): ParseCache {
  const keyOf = (bytes: Uint8Array) => createHash("sha256").update(version()).update(bytes).digest("hex");
  const pathOf = (rel: string) => join(dir, `${createHash("sha256").update(rel).digest("hex").slice(0, 24)}.json`);
  return {
    get(rel, bytes) {
      try {
        const entry = JSON.parse(readFileSync(pathOf(rel), "utf8")) as { key: string; parsed: ParsedFile & { source?: { places: [string, unknown][] } } };
        if (entry.key !== keyOf(bytes)) return undefined;
        const { parsed } = entry;
        if (parsed.source) (parsed.source as unknown as { places: unknown }).places = new Map(parsed.source.places);
        return parsed;
      } catch {
        return undefined;
      }
    },
    set(rel, bytes, parsed) {
      try {
        writeAtomic(pathOf(rel), JSON.stringify({ key: keyOf(bytes), parsed }, (_k, v: unknown) => (v instanceof Map ? [...v] : v)));
      } catch {
        // A cache that cannot be written only costs time.
      }
    },
  };
}
