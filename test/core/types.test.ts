/**
 * Types from the schema to the page. The `expectType` lines are checked by tsc (`npm run typecheck`, and the
 * repository test that runs it): a record's fields, an entry's kind, `site.entries(kind)` and the emitted
 * FlagMeta/VariantMeta all come from the Zod schemas, so changing a schema changes these types. The runtime
 * tests pin what the schemas say: required columns per kind, references, field metadata.
 */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import type { Entry, Records } from "../../src/core/model/records.ts";
import { MASTER_COLUMNS, MASTER_KEYS, type MasterKey, type Status } from "../../src/core/schema/columns.ts";
import { metaOf } from "../../src/core/schema/fields.ts";
import {
  fieldKeys,
  fieldMeta,
  KIND_INFO,
  KIND_NOUN,
  byKind,
  KINDS,
  kindSchema,
  referenceFields,
  requiredColumns,
  type Kind,
  type RecordOf,
} from "../../src/core/schema/kinds.ts";
import type { Site } from "../../src/site/data.ts";
import type { FlagMeta, FlagName, VariantMeta, VariantName } from "../../src/generated/registry.ts";

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when T is true. */
// biome-ignore lint/suspicious/noConfusingVoidType: a function with an empty body returns void; T is there only for the call to type-check
function expectType<T extends true>(): T | void {}

/** Kinds without a Release/Status: nothing about a scope or a team role is a claim a check could prove. */
const STATUSLESS: readonly string[] = ["scopes", "team"];

// Records: the nine master columns typed by the schema, required or optional per kind.
expectType<Equal<RecordOf<"features">["name"], string>>();
expectType<Equal<RecordOf<"features">["type"], "Release" | "Experiment" | "Ops" | "Permission" | "Diagnostic">>();
expectType<Equal<RecordOf<"features">["status"], Status>>();
expectType<Equal<RecordOf<"features">["scope"], string | string[]>>();
expectType<Equal<RecordOf<"features">["expires"], string | undefined>>();
expectType<Equal<RecordOf<"variants">["scope"], string>>();
expectType<Equal<RecordOf<"variants">["impact"], "None" | "Low" | "Medium" | "High" | "Critical" | undefined>>();
expectType<Equal<"status" extends keyof RecordOf<"team"> ? true : false, false>>();
expectType<Equal<"status" extends keyof RecordOf<"scopes"> ? true : false, false>>();
expectType<Equal<RecordOf<"roadmap">["phase"], number>>();
expectType<Equal<RecordOf<"roadmap">["dependsOn"], string[] | undefined>>();
expectType<Equal<RecordOf<"security">["limits"], { name: string; value: number; unit: string }[] | undefined>>();
expectType<Equal<RecordOf<"components">["productionReady"], "Yes" | "Implement" | "No">>();
expectType<Equal<keyof RecordOf<"criteria">, MasterKey | "description" | "proof">>();

// Entries: typed by kind; a bare Entry is a union that `kind` narrows.
expectType<Equal<Entry<"roadmap">["record"], RecordOf<"roadmap">>>();
expectType<Equal<Records["security"], Entry<"security">[]>>();
expectType<
  Equal<
    Entry,
    | Entry<"scopes">
    | Entry<"features">
    | Entry<"variants">
    | Entry<"security">
    | Entry<"roadmap">
    | Entry<"components">
    | Entry<"criteria">
    | Entry<"team">
  >
>();

function narrows(e: Entry): string | undefined {
  if (e.kind === "components") return e.record.location;
  if (e.kind === "variants") return e.record.features.join(",");
  // @ts-expect-error a field of one kind is not on every record
  return e.record.location;
}

function siteEntries(site: Site) {
  const roadmap = site.entries("roadmap");
  expectType<Equal<typeof roadmap, Entry<"roadmap">[]>>();
  const phase: number | undefined = roadmap[0]?.record.phase;
  // @ts-expect-error a flag has no phase
  site.entries("features")[0]?.record.phase;
  const any = site.entries(KINDS[0] as Kind);
  expectType<Equal<typeof any, Entry[]>>();
  return phase;
}

// The emitted registry: FlagMeta/VariantMeta types follow the features/variants schemas.
expectType<Equal<FlagMeta["name"], FlagName>>();
expectType<Equal<FlagMeta["type"], RecordOf<"features">["type"]>>();
expectType<Equal<FlagMeta["category"], RecordOf<"features">["category"]>>();
expectType<Equal<FlagMeta["status"], Status>>();
expectType<Equal<FlagMeta["expires"], string | null>>();
expectType<Equal<FlagMeta["modules"], readonly string[]>>();
expectType<Equal<FlagMeta["variants"], readonly VariantName[]>>();
expectType<Equal<VariantMeta["name"], VariantName>>();
expectType<Equal<VariantMeta["features"], readonly FlagName[]>>();
expectType<Equal<VariantMeta["budget"], number>>();

