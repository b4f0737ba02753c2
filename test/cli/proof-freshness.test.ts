/**
 * Each proof is fresh only for its own inputs, and only results no commit could bring count. A fixture
 * project with three proofs, run once for real with `npm run prove`:
 *
 *  - the control Scope Isolation: test/proof/control.test.ts, which loads the app (src/app/main.ts, which
 *    reads src/generated/limits.ts);
 *  - the criterion TypeScript compilation: test/proof/types.test.ts, which inspects the whole program and
 *    so declares `inputs: [src/]`;
 *  - the component TypeScript Config: test/proof/helper.test.ts, which imports test/helpers/util.ts.
 *
 * Each edit the prove fingerprint once missed (a generated limit, a helper a criterion's test imports, a type
 * error elsewhere in the program, a results file git tracks) must leave exactly the proofs it can affect
 * unproven, in check (rule, file:line:col), on the site (the evidence the pages show) and in diff's
 * snapshot, while an unrelated proof stays fresh.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel } from "../../src/core/model/model.ts";
import { statusEvidence } from "../../src/core/model/evidence.ts";
import { isProven } from "../../src/core/model/proof-state.ts";
import { freshProveResults, PROVE_RESULTS, provedEntries } from "../../src/core/model/proof.ts";
import { takeSnapshot } from "../../src/diff/snapshot.ts";
import { cleanEnv, makeProject, removeProject, runMain } from "../helpers/project.ts";

const CONTROL = `import { describe, expect, test } from "bun:test";
import { SERVE } from "../../src/app/main.ts";
describe("control: Scope Isolation", () => {
  test("variant prod: reads stay in scope", () => expect(SERVE.limit).toBe(10));
  test("variant enterprise: writes stay in scope", () => expect(SERVE.limit).toBe(10));
});
`;
const TYPES = `import { expect, test } from "bun:test";
test("the whole program type-checks", () => expect(1).toBe(1));
`;
const HELPER = `import { expect, test } from "bun:test";
import { one } from "../helpers/util.ts";
test("the config is there", () => expect(one()).toBe(1));
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeProject));

const headlines = (stderr: string) => stderr.split("\n").filter((l) => /^\S+:\d+:\d+: (error|warning) /.test(l));
const git = (dir: string, ...args: string[]) => {
  const p = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${p.stderr.toString()}`);
};
const append = (dir: string, rel: string, text: string) => writeFileSync(join(dir, rel), `${readFileSync(join(dir, rel), "utf8")}${text}`);

/** The fixture project with its three proofs, proven once (one real npm run prove). */
let proven: string;
beforeAll(async () => {
  const dir = makeProject();
  dirs.push(dir);
  const security = join(dir, "data/security.yaml");
  writeFileSync(
    security,
    `${readFileSync(security, "utf8").replace("status: In Progress", "status: Beta").trimEnd()}\n  proof:\n    tests: [test/proof/control.test.ts]\n    name: "control: Scope Isolation"\n    faults:\n      - id: one-more\n        what: the limit is one higher than the record\n        file: src/app/main.ts\n        find: "limit: SCOPE_ISOLATION_CONNECTIONS"\n        replace: "limit: SCOPE_ISOLATION_CONNECTIONS + 1"\n`,
  );
  const criteria = join(dir, "data/criteria.yaml");
  writeFileSync(
    criteria,
    `${readFileSync(criteria, "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/types.test.ts]\n    inputs: [src/]\n`,
  );
  const components = join(dir, "data/components.yaml");
  writeFileSync(
    components,
    readFileSync(components, "utf8").replace(
      "  location: tsconfig.json\n",
      "  location: tsconfig.json\n  proof:\n    tests: [test/proof/helper.test.ts]\n",
    ),
  );
  mkdirSync(join(dir, "src/app"), { recursive: true });
  mkdirSync(join(dir, "src/diff"), { recursive: true });
  mkdirSync(join(dir, "test/proof"), { recursive: true });
  mkdirSync(join(dir, "test/helpers"), { recursive: true });
  writeFileSync(
    join(dir, "src/app/main.ts"),
    `import { SCOPE_ISOLATION_CONNECTIONS } from "../generated/limits.ts";\nexport const SERVE = { limit: SCOPE_ISOLATION_CONNECTIONS };\n`,
  );
  writeFileSync(join(dir, "src/diff/fail-on.ts"), `export const threshold: number = 5;\n`);
  writeFileSync(join(dir, "test/proof/control.test.ts"), CONTROL);
  writeFileSync(join(dir, "test/proof/types.test.ts"), TYPES);
  writeFileSync(join(dir, "test/proof/helper.test.ts"), HELPER);
  writeFileSync(join(dir, "test/helpers/util.ts"), `export const one = () => 1;\n`);
  const run = await runMain("prove", dir);
  if (run.exitCode !== 0) throw new Error(`prove failed:\n${run.stderr}`);
  proven = dir;
}, 120_000);

