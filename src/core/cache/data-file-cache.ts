/**
 * Each data file's entry in the store: its parse and the validation of its records, for its exact bytes
 * and this loader's code. A writer who edits one file of many waits for that file only, and only its kind
 * meets zod (whose first parse of each schema compiles it). Cross-record rules always run afresh.
 */
import type { NodePlace, YamlSource } from "../load/yaml-source.ts";
import type { ParsedFile } from "../load/parse-data-files.ts";
import { isDiagnosticOf, isRecord, isStrings, openStore } from "./store.ts";

/** A data file's entry: as parsed, with what validating its records found. */
type CachedFile = Omit<ParsedFile, "bytes" | "hit">;
export type DataFileCache = ReturnType<typeof openDataFileCache>;

/** The entries of the store at `dir` (absolute); writes stay inside `root`. */
export function openDataFileCache(root: string, dir: string) {
  const store = openStore(root, dir);
  return {
    get: (rel: string, bytes: Uint8Array) => store.get(`parse:${rel}`, store.key(rel, bytes), (v) => revive(v, rel, bytes)),
    set: (bytes: Uint8Array, file: CachedFile) =>
      store.set(
        `parse:${file.rel}`,
        store.key(file.rel, bytes),
        // The text is the file itself: revive decodes it from the bytes the entry is keyed by.
        file.source ? { ...file, source: { ...file.source, text: undefined, places: [...file.source.places] } } : file,
      ),
  };
}

/**
 * An entry is trusted only in the exact shape this module writes, for this file and these bytes: a
 * hand-made or truncated entry under a valid key (`{value: {}}`, `{data: []}`) is a miss, never data.
 */
function revive(value: unknown, rel: string, bytes: Uint8Array): CachedFile | undefined {
  if (!isRecord(value) || value.rel !== rel || typeof value.kind !== "string" || !Array.isArray(value.diagnostics)) return undefined;
  const { source: src, validated: v } = value;
  if (
    v !== undefined &&
    !(
      isRecord(v) &&
      isStrings(v.names) &&
      Array.isArray(v.diagnostics) &&
      v.diagnostics.every(isDiagnosticOf(rel)) &&
      Array.isArray(v.records) &&
      v.records.every((r: unknown) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && r[0] >= 0 && isRecord(r[1]))
    )
  )
    return undefined;
  if (src === undefined) return value.diagnostics.length ? (value as unknown as CachedFile) : undefined;
  if (!isRecord(src) || src.file !== rel || src.text !== undefined || !Array.isArray(src.lineStarts) || !Array.isArray(src.places))
    return undefined;
  const decoded = new TextDecoder().decode(bytes);
  const text = decoded.startsWith("\uFEFF") ? decoded.slice(1) : decoded;
  if (!("data" in src) && value.diagnostics.length === 0) return undefined;
  const places = new Map(src.places as [string, NodePlace][]);
  // Every list item has a place: a data list shorter or longer than the places is not what was parsed.
  const data = src.data;
  if (Array.isArray(data) && (places.has(String(data.length)) || (data.length > 0 && !places.has(String(data.length - 1)))))
    return undefined;
  // Validated records are items of this list.
  if (v && (v.records as [number][]).some(([i]) => !Array.isArray(data) || i >= data.length)) return undefined;
  const source: YamlSource = { file: rel, text, lineStarts: src.lineStarts as number[], places, data };
  return { ...(value as unknown as CachedFile), source };
}
