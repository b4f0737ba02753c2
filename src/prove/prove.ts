/**
 * `npm run prove` as a function. Security controls and success criteria name their proof as data (test
 * files, optionally a describe or test name in them); this runs those files once with
 * `bun test --reporter=junit` (BUN_OPTIONS cleared, no record text ever on a command line but the
 * validated repository paths), selects each record's tests from the report, and records per record what
 * matched, passed, failed and was skipped, how long it took and which variants the tests ran against,
 * with the proof's own inputs (src/core/model/proof-inputs.ts), their digests and its fingerprint. Only the
 * proofs without a fresh result run (all with `all`), each file for its proofs' names only when they all name
 * one (testPlan); the fresh results of the others are kept. While they run, each fault a running proof lists
 * is planted into a copy of the repository and its tests run again there (plant-faults.ts); under a proof
 * that passed, a fault they do not catch fails the proof (under one that failed, planting is abandoned).
 * Results go to .cache/prove/results.json (atomically); claims are then held to them (unproven-claim,
 * status-behind-evidence).
 */
import { join } from "node:path";
import { diagnostic, isError, sortDiagnostics, type Diagnostic } from "../core/report/diagnostics.ts";
import { placeOf } from "../core/load/yaml-source.ts";
import { loadModel, type Model } from "../core/model/model.ts";
import {
  checkClaims,
  checkProofFiles,
  fingerprintOf,
  variantStates,
  isProofFile,
  proofPassed,
  proofSpec,
  provedEntries,
  readResultsFile,
  resultOf,
  staleness,
  PROVE_RESULTS,
  PROVE_RESULTS_VERSION,
  type ProveResults,
  type ProvedEntry,
  type RecordProof,
} from "../core/model/proof.ts";
import { inputDigest, ModuleGraph, proofInputs, readsNoRecord } from "../core/model/proof-inputs.ts";
import { copyRepository } from "./repo-copy.ts";
import { oneLook } from "../core/fs/safe-fs.ts";
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
  /** Run every proof, even those whose results are fresh (`--all`). */
  all?: boolean;
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
  /** Records whose tests ran now, and those whose fresh results were kept. */
  ran: number;
  kept: number;
  /** The planted faults, when planting ran. */
  planted?: PlantResult;
}

/** Runs `files` (validated repository paths) with bun test in `root`; the JUnit report is read back. */
export function runTests(
  root: string,
  files: readonly string[],
  options: ProveOptions & { namesAny?: readonly string[] },
): Promise<TestRun> {
  return runBunTest(root, files, options);
}

/** What a record's result is computed from: when its tests ran, its spec, its inputs and their fingerprint. */
export interface ProofStamp {
  provedAt: string;
  spec: string;
  inputs: string[];
  fingerprint: string;
}

export function summarize(entry: ProvedEntry, cases: readonly JunitCase[], stamp: ProofStamp): RecordProof {
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
    ...stamp,
  };
}

/** Each proof's inputs (the module graph is read once for all) and the digest of every input, now. */
export function proofInputsNow(
  root: string,
  model: Model,
  entries: readonly ProvedEntry[],
): { inputs: Map<ProvedEntry, string[]>; digests: Record<string, string> } {
  return oneLook(() => {
    const graph = new ModuleGraph(root);
    const inputs = new Map(entries.map((e) => [e, proofInputs(root, model, e, graph)] as const));
    const digests: Record<string, string> = {};
    for (const list of inputs.values()) for (const i of list) digests[i] ??= inputDigest(root, i, model);
    return { inputs, digests };
  });
}

/**
 * Which records need their tests run: all with --all, else those without a fresh result in `previous`
 * (the results file, when it is there, well-formed and not tracked by git).
 */
export function staleEntries(
  entries: readonly ProvedEntry[],
  previous: ProveResults | undefined,
  digests: Readonly<Record<string, string>>,
  all: boolean,
): Set<ProvedEntry> {
  if (all || !previous) return new Set(entries);
  return new Set(entries.filter((e) => staleness(e, resultOf(previous, e), previous, (i) => digests[i] ?? "unknown") !== undefined));
}

