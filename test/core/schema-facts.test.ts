/**
 * Kinds are built when first asked for, and what the rest of the code asks of them besides validating (keys,
 * field metadata, optional fields) can be handed over from the store: these hold that the facts survive the
 * store's round trip unchanged, that a forged entry is refused, and that answers are the same either way.
 */
import { describe, expect, test } from "bun:test";
import { asFacts } from "../../src/core/cache/schema-facts-cache.ts";
import { fieldKeys, fieldMeta, KINDS, kindSchema, referenceFields, requiredColumns, schemaFacts } from "../../src/core/schema/kinds.ts";
import { metaOf } from "../../src/core/schema/fields.ts";
import { z } from "zod";

describe("schema facts", () => {
  test("are what the schemas say: every key in order, its metadata, and which are optional", () => {
    const facts = schemaFacts();
    for (const kind of KINDS) {
      const shape: Record<string, z.ZodType> = kindSchema(kind).shape;
      expect(facts[kind].keys).toEqual(Object.keys(shape));
      for (const key of Object.keys(shape)) {
        expect(fieldMeta(kind, key)).toEqual(metaOf(shape[key]!));
        expect(facts[kind].optional.includes(key)).toBe(shape[key] instanceof z.ZodOptional);
      }
    }
  });

  test("come back from the store as they went in", () => {
    const facts = schemaFacts();
    expect(asFacts(JSON.parse(JSON.stringify(facts)))).toEqual(facts);
  });

  test("a forged or foreign entry is refused, and nothing beyond the known fields gets through", () => {
    const stored = () => JSON.parse(JSON.stringify(schemaFacts()));
    const ref = stored();
    ref.features.meta.owner.ref.target = "passwords";
    expect(asFacts(ref)).toBeUndefined();
    const label = stored();
    label.roadmap.meta.target.label = 7;
    expect(asFacts(label)).toBeUndefined();
    const unlisted = stored();
    unlisted.team.meta.nowhere = { label: "Nowhere" };
    expect(asFacts(unlisted)).toBeUndefined();
    const missing = stored();
    delete missing.criteria;
    expect(asFacts(missing)).toBeUndefined();
    const extra = stored();
    extra.features.meta.owner.run = "rm -rf /";
    expect(asFacts(extra)?.features.meta.owner).toEqual(schemaFacts().features.meta.owner!);
    expect(asFacts([])).toBeUndefined();
  });

  test("answers built on them agree with the schemas", () => {
    expect(requiredColumns("team")).toEqual(["name", "type", "domain"]);
    expect(fieldKeys("roadmap").slice(0, 3)).toEqual(["name", "type", "category"]);
    expect(referenceFields().some((r) => r.kind === "variants" && r.field === "features" && r.target === "features")).toBe(true);
  });
});
