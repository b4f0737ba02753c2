/**
 * Evidence is data, never shell: a security control, success criterion, flag or component names its proof as
 * test files (and optionally a describe or test name in them), and claims follow what those tests showed. This module
 * holds what `check` and `npm run prove` (src/prove/) share: which records name a proof, the results file
 * and its fingerprint of every input, and the rules that hold statuses and approvals to the evidence.
 * Nothing here runs anything; the prover alone runs `bun test` on the named files.
 */
import { join } from "node:path";
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import { isFileInside, listInside, readInside, walkInside } from "../fs/safe-fs.ts";
import { recordPlace } from "../load/yaml-source.ts";
import type { Entry } from "./records.ts";
import type { Model } from "./model.ts";
import { locationEvidence } from "./location.ts";
import { checkFaultDeclarations, faultGap, faultOutcomesOf, type FaultOutcome } from "./faults.ts";

/** Where `npm run prove` keeps its results, relative to the repository root. */
export const PROVE_RESULTS = ".cache/prove/results.json";
export const PROVE_RESULTS_VERSION = 2;

/** Records that may name a proof, in the order the prover reports them. */
export const PROVED_KINDS = ["security", "criteria", "features", "components"] as const;
export type ProvedKind = (typeof PROVED_KINDS)[number];
export type ProvedEntry = Entry<ProvedKind>;

/** One test a proof selected, as the JUnit report gave it. */
export interface ProofCase {
  /** The test's name; "variant <name>: …" when it ran against a built variant. */
  name: string;
  status: "passed" | "failed" | "skipped";
  /** Seconds. */
  duration: number;
  variant?: string;
}

export interface RecordProof {
  kind: ProvedKind;
  name: string;
  tests: string[];
  /** The describe or test name the proof is narrowed to, if any. */
  testName?: string;
  /** Tests of the files selected by the proof. */
  matched: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Seconds, summed over the matched tests (as the JUnit report gives them). */
  duration: number;
  /** Variants the tests ran against, read from "variant <name>:" in test names. */
  variants: string[];
  /** The failing tests, "describe › test". */
  failures: string[];
  /** Every selected test, in report order. */
  cases: ProofCase[];
  /** Each listed fault planted into a copy of the repository, and whether the tests caught it; absent when none was planted. */
  faults?: FaultOutcome[];
}

export interface ProveResults {
  version: number;
  generatedAt: string;
  bunVersion: string;
  /** sha256 of every input: the named test files and their folders' helpers, src/app, data/, package-lock.json, Bun. */
  fingerprint: string;
  records: RecordProof[];
}

/** Every record of a kind that may name a proof, kind by kind, in file order. */
export function provedEntries(model: Model): ProvedEntry[] {
  return PROVED_KINDS.flatMap((kind): ProvedEntry[] => model.records[kind]);
}

/** Kinds whose Done needs a proof of their own; a flag's Done is backed by verify, a component's by its location. */
const PROOF_REQUIRED: ReadonlySet<ProvedKind> = new Set(["security", "criteria"]);

/**
 * The variants whose behaviour a proof must cover: those that ship the code (every flag of a control, or the
 * flag itself). Criteria and components are not tied to variants.
 */
export function claimingVariants(model: Model, e: ProvedEntry): Entry<"variants">[] {
  const flags = e.kind === "security" ? (e.record.flags ?? []) : e.kind === "features" ? [e.record.name] : undefined;
  if (!flags) return [];
  return model.records.variants.filter((v) => flags.every((f) => v.record.features.includes(f)));
}

/** Where a record stands in one variant: its tests there passed, failed or did not run, or the variant lacks its code. */
export type VariantProofState = "proven" | "failing" | "unproven" | "not shipped";

/** One state per variant of the model, in file order. */
export function variantStates(model: Model, e: ProvedEntry, proof: RecordProof | undefined): { variant: string; state: VariantProofState }[] {
  const claiming = new Set(claimingVariants(model, e).map((v) => v.record.name));
  return model.records.variants.map((v) => {
    const name = v.record.name;
    if (!claiming.has(name)) return { variant: name, state: "not shipped" };
    const here = (proof?.cases ?? []).filter((c) => c.variant === name);
    const state: VariantProofState = here.some((c) => c.status === "failed") ? "failing" : here.some((c) => c.status === "passed") ? "proven" : "unproven";
    return { variant: name, state };
  });
}

/** A proof passes when at least one matched test passed and none failed. */
export function proofPassed(p: RecordProof | undefined): boolean {
  return p !== undefined && p.failed === 0 && p.passed > 0;
}

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** The test files every proof names, sorted and distinct. */
export function proofFiles(model: Model): string[] {
  return [...new Set(provedEntries(model).flatMap((e) => e.record.proof?.tests ?? []))].sort();
}

