/**
 * Every record kind: its Zod schema (strict: unknown keys are errors), which master columns it must fill,
 * and which of its fields name other records. Types everywhere else are inferred from here.
 */
import { z } from "zod";
import { APPROVALS, CATEGORIES, DOMAINS, IMPACTS, MASTER_COLUMNS, STATUSES, TIERS, type MasterKey } from "./columns.ts";

export const KINDS = ["scopes", "features", "variants", "security", "roadmap", "components", "criteria", "team"] as const;
export type Kind = (typeof KINDS)[number];

/** Singular noun for messages and page titles. */
export const KIND_NOUN: Record<Kind, string> = {
  scopes: "scope",
  features: "feature flag",
  variants: "build variant",
  security: "security control",
  roadmap: "roadmap item",
  components: "component",
  criteria: "success criterion",
  team: "team role",
};

export const TYPES: Record<Kind, readonly [string, ...string[]]> = {
  scopes: ["Customer", "Environment", "Organization"],
  features: ["Release", "Experiment", "Ops", "Permission", "Diagnostic"],
  variants: ["Production", "Pre-release", "Development"],
  security: ["Preventive", "Detective", "Corrective"],
  roadmap: ["Phase", "Task"],
  components: ["Foundation", "Framework", "Infrastructure", "Documentation", "Security", "Performance", "Code"],
  criteria: ["Automated", "Manual"],
  team: ["Lead", "Team"],
};

/** Master columns each kind must fill; the rest of the nine are optional for it. */
export const REQUIRED_COLUMNS: Record<Kind, readonly MasterKey[]> = {
  scopes: ["name", "type", "tier", "status"],
  features: ["name", "type", "category", "domain", "scope", "tier", "impact", "status", "approval"],
  variants: ["name", "type", "category", "domain", "scope", "tier", "status", "approval"],
  security: ["name", "type", "category", "domain", "scope", "tier", "impact", "status", "approval"],
  roadmap: ["name", "type", "category", "domain", "scope", "status"],
  components: ["name", "type", "category", "domain", "scope", "status"],
  criteria: ["name", "type", "category", "status"],
  team: ["name", "type", "domain"],
};

export const FLAG_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/** Rule ids travel in `params.rule` so the error map can name them without parsing messages. */
const rule = (id: string, message: string) => ({ message, params: { rule: id } });

export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Escape codes can rewrite a terminal line or write the clipboard, NUL truncates generated code, bidi
 * overrides make text read differently than it is: none belongs in a record. Tabs and line breaks may stay.
 */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** Names become object keys in emitted code and the site: these would reach an object's prototype. */
export const RESERVED_NAMES: readonly string[] = ["__proto__", "constructor", "prototype"];

const Text = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine((s) => !CONTROL_CHARACTER.test(s), rule("control-character", "control characters (terminal escape codes, NUL, bidi overrides) are not allowed; write plain text"));
const Name = Text.refine((s) => !RESERVED_NAMES.includes(s), rule("reserved-name", `${RESERVED_NAMES.join(", ")} cannot be names: they would reach an object's prototype`));
const IsoDate = z
  .string()
  .refine(isRealDate, rule("invalid-date", "expected a real calendar date written YYYY-MM-DD (quote it if in doubt)"))
  .meta({ format: "date" });
const FlagName = z
  .string()
  .refine(
    (s) => FLAG_NAME_PATTERN.test(s),
    rule("invalid-flag-name", "a flag name must match ^[A-Z][A-Z0-9_]*$ (upper case letters, digits, underscores)"),
  );

/** A variant name becomes a folder under dist/variants/, a URL segment, a shell word and a workflow value. */
export const VARIANT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const VariantName = Name.refine(
  (s) => VARIANT_NAME_PATTERN.test(s),
  rule("invalid-variant-name", "a variant name must match ^[a-z][a-z0-9-]*$ (lower case letters, digits, hyphens; at most 63): it becomes a folder, a URL and a shell word"),
).meta({ pattern: VARIANT_NAME_PATTERN.source });

/**
 * A path inside the repository, written relative to its root with forward slashes: no leading slash, no
 * "." or ".." segments, no characters a shell or a URL would read differently.
 */
export function isRepoPath(s: string, options: { ext?: string; folder?: boolean } = {}): boolean {
  const path = options.folder && s.endsWith("/") ? s.slice(0, -1) : s;
  if (options.ext && !path.endsWith(options.ext)) return false;
  return path.split("/").every((seg) => /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(seg) && seg !== "." && seg !== "..");
}
const EntryPath = z
  .string()
  .refine(
    (s) => isRepoPath(s, { ext: ".ts" }),
    rule("invalid-path", "an entry must be a .ts file inside the repository, written like src/app/main.ts (no leading /, no .., letters, digits, . _ - only)"),
  )
  .meta({ pattern: "^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*\\.ts$" });
/** "src/app/", "package.json scripts" (a path and a note) or a Bun built-in module such as "bun:bundle". */
const LocationText = Text.refine(
  (s) => {
    const path = s.split(/\s+/)[0] ?? "";
    return /^bun:[a-z][a-z0-9-]*$/.test(path) || isRepoPath(path, { folder: true });
  },
  rule("invalid-path", "a location must start with a path inside the repository (like src/app/ or package.json, no leading / and no ..) or a Bun module such as bun:bundle"),
);
/** One scope name, "all", or a list of scope names. */
const ScopeValue = z.union([Text, z.array(Text).min(1)]);

