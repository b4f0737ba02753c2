/**
 * The contract between `npm run verify` (which builds every variant and proves the tables) and the site
 * (which shows measured sizes and proof status). The site shows a size or a proof only when this file
 * exists, parses, and was produced from the same records; otherwise it says "not measured".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export const RESULTS_PATH = ".cache/verify/results.json";

const Bytes = z.strictObject({ raw: z.int(), gzip: z.int(), brotli: z.int() });
const Delta = z.strictObject({ variant: z.string(), raw: z.int(), gzip: z.int() });
const Proof = z.enum(["pass", "fail", "skipped"]);

export const VerifyResultsSchema = z.strictObject({
  generatedAt: z.string(),
  bunVersion: z.string(),
  /** Hash of the records the results were computed from; stale results are ignored by the site. */
  recordsHash: z.string(),
  ok: z.boolean(),
  variants: z.array(
    z.strictObject({
      name: z.string(),
      features: z.array(z.string()),
      bytes: Bytes,
      budget: z.int(),
      withinBudget: z.boolean(),
      proofs: z.strictObject({ markers: Proof, ownedModules: Proof, leftovers: Proof }),
      problems: z.array(z.string()),
    }),
  ),
  flags: z.array(
    z.strictObject({
      name: z.string(),
      /** Bytes added when the flag is switched on in a variant that lacks it. */
      addOne: z.array(Delta),
      /** Bytes saved when the flag is switched off in a variant that has it (size with − size without). */
      leaveOneOut: z.array(Delta),
      /** No toggle of this flag changed a byte anywhere. */
      dead: z.boolean(),
      /** Every module the flag owns contributes 0 bytes to every variant with the flag off. */
      eliminated: z.boolean(),
    }),
  ),
});

export type VerifyResults = z.infer<typeof VerifyResultsSchema>;

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
