/**
 * Evidence is data, never shell: a security control, success criterion, flag or component names its proof as
 * test files (and optionally a describe or test name in them), and claims follow what those tests showed. This module
 * holds what `check`, the site, `npm run diff` and `npm run prove` (src/prove/) share: which records name a
 * proof, the results file with each proof's inputs and their digests, which results are fresh (judgeProofs:
 * the one answer all of them read), and the rules that hold statuses and approvals to the evidence.
 * Nothing here runs anything; the prover alone runs `bun test` on the named files.
 */
import { join } from "node:path";
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import { digestInside, isFileInside, oneLook, readInside } from "../fs/safe-fs.ts";
import { sha256 } from "../fs/digest-memo.ts";
import { gitTracking } from "../fs/git-tracked.ts";
import type { Store } from "../cache/store.ts";
import { inputDigest } from "./proof-inputs.ts";
import { isViewInput } from "./record-view.ts";
import { placeOf, recordPlace } from "../load/yaml-source.ts";
import type { Entry } from "./records.ts";
import type { Model } from "./model.ts";
import { locationEvidence } from "./location.ts";
import { isProven, type VariantProofState } from "./proof-state.ts";
import { roadmapGap } from "./deliverables.ts";
import { checkFaultDeclarations, faultGap, faultOutcomesOf, type FaultOutcome } from "./faults.ts";
import { wordFor } from "../text/plural.ts";

/** Where `npm run prove` keeps its results, relative to the repository root. */
export const PROVE_RESULTS = ".cache/prove/results.json";
export const PROVE_RESULTS_VERSION = 3;

/** Records that may name a proof, in the order the prover reports them. */
export const PROVED_KINDS = ["security", "criteria", "features", "components"] as const;
export type ProvedKind = (typeof PROVED_KINDS)[number];
export type ProvedEntry = Entry<ProvedKind>;

export type { VariantProofState };

const PROVED: ReadonlySet<string> = new Set(PROVED_KINDS);
/** A record of a kind that may name a proof. */
export const isProved = (e: Entry): e is ProvedEntry => PROVED.has(e.kind);

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
  /** When its tests ran (a later prove keeps a result whose inputs did not change). */
  provedAt: string;
  /** sha256 of the proof as the record writes it (tests, name, inputs, …): a changed proof is not this result's. */
  spec: string;
  /** Every input of the proof (src/core/model/proof-inputs.ts), each digested in ProveResults.inputs. */
  inputs: string[];
  /** sha256 of the Bun version, the spec and every input's digest: this proof's own fingerprint. */
  fingerprint: string;
  /** Each listed fault planted into a copy of the repository, and whether the tests caught it; absent when none was planted. */
  faults?: FaultOutcome[];
}

export interface ProveResults {
  version: number;
  generatedAt: string;
  bunVersion: string;
  /** Digest of every input some proof lists (inputDigest), as the tests saw it. */
  inputs: Record<string, string>;
  records: RecordProof[];
  /**
   * Set by judgeProofs only, never read from a file: why each proof left out of `records` is not fresh, by
   * staleKey, so every reader says the same.
   */
  stale?: Record<string, string>;
}

/** The key of a record in ProveResults.stale. */
export const staleKey = (e: ProvedEntry) => `${e.kind}:${e.record.name}`;

/** sha256 of a record's proof as written: what it runs and, once they are there, the faults it must catch. */
export function proofSpec(e: ProvedEntry): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(e.record.proof ?? null)).digest("hex");
}

/** One proof's fingerprint from its spec and the digests of its inputs. */
export function fingerprintOf(
  bunVersion: string,
  spec: string,
  inputs: readonly string[],
  digests: Readonly<Record<string, string>>,
): string {
  const hash = new Bun.CryptoHasher("sha256").update(`bun ${bunVersion}\0${spec}`);
  for (const i of inputs) hash.update(`\0${i}\0${digests[i] ?? "unknown"}`);
  return hash.digest("hex");
}

/** Every record of a kind that may name a proof, kind by kind, in file order. */
export function provedEntries(model: Model): ProvedEntry[] {
  return PROVED_KINDS.flatMap((kind): ProvedEntry[] => model.records[kind]);
}