const MASTER_SCHEMAS: Record<Exclude<MasterKey, "type" | "name" | "scope">, z.ZodType> = {
  category: z.enum(CATEGORIES),
  domain: z.enum(DOMAINS),
  tier: z.enum(TIERS),
  impact: z.enum(IMPACTS),
  status: z.enum(STATUSES as [string, ...string[]]),
  approval: z.enum(APPROVALS),
};

function masterShape(kind: Kind, overrides: Partial<Record<MasterKey, z.ZodType>> = {}) {
  const required = new Set(REQUIRED_COLUMNS[kind]);
  const base: Record<MasterKey, z.ZodType> = {
    name: Name,
    type: z.enum(TYPES[kind]),
    scope: ScopeValue,
    ...MASTER_SCHEMAS,
    ...overrides,
  };
  const shape: Record<string, z.ZodType> = {};
  for (const col of MASTER_COLUMNS) {
    const s = base[col.key].meta({ description: `${col.label}: ${col.description}` });
    shape[col.key] = required.has(col.key) ? s : s.optional();
  }
  return shape;
}

const Limit = z.strictObject({
  name: Text,
  value: z.number().nonnegative(),
  unit: Text,
});

export const RECORD_SCHEMAS = {
  scopes: z.strictObject({
    ...masterShape("scopes"),
    description: Text,
    isolation: Text,
  }),
  features: z.strictObject({
    ...masterShape("features", { name: FlagName }),
    description: Text,
    owner: Text,
    introduced: IsoDate,
    expires: IsoDate.optional(),
    modules: z.array(Text).optional().meta({ description: "Source globs the flag owns: they must add 0 bytes to every variant with the flag off." }),
    replaces: z
      .array(Text)
      .optional()
      .meta({ description: "Source globs of the legacy path this flag retires: they must add 0 bytes to every variant with the flag on." }),
  }),
  variants: z.strictObject({
    ...masterShape("variants", { name: VariantName, scope: Text }),
    description: Text,
    features: z.array(FlagName),
    entry: EntryPath,
    budget: z.int().positive().meta({ description: "Size budget of the minified bundle, in bytes." }),
    script: z.string().regex(/^build:[a-z0-9-]+$/, "a package.json script name such as build:prod"),
  }),
  security: z.strictObject({
    ...masterShape("security"),
    threat: Text,
    requirement: Text,
    limits: z.array(Limit).optional(),
    owner: Text,
    target: IsoDate,
    evidence: Text,
    flags: z.array(FlagName).optional(),
  }),
  roadmap: z.strictObject({
    ...masterShape("roadmap"),
    phase: z.int().min(1),
    estimate: z.number().positive().optional().meta({ description: "Estimate in working days." }),
    target: IsoDate.optional(),
    owner: Text.optional(),
    dependsOn: z.array(Text).optional(),
    controls: z.array(Text).optional(),
    steps: z.array(Text).optional(),
  }),
  components: z.strictObject({
    ...masterShape("components"),
    purpose: Text,
    location: LocationText,
    productionReady: z.enum(["Yes", "Implement", "No"]),
  }),
  criteria: z.strictObject({
    ...masterShape("criteria"),
    command: Text,
    evidence: Text,
  }),
  team: z.strictObject({
    ...masterShape("team"),
    responsibility: Text,
    timeline: Text,
    contact: Text,
  }),
} satisfies Record<Kind, z.ZodType>;

/** Hand-typed master fields: Zod infers the nine keys as unknown because they are built in a loop. */
export interface MasterFields {
  name: string;
  type: string;
  category?: (typeof CATEGORIES)[number];
  domain?: (typeof DOMAINS)[number];
  scope?: string | string[];
  tier?: (typeof TIERS)[number];
  impact?: (typeof IMPACTS)[number];
  status?: (typeof STATUSES)[number];
  approval?: (typeof APPROVALS)[number];
}

export type RecordOf<K extends Kind> = Omit<z.infer<(typeof RECORD_SCHEMAS)[K]>, keyof MasterFields> & MasterFields;

/** A field of one kind that names records of another (or the same) kind. */
export interface Reference {
  kind: Kind;
  field: string;
  target: Kind;
  /** "all" is accepted as well as names. */
  allowAll?: boolean;
}

export const REFERENCES: readonly Reference[] = [
  { kind: "features", field: "scope", target: "scopes", allowAll: true },
  { kind: "features", field: "owner", target: "team" },
  { kind: "variants", field: "scope", target: "scopes" },
  { kind: "variants", field: "features", target: "features" },
  { kind: "security", field: "scope", target: "scopes", allowAll: true },
  { kind: "security", field: "owner", target: "team" },
  { kind: "security", field: "flags", target: "features" },
  { kind: "roadmap", field: "scope", target: "scopes", allowAll: true },
  { kind: "roadmap", field: "owner", target: "team" },
  { kind: "roadmap", field: "dependsOn", target: "roadmap" },
  { kind: "roadmap", field: "controls", target: "security" },
  { kind: "components", field: "scope", target: "scopes", allowAll: true },
  { kind: "criteria", field: "scope", target: "scopes", allowAll: true },
];

/** All values the Type column may hold in any table. */
export const ALL_TYPES = [...new Set(Object.values(TYPES).flat())];
