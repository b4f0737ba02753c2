/**
 * What the site shows of `npm run prove`: a record's tests with their results, where each control stands in
 * each variant, the limits with the code constant they feed, and whether the project is cleared for takeoff.
 * Everything here is computed from fresh results and the records; a page never states more than these show.
 */
import { limitConstants, LIMITS_PATH } from "../core/emit/emit-limits.ts";
import type { Entry } from "../core/model/records.ts";
import { statusOf } from "../core/model/status.ts";
import {
  isProved,
  resultOf,
  variantStates,
  type ProofCase,
  type ProvedEntry,
  type ProvedKind,
  type RecordProof,
} from "../core/model/proof.ts";
import { proofEvidence } from "../core/model/evidence.ts";
import { isProven, type Evidence, type VariantProofState } from "../core/model/proof-state.ts";
import { faultsOf, type FaultOutcome } from "../core/model/faults.ts";
import type { Site } from "./data.ts";
import { NBSP } from "./format.ts";
import { plural } from "../core/text/plural.ts";

export { isProved };

/** Icon and words of each state: meaning never rests on colour or the icon alone. */
export const STATE_LABEL: Record<VariantProofState, { icon: string; text: string }> = {
  proven: { icon: "✅", text: "proven" },
  failing: { icon: "❌", text: "failing" },
  unproven: { icon: "⚠", text: "not proven" },
  "not shipped": { icon: "·", text: "not shipped" },
};

export const CASE_LABEL: Record<ProofCase["status"], { icon: string; text: string }> = {
  passed: { icon: "✅", text: "passed" },
  failed: { icon: "❌", text: "failed" },
  skipped: { icon: "⏭", text: "skipped" },
};

export function formatSeconds(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)}${NBSP}ms` : `${s.toFixed(1)}${NBSP}s`;
}

export interface ProofView {
  /** The prove results for the record, when fresh. */
  result: RecordProof | undefined;
  /** Backed or not, and why, in one sentence. */
  evidence: Evidence;
  /** One state per variant; empty for kinds not tied to variants. */
  variants: { variant: string; state: VariantProofState }[];
}

export function proofView(site: Site, e: ProvedEntry): ProofView {
  const result = site.proofs ? resultOf(site.proofs, e) : undefined;
  const variants = e.kind === "security" || e.kind === "features" ? variantStates(site.model, e, result) : [];
  return { result, evidence: proofEvidence(e, { model: site.model, proofs: site.proofs }), variants };
}

/** One line for tables: "✅ 14 passed · 3.2 s", or why nothing is proven. */
export function proofSummary(view: ProofView): string {
  const r = view.result;
  if (!r || r.matched === 0) return `⚠ ${view.evidence.reason}`;
  const parts = [`${r.passed} passed`, r.failed ? `${r.failed} failed` : "", r.skipped ? `${r.skipped} skipped` : ""].filter(Boolean);
  return `${isProven(view.evidence) ? "✅" : "❌"} ${parts.join(", ")} · ${formatSeconds(r.duration)}`;
}

export const FAULT_LABEL: Record<FaultOutcome["state"] | "not planted", { icon: string; text: string }> = {
  caught: { icon: "✅", text: "caught" },
  missed: { icon: "❌", text: "missed" },
  stale: { icon: "⚠", text: "could not be planted" },
  error: { icon: "❌", text: "its tests did not run" },
  "not planted": { icon: "⚠", text: "not planted" },
};

export interface FaultRow {
  id: string;
  what: string;
  state: FaultOutcome["state"] | "not planted";
  /** Which tests failed, and where, or why it was not caught. */
  detail: string;
}

/**
 * The faults a record lists with what planting them showed ("Faults caught: 2 of 2"); undefined when it lists
 * none. A fault without an outcome in fresh results was not planted (prove --no-faults).
 */
export function faultsView(
  e: ProvedEntry,
  result: RecordProof | undefined,
): { caught: number; listed: number; rows: FaultRow[] } | undefined {
  const listed = faultsOf(e);
  if (!listed.length) return undefined;
  const outcomes = new Map((result?.faults ?? []).map((o) => [o.id, o]));
  const rows = listed.map((f): FaultRow => {
    const o = outcomes.get(f.id);
    if (!o)
      return {
        id: f.id,
        what: f.what,
        state: "not planted",
        detail: result ? "npm run prove ran with --no-faults" : "no fresh results of npm run prove",
      };
    if (o.state !== "caught") return { id: f.id, what: f.what, state: o.state, detail: o.reason ?? "" };
    const where = o.variants.length ? ` in ${o.variants.join(", ")}` : "";
    return { id: f.id, what: f.what, state: "caught", detail: `${plural(o.failures.length, "test")} failed with it planted${where}` };
  });
  return { caught: rows.filter((r) => r.state === "caught").length, listed: rows.length, rows };
}

/** The limits of a control with the generated constant each one feeds. */
export function limitsOf(
  site: Site,
  e: Entry<"security">,
): { name: string; value: number; unit: string; constant: string; file: string }[] {
  return limitConstants(site.model)
    .filter((c) => c.entry === e)
    .map((c) => ({ name: c.limit.name, value: c.limit.value, unit: c.limit.unit, constant: c.id, file: LIMITS_PATH }));
}

/** What keeps a record from being cleared: its status, or the evidence behind its Done. */
export interface Blocker {
  entry: Entry;
  why: string;
}

/**
 * Cleared for takeoff when every success criterion and every security control is Done and backed by fresh
 * evidence, and every Production variant is Done and backed. Nothing here is written by hand.
 */
export function clearance(site: Site): { cleared: boolean; checked: number; blockers: Blocker[] } {
  const blockers: Blocker[] = [];
  const kinds: (ProvedKind | "variants")[] = ["criteria", "security", "variants"];
  const entries = kinds.flatMap((k): Entry[] => site.entries(k)).filter((e) => e.kind !== "variants" || e.record.type === "Production");
  for (const e of entries) {
    const status = statusOf(e);
    if (status !== "Done") {
      blockers.push({ entry: e, why: `is ${status ?? "without a status"}, not Done` });
      continue;
    }
    const ev = site.evidence(e);
    if (ev && !isProven(ev)) blockers.push({ entry: e, why: `says Done, but ${ev.reason}` });
  }
  return { cleared: blockers.length === 0, checked: entries.length, blockers };
}
