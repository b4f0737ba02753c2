/**
 * Every record kind: its Zod schema (strict: unknown keys are errors), built from the master shape
 * (columns.ts) with the columns it must fill required and the others optional, plus its own fields, each
 * with its metadata (fields.ts): label, role, the records it names. Types everywhere else are inferred
 * from here, and the one table of kind metadata (noun, title, URL folder) lives here too.
 */
import { z } from "zod";
import { MASTER, MASTER_KEYS, type MasterKey } from "./columns.ts";
import { column, EntryPath, field, FlagName, IsoDate, LocationText, metaOf, Proof, Text, VariantName, type FieldMeta } from "./fields.ts";
import { wordFor } from "../text/plural.ts";

export { CONTROL_CHARACTER, FLAG_NAME_PATTERN, isRealDate, isRepoPath, RESERVED_NAMES, VARIANT_NAME_PATTERN } from "./fields.ts";

export const KINDS = ["scopes", "features", "variants", "security", "roadmap", "components", "criteria", "team"] as const;
export type Kind = (typeof KINDS)[number];

export interface KindInfo {
  /** Singular noun for messages and page titles: "feature flag". */
  noun: string;
  /** Plural noun: "feature flags". */
  plural: string;
  /** Title of the kind's index page and of its tables: "Feature flags". */
  title: string;
  /** URL folder of the kind's pages on the site. */
  path: string;
}

/** Everything the docs call a kind. Not "variants" for the URL: dist/variants/ holds the bundles `npm run verify` builds. */
export const KIND_INFO: { readonly [K in Kind]: KindInfo } = {
  scopes: { noun: "scope", plural: "scopes", title: "Scopes", path: "scopes" },
  features: { noun: "feature flag", plural: "feature flags", title: "Feature flags", path: "features" },
  variants: { noun: "build variant", plural: "build variants", title: "Build variants", path: "build-variants" },
  security: { noun: "security control", plural: "security controls", title: "Security controls", path: "controls" },
  roadmap: { noun: "roadmap item", plural: "roadmap items", title: "Roadmap items", path: "roadmap" },
  components: { noun: "component", plural: "components", title: "Components", path: "components" },
  criteria: { noun: "success criterion", plural: "success criteria", title: "Success criteria", path: "criteria" },
  team: { noun: "team role", plural: "team roles", title: "Team roles", path: "team" },
};

/** One value per kind. */
export function byKind<T>(value: (kind: Kind) => T): { readonly [K in Kind]: T } {
  const out: Partial<Record<Kind, T>> = {};
  for (const kind of KINDS) out[kind] = value(kind);
  return out as Record<Kind, T>;
}

/** Singular noun per kind, for messages (a view of KIND_INFO). */
export const KIND_NOUN = byKind((kind) => KIND_INFO[kind].noun);

/** The noun for a count: "feature flag" for 1, "feature flags" for any other number. */
export function kindNoun(kind: Kind, count = 1): string {
  return wordFor(count, KIND_INFO[kind].noun, KIND_INFO[kind].plural);
}

export const TYPES = {
  scopes: ["Customer", "Environment", "Organization"],
  features: ["Release", "Experiment", "Ops", "Permission", "Diagnostic"],
  variants: ["Production", "Pre-release", "Development"],
  security: ["Preventive", "Detective", "Corrective"],
  roadmap: ["Phase", "Task"],
  components: ["Foundation", "Framework", "Infrastructure", "Documentation", "Security", "Performance", "Code"],
  criteria: ["Automated", "Manual"],
  team: ["Lead", "Team"],
} as const satisfies { [K in Kind]: readonly [string, ...string[]] };

/** The master column `key` with another schema (a stricter name, a single scope): same label and meaning unless `meta` says otherwise. */
function asColumn<T extends z.ZodType>(key: MasterKey, schema: T, meta: Partial<FieldMeta> = {}): T {
  const base = metaOf(MASTER.shape[key]);
  if (!base) throw new Error(`master column ${key} has no metadata`);
  return column(schema, { ...base, ...meta });
}

/** The Type column of a kind: its own values. */
const typeOf = <K extends Kind>(kind: K) => asColumn("type", z.enum(TYPES[kind]));

/** A field naming records of another (or the same) kind. */
const refTo = (target: Kind) => ({ ref: { target } });
const OWNER = { label: "Owner", ...refTo("team") } as const;