/** Kinds whose Done needs a proof of their own; a flag's also needs verify's bundle proofs (evidence.ts). */
const PROOF_REQUIRED: ReadonlySet<ProvedKind> = new Set(["security", "criteria", "features", "components"]);

/**
 * The variants whose behaviour a proof must cover: those that ship the code (every flag of a control, or the
 * flag itself). Criteria and components are not tied to variants.
 */
export function claimingVariants(model: Model, e: ProvedEntry): Entry<"variants">[] {
  const flags = e.kind === "security" ? (e.record.flags ?? []) : e.kind === "features" ? [e.record.name] : undefined;
  if (!flags) return [];
  return model.records.variants.filter((v) => flags.every((f) => v.record.features.includes(f)));
}

/** Where a record stands in each variant, in file order: its tests there passed, failed or did not run, or the variant lacks its code. */
export function variantStates(
  model: Model,
  e: ProvedEntry,
  proof: RecordProof | undefined,
): { variant: string; state: VariantProofState }[] {
  const claiming = new Set(claimingVariants(model, e).map((v) => v.record.name));
  return model.records.variants.map((v) => {
    const name = v.record.name;
    if (!claiming.has(name)) return { variant: name, state: "not shipped" };
    const here = (proof?.cases ?? []).filter((c) => c.variant === name);
    const state: VariantProofState = here.some((c) => c.status === "failed")
      ? "failing"
      : here.some((c) => c.status === "passed")
        ? "proven"
        : "unproven";
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

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isProvedKind = (v: unknown): v is ProvedKind => PROVED_KINDS.some((k) => k === v);
const STATUSES: readonly unknown[] = ["passed", "failed", "skipped"] satisfies ProofCase["status"][];
const isStatus = (v: unknown): v is ProofCase["status"] => STATUSES.includes(v);

function proofCaseOf(v: unknown): ProofCase | undefined {
  if (!isObj(v)) return undefined;
  const { name, status, duration, variant } = v;
  if (typeof name !== "string" || !isStatus(status) || !isNum(duration) || (variant !== undefined && typeof variant !== "string"))
    return undefined;
  return { name, status, duration, ...(variant === undefined ? {} : { variant }) };
}

function recordProofOf(v: unknown): RecordProof | undefined {
  if (!isObj(v)) return undefined;
  const {
    kind,
    name,
    tests,
    testName,
    matched,
    passed,
    failed,
    skipped,
    duration,
    variants,
    failures,
    provedAt,
    spec,
    inputs,
    fingerprint,
  } = v;
  if (!isProvedKind(kind) || typeof name !== "string" || !isStrs(tests) || !isStrs(variants) || !isStrs(failures)) return undefined;
  if (typeof provedAt !== "string" || typeof spec !== "string" || typeof fingerprint !== "string" || !isStrs(inputs)) return undefined;
  if (!isNum(matched) || !isNum(passed) || !isNum(failed) || !isNum(skipped) || !isNum(duration)) return undefined;
  if (testName !== undefined && typeof testName !== "string") return undefined;
  if (!Array.isArray(v.cases)) return undefined;
  const cases = v.cases.map(proofCaseOf);
  if (!cases.every((c): c is ProofCase => c !== undefined)) return undefined;
  const faults = faultOutcomesOf(v.faults);
  if (faults === null) return undefined;
  return {
    kind,
    name,
    tests,
    ...(testName === undefined ? {} : { testName }),
    matched,
    passed,
    failed,
    skipped,
    duration,
    variants,
    failures,
    cases,
    provedAt,
    spec,
    inputs,
    fingerprint,
    ...(faults ? { faults } : {}),
  };
}

/** Parses results text; undefined unless it is well-formed results of this version. */
export function parseProveResults(text: string): ProveResults | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return proveResultsOf(v);
}

/** Results of this version from parsed JSON, checked field by field; undefined for anything else. */
function proveResultsOf(v: unknown): ProveResults | undefined {
  if (
    !isObj(v) ||
    v.version !== PROVE_RESULTS_VERSION ||
    typeof v.generatedAt !== "string" ||
    typeof v.bunVersion !== "string" ||
    !Array.isArray(v.records) ||
    !isObj(v.inputs)
  )
    return undefined;
  const inputs: Record<string, string> = {};
  for (const [k, d] of Object.entries(v.inputs)) {
    if (typeof d !== "string") return undefined;
    inputs[k] = d;
  }
  const records = v.records.map(recordProofOf);
  if (!records.every((r): r is RecordProof => r !== undefined)) return undefined;
  return { version: PROVE_RESULTS_VERSION, generatedAt: v.generatedAt, bunVersion: v.bunVersion, inputs, records };
}

/**
 * Results as the store keeps them, by the digest of the file they were read from: each proof's input list
 * (most proofs share a test file, and so the list) is written once, as positions in `inputs`, which makes
 * it a fraction of what is parsed. Undefined when a listed input has no digest (nothing is kept then).
 */
function keptResults(results: ProveResults) {
  const position = new Map(Object.keys(results.inputs).map((input, i) => [input, i]));
  const lists = new Map<string, number>();
  const inputLists: number[][] = [];
  const records = [];
  for (const r of results.records) {
    const list = r.inputs.map((i) => position.get(i));
    if (list.some((i) => i === undefined)) return undefined;
    const key = list.join(",");
    let at = lists.get(key);
    if (at === undefined) lists.set(key, (at = inputLists.push(list as number[]) - 1));
    records.push({ ...r, inputs: at });
  }
  return { ...results, records, inputLists };
}

/** The results back from a kept entry, checked as if read from the file; undefined for anything else. */
function fromKept(v: unknown): ProveResults | undefined {
  if (!isObj(v) || !isObj(v.inputs) || !Array.isArray(v.records) || !Array.isArray(v.inputLists)) return undefined;
  const names = Object.keys(v.inputs);
  const lists: unknown[] = v.inputLists.map((l) =>
    Array.isArray(l) ? l.map((i) => (typeof i === "number" ? names[i] : undefined)) : undefined,
  );
  const records = v.records.map((r) => (isObj(r) && typeof r.inputs === "number" ? { ...r, inputs: lists[r.inputs] } : undefined));
  return proveResultsOf({ ...v, records });
}

/** The results file as it lies there: refused when git tracks it (or a folder or link above it), absent, or results. */
export type ResultsFile = { refused: Diagnostic } | { results: ProveResults | undefined };

/**
 * The results of the last `npm run prove`, if any are there and well-formed. A results file that git tracks
 * came in with a commit, so a contribution wrote it: it is refused (tracked-results) and never used. With
 * `remember`, git's answer is kept in that store by the digest of git's index (src/core/fs/git-tracked.ts),
 * and the parsed results by the digest of the file.
 */
export function readResultsFile(root: string, remember?: Store): ResultsFile {
  const found = remember ? digestInside(root, PROVE_RESULTS, MAX_INPUT_BYTES) : readInside(root, PROVE_RESULTS, MAX_INPUT_BYTES);
  if ("refusal" in found) return { results: undefined };
  const refused = trackedResults(gitTracking(root, PROVE_RESULTS, remember));
  if (refused) return { refused };
  if ("bytes" in found) return { results: parseProveResults(found.bytes.toString("utf8")) };
  // Kept by the digest of the file: parsed and checked once per content, not on every check.
  const key = remember!.key("prove-results", found.digest);
  const kept = remember!.get("prove-results", key, fromKept);
  if (kept) return { results: kept };
  const read = readInside(root, PROVE_RESULTS, MAX_INPUT_BYTES);
  if ("refusal" in read) return { results: undefined };
  const results = parseProveResults(read.bytes.toString("utf8"));
  // Rewritten since it was digested: these results are used, but kept only under their own digest.
  const keep = results && keptResults(results);
  if (keep) remember!.set("prove-results", remember!.key("prove-results", sha256(read.bytes)), keep);
  return { results };
}

/** tracked-results, when git tracks the results file or cannot say. */
function trackedResults(tracking: ReturnType<typeof gitTracking>): Diagnostic | undefined {
  if (tracking && "unknown" in tracking) {
    return diagnostic(
      "tracked-results",
      fileStart(PROVE_RESULTS),
      `git cannot say whether it tracks ${PROVE_RESULTS} (${tracking.unknown}): results that may have come with a commit are not used`,
    );
  }
  if (tracking) {
    const { tracked } = tracking;
    return diagnostic(
      "tracked-results",
      fileStart(PROVE_RESULTS),
      `git tracks ${tracked === PROVE_RESULTS ? PROVE_RESULTS : `${tracked}, and with it ${PROVE_RESULTS}`}: results a commit brings are not evidence, so none of them is used`,
    );
  }
  return undefined;
}

/** The usable results of the last `npm run prove`: well-formed and not tracked by git. */
export function readProveResults(root: string): ProveResults | undefined {
  const file = readResultsFile(root);
  return "results" in file ? file.results : undefined;
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
        out.push(
          diagnostic(
            "proof-missing-file",
            recordPlace(e, ["proof", "tests", i]),
            `${e.record.name} names ${file} as proof, but it is not a file of this repository`,
          ),
        );
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
      const why = [approved ? "" : `its approval is ${flag.approval}`, released ? "" : `its status is ${flag.status}`]
        .filter(Boolean)
        .join(" and ");
      out.push(
        diagnostic(
          "unapproved-in-production",
          recordPlace(v, ["features", i]),
          `Production variant ${v.record.name} ships ${name}, but ${why}`,
        ),
      );
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
  if (open.length)
    return `no test proves it in ${open.map((s) => s.variant).join(", ")}, which ${wordFor(open.length, "ships", "ship")} it`;
  return faultGap(e, proof);
}

/**
 * missing-location: a component's location is a file or folder of the repository (or a bun: module), whatever
 * its status. That backs the location only: a component's Done needs its proof (checkClaims).
 */
export function checkLocations(root: string, model: Model): Diagnostic[] {
  return model.records.components.flatMap((e) => {
    const evidence = locationEvidence(e.record.location, root);
    return isProven(evidence)
      ? []
      : [
          diagnostic(
            "missing-location",
            recordPlace(e, ["location"]),
            `${e.record.name} says it lives at ${e.record.location}, but ${evidence.reason}`,
          ),
        ];
  });
}

/**
 * unproven-claim for roadmap items, from the records alone: a Done task names what it delivers and each of
 * those says Done (and is held to its own evidence where it stands); a Done phase has tasks, all Done.
 */
export function checkRoadmap(model: Model): Diagnostic[] {
  return model.records.roadmap.flatMap((e) => {
    if (e.record.status !== "Done") return [];
    const gap = roadmapGap(model, e);
    return gap === undefined
      ? []
      : [
          diagnostic(
            "unproven-claim",
            recordPlace(e, ["status"]),
            `${e.record.name} says Done, but ${gap}`,
            e.record.type === "Task"
              ? "name what it delivers (controls, components, criteria, flags) and prove each, or set the status to what the evidence shows"
              : "set the status to what its tasks give",
          ),
        ];
  });
}

/**
 * Claims follow evidence (records in `stale` are left out: their results say nothing of these inputs): Done
 * needs a passing, fresh proof in every variant that ships the code (`unproven-claim`, at the status value).
 * Planned or In Progress while the proof passes is a warning (`status-behind-evidence`).
 */
export function checkClaims(model: Model, results: ProveResults, stale: ReadonlySet<ProvedEntry> = new Set()): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of provedEntries(model)) {
    if (stale.has(e)) continue;
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
      out.push(
        diagnostic(
          "status-behind-evidence",
          at,
          `${e.record.name} says ${status}, but its proof passes (${proof!.passed} tests${proof!.variants.length ? ` in ${proof!.variants.join(", ")}` : ""})`,
        ),
      );
    }
  }
  return out;
}