/** A copy of the proven project (results included), so each case edits its own. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-fresh-"));
  cpSync(proven, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

const CONTROL_AT = "data/security.yaml:19:3";
const CRITERION_AT = "data/criteria.yaml:7:3";
const COMPONENT_AT = "data/components.yaml:10:3";
const stale = (at: string, name: string, what: string) =>
  `${at}: warning proof-stale: the proof of ${name} is not fresh: ${what} changed since its tests ran; its claims are not checked until npm run prove runs it again`;

/** What the site shows for each record (statusEvidence over the results freshProveResults keeps) and what diff's snapshot says. */
/** The three proofs these tests set up (the base fixture's ENTERPRISE flag also needs bundle results, which no test here makes). */
const WATCHED = ["Scope Isolation", "TypeScript compilation", "TypeScript Config"];

async function views(dir: string) {
  const { model } = loadModel(dir);
  const proofs = freshProveResults(dir, dir, model);
  const evidence = provedEntries(model)
    .filter((e) => e.record.proof && WATCHED.includes(e.record.name))
    .map(
      (e) =>
        [
          e.record.name,
          statusEvidence({ ...e, record: { ...e.record, status: "Done" } } as typeof e, { root: dir, model, results: undefined, proofs }),
        ] as const,
    );
  const site = Object.fromEntries(evidence.map(([name, ev]) => [name, ev && isProven(ev)]));
  const reasons = Object.fromEntries(evidence.map(([name, ev]) => [name, ev?.reason]));
  const { snapshot } = await takeSnapshot(dir, { today: "2026-06-01", cache: false, prove: false, env: cleanEnv() });
  const diff = Object.fromEntries(
    snapshot.claims.filter((c) => c.evidence && WATCHED.includes(c.name)).map((c) => [c.name, c.evidence!.state]),
  );
  return { site, reasons, diff, diagnostics: snapshot.diagnostics.map((d) => d.rule) };
}

describe("each proof is fresh for its own inputs", () => {
  test("after prove every proof is fresh: check is quiet, the site and diff show all three proven", async () => {
    const dir = copy();
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([]);
    const v = await views(dir);
    expect(v.site).toEqual({ "Scope Isolation": true, "TypeScript compilation": true, "TypeScript Config": true });
    expect(v.diff).toEqual({ "Scope Isolation": "proven", "TypeScript compilation": "proven", "TypeScript Config": "proven" });
  }, 60_000);

  test("a generated limit (src/generated/limits.ts set to 1000) makes the proofs stale: the app's control among them", async () => {
    const dir = copy();
    const path = join(dir, "src/generated/limits.ts");
    writeFileSync(path, readFileSync(path, "utf8").replace("SCOPE_ISOLATION_CONNECTIONS = 10", "SCOPE_ISOLATION_CONNECTIONS = 1000"));
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toContain(stale(CONTROL_AT, "Scope Isolation", "src/generated/limits.ts"));
    const v = await views(dir);
    expect(v.site["Scope Isolation"]).toBe(false);
    expect(v.diff["Scope Isolation"]).toBe("unproven");
    expect(v.diagnostics).not.toContain("proof-stale");
  }, 60_000);

  test("a helper the component's test imports (test/helpers/util.ts throws): only that proof is stale", async () => {
    const dir = copy();
    append(dir, "test/helpers/util.ts", `throw new Error("x");\n`);
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([stale(COMPONENT_AT, "TypeScript Config", "test/helpers/util.ts")]);
    expect(check.stderr).toContain("1 warning in 1 file");
    const v = await views(dir);
    expect(v.site).toEqual({ "Scope Isolation": true, "TypeScript compilation": true, "TypeScript Config": false });
    expect(v.reasons["TypeScript Config"]).toBe(
      "its proof is not fresh: test/helpers/util.ts changed since its tests ran (run npm run prove)",
    );
    expect(v.diff).toEqual({ "Scope Isolation": "proven", "TypeScript compilation": "proven", "TypeScript Config": "unproven" });
  }, 60_000);

  test("a type error elsewhere in the program (src/diff/fail-on.ts): the type-check criterion, which declares src/, is stale; the app's control is not", async () => {
    const dir = copy();
    append(dir, "src/diff/fail-on.ts", `export const broken: number = "five";\n`);
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([stale(CRITERION_AT, "TypeScript compilation", "src/diff/fail-on.ts")]);
    const v = await views(dir);
    expect(v.site).toEqual({ "Scope Isolation": true, "TypeScript compilation": false, "TypeScript Config": true });
    expect(v.diff).toEqual({ "Scope Isolation": "proven", "TypeScript compilation": "unproven", "TypeScript Config": "proven" });
  }, 60_000);

  test("a file added to a declared folder (src/new.ts) is a change too", async () => {
    const dir = copy();
    writeFileSync(join(dir, "src/new.ts"), "export {};\n");
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([stale(CRITERION_AT, "TypeScript compilation", "the files in src/")]);
  }, 60_000);
});

