/**
 * The verify outcome in the shape the docs site reads (src/verify/results-file.ts), validated against that
 * schema before it is written, so a contract break fails here and not on the site.
 */
import { join } from "node:path";
import type { Model } from "../core/model/model.ts";
import { recordsHash } from "../core/model/model.ts";
import {
  RESULTS_PATH,
  VerifyResultsSchema,
  type CallSites,
  type Proof,
  type Sizes,
  type VariantResult,
  type VerifyResults,
} from "./results-file.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import type { FlagImpact } from "./flag-impact.ts";

export type { Proof };

/** A variant as verify proved it: the results file's record of it, with the sizes and hashes the diff compares. */
export interface VariantOutcome extends Pick<VariantResult, "name" | "features" | "budget" | "proofs" | "problems"> {
  /** Undefined when the build failed. */
  sizes: Sizes | undefined;
  /**
   * sha256 of the code outputs (path and bytes, source maps excluded); undefined when the build failed. Equal
   * hashes are identical bundles, whatever their compressed sizes say.
   */
  sha256?: string;
  /** sha256 of the bundle with the minifier's local names blanked (minified-shape.ts): equal shapes are the same code. */
  shape?: string;
}

export function buildResults(args: {
  model: Model;
  ok: boolean;
  variants: VariantOutcome[];
  impacts: FlagImpact[];
  eliminated: Map<string, boolean>;
  /** Where the code reads each flag (from the source analysis). */
  callSites?: CallSites;
  generatedAt?: Date;
}): VerifyResults {
  const results: VerifyResults = {
    generatedAt: (args.generatedAt ?? new Date()).toISOString(),
    bunVersion: Bun.version,
    recordsHash: recordsHash(args.model),
    ok: args.ok,
    variants: args.variants.map((v) => {
      const bytes = v.sizes ?? { raw: 0, gzip: 0, brotli: 0 };
      return {
        name: v.name,
        features: v.features,
        bytes: { raw: bytes.raw, gzip: bytes.gzip, brotli: bytes.brotli },
        budget: v.budget,
        withinBudget: v.sizes !== undefined && v.sizes.raw <= v.budget,
        proofs: v.proofs,
        problems: v.problems,
      };
    }),
    flags: args.impacts.map((i) => ({
      name: i.name,
      addOne: i.addOne,
      leaveOneOut: i.leaveOneOut,
      dead: i.dead,
      eliminated: args.eliminated.get(i.name) ?? false,
    })),
    ...(args.callSites ? { callSites: args.callSites } : {}),
  };
  return VerifyResultsSchema.parse(results);
}

export function writeResults(root: string, results: VerifyResults): string {
  writeAtomic(join(root, RESULTS_PATH), `${JSON.stringify(results, null, 2)}\n`, root);
  return RESULTS_PATH;
}