/** The optional proof of a record (data, never a command): the same field on every kind that can name one. */
const proofField = (what: string, example: string) =>
  field(Proof.optional(), {
    label: "Proof",
    role: "proof",
    description: `The tests that prove ${what}: test files (tests) and optionally the describe or test name in them (name), such as ${example}. Run by npm run prove; never a command.`,
  });

const Limit = z.strictObject({
  name: Text,
  value: z.number().nonnegative(),
  unit: Text,
});

/**
 * Every kind: the master shape with the columns it need not fill made optional, its own Type values, and
 * its own fields. Each is built the first time it is asked for (kindSchema): a check after an edit validates
 * one kind, and building all eight cost it more than that validation.
 */
const BUILDERS = {
  // Scopes and team roles have no Release/Status: nothing about them is a claim a check could prove (a scope is
  // a name the app enforces, a role is people), so they cannot say Done.
  scopes: () =>
    MASTER.omit({ status: true })
      .partial({ category: true, domain: true, scope: true, impact: true, approval: true })
      .extend({
        type: typeOf("scopes"),
        description: field(Text, {
          label: "Description",
          role: "prose",
          lead: true,
          description: "Who or what the scope covers, in a sentence.",
        }),
        isolation: field(Text, { label: "Isolation", role: "prose", description: "How its data is kept apart from other scopes." }),
      }),
  features: () =>
    MASTER.extend({
      type: typeOf("features"),
      name: asColumn("name", FlagName),
      description: field(Text, {
        label: "Description",
        role: "prose",
        lead: true,
        description: "What the flag switches on, in a sentence.",
      }),
      owner: field(Text, { ...OWNER, description: "The team role (from data/team.yaml) that owns the flag." }),
      introduced: field(IsoDate, { label: "Introduced", role: "date", description: "When the flag was added, YYYY-MM-DD (quote it)." }),
      expires: field(IsoDate, {
        label: "Expires",
        role: "date",
        description: "When the flag must be gone, YYYY-MM-DD (quote it); after it was introduced.",
      }).optional(),
      modules: field(z.array(Text).optional(), {
        label: "Modules",
        role: "code",
        description: "Source globs the flag owns: they must add 0 bytes to every variant with the flag off.",
      }),
      replaces: field(z.array(Text).optional(), {
        label: "Replaces",
        role: "code",
        description: "Source globs of the legacy path this flag retires: they must add 0 bytes to every variant with the flag on.",
      }),
      proof: proofField("the flag's behaviour, in every variant that ships it", '"flag: TRACE_CONTEXT"'),
    }),
  variants: () =>
    MASTER.partial({ impact: true }).extend({
      type: typeOf("variants"),
      name: asColumn("name", VariantName),
      scope: asColumn("scope", Text, { description: "The scope (from data/scopes.yaml) this build is for.", ...refTo("scopes") }),
      description: field(Text, { label: "Description", role: "prose", lead: true, description: "What the build is for, in a sentence." }),
      features: field(z.array(FlagName), {
        label: "Features",
        description: "Flags (from data/features.yaml) this build switches on; the code of every other flag is eliminated.",
        ...refTo("features"),
      }),
      entry: field(EntryPath, {
        label: "Entry",
        role: "code",
        description: "The .ts file the build starts from, such as src/app/main.ts.",
      }),
      budget: field(z.int().positive(), { label: "Budget", role: "bytes", description: "Size budget of the minified bundle, in bytes." }),
      script: field(z.string().regex(/^build:[a-z0-9-]+$/, "a package.json script name such as build:prod"), {
        label: "Script",
        role: "code",
        description: "The package.json script that runs this build with plain `bun build`, such as build:prod.",
      }),
    }),
  security: () =>
    MASTER.extend({
      type: typeOf("security"),
      threat: field(Text, { label: "Threat", role: "prose", lead: true, description: "What goes wrong without the control." }),
      requirement: field(Text, {
        label: "Requirement",
        role: "prose",
        fillsLimits: true,
        description:
          'What the control must do. Write each of its limits as {Limit name}, such as "At most {Connections} connections": the number comes from limits.',
      }),
      limits: field(z.array(Limit).optional(), {
        label: "Limits",
        role: "limits",
        description: "The numbers the requirement sets, each with a name, a value and a unit; the requirement writes each as {name}.",
      }),
      owner: field(Text, { ...OWNER, description: "The team role (from data/team.yaml) that delivers the control." }),
      target: field(IsoDate, {
        label: "Target",
        role: "due",
        description: "When the control must be done, YYYY-MM-DD (quote it); past it, an open control is Overdue.",
      }),
      proof: proofField("the control works, in every variant that ships its flags", '"control: Scope Isolation"'),
      flags: field(z.array(FlagName).optional(), {
        label: "Flags",
        description: "Flags (from data/features.yaml) the control relies on.",
        ...refTo("features"),
      }),
    }),
  roadmap: () =>
    MASTER.partial({ tier: true, impact: true, approval: true }).extend({
      type: typeOf("roadmap"),
      phase: field(z.int().min(1), { label: "Phase", role: "number", description: "The phase the item belongs to: 1, 2, …" }),
      estimate: field(z.number().positive().optional(), { label: "Estimate", role: "days", description: "Estimate in working days." }),
      target: field(IsoDate, {
        label: "Target",
        role: "due",
        description: "When the item must be done, YYYY-MM-DD (quote it); past it, an open item is Overdue.",
      }).optional(),
      owner: field(Text, { ...OWNER, description: "The team role (from data/team.yaml) that delivers the item." }).optional(),
      dependsOn: field(z.array(Text), {
        label: "Depends on",
        description: "Roadmap items (by name) that must be done first.",
        ...refTo("roadmap"),
      }).optional(),
      controls: field(z.array(Text), {
        label: "Controls",
        description: "Security controls (by name) the item delivers.",
        ...refTo("security"),
      }).optional(),
      components: field(z.array(Text), {
        label: "Components",
        description: "Components (by name, from data/components.yaml) the item delivers.",
        ...refTo("components"),
      }).optional(),
      criteria: field(z.array(Text), {
        label: "Criteria",
        description: "Success criteria (by name, from data/criteria.yaml) the item delivers.",
        ...refTo("criteria"),
      }).optional(),
      flags: field(z.array(FlagName), {
        label: "Flags",
        description: "Feature flags (from data/features.yaml) the item delivers.",
        ...refTo("features"),
      }).optional(),
      steps: field(z.array(Text), {
        label: "Steps",
        role: "prose",
        description: "What the item involves; for a phase, what it takes to finish it.",
      }).optional(),
    }),
  components: () =>
    MASTER.partial({ tier: true, impact: true, approval: true }).extend({
      type: typeOf("components"),
      purpose: field(Text, { label: "Purpose", role: "prose", lead: true, description: "What the component does." }),
      location: field(LocationText, {
        label: "Location",
        role: "code",
        description: "Where it lives: a path in the repository (src/app/, package.json scripts) or a Bun module such as bun:bundle.",
      }),
      productionReady: field(z.enum(["Yes", "Implement", "No"]), {
        label: "Production ready",
        description: "Ready for production: Yes, Implement (work left) or No.",
      }),
      proof: proofField("the component works", '"component: Feature Flags"'),
    }),
  criteria: () =>
    MASTER.partial({ domain: true, scope: true, tier: true, impact: true, approval: true }).extend({
      type: typeOf("criteria"),
      description: field(Text, {
        label: "Description",
        role: "prose",
        lead: true,
        description: "What the criterion means when it holds, in a sentence.",
      }),
      proof: proofField("the criterion holds", '"build variants"'),
    }),
  team: () =>
    MASTER.omit({ status: true })
      .partial({ category: true, scope: true, tier: true, impact: true, approval: true })
      .extend({
        type: typeOf("team"),
        responsibility: field(Text, {
          label: "Responsibility",
          role: "prose",
          lead: true,
          description: "What the role is responsible for.",
        }),
        timeline: field(Text, { label: "Timeline", description: "When: a date, a range or Ongoing." }),
        contact: field(Text, { label: "Contact", role: "prose", description: "How to reach the role, or where to look." }),
      }),
} satisfies { [K in Kind]: () => z.ZodObject };

