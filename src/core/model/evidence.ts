/**
 * The docs cannot lie: a "Done" on a flag, a variant, a component, a security control, a success criterion or
 * a roadmap item is a claim, and the site shows it as proven only when something checked backs it. Bundle
 * proofs come from the results of `npm run verify`; controls, criteria and components are backed by fresh
 * results of `npm run prove` in which their named tests passed in every variant that ships their code
 * (evidence is data: no record's text is run as a command; a fault's replacement runs only in a throwaway copy). That a component's location exists backs the location, never
 * its Done. A flag's Done needs both its bundle proofs and a behaviour proof that passed in every variant that
 * ships it. A roadmap task is backed when everything it delivers is proven Done, a phase when all its tasks
 * are. Scopes and team roles have no status.
 */
import type { Entry } from "./records.ts";
import { statusOf } from "./status.ts";
import type { Model } from "./model.ts";
import type { VerifyResults } from "../../verify/results-file.ts";
import { proofGap, resultOf, staleKey, type ProveResults, type ProvedEntry } from "./proof.ts";
import { isProven, proven, unproven, type Evidence } from "./proof-state.ts";
import { deliverables, roadmapGap } from "./deliverables.ts";
import { tasksOf } from "./status.ts";
import { faultCount } from "./faults.ts";
import { plural } from "../text/plural.ts";
export type { Evidence };

export interface EvidenceContext {
  root: string;
  model: Model;
  /** Fresh results of `npm run verify` for these records, if any. */
  results: VerifyResults | undefined;
  /** Fresh results of `npm run prove` for these records, if any. */
  proofs: ProveResults | undefined;
}

/** Evidence for a record's Release/Status claim; undefined when the record claims nothing checkable. */
export function statusEvidence(entry: Entry, ctx: EvidenceContext): Evidence | undefined {
  if (statusOf(entry) !== "Done") return undefined;
  switch (entry.kind) {
    case "features":
      return both(flagEvidence(entry.record.name, ctx.results), entry, ctx);
    case "variants":
      return variantEvidence(entry.record.name, ctx.results);
    case "security":
    case "criteria":
    case "components":
      return proofEvidence(entry, ctx);
    case "roadmap":
      return roadmapEvidence(entry, ctx);
    default:
      return undefined;
  }
}

/** A flag's bundle bytes and its behaviour proof, both required: the bytes show where its code ships, not what it does. */
function both(first: Evidence, entry: ProvedEntry, ctx: EvidenceContext): Evidence {
  if (!isProven(first)) return first;
  const proof = proofEvidence(entry, ctx);
  return isProven(proof) ? proven(`${first.reason}; ${proof.reason}`) : proof;
}

/** A task: everything it delivers is proven Done; a phase: every task is. */
function roadmapEvidence(item: Entry<"roadmap">, ctx: EvidenceContext): Evidence {
  const gap = roadmapGap(ctx.model, item);
  if (gap !== undefined) return unproven(gap);
  const parts = item.record.type === "Phase" ? tasksOf(ctx.model, item) : deliverables(ctx.model, item);
  for (const e of parts) {
    const ev = statusEvidence(e, ctx);
    if (!isProven(ev)) return unproven(`${e.record.name} says Done, but ${ev?.reason ?? "nothing backs it"}`);
  }
  const names = parts.map((e) => e.record.name).join(", ");
  return proven(
    item.record.type === "Phase" ? `all its tasks are proven Done: ${names}` : `everything it delivers is proven Done: ${names}`,
  );
}

const NOT_VERIFIED = "no bundle results for these records: run `npm run verify`";

/** What bundle results show for a flag's Done: measured, shipped somewhere, eliminated where off, not dead (else unproven). */
export function flagEvidence(name: string, results: VerifyResults | undefined): Evidence {
  if (!results) return unproven(NOT_VERIFIED);
  const flag = results.flags.find((f) => f.name === name);
  const shipped = results.variants.filter((v) => v.features.includes(name));
  if (!flag) return unproven("npm run verify did not measure this flag");
  if (flag.dead) return unproven("switching this flag changes no byte in any variant: it is dead code");
  if (!flag.eliminated) return unproven("its modules are not proven absent from the variants that leave it off");
  if (!shipped.length) return unproven("no build variant ships this flag");
  const failing = shipped.filter((v) => !provenVariant(v));
  if (failing.length) return unproven(`a proof failed in ${failing.map((v) => v.name).join(", ")}`);
  return proven(`proven by npm run verify: eliminated where off, shipped in ${shipped.map((v) => v.name).join(", ")}`);
}

type VariantResult = VerifyResults["variants"][number];
function provenVariant(v: VariantResult): boolean {
  return v.proofs.markers === "pass" && v.proofs.ownedModules === "pass" && v.proofs.leftovers === "pass" && v.problems.length === 0;
}

function variantEvidence(name: string, results: VerifyResults | undefined): Evidence {
  if (!results) return unproven(NOT_VERIFIED);
  const v = results.variants.find((x) => x.name === name);
  if (!v) return unproven("npm run verify did not build this variant");
  if (!provenVariant(v)) return unproven("a dead-code proof failed for this variant");
  if (!v.withinBudget) return unproven(`over its budget: ${v.bytes.raw} of ${v.budget} bytes`);
  return proven(`built and proven by npm run verify: ${v.bytes.raw} of ${v.budget} bytes`);
}

/**
 * What the prover showed for a record, in one sentence: failing when a test it names failed, unknown when there
 * are no results of `npm run prove` at all. The site and the diff both read this one answer; a gap is worded as
 * check words it (proofGap).
 */
export function proofEvidence(entry: ProvedEntry, ctx: Pick<EvidenceContext, "model" | "proofs">): Evidence {
  if (!entry.record.proof) return unproven("it names no tests as proof");
  if (!ctx.proofs) return { state: "unknown", reason: "no fresh results of npm run prove for these records" };
  const notFresh = ctx.proofs.stale?.[staleKey(entry)];
  if (notFresh !== undefined) return unproven(`its proof is not fresh: ${notFresh} (run npm run prove)`);
  const r = resultOf(ctx.proofs, entry);
  const gap = proofGap(ctx.model, entry, r);
  if (gap !== undefined || !r)
    return { state: r && r.failed > 0 ? "failing" : "unproven", reason: gap ?? "npm run prove has no result for it" };
  const where = r.variants.length ? ` against ${r.variants.join(", ")}` : "";
  const faults = faultCount(entry, r);
  const caught = faults.listed ? `; they caught ${faults.caught} of ${plural(faults.listed, "planted fault")}` : "";
  return proven(`proven by npm run prove: ${plural(r.passed, "test")} passed in ${r.tests.join(", ")}${where}${caught}`);
}
