/**
 * The JSON Schema of each record kind's Zod schema, remembered on disk: `z.toJSONSchema` is a third of a
 * check that follows an edit, and its answer depends on the code alone (the schemas, zod), never on the
 * records. So it lives beside the code (node_modules/.cache/takeoff/json-schema of this repository), one
 * slot per kind, keyed by the fingerprint of the schema code; the records' names are added by the caller.
 */
import { CODE_ROOT, isRecord, openCache, type ContentCache } from "./content-cache.ts";

type JsonSchema = Record<string, unknown>;

let cache: ContentCache<JsonSchema> | undefined;
const memo = new Map<string, string>();

/** A fresh copy of what `compute` returns for `kind`, from memory, disk, or `compute` itself (then stored). */
export function cachedJsonSchema(kind: string, compute: () => JsonSchema): JsonSchema {
  let text = memo.get(kind);
  if (text === undefined) {
    cache ??= openCache(CODE_ROOT, { name: "json-schema", code: [new URL("../emit/emit-json-schema.ts", import.meta.url)], validate: (v) => (isRecord(v) ? v : undefined) });
    const key = cache.key(kind);
    const stored = cache.get(kind, key);
    const value = stored ?? compute();
    if (!stored) cache.set(kind, key, value);
    text = JSON.stringify(value);
    memo.set(kind, text);
  }
  return JSON.parse(text) as JsonSchema;
}