export async function runProve(root: string, options: ProveOptions): Promise<ProveOutcome> {
  const { model, diagnostics, sources } = loadModel(root);
  const texts = new Map<string, string>([...sources].map(([file, src]) => [file, src.text]));
  const done = (list: Diagnostic[], results?: ProveResults, testOutput = "", ran = 0, kept = 0): ProveOutcome => {
    const sorted = sortDiagnostics(list);
    return { diagnostics: sorted, texts, results, ok: !sorted.some(isError), testOutput, ran, kept };
  };
  if (diagnostics.some(isError)) return done(diagnostics);

  const missing = checkProofFiles(root, model);
  const withProof = provedEntries(model).filter((e) => e.record.proof !== undefined);
  const file = readResultsFile(root);
  // A tracked results file is refused, never merged: the proofs all run again, and the refusal stays an error.
  const previous = "results" in file ? file.results : undefined;
  const before = proofInputsNow(root, model, withProof);
  const toRun = staleEntries(withProof, previous, before.digests, options.all === true);
  // A proof that reads no record runs where there is none (a copy without data/): a test that loads the
  // records after all, by any way its module graph does not show (a child process, a worker), fails there.
  const sealed = (e: ProvedEntry) => readsNoRecord(before.inputs.get(e)!);
  const groupOf = (inCopy: boolean) => {
    const files = [...new Set([...toRun].filter((e) => sealed(e) === inCopy).flatMap((e) => e.record.proof!.tests))]
      .sort()
      .filter((f) => isProofFile(root, f));
    return testPlan(
      files,
      withProof.filter((e) => sealed(e) === inCopy),
    );
  };
  const plans = { open: groupOf(false), closed: groupOf(true) };
  const planOf = (e: ProvedEntry) => (sealed(e) ? plans.closed : plans.open);
  // A record whose files all run now takes the new result (fresh by construction); the others keep theirs.
  const runsNow = (e: ProvedEntry) =>
    toRun.has(e) || e.record.proof!.tests.every((f) => planOf(e).whole.includes(f) || planOf(e).named.includes(f));
  const provedAt = new Date().toISOString();
  // Faults are planted while the proofs run, under every proof that runs now: a test run leaves a core idle
  // much of the time (a site build, a server's answer), and planting after the last proof passed made a writer
  // wait for both in turn. The outcomes are kept only under proofs that pass; under one that failed, planting
  // is abandoned as soon as that is known (its planted runs killed, the rest not started).
  const abandon = new Map(withProof.map((e) => [e, new AbortController()] as const));
  const planting =
    options.faults === false
      ? undefined
      : plantFaults(root, withProof.filter(runsNow), {
          bun: options.bun,
          env: options.env,
          concurrency: options.faultJobs ?? 2,
          withoutRecords: sealed,
          abandonedOf: (e) => abandon.get(e)?.signal,
        });
  const [open, closed] = await Promise.all([runGroup(root, plans.open, options), runGroup(root, plans.closed, options, true)]);
  const runOf = (e: ProvedEntry) => (sealed(e) ? closed : open);
  /** What bun test printed, for the runs that wrote no report (`onlyUnreported`) or all. */
  const testOutput = (onlyUnreported: boolean) =>
    [open.run, closed.run]
      .filter((r) => !onlyUnreported || !r.reported)
      .map((r) => r.output)
      .filter(Boolean)
      .join("\n");
  const keptOf = (e: ProvedEntry) => (runsNow(e) ? undefined : resultOf(previous!, e));
  const fresh = new Map(
    withProof
      .filter((e) => !keptOf(e))
      .map((e) => {
        const inputs = before.inputs.get(e)!;
        return [
          e,
          summarize(e, selectCases(e, runOf(e).run.cases), {
            provedAt,
            spec: proofSpec(e),
            inputs,
            fingerprint: fingerprintOf(Bun.version, proofSpec(e), inputs, before.digests),
          }),
        ] as const;
      }),
  );
  // Fault outcomes count only under proofs that ran now and pass: a failing proof has nothing to show by
  // failing again, and a kept result keeps the fault outcomes of its own run.
  const passing = [...fresh].filter(([, r]) => proofPassed(r)).map(([e]) => e);
  for (const [e, r] of fresh) if (!proofPassed(r)) abandon.get(e)!.abort();
  const planted = planting && onlyUnder(await planting, passing);
  const after = proofInputsNow(root, model, withProof);

  const out: Diagnostic[] = [
    ...diagnostics,
    ...missing,
    ...("refused" in file ? [file.refused] : []),
    ...checkFaultDeclarations(withProof),
    ...(planted?.diagnostics ?? []),
  ];
  const records: RecordProof[] = [];
  let ran = 0;
  for (const e of withProof) {
    const kept = keptOf(e);
    const r = kept ?? fresh.get(e)!;
    if (!kept) {
      ran++;
      const faults = planted?.outcomes.get(e);
      if (faults) r.faults = faults;
    }
    records.push(r);
    const at = placeOf(e.src, [e.index, "proof"], true);
    const what = `${r.tests.join(", ")}${r.testName === undefined ? "" : ` named "${r.testName}"`}`;
    const states = variantStates(model, e, r);
    if (r.matched === 0) {
      const { run } = runOf(e);
      const why = kept || run.reported ? "" : ` (bun test wrote no report: exit ${run.exitCode})`;
      out.push(diagnostic("proof-matched-none", at, `the proof of ${e.record.name} matched no test in ${what}${why}`));
    } else if (r.failed > 0) {
      const where = states.filter((v) => v.state === "failing").map((v) => v.variant);
      const inVariants = where.length ? ` in ${where.join(", ")}` : "";
      out.push(
        diagnostic(
          "proof-failed",
          at,
          `${r.failed} of ${r.matched} tests proving ${e.record.name} failed${inVariants}: ${r.failures.slice(0, 3).join("; ")}${r.failures.length > 3 ? "; …" : ""}`,
        ),
      );
    }
    // Each variant that ships the code needs tests of its own: a proof in prod says nothing about enterprise.
    for (const v of r.matched > 0 ? states : []) {
      if (v.state === "unproven") {
        out.push(
          diagnostic(
            "proof-variant-unproven",
            at,
            `${e.record.name} ships in variant ${v.variant}, but no test of its proof ran against ${v.variant} (name tests "variant ${v.variant}: …")`,
          ),
        );
      }
    }
  }
  // Inputs that changed while the tests ran: the results would describe neither version, so none is written.
  const changed = new Set(Object.keys(after.digests).filter((i) => after.digests[i] !== before.digests[i]));
  if (changed.size) {
    for (const e of withProof) {
      const hit = before.inputs.get(e)!.filter((i) => changed.has(i));
      if (hit.length)
        out.push(
          diagnostic(
            "proof-stale",
            placeOf(e.src, [e.index, "proof"], true),
            `inputs of the proof of ${e.record.name} (${hit.slice(0, 3).join(", ")}${hit.length > 3 ? ", …" : ""}) changed while the tests ran: the results were not written`,
          ),
        );
    }
    return { ...done(out, undefined, testOutput(false), ran, records.length - ran), ok: false, ...(planted ? { planted } : {}) };
  }
  const results: ProveResults = {
    version: PROVE_RESULTS_VERSION,
    generatedAt: provedAt,
    bunVersion: Bun.version,
    inputs: before.digests,
    records,
  };
  writeAtomic(join(root, PROVE_RESULTS), `${JSON.stringify(results, null, 2)}\n`, root);
  out.push(...checkClaims(model, results));
  return { ...done(out, results, testOutput(true), ran, records.length - ran), ...(planted ? { planted } : {}) };
}

