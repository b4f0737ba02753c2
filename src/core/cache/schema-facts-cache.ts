/**
 * The schema facts (src/core/schema/kinds.ts: every kind's keys, field metadata and optional fields) kept
 * in the code's store, as the JSON Schemas are: they depend on the code alone, so a check after an edit builds
 * only the schemas it validates with instead of all eight.
 */
import { CODE_ROOT, isRecord, isStrings, openStore } from "./store.ts";
import { KINDS, schemaFacts, useSchemaFacts, type Kind, type SchemaFacts } from "../schema/kinds.ts";
import type { FieldMeta } from "../schema/fields.ts";

const SLOT = "schema-facts";

/** Hands the kept facts to kinds.ts, or reads them from the schemas and keeps them. */
export function keepSchemaFacts(): void {
  const store = openStore(CODE_ROOT);
  const key = store.key(SLOT);
  const kept = store.get(SLOT, key, asFacts);
  if (kept) useSchemaFacts(kept);
  else store.set(SLOT, key, schemaFacts());
}

const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const optionalBoolean = (v: unknown) => v === undefined || typeof v === "boolean";

function asMeta(v: unknown): FieldMeta | undefined {
  if (!isRecord(v) || typeof v.label !== "string") return undefined;
  const { label, short, description, role, ref, lead, example, fillsLimits } = v;
  if (![short, description, role, example].every(optionalString) || ![lead, fillsLimits].every(optionalBoolean)) return undefined;
  if (ref !== undefined && !(isRecord(ref) && KINDS.includes(ref.target as Kind) && optionalBoolean(ref.allowAll))) return undefined;
  // Rebuilt field by field: nothing the store holds beyond these reaches the code.
  const target = isRecord(ref) ? { target: ref.target, ...(ref.allowAll === undefined ? {} : { allowAll: ref.allowAll }) } : undefined;
  return Object.fromEntries(
    Object.entries({ label, short, description, role, ref: target, lead, example, fillsLimits }).filter(([, x]) => x !== undefined),
  ) as unknown as FieldMeta;
}

/** Facts as the store holds them, checked field by field; undefined for anything else. */
export function asFacts(v: unknown): SchemaFacts | undefined {
  if (!isRecord(v)) return undefined;
  const out: Partial<SchemaFacts> = {};
  for (const kind of KINDS) {
    const f = v[kind];
    if (!isRecord(f) || !isStrings(f.keys) || !isStrings(f.optional) || !isRecord(f.meta)) return undefined;
    const meta: Record<string, FieldMeta> = {};
    for (const [key, m] of Object.entries(f.meta)) {
      const checked = asMeta(m);
      if (!checked || !f.keys.includes(key)) return undefined;
      meta[key] = checked;
    }
    out[kind] = { keys: [...f.keys], meta, optional: [...f.optional] };
  }
  return out as SchemaFacts;
}