describe("evidence a contribution cannot write", () => {
  test("a results file git tracks is refused (tracked-results at file:1:1) by check, the site and diff, and never used; a remembered clean verdict does not hide it", async () => {
    const dir = copy();
    git(dir, "init", "-q");
    // An index to answer from: git's answer is remembered by its digest, so the force-add below must change it.
    git(dir, "add", "data");
    // A clean check first, remembered by the verdict cache …
    expect(headlines((await runMain("check", dir)).stderr)).toEqual([]);
    // … then the results (which match the tree) are force-added, as a commit would bring them.
    git(dir, "add", "-f", PROVE_RESULTS);
    const check = await runMain("check", dir);
    expect(headlines(check.stderr)).toEqual([
      `${PROVE_RESULTS}:1:1: error tracked-results: git tracks ${PROVE_RESULTS}: results a commit brings are not evidence, so none of them is used`,
    ]);
    expect(check.exitCode).toBe(1);
    const v = await views(dir);
    expect(v.site).toEqual({ "Scope Isolation": false, "TypeScript compilation": false, "TypeScript Config": false });
    expect(v.diff).toEqual({ "Scope Isolation": "unknown", "TypeScript compilation": "unknown", "TypeScript Config": "unknown" });
    expect(v.diagnostics).toContain("tracked-results");
  }, 60_000);

  test("a tracked .cache link above the results file counts as tracking it", async () => {
    const dir = copy();
    // The results live in store/ (ignored by nobody); .cache is a committed link to it.
    renameSync(join(dir, ".cache"), join(dir, "store"));
    symlinkSync("store", join(dir, ".cache"));
    git(dir, "init", "-q");
    git(dir, "add", "-f", ".cache");
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([
      `${PROVE_RESULTS}:1:1: error tracked-results: git tracks .cache, and with it ${PROVE_RESULTS}: results a commit brings are not evidence, so none of them is used`,
    ]);
  }, 60_000);
});

test("a git that cannot say whether it tracks the results (a broken index) cannot vouch for them: refused too", async () => {
  const dir = copy();
  git(dir, "init", "-q");
  writeFileSync(join(dir, ".git/index"), "not an index");
  const check = await runMain("check", dir, ["--no-cache"]);
  expect(headlines(check.stderr)).toEqual([
    expect.stringMatching(
      new RegExp(
        `^${PROVE_RESULTS.replace(/\./g, "\\.")}:1:1: error tracked-results: git cannot say whether it tracks ${PROVE_RESULTS.replace(/\./g, "\\.")} \\(.+\\): results that may have come with a commit are not used$`,
      ),
    ),
  ]);
}, 60_000);

describe("npm run prove re-runs only what changed", () => {
  test("after a helper edit only the proof that loads it runs again; the others keep their results; --all runs all", async () => {
    const dir = copy();
    const before = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    append(dir, "test/helpers/util.ts", `export const two = () => 2;\n`);
    const run = await runMain("prove", dir);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("ran 1, kept 3 fresh from the last run");
    const after = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    const at = (r: { records: { name: string; provedAt: string }[] }, name: string) => r.records.find((x) => x.name === name)!.provedAt;
    expect(at(after, "Scope Isolation")).toBe(at(before, "Scope Isolation"));
    expect(at(after, "TypeScript compilation")).toBe(at(before, "TypeScript compilation"));
    expect(at(after, "TypeScript Config")).not.toBe(at(before, "TypeScript Config"));
    expect(headlines((await runMain("check", dir, ["--no-cache"])).stderr)).toEqual([]);
    const all = await runMain("prove", dir, ["--all"]);
    expect(all.exitCode).toBe(0);
    expect(all.stderr).not.toContain("kept");
    expect(all.stderr).toContain("prove: 4 records, 4 proven");
  }, 120_000);

  test("a failing helper is caught by the re-run: proof-failed at the record, the others still proven", async () => {
    const dir = copy();
    append(dir, "test/helpers/util.ts", `throw new Error("x");\n`);
    const run = await runMain("prove", dir);
    expect(run.exitCode).toBe(1);
    expect(headlines(run.stderr)).toEqual([
      "data/components.yaml:10:3: error proof-matched-none: the proof of TypeScript Config matched no test in test/proof/helper.test.ts (bun test wrote no report: exit 1)",
    ]);
    expect(run.stderr).toContain("ran 1, kept 3 fresh from the last run");
  }, 120_000);

  test("a tracked results file is not merged: prove refuses it (tracked-results) and runs every proof", async () => {
    const dir = copy();
    git(dir, "init", "-q");
    git(dir, "add", "-f", PROVE_RESULTS);
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      `${PROVE_RESULTS}:1:1: error tracked-results: git tracks ${PROVE_RESULTS}: results a commit brings are not evidence, so none of them is used`,
    ]);
    expect(run.stderr).not.toContain("kept");
    expect(run.exitCode).toBe(1);
  }, 120_000);
});