/**
 * sha256 of every input of the proofs, read as the loader reads files (a refused path by its refusal): the
 * Bun version, package-lock.json, src/app/, data/, each named test file and the helpers beside it (the
 * files of its folder that are not themselves test files, such as test/behaviour/harness.ts).
 */
export function proofFingerprint(root: string, model: Model): string {
  const hash = new Bun.CryptoHasher("sha256").update(`bun ${Bun.version}`);
  const folders = new Set(proofFiles(model).map((f) => f.slice(0, Math.max(0, f.lastIndexOf("/"))) || "."));
  const files = new Set<string>(["package-lock.json"]);
  const refused: string[] = [];
  for (const dir of ["src/app", "data"]) {
    for (const e of walkInside(root, dir)) {
      if (e.kind === "file") files.add(e.rel);
      else if (e.kind === "refused") refused.push(`${e.rel}:${e.refusal.rule}`);
    }
  }
  for (const dir of folders) {
    const listed = listInside(root, dir);
    if (listed === undefined) continue;
    if ("refusal" in listed) refused.push(`${dir}:${listed.refusal.rule}`);
    else for (const e of listed) if (e.kind === "file" && !e.rel.endsWith(".test.ts")) files.add(e.rel);
  }
  for (const f of proofFiles(model)) files.add(f);
  for (const rel of [...files].sort()) {
    hash.update(`\0${rel}\0`);
    const read = readInside(root, rel, MAX_INPUT_BYTES);
    hash.update("refusal" in read ? `\0refused:${read.refusal.rule}` : read.bytes);
  }
  for (const r of refused.sort()) hash.update(`\0refused:${r}`);
  return hash.digest("hex");
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isProvedKind = (v: unknown): v is ProvedKind => PROVED_KINDS.some((k) => k === v);
const STATUSES: readonly unknown[] = ["passed", "failed", "skipped"] satisfies ProofCase["status"][];
const isStatus = (v: unknown): v is ProofCase["status"] => STATUSES.includes(v);

function proofCaseOf(v: unknown): ProofCase | undefined {
  if (!isObj(v)) return undefined;
  const { name, status, duration, variant } = v;
  if (typeof name !== "string" || !isStatus(status) || !isNum(duration) || (variant !== undefined && typeof variant !== "string")) return undefined;
  return { name, status, duration, ...(variant === undefined ? {} : { variant }) };
}

function recordProofOf(v: unknown): RecordProof | undefined {
  if (!isObj(v)) return undefined;
  const { kind, name, tests, testName, matched, passed, failed, skipped, duration, variants, failures } = v;
  if (!isProvedKind(kind) || typeof name !== "string" || !isStrs(tests) || !isStrs(variants) || !isStrs(failures)) return undefined;
  if (!isNum(matched) || !isNum(passed) || !isNum(failed) || !isNum(skipped) || !isNum(duration)) return undefined;
  if (testName !== undefined && typeof testName !== "string") return undefined;
  if (!Array.isArray(v.cases)) return undefined;
  const cases = v.cases.map(proofCaseOf);
  if (!cases.every((c): c is ProofCase => c !== undefined)) return undefined;
  const faults = faultOutcomesOf(v.faults);
  if (faults === null) return undefined;
  return { kind, name, tests, ...(testName === undefined ? {} : { testName }), matched, passed, failed, skipped, duration, variants, failures, cases, ...(faults ? { faults } : {}) };
}

/** The results of the last `npm run prove`, if any are there and well-formed. */
export function readProveResults(root: string): ProveResults | undefined {
  const read = readInside(root, PROVE_RESULTS, MAX_INPUT_BYTES);
  if ("refusal" in read) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(read.bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObj(v) || v.version !== PROVE_RESULTS_VERSION || typeof v.fingerprint !== "string" || typeof v.generatedAt !== "string" || typeof v.bunVersion !== "string" || !Array.isArray(v.records)) return undefined;
  const records = v.records.map(recordProofOf);
  if (!records.every((r): r is RecordProof => r !== undefined)) return undefined;
  return { version: PROVE_RESULTS_VERSION, generatedAt: v.generatedAt, bunVersion: v.bunVersion, fingerprint: v.fingerprint, records };
}

export function resultOf(results: ProveResults, e: ProvedEntry): RecordProof | undefined {
  return results.records.find((r) => r.kind === e.kind && r.name === e.record.name);
}

/** Whether `rel` is a regular file inside the repository (links confined); check asks this on every run, so nothing is read. */
export function isProofFile(root: string, rel: string): boolean {
  return isFileInside(root, rel);
}

/** proof-missing-file: every test file a proof names must be a file of the repository. */
export function checkProofFiles(root: string, model: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of provedEntries(model)) {
    (e.record.proof?.tests ?? []).forEach((file, i) => {
      if (!isProofFile(root, file)) {
        out.push(diagnostic("proof-missing-file", recordPlace(e, ["proof", "tests", i]), `${e.record.name} names ${file} as proof, but it is not a file of this repository`));
      }
    });
  }
  return out;
}

