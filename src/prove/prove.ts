/**
 * `npm run prove` as a function. Security controls and success criteria name their proof as data (test
 * files, optionally a describe or test name in them); this runs those files once with
 * `bun test --reporter=junit` (BUN_OPTIONS cleared, no record text ever on a command line but the
 * validated repository paths), selects each record's tests from the report, and records per record what
 * matched, passed, failed and was skipped, how long it took and which variants the tests ran against,
 * with a fingerprint of every input. Then each fault a passing proof lists is planted into a copy of the
 * repository and its tests run again there (plant-faults.ts): a fault they do not catch fails the proof.
 * Results go to .cache/prove/results.json (atomically); claims are then held to them (unproven-claim,
 * status-behind-evidence).
 */
import { join } from "node:path";
import { diagnostic, fileStart, isError, sortDiagnostics, type Diagnostic } from "../core/report/diagnostics.ts";
import { placeOf } from "../core/load/yaml-source.ts";
import { loadModel } from "../core/model/model.ts";
import {
  checkClaims,
  checkProofFiles,
  variantStates,
  isProofFile,
  proofFiles,
  proofFingerprint,
  proofPassed,
  provedEntries,
  PROVE_RESULTS,
  PROVE_RESULTS_VERSION,
  type ProveResults,
  type ProvedEntry,
  type RecordProof,
} from "../core/model/proof.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { checkFaultDeclarations } from "../core/model/faults.ts";
import { variantOf, type JunitCase } from "./junit.ts";
import { runBunTest, type TestRun } from "./bun-test.ts";
import { plantFaults, type PlantResult } from "./plant-faults.ts";
import { selectCases } from "./select-cases.ts";
export { selectCases, type TestRun };

export interface ProveOptions {
  /** The Bun that runs the tests (the pinned one: process.execPath under npm run). */
  bun: string;
  /** Environment of the test run; BUN_OPTIONS is always removed. */
  env: Readonly<Record<string, string | undefined>>;
  /** Kill the test run after this many milliseconds (default 15 minutes). */
  timeoutMs?: number;
  /** Plant each listed fault and run its proof again (default true; `--no-faults` skips it). */
  faults?: boolean;
  /** Copies of the repository proving faults at once (default 2: measured faster on 2 cores, bench/plant-holes.ts). */
  faultJobs?: number;
}

export interface ProveOutcome {
  diagnostics: Diagnostic[];
  texts: Map<string, string>;
  results: ProveResults | undefined;
  ok: boolean;
  /** What bun test printed, for a run that wrote no report. */
  testOutput: string;
  /** The planted faults, when planting ran. */
  planted?: PlantResult;
}

/** Runs `files` (validated repository paths) with bun test in `root`; the JUnit report is read back. */
export function runTests(root: string, files: readonly string[], options: ProveOptions): Promise<TestRun> {
  return runBunTest(root, files, options);
}

export function summarize(entry: ProvedEntry, cases: readonly JunitCase[]): RecordProof {
  const proof = entry.record.proof!;
  const count = (s: JunitCase["status"]) => cases.filter((c) => c.status === s).length;
  const variants = [...new Set(cases.filter((c) => c.status !== "skipped").flatMap((c) => variantOf(c.name) ?? []))].sort();
  return {
    kind: entry.kind,
    name: entry.record.name,
    tests: [...proof.tests],
    ...(proof.name === undefined ? {} : { testName: proof.name }),
    matched: cases.length,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    duration: Math.round(cases.reduce((s, c) => s + c.time, 0) * 1000) / 1000,
    variants,
    failures: cases.filter((c) => c.status === "failed").map((c) => [...c.suites, c.name].join(" › ")),
    cases: cases.map((c) => {
      const variant = variantOf(c.name);
      return { name: c.name, status: c.status, duration: c.time, ...(variant === undefined ? {} : { variant }) };
    }),
  };
}

export async function runProve(root: string, options: ProveOptions): Promise<ProveOutcome> {
  const { model, diagnostics, sources } = loadModel(root);
  const texts = new Map<string, string>([...sources].map(([file, src]) => [file, src.text]));
  const done = (list: Diagnostic[], results?: ProveResults, testOutput = ""): ProveOutcome => {
    const sorted = sortDiagnostics(list);
    return { diagnostics: sorted, texts, results, ok: !sorted.some(isError), testOutput };
  };
  if (diagnostics.some(isError)) return done(diagnostics);

  const missing = checkProofFiles(root, model);
  const withProof = provedEntries(model).filter((e) => e.record.proof !== undefined);
  const files = proofFiles(model).filter((f) => isProofFile(root, f));
  const before = proofFingerprint(root, model);
  const run: TestRun = files.length ? await runTests(root, files, options) : { cases: [], reported: true, exitCode: 0, output: "" };
  // Faults are planted only under proofs that pass: a failing proof has nothing to show by failing again.
  const passing = withProof.filter((e) => proofPassed(summarize(e, selectCases(e, run.cases))));
  const planted = options.faults === false ? undefined : await plantFaults(root, passing, { bun: options.bun, env: options.env, concurrency: options.faultJobs ?? 2 });
  const after = proofFingerprint(root, model);

  const out: Diagnostic[] = [...diagnostics, ...missing, ...checkFaultDeclarations(withProof), ...(planted?.diagnostics ?? [])];
  const records: RecordProof[] = [];
  for (const e of withProof) {
    const r = summarize(e, selectCases(e, run.cases));
    const faults = planted?.outcomes.get(e);
    if (faults) r.faults = faults;
    records.push(r);
    const at = placeOf(e.src, [e.index, "proof"], true);
    const what = `${r.tests.join(", ")}${r.testName === undefined ? "" : ` named "${r.testName}"`}`;
    const states = variantStates(model, e, r);
    if (r.matched === 0) {
      const why = run.reported ? "" : ` (bun test wrote no report: exit ${run.exitCode})`;
      out.push(diagnostic("proof-matched-none", at, `the proof of ${e.record.name} matched no test in ${what}${why}`));
    } else if (r.failed > 0) {
      const where = states.filter((v) => v.state === "failing").map((v) => v.variant);
      const inVariants = where.length ? ` in ${where.join(", ")}` : "";
      out.push(diagnostic("proof-failed", at, `${r.failed} of ${r.matched} tests proving ${e.record.name} failed${inVariants}: ${r.failures.slice(0, 3).join("; ")}${r.failures.length > 3 ? "; …" : ""}`));
    }
    // Each variant that ships the code needs tests of its own: a proof in prod says nothing about enterprise.
    for (const v of r.matched > 0 ? states : []) {
      if (v.state === "unproven") {
        out.push(diagnostic("proof-variant-unproven", at, `${e.record.name} ships in variant ${v.variant}, but no test of its proof ran against ${v.variant} (name tests "variant ${v.variant}: …")`));
      }
    }
  }
  if (before !== after) {
    out.push(diagnostic("proof-stale", fileStart(PROVE_RESULTS), "inputs of the proofs (test files, src/app, data/, package-lock.json) changed while the tests ran: the results were not written"));
    return { ...done(out, undefined, run.output), ok: false, ...(planted ? { planted } : {}) };
  }
  const results: ProveResults = { version: PROVE_RESULTS_VERSION, generatedAt: new Date().toISOString(), bunVersion: Bun.version, fingerprint: after, records };
  writeAtomic(join(root, PROVE_RESULTS), `${JSON.stringify(results, null, 2)}\n`, root);
  out.push(...checkClaims(model, results));
  return { ...done(out, results, run.reported ? "" : run.output), ...(planted ? { planted } : {}) };
}
