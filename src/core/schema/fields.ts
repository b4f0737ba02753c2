/**
 * The building blocks of every record schema: the field types with their rules (rule ids travel in
 * `params.rule`, so the error map names them without parsing messages), and the metadata every field
 * carries, declared once beside its type: its label, what it means, how its value reads (prose, code, a
 * date, …) and which records it names. Editors get the description through the JSON Schemas; the site
 * reads labels and roles from here (`metaOf`), never from lists of its own.
 */
import { z } from "zod";
import type { Kind } from "./kinds.ts";
import type { RuleId } from "../report/rules.ts";

/** How a field's value reads. A field without a role is a short plain value (a name, an enum, a note). */
export type FieldRole =
  /** Sentences, rendered as inline Markdown and searched by the table filter. */
  | "prose"
  /** A command, a path or an identifier: shown as code, searched by the table filter. */
  | "code"
  /** A calendar date, YYYY-MM-DD. */
  | "date"
  /** The date an open record is due: past it (at the build date), the record is Overdue. */
  | "due"
  | "number"
  /** A number of working days. */
  | "days"
  /** A number of bytes. */
  | "bytes"
  /** Release/Status: shown with its icon. */
  | "status"
  /** Rows of name, value and unit. */
  | "limits"
  /** Test files (and a name in them) that `npm run prove` runs. */
  | "proof";

export interface FieldMeta {
  /** The field's name as readers see it: table headers, record pages. */
  label: string;
  /** A shorter label where space is tight (the table's filter controls). */
  short?: string;
  /** What the field means, in a sentence; editors show it from the JSON Schema. */
  description?: string;
  role?: FieldRole;
  /** The field names records of `target` (checked, completed in editors, linked on the site); "all" too with allowAll. */
  ref?: { target: Kind; allowAll?: boolean };
  /** The sentence shown under a record's name at the top of its page. */
  lead?: boolean;
  /** A typical value, for the table-format standard page. */
  example?: string;
  /**
   * The text writes each of the record's limits as `{Limit name}`, filled with its value wherever the text is
   * shown: the number is defined once, in `limits`, which also feed the code (model/limit-text.ts checks it).
   */
  fillsLimits?: boolean;
}

/** Field metadata of every record schema. Separate from Zod's global registry, so none of it leaks into the JSON Schemas. */
export const FIELDS = z.registry<FieldMeta>();

/**
 * A record field: a copy of `schema` with its metadata (so shared building blocks stay bare). The JSON
 * Schema description is `meta.description` unless `jsonDescription` says otherwise.
 */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta, jsonDescription = meta.description): T {
  const out = jsonDescription === undefined ? schema.clone() : schema.meta({ description: jsonDescription });
  FIELDS.add(out, meta);
  return out;
}

/** A master column: a field whose JSON Schema description names its label, e.g. "Tier: The product tier …". */
export function column<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  return field(schema, meta, `${meta.label}: ${meta.description ?? ""}`);
}

/** The metadata of a field schema, looking through `.optional()`. */
export function metaOf(schema: z.core.$ZodType): FieldMeta | undefined {
  return FIELDS.get(schema) ?? (schema instanceof z.ZodOptional ? metaOf(schema.unwrap()) : undefined);
}

/** Rule ids travel in `params.rule` so the error map can name them without parsing messages. */
const rule = (id: RuleId, message: string) => ({ message, params: { rule: id } });

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

export const Text = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine(
    (s) => !CONTROL_CHARACTER.test(s),
    rule("control-character", "control characters (terminal escape codes, NUL, bidi overrides) are not allowed; write plain text"),
  );
export const Name = Text.refine(
  (s) => !RESERVED_NAMES.includes(s),
  rule("reserved-name", `${RESERVED_NAMES.join(", ")} cannot be names: they would reach an object's prototype`),
);
export const IsoDate = z
  .string()
  .refine(isRealDate, rule("invalid-date", "expected a real calendar date written YYYY-MM-DD (quote it if in doubt)"))
  .meta({ format: "date" });

export const FLAG_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;
export const FlagName = z
  .string()
  .refine(
    (s) => FLAG_NAME_PATTERN.test(s),
    rule("invalid-flag-name", "a flag name must match ^[A-Z][A-Z0-9_]*$ (upper case letters, digits, underscores)"),
  );