/** What planting found under `entries` only. */
function onlyUnder(planted: PlantResult, entries: readonly ProvedEntry[]): PlantResult {
  return {
    outcomes: new Map(entries.flatMap((e) => (planted.outcomes.has(e) ? [[e, planted.outcomes.get(e)!] as const] : []))),
    diagnostics: entries.flatMap((e) => planted.diagnosticsOf.get(e) ?? []),
    diagnosticsOf: new Map(entries.flatMap((e) => (planted.diagnosticsOf.has(e) ? [[e, planted.diagnosticsOf.get(e)!] as const] : []))),
    seconds: planted.seconds,
  };
}

/**
 * How one group's test files run: a file every proof of which (stale or fresh, in the group) names a describe
 * or test is run for those names only (one `--test-name-pattern` for all such files), the rest whole. A
 * test no record names proves nothing and is left to `npm test`; every proof of a file that runs is covered
 * whole, so a fresh proof of it may take the new result as before.
 */
export interface TestPlan {
  /** Files run whole. */
  whole: string[];
  /** Files run for `names` only. */
  named: string[];
  names: string[];
}

export function testPlan(files: readonly string[], entries: readonly ProvedEntry[]): TestPlan {
  const plan: TestPlan = { whole: [], named: [], names: [] };
  const names = new Set<string>();
  for (const f of files) {
    const proofs = entries.filter((e) => e.record.proof!.tests.includes(f)).map((e) => e.record.proof!);
    if (proofs.length && proofs.every((p) => p.name !== undefined)) {
      plan.named.push(f);
      for (const p of proofs) names.add(p.name!);
    } else plan.whole.push(f);
  }
  plan.names = [...names].sort();
  return plan;
}

/** The files of one group of proofs and their run: in `root`, or (`withoutRecords`) in a copy of it without data/. */
async function runGroup(
  root: string,
  plan: TestPlan,
  options: ProveOptions,
  withoutRecords = false,
): Promise<{ files: Set<string>; run: TestRun }> {
  const files = new Set([...plan.whole, ...plan.named]);
  if (!files.size) return { files, run: { cases: [], reported: true, exitCode: 0, output: "" } };
  const runIn = async (dir: string): Promise<TestRun> => {
    const runs = await Promise.all([
      plan.whole.length ? runTests(dir, plan.whole, options) : undefined,
      plan.named.length ? runTests(dir, plan.named, { ...options, namesAny: plan.names }) : undefined,
    ]);
    return mergeRuns(runs.filter((r): r is TestRun => r !== undefined));
  };
  if (!withoutRecords) return { files, run: await runIn(root) };
  const copy = copyRepository(root, ["data"]);
  try {
    return { files, run: await runIn(copy.dir) };
  } finally {
    copy.remove();
  }
}

/** Runs of different files as one: every case, reported only when each run wrote its report. */
function mergeRuns(runs: readonly TestRun[]): TestRun {
  if (runs.length === 1) return runs[0]!;
  const timedOut = runs.some((r) => r.timedOut);
  return {
    cases: runs.flatMap((r) => r.cases),
    reported: runs.every((r) => r.reported),
    exitCode: runs.find((r) => r.exitCode !== 0)?.exitCode ?? 0,
    output: runs
      .map((r) => r.output)
      .filter(Boolean)
      .join("\n"),
    ...(timedOut ? { timedOut } : {}),
  };
}
