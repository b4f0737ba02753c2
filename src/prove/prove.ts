/**
 * `npm run prove` as a function. Security controls and success criteria name their proof as data (test
 * files, optionally a describe or test name in them); this runs those files once with
 * `bun test --reporter=junit` (BUN_OPTIONS cleared, no record text ever on a command line but the
 * validated repository paths), selects each record's tests from the report, and records per record what
 * matched, passed, failed and was skipped, how long it took and which variants the tests ran against,
 * with a fingerprint of every input. Results go to .cache/prove/results.json (atomically); claims are then
 * held to them (unproven-claim, status-behind-evidence).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
  provedEntries,
  PROVE_RESULTS,
  PROVE_RESULTS_VERSION,
  type ProveResults,
  type ProvedEntry,
  type RecordProof,
} from "../core/model/proof.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { isRepoPath } from "../core/schema/kinds.ts";
import { parseJunit, variantOf, type JunitCase } from "./junit.ts";

export interface ProveOptions {
  /** The Bun that runs the tests (the pinned one: process.execPath under npm run). */
  bun: string;
  /** Environment of the test run; BUN_OPTIONS is always removed. */
  env: Readonly<Record<string, string | undefined>>;
  /** Kill the test run after this many milliseconds (default 15 minutes). */
  timeoutMs?: number;
}

export interface ProveOutcome {
  diagnostics: Diagnostic[];
  texts: Map<string, string>;
  results: ProveResults | undefined;
  ok: boolean;
  /** What bun test printed, for a run that wrote no report. */
  testOutput: string;
}

export interface TestRun {
  cases: JunitCase[];
  /** False when bun test wrote no report (it crashed, or was killed). */
  reported: boolean;
  exitCode: number;
  output: string;
}

/** Runs `files` (validated repository paths) with bun test in `root`; the JUnit report is read back. */
export async function runTests(root: string, files: readonly string[], options: ProveOptions): Promise<TestRun> {
  const dir = mkdtempSync(join(tmpdir(), "prove-"));
  const out = join(dir, "junit.xml");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined && k !== "BUN_OPTIONS") env[k] = v;
  // Proofs too slow for every `npm test` (the whole-program type-check) run only when this is set.
  env.TAKEOFF_PROVE = "1";
  try {
    // Every file is a validated repository path (isRepoPath): "./" keeps bun test from reading it as a filter.
    const args = files.filter((f) => isRepoPath(f, { ext: ".test.ts" })).map((f) => `./${f}`);
    const child = Bun.spawn([options.bun, "test", "--reporter=junit", `--reporter-outfile=${out}`, ...args], {
      cwd: root,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15 * 60_000);
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    clearTimeout(timer);
    let xml: string | undefined;
    try {
      xml = readFileSync(out, "utf8");
    } catch {
      xml = undefined;
    }
    return { cases: xml === undefined ? [] : parseJunit(xml), reported: xml !== undefined, exitCode, output: `${stdout}${stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cases of a run that a record's proof selects: its files, and its name as a describe or test name. */
export function selectCases(entry: ProvedEntry, cases: readonly JunitCase[]): JunitCase[] {
  const proof = entry.record.proof;
  if (!proof) return [];
  const files = new Set(proof.tests);
  return cases.filter((c) => files.has(c.file) && (proof.name === undefined || c.suites.includes(proof.name) || c.name === proof.name));
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
  const after = proofFingerprint(root, model);

  const out: Diagnostic[] = [...diagnostics, ...missing];
  const records: RecordProof[] = [];
  for (const e of withProof) {
    const r = summarize(e, selectCases(e, run.cases));
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
    return { ...done(out, undefined, run.output), ok: false };
  }
  const results: ProveResults = { version: PROVE_RESULTS_VERSION, generatedAt: new Date().toISOString(), bunVersion: Bun.version, fingerprint: after, records };
  writeAtomic(join(root, PROVE_RESULTS), `${JSON.stringify(results, null, 2)}\n`, root);
  out.push(...checkClaims(model, results));
  return done(out, results, run.reported ? "" : run.output);
}