/** unapproved-in-production: a Production variant ships only approved (or Not Required), released (Beta or Done) flags. */
export function checkProduction(model: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const v of model.records.variants) {
    if (v.record.type !== "Production") continue;
    v.record.features.forEach((name, i) => {
      const flag = model.flag(name)?.record;
      if (!flag) return; // unknown-reference says it
      const approved = flag.approval === "Approved" || flag.approval === "Not Required";
      const released = flag.status === "Beta" || flag.status === "Done";
      if (approved && released) return;
      const why = [approved ? "" : `its approval is ${flag.approval}`, released ? "" : `its status is ${flag.status}`].filter(Boolean).join(" and ");
      out.push(diagnostic("unapproved-in-production", recordPlace(v, ["features", i]), `Production variant ${v.record.name} ships ${name}, but ${why}`));
    });
  }
  return out;
}

/**
 * Why a record's proof does not back it, or undefined when it does: it passes, and in every variant that ships
 * the record's code at least one test ran there and none failed.
 */
export function proofGap(model: Model, e: ProvedEntry, proof: RecordProof | undefined): string | undefined {
  if (!e.record.proof) return "it names no proof";
  if (!proof) return "npm run prove has no result for it";
  if (proof.matched === 0) return "its proof matched no test";
  if (proof.failed > 0) return `${proof.failed} of its ${proof.matched} tests failed`;
  if (proof.passed === 0) return "none of its tests passed";
  const open = variantStates(model, e, proof).filter((s) => s.state === "unproven" || s.state === "failing");
  if (open.length) return `no test proves it in ${open.map((s) => s.variant).join(", ")}, which ship${open.length === 1 ? "s" : ""} it`;
  return faultGap(e, proof);
}

/** unproven-claim: a component that says Done must be where it says (a file or folder of the repository, or a bun: module). */
export function checkLocations(root: string, model: Model): Diagnostic[] {
  return model.records.components.flatMap((e) => {
    if (e.record.status !== "Done") return [];
    const evidence = locationEvidence(e.record.location, root);
    return evidence.backed ? [] : [diagnostic("unproven-claim", recordPlace(e, ["status"]), `${e.record.name} says Done, but ${evidence.reason}`, "fix its location, or set the status to what exists")];
  });
}

/**
 * Claims follow evidence: Done needs a passing, fresh proof in every variant that ships the code
 * (`unproven-claim`, at the status value); a flag or component needs that only when it names a proof.
 * Planned or In Progress while the proof passes is a warning (`status-behind-evidence`).
 */
export function checkClaims(model: Model, results: ProveResults): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of provedEntries(model)) {
    const status = e.record.status;
    const proof = resultOf(results, e);
    const at = recordPlace(e, ["status"]);
    if (!e.record.proof && !PROOF_REQUIRED.has(e.kind)) continue;
    const gap = proofGap(model, e, proof);
    if (status === "Done" && gap !== undefined) {
      out.push(diagnostic("unproven-claim", at, `${e.record.name} says Done, but ${gap}`));
    }
    // A Beta needs no listed fault to slip through (planting may have been skipped; Done needs it).
    const faults = status === "Beta" ? faultGap(e, proof, false) : undefined;
    if (faults !== undefined) out.push(diagnostic("unproven-claim", at, `${e.record.name} says Beta, but ${faults}`));
    if ((status === "Planned" || status === "In Progress") && gap === undefined) {
      out.push(diagnostic("status-behind-evidence", at, `${e.record.name} says ${status}, but its proof passes (${proof!.passed} tests${proof!.variants.length ? ` in ${proof!.variants.join(", ")}` : ""})`));
    }
  }
  return out;
}

/** The results in `resultsRoot` when they were computed from exactly the inputs of `root` and `model`. */
export function freshProveResults(resultsRoot: string, root: string, model: Model): ProveResults | undefined {
  const results = readProveResults(resultsRoot);
  return results && results.fingerprint === proofFingerprint(root, model) ? results : undefined;
}

/**
 * The proof stage of `check`: named files exist, Production ships only approved flags, and, when fresh
 * prove results exist, claims follow them (stale results: a warning, and claims are not judged by them).
 */
export function proofStage(root: string, model: Model): Diagnostic[] {
  const out = [...checkProofFiles(root, model), ...checkFaultDeclarations(provedEntries(model)), ...checkProduction(model), ...checkLocations(root, model)];
  const results = readProveResults(root);
  if (!results) return out;
  if (results.fingerprint !== proofFingerprint(root, model)) {
    out.push(diagnostic("proof-stale", fileStart(PROVE_RESULTS), `the results of npm run prove (${results.generatedAt}) were computed from other inputs: claims are not checked against them`));
    return out;
  }
  return [...out, ...checkClaims(model, results)];
}

/** Absolute path of the results file. */
export function proveResultsPath(root: string): string {
  return join(root, PROVE_RESULTS);
}