type RecordSchemas = { [K in Kind]: ReturnType<(typeof BUILDERS)[K]> };
const built: Partial<RecordSchemas> = {};

/** The schema of a kind's records. */
export function kindSchema<K extends Kind>(kind: K): RecordSchemas[K] {
  built[kind] ??= BUILDERS[kind]() as RecordSchemas[K];
  return built[kind] as RecordSchemas[K];
}

/** A record of one kind, as validated: the types come from its schema. */
export type RecordOf<K extends Kind> = z.output<RecordSchemas[K]>;

/** The schemas typed by kind, so `parseRecord` keeps the kind of a generic caller. */
type Parsers = { readonly [K in Kind]: z.ZodType<RecordOf<K>> };
/** Compiles only while every kind's schema is a Parsers entry: the cast in parseRecord rests on it. */
const schemasParse: RecordSchemas extends Parsers ? true : never = true;
void schemasParse;

/**
 * What is asked of a kind's schema besides validating, as plain data: its keys in order (master columns
 * first), each field's metadata, and which may be left out. Read from the schemas, or handed over
 * (useSchemaFacts) by a command that kept them from an earlier run of the same code, so asking costs no schema.
 */
export type SchemaFacts = { [K in Kind]: { keys: string[]; meta: Record<string, FieldMeta>; optional: string[] } };