/** Why one record's result is not fresh for this tree, or undefined when it is. */
export function staleness(
  e: ProvedEntry,
  r: RecordProof | undefined,
  results: ProveResults,
  now: (input: string) => string,
): string | undefined {
  if (!r) return "npm run prove has not run it yet";
  if (results.bunVersion !== Bun.version) return `it ran on Bun ${results.bunVersion}, not ${Bun.version}`;
  if (r.spec !== proofSpec(e)) return "its proof changed";
  // The first changed input is reason enough, which keeps check fast: only a fresh proof has all its inputs hashed.
  const changed = r.inputs.find((i) => now(i) !== results.inputs[i]);
  if (changed === undefined) return undefined;
  const what = isViewInput(changed) ? `the records it reads (${changed})` : changed.endsWith("/") ? `the files in ${changed}` : changed;
  return `${what} changed since its tests ran`;
}

/** What the results of `npm run prove` back for one tree: the fresh ones, and why the others are not. */
export interface ProofJudgement {
  /** Results holding only the records whose proof and every input are unchanged; undefined when there are none to read. */
  results: ProveResults | undefined;
  /** Records whose proof has results, but not for these inputs. */
  stale: { entry: ProvedEntry; reason: string }[];
  /** The results file refused (tracked-results): nothing in it is used. */
  refused?: Diagnostic;
}

