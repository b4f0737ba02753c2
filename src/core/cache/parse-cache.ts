/**
 * Parsed data files remembered by content: with thousands of records split over many files, a writer who
 * edits one file should wait for that file only. The key is the file's bytes plus the parser's own code
 * and the yaml version, so a parser change re-parses everything. Entries are plain JSON; a broken or
 * foreign entry is ignored.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedFile } from "../load/parse-data-files.ts";
import type { NodePlace, YamlSource } from "../load/yaml-source.ts";
import { writeAtomic } from "../fs/write-atomic.ts";

/** Where CLIs keep it; npm ci wipes it with node_modules. */
export const PARSE_CACHE_DIR = "node_modules/.cache/takeoff/parse";

let parserVersion: string | undefined;
function version(): string {
  if (parserVersion === undefined) {
    const hash = createHash("sha256");
    for (const file of ["../load/yaml-source.ts", "../load/parse-data-files.ts", "parse-cache.ts"]) hash.update(readFileSync(join(import.meta.dirname, file)));
    hash.update(readFileSync(Bun.resolveSync("yaml/package.json", import.meta.dirname)));
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
        const entry = JSON.parse(readFileSync(pathOf(rel), "utf8")) as { key?: unknown; parsed?: unknown };
        if (entry.key !== keyOf(bytes)) return undefined;
        return revive(entry.parsed, rel, bytes);
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

/**
 * A cache entry is trusted only in the exact shape this module writes, for this file and these bytes: a
 * hand-made or truncated entry with a valid key (`{parsed: {}}`, `{data: []}`) is a miss, never data.
 */
function revive(value: unknown, rel: string, bytes: Uint8Array): ParsedFile | undefined {
  const parsed = value as { rel?: unknown; kind?: unknown; diagnostics?: unknown; source?: Record<string, unknown> } | null;
  if (!parsed || typeof parsed !== "object" || parsed.rel !== rel || typeof parsed.kind !== "string" || !Array.isArray(parsed.diagnostics)) return undefined;
  const src = parsed.source;
  if (src === undefined) return parsed.diagnostics.length ? (parsed as ParsedFile) : undefined;
  if (!src || typeof src !== "object" || src.file !== rel || typeof src.text !== "string" || !Array.isArray(src.lineStarts) || !Array.isArray(src.places)) return undefined;
  // The text must be the file itself: the entry cannot swap in other records under a valid key.
  const text = new TextDecoder().decode(bytes);
  if (src.text !== (text.startsWith("\uFEFF") ? text.slice(1) : text)) return undefined;
  if (!("data" in src) && parsed.diagnostics.length === 0) return undefined;
  const places = new Map(src.places as [string, NodePlace][]);
  // Every list item has a place: a data list shorter or longer than the places is not what was parsed.
  if (Array.isArray(src.data) && (places.has(String(src.data.length)) || (src.data.length > 0 && !places.has(String(src.data.length - 1))))) return undefined;
  return { ...(parsed as ParsedFile), source: { ...(src as unknown as YamlSource), places } };
}