let facts: SchemaFacts | undefined;

/** The facts of every kind, read from the schemas (all of them built) unless handed over. */
export function schemaFacts(): SchemaFacts {
  facts ??= byKind((kind) => {
    const shape: Readonly<Record<string, z.ZodType>> = kindSchema(kind).shape;
    const keys = Object.keys(shape);
    const meta: Record<string, FieldMeta> = {};
    for (const key of keys) {
      const m = metaOf(shape[key]!);
      if (m) meta[key] = m;
    }
    return { keys, meta, optional: keys.filter((key) => shape[key] instanceof z.ZodOptional) };
  }) as SchemaFacts;
  return facts;
}

/** Facts kept from an earlier read of these same schemas (keyed by the code's fingerprint). */
export function useSchemaFacts(kept: SchemaFacts): void {
  facts = kept;
  refs = undefined;
}

/** Master columns each kind must fill; the other columns are optional for it (the `.partial` of each schema above). */
export function requiredColumns(kind: Kind): MasterKey[] {
  const { keys, optional } = schemaFacts()[kind];
  return MASTER_KEYS.filter((key) => keys.includes(key) && !optional.includes(key));
}

/**
 * Zod compiles a parser for each object schema the first time it parses (with `new Function`): about 2 ms
 * per kind, which pays off only after some thousand records (bench: 20 roadmap records 6.5 ms compiled, 4.5 ms
 * not; 10,000 records 122 ms compiled, 137 ms not). A file with fewer records is checked without it.
 */
export const COMPILE_FROM_RECORDS = 1000;

/** Validates one record of `kind` (issues carry the input, for messages); `count` records are validated in all. */
export function parseRecord<K extends Kind>(kind: K, item: unknown, count = 1): z.ZodSafeParseResult<RecordOf<K>> {
  return (kindSchema(kind) as Parsers[K]).safeParse(item, { reportInput: true, jitless: count < COMPILE_FROM_RECORDS });
}

/** The fields of a kind, in schema order (master columns first). */
export function fieldKeys(kind: Kind): string[] {
  return schemaFacts()[kind].keys;
}

/** The schema of one field of a kind; undefined when the kind has no such field. */
export function fieldSchema(kind: Kind, key: string): z.ZodType | undefined {
  const shape: Readonly<Record<string, z.ZodType>> = kindSchema(kind).shape;
  return Object.hasOwn(shape, key) ? shape[key] : undefined;
}

/** The metadata of one field of a kind; undefined when the kind has no such field. */
export function fieldMeta(kind: Kind, key: string): FieldMeta | undefined {
  const { meta } = schemaFacts()[kind];
  return Object.hasOwn(meta, key) ? meta[key] : undefined;
}

/** The label of a field: of this kind's field when it has one, else of the first kind that does, else the key. */
export function fieldLabel(key: string, kind?: Kind): string {
  const meta = (kind && fieldMeta(kind, key)) ?? KINDS.map((k) => fieldMeta(k, key)).find((m) => m !== undefined);
  return meta?.label ?? key;
}

/** Keys of a kind's fields that have `role`. */
export function fieldsWithRole(kind: Kind, role: FieldMeta["role"]): string[] {
  return fieldKeys(kind).filter((k) => fieldMeta(kind, k)?.role === role);
}

/** A field of one kind that names records of another (or the same) kind. */
export interface Reference {
  kind: Kind;
  field: string;
  target: Kind;
  /** "all" is accepted as well as names. */
  allowAll?: boolean;
}

let refs: readonly Reference[] | undefined;

/** Every reference field, read from the `ref` metadata of the schemas. */
export function referenceFields(): readonly Reference[] {
  refs ??= KINDS.flatMap((kind) =>
    fieldKeys(kind).flatMap((key): Reference[] => {
      const ref = fieldMeta(kind, key)?.ref;
      return ref ? [{ kind, field: key, target: ref.target, ...(ref.allowAll ? { allowAll: true } : {}) }] : [];
    }),
  );
  return refs;
}

/** All values the Type column may hold in any table. */
export const ALL_TYPES = [...new Set(Object.values(TYPES).flat())];
