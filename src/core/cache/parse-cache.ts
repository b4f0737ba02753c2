/**
 * Parsed data files remembered by content: with thousands of records split over many files, a writer who
 * edits one file should wait for that file only. One slot per data file; the key is the file's bytes plus
 * the parser's code (this module, the loader's parse step, the YAML reader and what they import, the yaml
 * version), so a parser change re-parses everything. A hand-made or truncated entry is a miss, never data.
 *
 * Types only from the loader's side: the parse step imports this module, never the other way round.
 */
import type { Diagnostic } from "../report/diagnostics.ts";
import type { NodePlace, YamlSource } from "../load/yaml-source.ts";
import type { Kind } from "../schema/kinds.ts";
import { sep } from "node:path";
import { CACHE_ROOT, openCache } from "./content-cache.ts";

/** Where CLIs keep it, relative to the project root. */
export const PARSE_CACHE_DIR = `${CACHE_ROOT}/parse`;

/** One data file as the parse step returns it (src/core/load/parse-data-files.ts ParsedFile). */
export interface CachedParse {
  kind: Kind;
  rel: string;
  source?: YamlSource;
  diagnostics: Diagnostic[];
}

export interface ParseCache {
  get(rel: string, bytes: Uint8Array): CachedParse | undefined;
  set(rel: string, bytes: Uint8Array, parsed: CachedParse): void;
}

const CODE = [import.meta.url, new URL("../load/parse-data-files.ts", import.meta.url), new URL("../load/yaml-source.ts", import.meta.url)];

/**
 * The parse cache in folder `dir` (absolute); writes stay inside `root`. Without `root`, a folder below
 * `<root>/node_modules/.cache/` names its project itself (so a link planted at node_modules/.cache is never
 * written through), anything else confines writes to the folder.
 */
export function openParseCache(dir: string, root = projectOf(dir)): ParseCache {
  const cache = openCache<CachedParse, Uint8Array>(root, { name: "parse", code: CODE, validate: revive, store: toJson }, dir);
  return {
    get: (rel, bytes) => cache.get(rel, cache.key(rel, bytes), bytes),
    set: (rel, bytes, parsed) => cache.set(rel, cache.key(rel, bytes), parsed),
  };
}

function projectOf(dir: string): string {
  const at = dir.lastIndexOf(`${sep}node_modules${sep}.cache${sep}`);
  return at > 0 ? dir.slice(0, at) : dir;
}

function toJson(parsed: CachedParse): unknown {
  return parsed.source ? { ...parsed, source: { ...parsed.source, places: [...parsed.source.places] } } : parsed;
}

/**
 * An entry is trusted only in the exact shape this module writes, for this file and these bytes: a
 * hand-made or truncated entry with a valid key (`{value: {}}`, `{data: []}`) is a miss, never data.
 */
function revive(value: unknown, rel: string, bytes: Uint8Array): CachedParse | undefined {
  const parsed = value as { rel?: unknown; kind?: unknown; diagnostics?: unknown; source?: Record<string, unknown> } | null;
  if (!parsed || typeof parsed !== "object" || parsed.rel !== rel || typeof parsed.kind !== "string" || !Array.isArray(parsed.diagnostics)) return undefined;
  const src = parsed.source;
  if (src === undefined) return parsed.diagnostics.length ? (parsed as CachedParse) : undefined;
  if (!src || typeof src !== "object" || src.file !== rel || typeof src.text !== "string" || !Array.isArray(src.lineStarts) || !Array.isArray(src.places)) return undefined;
  // The text must be the file itself: the entry cannot swap in other records under a valid key.
  const text = new TextDecoder().decode(bytes);
  if (src.text !== (text.startsWith("\uFEFF") ? text.slice(1) : text)) return undefined;
  if (!("data" in src) && parsed.diagnostics.length === 0) return undefined;
  const places = new Map(src.places as [string, NodePlace][]);
  // Every list item has a place: a data list shorter or longer than the places is not what was parsed.
  if (Array.isArray(src.data) && (places.has(String(src.data.length)) || (src.data.length > 0 && !places.has(String(src.data.length - 1))))) return undefined;
  const source: YamlSource = { file: rel, text: src.text, lineStarts: src.lineStarts, places, data: src.data };
  return { ...(parsed as CachedParse), source };
}
