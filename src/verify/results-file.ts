/**
 * The contract between `npm run verify` (which builds every variant and proves the tables) and the site
 * (which shows measured sizes and proof status). The site shows a size or a proof only when this file
 * exists, parses, and was produced from the same records; otherwise it says "not measured".
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readInside } from "../core/fs/safe-fs.ts";

/** Lines of a call site's code frame at most (src/verify/call-sites.ts keeps to it). */
export const MAX_FRAME_LINES = 12;

/** sha256 (hex) of a source file's text: what verify records per analysed file and the site compares against the file now. */
export const sourceHash = (text: string): string => createHash("sha256").update(text).digest("hex");

export const RESULTS_PATH = ".cache/verify/results.json";

/** Raw, gzip and brotli bytes of a bundle's code outputs (source maps excluded): the one shape of a size. */
export const SizesSchema = z.strictObject({ raw: z.int(), gzip: z.int(), brotli: z.int() });
export type Sizes = z.infer<typeof SizesSchema>;
/** Raw and gzip bytes: what a toggle build is measured in (brotli would cost more than it tells). */
export const RawGzipSchema = SizesSchema.pick({ raw: true, gzip: true });
export type RawGzip = z.infer<typeof RawGzipSchema>;
/** What switching one flag changes in one variant. */
export const DeltaSchema = z.strictObject({ variant: z.string(), ...RawGzipSchema.shape });
export type Delta = z.infer<typeof DeltaSchema>;
/** One bundle proof of a variant. */
export const ProofSchema = z.enum(["pass", "fail", "skipped"]);
export type Proof = z.infer<typeof ProofSchema>;
const Line = z.int().min(1).max(10_000_000);
/** A repository-relative path (it becomes a link and is read again by the site): no leading /, no . or .. segments, no NUL or backslash. */
const RepoFile = z
  .string()
  .max(1000)
  .refine(
    (s) => s.length > 0 && !/[\u0000\\]/.test(s) && s.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".."),
    "not a repository-relative path",
  );
/** As written in the code: an undeclared or misspelt name is still a call site (and an error of its own). */
const FlagName = z.string().max(1000);

/** The guarded `if` or ternary a flag call decides: its condition and its first and last line. */
export const GuardSchema = z.strictObject({ kind: z.enum(["if", "ternary"]), condition: z.string().max(1000), start: Line, end: Line });

/** One place the code reads a flag (src/verify/call-sites.ts). */
export const CallSiteSchema = z.strictObject({
  flag: FlagName,
  file: RepoFile,
  line: Line,
  col: Line,
  /** The enclosing function; null at module top level. */
  fn: z.string().max(1000).nullable(),
  /** False for files no variant bundles (the examples). */
  bundled: z.boolean(),
  guard: GuardSchema.refine((g) => g.end >= g.start, "a guard ends before it starts").nullable(),
  /** Other flags tested in the same condition. */
  with: z.array(FlagName),
  frameStart: Line,
  frame: z.array(z.string().max(1000)).max(MAX_FRAME_LINES),
});
export type CallSite = z.infer<typeof CallSiteSchema>;

/** Every place the code reads a flag (src/verify/call-sites.ts), for the site's code references. */
export const CallSitesSchema = z.strictObject({
  /** Every analysed file and the sha256 of its text: the site trusts the sites only while each file is unchanged. */
  files: z.array(z.strictObject({ path: RepoFile, sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  sites: z.array(CallSiteSchema),
});
export type CallSites = z.infer<typeof CallSitesSchema>;

/** A variant as verify built and proved it. */
export const VariantResultSchema = z.strictObject({
  name: z.string(),
  features: z.array(z.string()),
  bytes: SizesSchema,
  budget: z.int(),
  withinBudget: z.boolean(),
  proofs: z.strictObject({ markers: ProofSchema, ownedModules: ProofSchema, leftovers: ProofSchema }),
  /** One line per problem of this variant, as printed. */
  problems: z.array(z.string()),
});
export type VariantResult = z.infer<typeof VariantResultSchema>;

/** What a flag costs and whether its code goes where it is off. */
export const FlagResultSchema = z.strictObject({
  name: z.string(),
  /** Bytes added when the flag is switched on in a variant that lacks it. */
  addOne: z.array(DeltaSchema),
  /** Bytes saved when the flag is switched off in a variant that has it (size with − size without). */
  leaveOneOut: z.array(DeltaSchema),
  /** No toggle of this flag changed a byte anywhere. */
  dead: z.boolean(),
  /** Every module the flag owns contributes 0 bytes to every variant with the flag off. */
  eliminated: z.boolean(),
});

export const VerifyResultsSchema = z.strictObject({
  generatedAt: z.string(),
  bunVersion: z.string(),
  /** Hash of the records the results were computed from; stale results are ignored by the site. */
  recordsHash: z.string(),
  ok: z.boolean(),
  variants: z.array(VariantResultSchema),
  flags: z.array(FlagResultSchema),
  /** Where the code reads each flag; absent in results written before call sites were recorded (the site then calls them unproven). */
  callSites: CallSitesSchema.optional(),
});

export type VerifyResults = z.infer<typeof VerifyResultsSchema>;

const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * Results only while they describe what would be built now: the same records, the Bun that runs now, and
 * every source file verify analysed unchanged byte for byte (a change in src/app makes old sizes unproven).
 * Otherwise why not, in words for a reader.
 */
export function freshVerifyResults(
  resultsRoot: string,
  recordsHash: string,
  sourceRoot: string = resultsRoot,
): { results: VerifyResults } | { reason: string } {
  const r = readVerifyResults(resultsRoot);
  if (!r) return { reason: "no results of npm run verify" };
  if (r.recordsHash !== recordsHash) return { reason: "the records changed since npm run verify ran" };
  if (r.bunVersion !== Bun.version) return { reason: `npm run verify ran on Bun ${r.bunVersion}, not ${Bun.version}` };
  if (!r.callSites) return { reason: "the results of npm run verify predate source fingerprints" };
  const changed = r.callSites.files.filter((f) => {
    const read = readInside(sourceRoot, f.path, MAX_SOURCE_BYTES);
    return "refusal" in read || sourceHash(read.bytes.toString("utf8")) !== f.sha256;
  });
  if (changed.length) {
    const list =
      changed
        .slice(0, 3)
        .map((f) => f.path)
        .join(", ") + (changed.length > 3 ? ` and ${changed.length - 3} more` : "");
    return { reason: `${list} changed since npm run verify ran` };
  }
  return { results: r };
}

/** Results if present, valid and computed from these records; undefined otherwise. */
export function readVerifyResults(root: string, recordsHash?: string): VerifyResults | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, RESULTS_PATH), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = VerifyResultsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    if (recordsHash !== undefined && parsed.data.recordsHash !== recordsHash) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}
