/**
 * The docs cannot lie: a "Done" on a flag, a variant, a component or a success criterion is a claim, and
 * the site shows it as proven only when something checked backs it. Bundle proofs come from the results
 * of `npm run verify`; components must exist where they say; criteria are backed by fresh results of
 * `npm run prove` in which their named tests passed (evidence is data: no record's text is run). Planning records (roadmap, team, scopes, controls) carry no
 * machine-checkable claim and are shown as written.
 */
import type { Entry } from "./records.ts";
import { existsInside } from "../fs/safe-fs.ts";
import { isRepoPath } from "../schema/kinds.ts";
import type { VerifyResults } from "../../verify/results-file.ts";
import { proofPassed, resultOf, type ProveResults } from "./proof.ts";

export interface Evidence {
  /** True when a check backs the claim. */
  backed: boolean;
  /** What backs it, or why it is not backed, in one sentence a reader understands. */
  reason: string;
}

export interface EvidenceContext {
  root: string;
  /** Fresh results of `npm run verify` for these records, if any. */
  results: VerifyResults | undefined;
  /** Commands the current build has run successfully (e.g. "npm run check"); no longer backs a record. */
  passedCommands: ReadonlySet<string>;
  /** Fresh results of `npm run prove` for these records, if any. */
  proofs?: ProveResults | undefined;
}

const CHECKED_KINDS = new Set(["features", "variants", "components", "criteria"]);

/** Evidence for a record's Release/Status claim; undefined when the record claims nothing checkable. */
export function statusEvidence(entry: Entry, ctx: EvidenceContext): Evidence | undefined {
  if (entry.record.status !== "Done" || !CHECKED_KINDS.has(entry.kind)) return undefined;
  switch (entry.kind) {
    case "features":
      return flagEvidence(entry.record.name, ctx.results);
    case "variants":
      return variantEvidence(entry.record.name, ctx.results);
    case "components":
      return locationEvidence(entry.record.location, ctx.root);
    case "criteria":
      return proofEvidence(entry, ctx.proofs);
    default:
      return undefined;
  }
}

const NOT_VERIFIED = "no bundle results for these records: run `npm run verify`";

function flagEvidence(name: string, results: VerifyResults | undefined): Evidence {
  if (!results) return { backed: false, reason: NOT_VERIFIED };
  const flag = results.flags.find((f) => f.name === name);
  const shipped = results.variants.filter((v) => v.features.includes(name));
  if (!flag) return { backed: false, reason: "npm run verify did not measure this flag" };
  if (flag.dead) return { backed: false, reason: "switching this flag changes no byte in any variant: it is dead code" };
  if (!flag.eliminated) return { backed: false, reason: "its modules are not proven absent from the variants that leave it off" };
  if (!shipped.length) return { backed: false, reason: "no build variant ships this flag" };
  const failing = shipped.filter((v) => !provenVariant(v));
  if (failing.length) return { backed: false, reason: `a proof failed in ${failing.map((v) => v.name).join(", ")}` };
  return { backed: true, reason: `proven by npm run verify: eliminated where off, shipped in ${shipped.map((v) => v.name).join(", ")}` };
}

type VariantResult = VerifyResults["variants"][number];
function provenVariant(v: VariantResult): boolean {
  return v.proofs.markers === "pass" && v.proofs.ownedModules === "pass" && v.proofs.leftovers === "pass" && v.problems.length === 0;
}

function variantEvidence(name: string, results: VerifyResults | undefined): Evidence {
  if (!results) return { backed: false, reason: NOT_VERIFIED };
  const v = results.variants.find((x) => x.name === name);
  if (!v) return { backed: false, reason: "npm run verify did not build this variant" };
  if (!provenVariant(v)) return { backed: false, reason: "a dead-code proof failed for this variant" };
  if (!v.withinBudget) return { backed: false, reason: `over its budget: ${v.bytes.raw} of ${v.budget} bytes` };
  return { backed: true, reason: `built and proven by npm run verify: ${v.bytes.raw} of ${v.budget} bytes` };
}

/** A location backs a component when it is a file or folder of this repository (or a Bun built-in module). */
function locationEvidence(location: string, root: string): Evidence {
  const path = location.split(/\s+/)[0] ?? "";
  if (path.startsWith("bun:")) return { backed: true, reason: `${path} is a Bun built-in module` };
  if (path && isRepoPath(path, { folder: true }) && existsInside(root, path)) return { backed: true, reason: `${path} exists in this repository` };
  return { backed: false, reason: `${location} is not in this repository` };
}

function proofEvidence(entry: Entry<"criteria">, proofs: ProveResults | undefined): Evidence {
  if (!entry.record.proof) return { backed: false, reason: "it names no tests as proof" };
  if (!proofs) return { backed: false, reason: "no fresh results of npm run prove for these records" };
  const r = resultOf(proofs, entry);
  if (!proofPassed(r)) return { backed: false, reason: r ? `npm run prove: ${r.failed} failed, ${r.passed} passed of ${r.matched} tests` : "npm run prove has no result for it" };
  return { backed: true, reason: `proven by npm run prove: ${r!.passed} tests passed in ${r!.tests.join(", ")}` };
}