/**
 * Which results back which records, judged by re-hashing only the inputs each result lists: `check`, the
 * site and `npm run diff` all ask this, so they agree on what is fresh. `candidates` (results from elsewhere,
 * such as those of the working tree judged for a diff's base) are tried, record by record, when the
 * tree's own do not back a record.
 */
export function judgeProofs(
  resultsRoot: string,
  root: string,
  model: Model,
  candidates: readonly ProveResults[] = [],
  remember?: Store,
): ProofJudgement {
  return oneLook(() => judge(resultsRoot, root, model, candidates, remember));
}

function judge(resultsRoot: string, root: string, model: Model, candidates: readonly ProveResults[], remember?: Store): ProofJudgement {
  const file = readResultsFile(resultsRoot, remember);
  const own = "results" in file ? file.results : undefined;
  const all = [...(own ? [own] : []), ...candidates];
  const refused = "refused" in file ? { refused: file.refused } : {};
  if (!all.length) return { results: undefined, stale: [], ...refused };
  const digests = new Map<string, string>();
  const now = (input: string) => {
    let d = digests.get(input);
    if (d === undefined) digests.set(input, (d = inputDigest(root, input, model)));
    return d;
  };
  const fresh: RecordProof[] = [];
  const inputs: Record<string, string> = {};
  const stale: ProofJudgement["stale"] = [];
  for (const e of provedEntries(model)) {
    if (!e.record.proof) continue;
    let reason: string | undefined;
    let found = false;
    for (const results of all) {
      const r = resultOf(results, e);
      const why = staleness(e, r, results, now);
      if (why === undefined && r) {
        fresh.push(r);
        for (const i of r.inputs) inputs[i] = results.inputs[i]!;
        found = true;
        break;
      }
      reason ??= why;
    }
    if (!found) stale.push({ entry: e, reason: reason ?? "npm run prove has not run it yet" });
  }
  const first = all[0]!;
  const reasons = Object.fromEntries(stale.map((s) => [staleKey(s.entry), s.reason]));
  return {
    results: {
      version: PROVE_RESULTS_VERSION,
      generatedAt: first.generatedAt,
      bunVersion: first.bunVersion,
      inputs,
      records: fresh,
      stale: reasons,
    },
    stale,
    ...refused,
  };
}