void narrows;
void siteEntries;

describe("record kinds built from the master shape", () => {
  test("each kind requires the master columns it always required (scopes and team roles have no status)", () => {
    expect(byKind(requiredColumns)).toEqual({
      scopes: ["name", "type", "tier"],
      features: ["name", "type", "category", "domain", "scope", "tier", "impact", "status", "approval"],
      variants: ["name", "type", "category", "domain", "scope", "tier", "status", "approval"],
      security: ["name", "type", "category", "domain", "scope", "tier", "impact", "status", "approval"],
      roadmap: ["name", "type", "category", "domain", "scope", "status"],
      components: ["name", "type", "category", "domain", "scope", "status"],
      criteria: ["name", "type", "category", "status"],
      team: ["name", "type", "domain"],
    });
  });

  test("every kind starts with the nine master columns in table order (scopes and team roles without a status) and stays strict", () => {
    expect(MASTER_COLUMNS.map((c) => c.label)).toEqual([
      "Name",
      "Type",
      "Category",
      "Domain",
      "Scope",
      "Tier",
      "Size/Impact",
      "Release/Status",
      "Approval",
    ]);
    for (const kind of KINDS) {
      const master = STATUSLESS.includes(kind) ? MASTER_KEYS.filter((k) => k !== "status") : [...MASTER_KEYS];
      expect(fieldKeys(kind).slice(0, master.length)).toEqual(master);
      const unknown = kindSchema(kind).safeParse({ bogus: 1 });
      expect(unknown.error?.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
    }
  });

  test("every field of every kind has a label; master columns keep theirs in every kind", () => {
    for (const kind of KINDS) {
      for (const key of fieldKeys(kind)) expect(fieldMeta(kind, key)?.label, `${kind}.${key}`).toBeTruthy();
      for (const c of MASTER_COLUMNS)
        if (!(STATUSLESS.includes(kind) && c.key === "status")) expect(fieldMeta(kind, c.key)?.label).toBe(c.label);
    }
    // The metadata stays out of Zod's global registry, so the JSON Schemas only get descriptions.
    expect(z.globalRegistry.get(kindSchema("features").shape.owner)).toEqual({
      description: "The team role (from data/team.yaml) that owns the flag.",
    });
    expect(metaOf(kindSchema("roadmap").shape.target)?.role).toBe("due");
  });

  test("roles: code fields, the lead sentence, references", () => {
    const withRole = (role: string) =>
      KINDS.flatMap((k) =>
        fieldKeys(k)
          .filter((f) => fieldMeta(k, f)?.role === role)
          .map((f) => `${k}.${f}`),
      );
    expect(withRole("code")).toEqual(["features.modules", "features.replaces", "variants.entry", "variants.script", "components.location"]);
    const leads = KINDS.flatMap((k) =>
      fieldKeys(k)
        .filter((f) => fieldMeta(k, f)?.lead)
        .map((f) => `${k}.${f}`),
    );
    expect(leads).toEqual([
      "scopes.description",
      "features.description",
      "variants.description",
      "security.threat",
      "components.purpose",
      "criteria.description",
      "team.responsibility",
    ]);
    expect(withRole("proof")).toEqual(["features.proof", "security.proof", "components.proof", "criteria.proof"]);
    const refs = referenceFields().map((r) => `${r.kind}.${r.field}→${r.target}${r.allowAll ? " (or all)" : ""}`);
    expect(refs).toEqual(
      expect.arrayContaining([
        "features.scope→scopes (or all)",
        "features.owner→team",
        "variants.scope→scopes",
        "variants.features→features",
        "security.scope→scopes (or all)",
        "security.owner→team",
        "security.flags→features",
        "roadmap.scope→scopes (or all)",
        "roadmap.owner→team",
        "roadmap.dependsOn→roadmap",
        "roadmap.controls→security",
        "components.scope→scopes (or all)",
        "criteria.scope→scopes (or all)",
      ]),
    );
  });

  test("one table of kind metadata", () => {
    expect(KIND_INFO.variants).toEqual({
      noun: "build variant",
      plural: "build variants",
      title: "Build variants",
      path: "build-variants",
    });
    expect(KIND_NOUN.criteria).toBe("success criterion");
    expect(Object.keys(KIND_INFO)).toEqual([...KINDS]);
  });
});
