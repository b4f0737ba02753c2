/**
 * A proof is worth what it catches: a record lists, beside its proof, the faults its tests must catch
 * (`proof.faults`: a text of a source file and what `npm run prove` puts in its place). The prover plants each
 * one into a copy of the repository and runs the proof's tests there (src/prove/plant-faults.ts); this module
 * holds what check, prove and the site share about it: which records must list faults, the outcome of each
 * planted fault as kept in the results file, and what a claim needs from them. Nothing here runs anything.
 */
import { diagnostic, type Diagnostic } from "../report/diagnostics.ts";
import { placeOf, recordPlace } from "../load/yaml-source.ts";
import type { ProvedEntry, ProvedKind, RecordProof } from "./proof.ts";

/** What planting one fault showed. */
export interface FaultOutcome {
  id: string;
  what: string;
  /**
   * caught: a test of the proof failed with the fault planted; missed: they all still passed; stale: the fault
   * could not be planted (its text is not in its file); error: its tests did not run to a report (a crash, a timeout).
   */
  state: "caught" | "missed" | "stale" | "error";
  /** The tests that failed with the fault planted, "describe › test". */
  failures: string[];
  /** Variants a failing test ran against. */
  variants: string[];
  /** Why it was not caught (missed, stale, error). */
  reason?: string;
  /** Seconds the planted run took. */
  duration: number;
}

/** Kinds whose proof must name faults: a control's tests, and a flag's, must show they catch something. */
export const FAULTS_REQUIRED: ReadonlySet<ProvedKind> = new Set(["security", "features"]);

/** The faults a record lists, in file order (none when it names no proof). */
export const faultsOf = (e: ProvedEntry) => e.record.proof?.faults ?? [];

/**
 * proof-without-faults: a security control or a flag that names a proof must list at least one fault its
 * tests catch (criteria and components may). Two faults of one proof with one id: duplicate-entry.
 */
export function checkFaultDeclarations(entries: readonly ProvedEntry[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of entries) {
    const proof = e.record.proof;
    if (!proof) continue;
    const faults = proof.faults ?? [];
    if (faults.length === 0 && FAULTS_REQUIRED.has(e.kind)) {
      const what = e.kind === "security" ? "control" : "flag";
      out.push(
        diagnostic(
          "proof-without-faults",
          placeOf(e.src, [e.index, "proof"], true),
          `the proof of ${what} ${e.record.name} lists no faults: nothing shows its tests would catch a broken ${what}`,
        ),
      );
    }
    const seen = new Set<string>();
    faults.forEach((f, i) => {
      if (seen.has(f.id))
        out.push(
          diagnostic(
            "duplicate-entry",
            recordPlace(e, ["proof", "faults", i, "id"]),
            `fault ${f.id} is listed twice in the proof of ${e.record.name}`,
            "give each fault its own id",
          ),
        );
      seen.add(f.id);
    });
  }
  return out;
}

const CAUGHT_WORDS: Record<Exclude<FaultOutcome["state"], "caught">, string> = {
  missed: "was not caught",
  stale: "could not be planted",
  error: "did not run",
};

/**
 * Why the faults of a record do not back its claim, or undefined when they do: every listed fault was planted
 * and caught. `planted: false` (prove --no-faults, or results from before faults were listed) is a gap too,
 * unless `requirePlanted` is false (a Beta needs no fault missed; a Done needs every one caught).
 */
export function faultGap(e: ProvedEntry, proof: RecordProof | undefined, requirePlanted = true): string | undefined {
  const listed = faultsOf(e);
  if (listed.length === 0 || !proof) return undefined;
  const outcomes = proof.faults;
  const byId = new Map((outcomes ?? []).map((o) => [o.id, o]));
  const unplanted = listed.filter((f) => !byId.has(f.id));
  const open = listed.flatMap((f) => {
    const o = byId.get(f.id);
    return o && o.state !== "caught" ? [o] : [];
  });
  if (open.length)
    return open.map((o) => `fault ${o.id} (${o.what}) ${CAUGHT_WORDS[o.state as Exclude<FaultOutcome["state"], "caught">]}`).join("; ");
  if (unplanted.length && requirePlanted)
    return `its faults were not planted (${unplanted.map((f) => f.id).join(", ")}): run npm run prove without --no-faults`;
  return undefined;
}

/** "3 of 4": faults caught of those listed. */
export function faultCount(e: ProvedEntry, proof: RecordProof | undefined): { caught: number; listed: number; planted: number } {
  const listed = faultsOf(e);
  const outcomes = new Map((proof?.faults ?? []).map((o) => [o.id, o]));
  return {
    listed: listed.length,
    planted: listed.filter((f) => outcomes.has(f.id)).length,
    caught: listed.filter((f) => outcomes.get(f.id)?.state === "caught").length,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const STATES: readonly unknown[] = ["caught", "missed", "stale", "error"] satisfies FaultOutcome["state"][];

/** A fault outcome read back from the results file, or undefined when it is not one. */
export function faultOutcomeOf(v: unknown): FaultOutcome | undefined {
  if (!isObj(v)) return undefined;
  const { id, what, state, failures, variants, reason, duration } = v;
  if (typeof id !== "string" || typeof what !== "string" || !STATES.includes(state) || !isStrs(failures) || !isStrs(variants))
    return undefined;
  if ((reason !== undefined && typeof reason !== "string") || typeof duration !== "number" || !Number.isFinite(duration)) return undefined;
  return { id, what, state: state as FaultOutcome["state"], failures, variants, ...(reason === undefined ? {} : { reason }), duration };
}

/** The `faults` of a record in the results file: undefined when absent (not planted), null when malformed. */
export function faultOutcomesOf(v: unknown): FaultOutcome[] | undefined | null {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return null;
  const list = v.map(faultOutcomeOf);
  return list.every((o): o is FaultOutcome => o !== undefined) ? list : null;
}
