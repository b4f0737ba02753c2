/**
 * The schema facts (src/core/schema/kinds.ts: every kind's keys, field metadata and optional fields) kept in the
 * code's store, as the JSON Schemas are: they depend on the code alone, so a check after an edit builds only the
 * schemas it validates with.
 */
import { CODE_ROOT, isRecord, isStrings, openStore } from "./store.ts";
import { KINDS, schemaFacts, useSchemaFacts, type Kind, type SchemaFacts } from "../schema/kinds.ts";
import type { FieldMeta } from "../schema/fields.ts";

/** Hands the kept facts to kinds.ts, or reads them from the schemas and keeps them. */
export function keepSchemaFacts(): void {
  const store = openStore(CODE_ROOT);
  const key = store.key("schema-facts");
  const kept = store.get("schema-facts", key, asFacts);
  if (kept) useSchemaFacts(kept);
  else store.set("schema-facts", key, schemaFacts());
}

const is = (type: string, ...values: unknown[]) => values.every((v) => v === undefined || typeof v === type);

/** A field's metadata, its known fields only, or undefined when any has the wrong type. */
function asMeta(v: unknown): FieldMeta | undefined {
  if (!isRecord(v) || typeof v.label !== "string") return undefined;
  const { label, short, description, role, ref, lead, example, fillsLimits } = v;
  const refOk = ref === undefined || (isRecord(ref) && KINDS.includes(ref.target as Kind) && is("boolean", ref.allowAll));
  if (!refOk || !is("string", short, description, role, example) || !is("boolean", lead, fillsLimits)) return undefined;
  const target = isRecord(ref) ? { target: ref.target, allowAll: ref.allowAll } : undefined;
  return JSON.parse(JSON.stringify({ label, short, description, role, ref: target, lead, example, fillsLimits })); // drops undefined
}

/** Facts as the store holds them, checked field by field; undefined for anything else. */
export function asFacts(v: unknown): SchemaFacts | undefined {
  const out: Partial<SchemaFacts> = {};
  for (const kind of KINDS) {
    const f = isRecord(v) ? v[kind] : undefined;
    if (!isRecord(f) || !isStrings(f.keys) || !isStrings(f.optional) || !isRecord(f.meta)) return undefined;
    const keys = f.keys;
    const meta = Object.entries(f.meta).map(([key, m]) => [key, keys.includes(key) ? asMeta(m) : undefined] as const);
    if (meta.some(([, m]) => m === undefined)) return undefined;
    out[kind] = { keys: [...keys], meta: Object.fromEntries(meta) as Record<string, FieldMeta>, optional: [...f.optional] };
  }
  return out as SchemaFacts;
}
