/**
 * The one vocabulary for whether a claim is proven, shared by check, verify, the site and the diff: the
 * evidence behind a record's claim and the state of its proof in each variant are both subsets of it.
 */
import { z } from "zod";

export const ProofStateSchema = z.enum(["proven", "failing", "unproven", "unknown", "not shipped"]);
export type ProofState = z.infer<typeof ProofStateSchema>;

/**
 * What backs a record's claim: proven; failing (a test it names failed); unproven (anything else keeps it from
 * being proven); unknown (nothing was run to tell, e.g. no results of `npm run prove`).
 */
export const EvidenceStateSchema = ProofStateSchema.exclude(["not shipped"]);
export type EvidenceState = z.infer<typeof EvidenceStateSchema>;

/** Whether a check backs a claim, and why, in one sentence a reader understands. */
export const EvidenceSchema = z.strictObject({ state: EvidenceStateSchema, reason: z.string() });
export type Evidence = z.infer<typeof EvidenceSchema>;

/** A proof's state in one variant: "not shipped" where the variant does not ship the record's code. */
export const VariantProofStateSchema = ProofStateSchema.exclude(["unknown"]);
export type VariantProofState = z.infer<typeof VariantProofStateSchema>;

export const isProven = (e: Evidence | undefined): e is Evidence & { state: "proven" } => e?.state === "proven";
export const proven = (reason: string): Evidence => ({ state: "proven", reason });
export const unproven = (reason: string): Evidence => ({ state: "unproven", reason });