/** A variant name becomes a folder under dist/variants/, a URL segment, a shell word and a workflow value. */
export const VARIANT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const VariantName = Name.refine(
  (s) => VARIANT_NAME_PATTERN.test(s),
  rule(
    "invalid-variant-name",
    "a variant name must match ^[a-z][a-z0-9-]*$ (lower case letters, digits, hyphens; at most 63): it becomes a folder, a URL and a shell word",
  ),
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
export const EntryPath = z
  .string()
  .refine(
    (s) => isRepoPath(s, { ext: ".ts" }),
    rule(
      "invalid-path",
      "an entry must be a .ts file inside the repository, written like src/app/main.ts (no leading /, no .., letters, digits, . _ - only)",
    ),
  )
  .meta({ pattern: "^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*\\.ts$" });
/** A test file of the repository named as proof: a `.test.ts` path relative to the root, such as test/behaviour/access-and-limits.test.ts. */
export const TestPath = z
  .string()
  .refine(
    (s) => isRepoPath(s, { ext: ".test.ts" }),
    rule(
      "invalid-path",
      "a proof test must be a .test.ts file inside the repository, written like test/behaviour/access-and-limits.test.ts (no leading /, no .., letters, digits, . _ - only)",
    ),
  )
  .meta({ pattern: "^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*\\.test\\.ts$" });
/** Raw text a fault finds or puts in: control characters are refused, line breaks and indentation kept (never trimmed). */
const FaultText = z
  .string()
  .refine(
    (s) => !CONTROL_CHARACTER.test(s),
    rule("control-character", "control characters (terminal escape codes, NUL, bidi overrides) are not allowed; write plain text"),
  );
/**
 * A fault the proof's tests must catch: `npm run prove` plants it (the first occurrence of `find` in `file`,
 * replaced by `replace`) into a copy of the repository, runs the proof's tests there, and fails the proof when
 * they still pass. Data, never a command: the file is a source file of the application.
 */
export const Fault = z.strictObject({
  id: z
    .string()
    .refine(
      (s) => /^[a-z][a-z0-9-]{0,62}$/.test(s),
      rule("invalid-value", "a fault id must match ^[a-z][a-z0-9-]*$ (lower case letters, digits, hyphens), such as anonymous-ingest"),
    ),
  what: Text,
  file: z
    .string()
    .refine(
      (s) => s.startsWith("src/") && isRepoPath(s, { ext: ".ts" }),
      rule(
        "invalid-path",
        "a fault's file must be a .ts file under src/, written like src/app/features/rbac.ts (no leading /, no .., letters, digits, . _ - only)",
      ),
    ),
  find: FaultText.refine((s) => s.length > 0, "must not be empty"),
  replace: FaultText,
});
/**
 * A file or folder (written with a trailing /) a proof's tests read besides what they import: the whole
 * program, for a test that type-checks it. Never .git, .cache or node_modules (packages are covered by
 * package-lock.json), never outside the repository.
 */
export const ProofInput = z
  .string()
  .refine(
    (s) => isRepoPath(s, { folder: true }) && !s.split("/").some((seg) => seg === ".git" || seg === ".cache" || seg === "node_modules"),
    rule(
      "invalid-path",
      "a proof input must be a file or folder/ inside the repository, written like src/ or tsconfig.json (no leading /, no .., not .git, .cache or node_modules)",
    ),
  );

/**
 * What proves a record, as data: test files and, optionally, the name of a `describe` block or test in them.
 * Nothing in it is ever run as a command; `npm run prove` runs the files with `bun test` and reads the report.
 */
export const Proof = z.strictObject({
  tests: z.array(TestPath).min(1, "name at least one test file"),
  name: Text.optional(),
  /** What the tests read or run besides their imports (a folder ends with /); a module here counts as run, so its graph's records are inputs too. */
  inputs: z.array(ProofInput).optional(),
  /**
   * What the tests only read and never run (a folder ends with /): the sources a type checker or linter reads.
   * Their bytes, folder listings and the files their imports reach are inputs, but since nothing here runs,
   * records they would load are not; a test that runs a file names it in `inputs` (or imports it).
   */
  reads: z.array(ProofInput).optional(),
  /** Faults the tests must catch; a control, and a flag that names a proof, list at least one. */
  faults: z.array(Fault).optional(),
});
/** "src/app/", "package.json scripts" (a path and a note) or a Bun built-in module such as "bun:bundle". */
export const LocationText = Text.refine(
  (s) => {
    const path = s.split(/\s+/)[0] ?? "";
    return /^bun:[a-z][a-z0-9-]*$/.test(path) || isRepoPath(path, { folder: true });
  },
  rule(
    "invalid-path",
    "a location must start with a path inside the repository (like src/app/ or package.json, no leading / and no ..) or a Bun module such as bun:bundle",
  ),
);
/** One scope name, "all", or a list of scope names. */
export const ScopeValue = z.union([Text, z.array(Text).min(1)]);