/** The results in `resultsRoot` that back records of `root` and `model`: only those whose inputs are unchanged. */
export function freshProveResults(resultsRoot: string, root: string, model: Model): ProveResults | undefined {
  return judgeProofs(resultsRoot, root, model).results;
}

/** proof-stale: one notice per record whose proof has results, but not for these inputs, at its proof key. */
export function staleNotices(judged: ProofJudgement): Diagnostic[] {
  return judged.stale.map(({ entry, reason }) =>
    diagnostic(
      "proof-stale",
      placeOf(entry.src, [entry.index, "proof"], true),
      `the proof of ${entry.record.name} is not fresh: ${reason}; its claims are not checked until npm run prove runs it again`,
    ),
  );
}

/**
 * The proof stage of `check`: named files exist, Production ships only approved flags, and claims follow the
 * fresh results; a record whose results are stale gets one notice at its proof and is not judged by them.
 */
export function proofStage(root: string, model: Model, remember?: Store): Diagnostic[] {
  const out = [
    ...checkProofFiles(root, model),
    ...checkFaultDeclarations(provedEntries(model)),
    ...checkProduction(model),
    ...checkLocations(root, model),
    ...checkRoadmap(model),
  ];
  const judged = judgeProofs(root, root, model, [], remember);
  if (judged.refused) out.push(judged.refused);
  if (!judged.results) return out;
  const stale = new Set(judged.stale.map((s) => s.entry));
  return [...out, ...staleNotices(judged), ...checkClaims(model, judged.results, stale)];
}

/** Absolute path of the results file. */
export function proveResultsPath(root: string): string {
  return join(root, PROVE_RESULTS);
}
