/**
 * npm run prove on fixture projects: the base check fixture with small proof test files written into it
 * (written here, not committed as *.test.ts, so `bun test` over the repository never runs them). Each case
 * asserts the exact rule, file, line and column; the first run also checks what results.json records.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseJunit } from "../../src/prove/junit.ts";
import { testPlan } from "../../src/prove/prove.ts";
import type { ProvedEntry } from "../../src/core/model/proof.ts";
import { PROVE_RESULTS } from "../../src/core/model/proof.ts";
import { makeProject, removeProject, runMain } from "../helpers/project.ts";

const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));

const PASS = `import { describe, expect, test } from "bun:test";
import { scopeOf } from "../../src/app/scope.ts";
describe("control: Scope Isolation", () => {
  test("variant prod: reads stay in scope", () => expect(scopeOf("prod")).toBe("prod"));
  test("variant enterprise: writes stay in scope", () => expect(scopeOf("enterprise")).toBe("enterprise"));
});
describe("other", () => { test("variant dev: fails but is not selected", () => expect(1).toBe(2)); });
`;
const FAIL = `import { describe, expect, test } from "bun:test";
describe("control: Scope Isolation", () => {
  test("variant prod: passes", () => expect(1).toBe(1));
  test("variant prod: fails", () => expect(1).toBe(2));
});
`;

/**
 * The base security record (status at line 9, col 11) with a proof appended: proof key at line 19, col 3. Its
 * one fault (every caller gets scope "prod") is caught by PASS's enterprise test.
 */
function project(status: string, proofName: string, files: Record<string, string>, criterionStatus = "Beta"): string {
  const dir = makeProject();
  projects.push(dir);
  // The base criterion (status at line 5, col 11) names no proof: Done would be an unproven claim.
  const criteria = join(dir, "data/criteria.yaml");
  writeFileSync(criteria, readFileSync(criteria, "utf8").replace("status: Done", `status: ${criterionStatus}`));
  const path = join(dir, "data/security.yaml");
  const text = readFileSync(path, "utf8").replace("status: In Progress", `status: ${status}`);
  const fault = `    faults:\n      - id: one-scope\n        what: every caller gets scope prod\n        file: src/app/scope.ts\n        find: "return caller;"\n        replace: 'return "prod";'\n`;
  writeFileSync(path, `${text.trimEnd()}\n  proof:\n    tests: [test/proof/a.test.ts]\n    name: "${proofName}"\n${fault}`);
  mkdirSync(join(dir, "src/app"), { recursive: true });
  writeFileSync(join(dir, "src/app/scope.ts"), "export function scopeOf(caller: string): string {\n  return caller;\n}\n");
  mkdirSync(join(dir, "test/proof"), { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, "test/proof", name), body);
  return dir;
}

const headlines = (stderr: string) => stderr.split("\n").filter((l) => /^\S+:\d+:\d+: (error|warning) /.test(l));

describe("npm run prove", () => {
  test("a passing proof: results per record, selected by describe name, variants from test names; an In Progress status is a warning", async () => {
    const dir = project("In Progress", "control: Scope Isolation", { "a.test.ts": PASS });
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      "data/security.yaml:9:11: warning status-behind-evidence: Scope Isolation says In Progress, but its proof passes (2 tests in enterprise, prod)",
    ]);
    expect(run.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.bunVersion).toBe(Bun.version);
    expect(results.records[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(results.records[0].inputs).toContain("test/proof/a.test.ts");
    // The test never loads the records, so no record edit can stale it.
    expect(results.records[0].inputs.filter((i: string) => i.startsWith("data/") || i.startsWith("records:"))).toEqual([]);
    // The base fixture's ENTERPRISE flag names a proof of its own; this test is about the control's.
    expect(results.records.map((r: { kind: string }) => r.kind)).toEqual(["security", "features"]);
    expect(results.records.slice(0, 1)).toEqual([
      {
        kind: "security",
        name: "Scope Isolation",
        tests: ["test/proof/a.test.ts"],
        testName: "control: Scope Isolation",
        matched: 2,
        passed: 2,
        failed: 0,
        skipped: 0,
        duration: expect.any(Number),
        variants: ["enterprise", "prod"],
        failures: [],
        cases: [
          { name: "variant prod: reads stay in scope", status: "passed", duration: expect.any(Number), variant: "prod" },
          { name: "variant enterprise: writes stay in scope", status: "passed", duration: expect.any(Number), variant: "enterprise" },
        ],
        provedAt: results.generatedAt,
        spec: expect.stringMatching(/^[0-9a-f]{64}$/),
        inputs: expect.any(Array),
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        faults: [
          {
            id: "one-scope",
            what: "every caller gets scope prod",
            state: "caught",
            failures: ["control: Scope Isolation › variant enterprise: writes stay in scope"],
            variants: ["enterprise"],
            duration: expect.any(Number),
          },
        ],
      },
    ]);

    // Fresh results: check holds claims to them too. Its test reads no record, so a status edit leaves the
    // proof fresh and the new Done is judged by these results (its tests passed, its fault was caught) …
    writeFileSync(
      join(dir, "data/security.yaml"),
      readFileSync(join(dir, "data/security.yaml"), "utf8").replace("status: In Progress", "status: Done"),
    );
    const done = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(done.stderr)).toEqual([]);
    expect(done.exitCode).toBe(0);
    // … and once an input changes (a module its test imports), the results are stale: a warning, claims are
    // not judged by them; the base fixture's ENTERPRISE proof, which never loads that module, stays fresh.
    writeFileSync(join(dir, "src/app/scope.ts"), `${readFileSync(join(dir, "src/app/scope.ts"), "utf8")}\n`);
    const stale = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(stale.stderr)).toEqual([
      "data/security.yaml:19:3: warning proof-stale: the proof of Scope Isolation is not fresh: src/app/scope.ts changed since its tests ran; its claims are not checked until npm run prove runs it again",
    ]);
    expect(stale.exitCode).toBe(0);
  }, 60_000);

  test("a failing proof: proof-failed at the proof key; Done without a passing proof (failing, or none named) is an unproven claim at the status value", async () => {
    const dir = project("Done", "control: Scope Isolation", { "a.test.ts": FAIL }, "Done");
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      "data/criteria.yaml:5:11: error unproven-claim: TypeScript compilation says Done, but it names no proof",
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Done, but 1 of its 2 tests failed",
      "data/security.yaml:19:3: error proof-failed: 1 of 2 tests proving Scope Isolation failed in prod: control: Scope Isolation › variant prod: fails",
      'data/security.yaml:19:3: error proof-variant-unproven: Scope Isolation ships in variant enterprise, but no test of its proof ran against enterprise (name tests "variant enterprise: …")',
    ]);
    expect(run.exitCode).toBe(1);
    // check reads the same fresh results and says the same about the claim.
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([
      "data/criteria.yaml:5:11: error unproven-claim: TypeScript compilation says Done, but it names no proof",
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Done, but 1 of its 2 tests failed",
    ]);
    expect(check.exitCode).toBe(1);
  }, 60_000);

  test("a proof that only reads a folder (reads:): a module there that loads the records brings no record in; a prose edit keeps it fresh, a generated file's change stales it", async () => {
    const dir = makeProject();
    projects.push(dir);
    // The base criterion (status Done at line 5) gets a proof at line 7: a test that reads src/ as text, as tsc does.
    const criteria = join(dir, "data/criteria.yaml");
    writeFileSync(
      criteria,
      `${readFileSync(criteria, "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/tsc.test.ts]\n    reads: [src/]\n`,
    );
    const files: Record<string, string> = {
      "src/core/load/load-records.ts": "export const loadRecords = () => [];\n",
      "src/tool.ts": `import { loadRecords } from "./core/load/load-records.ts";\nexport const n = loadRecords().length;\n`,
      "test/proof/tsc.test.ts": `import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
test("every module of src/ parses", () => {
  const files = readdirSync("src", { recursive: true }).map(String).filter((f) => f.endsWith(".ts"));
  expect(files).toContain("tool.ts");
  for (const f of files) expect(new Bun.Transpiler({ loader: "ts" }).scanImports(readFileSync(\`src/\${f}\`, "utf8"))).toBeArray();
});
`,
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([]);
    expect(run.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    const inputs: string[] = results.records.find((r: { kind: string }) => r.kind === "criteria").inputs;
    expect(inputs).toEqual(expect.arrayContaining(["src/", "src/tool.ts", "src/core/load/load-records.ts", "src/generated/registry.ts"]));
    expect(inputs.filter((i) => i.startsWith("data/") || i.startsWith("records:"))).toEqual([]);

    // A prose edit that no generated file shows leaves the proof fresh …
    writeFileSync(criteria, readFileSync(criteria, "utf8").replace("description: No errors.", "description: No errors at all."));
    const prose = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(prose.stderr)).toEqual([]);
    expect(prose.exitCode).toBe(0);
    // … one the generated registry carries (a flag's description, a doc comment there) stales it, once generated.
    const features = join(dir, "data/features.yaml");
    writeFileSync(features, readFileSync(features, "utf8").replace("description: Diagnostics.", "description: Diagnostics, reworded."));
    expect((await runMain("generate", dir)).exitCode).toBe(0);
    const stale = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(stale.stderr)).toEqual([
      "data/criteria.yaml:7:3: warning proof-stale: the proof of TypeScript compilation is not fresh: src/generated/registry.ts changed since its tests ran; its claims are not checked until npm run prove runs it again",
    ]);
  }, 60_000);

  test("a proof that only reads modules cannot hide running one: it runs where there is no data/, so a test that runs a read module loading the records fails", async () => {
    const dir = makeProject();
    projects.push(dir);
    const criteria = join(dir, "data/criteria.yaml");
    writeFileSync(
      criteria,
      `${readFileSync(criteria, "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/hide.test.ts]\n    reads: [src/]\n`,
    );
    // The loader in src/ reads the records; the test runs it in a child process, which no import shows.
    const files: Record<string, string> = {
      "src/core/load/load-records.ts": `import { readFileSync } from "node:fs";\nexport const loadRecords = (root: string) => readFileSync(\`\${root}/data/criteria.yaml\`, "utf8");\n`,
      "src/tool.ts": `import { loadRecords } from "./core/load/load-records.ts";\nprocess.stdout.write(loadRecords(process.cwd()));\n`,
      "test/proof/hide.test.ts": `import { expect, test } from "bun:test";
test("the records name the criterion", () => {
  const run = Bun.spawnSync([process.execPath, "src/tool.ts"], { stdout: "pipe", stderr: "pipe" });
  expect(run.stdout.toString()).toContain("TypeScript compilation");
});
`,
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      "data/criteria.yaml:5:11: error unproven-claim: TypeScript compilation says Done, but 1 of its 1 tests failed",
      "data/criteria.yaml:7:3: error proof-failed: 1 of 1 tests proving TypeScript compilation failed: the records name the criterion",
    ]);
    expect(run.exitCode).toBe(1);
    // Declared as run (inputs:), the same module is a root of what runs, and every record is an input of the proof.
    writeFileSync(criteria, readFileSync(criteria, "utf8").replace("reads: [src/]", "inputs: [src/]"));
    const honest = await runMain("prove", dir);
    expect(headlines(honest.stderr)).toEqual([]);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records.find((r: { kind: string }) => r.kind === "criteria").inputs).toContain("data/criteria.yaml");
  }, 60_000);

  test("a proof that reads no record proves its faults where there is no data/ too: the records' presence cannot catch a fault for its tests", async () => {
    const dir = makeProject();
    projects.push(dir);
    const criteria = join(dir, "data/criteria.yaml");
    const fault = `    faults:\n      - id: harmless\n        what: a change the test cannot see\n        file: src/tool.ts\n        find: "= 1"\n        replace: "= 2"\n`;
    writeFileSync(
      criteria,
      `${readFileSync(criteria, "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/sealed.test.ts]\n    reads: [src/]\n${fault}`,
    );
    writeFileSync(join(dir, "src/tool.ts"), "export const n = 1;\n");
    writeFileSync(
      join(dir, "test/proof/sealed.test.ts"),
      `import { expect, test } from "bun:test";\nimport { existsSync } from "node:fs";\ntest("there is no data/ here", () => expect(existsSync("data")).toBe(false));\n`,
    );
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      "data/criteria.yaml:5:11: error unproven-claim: TypeScript compilation says Done, but fault harmless (a change the test cannot see) was not caught",
      "data/criteria.yaml:11:13: error proof-fault-missed: fault harmless of TypeScript compilation (a change the test cannot see) was not caught: 1 of 1 tests of the proof still pass with it planted",
    ]);
  }, 60_000);

  test("records that share a proof and list the same fault plant it once: one planted run, each record its outcome", async () => {
    const runs = join(mkdtempSync(join(tmpdir(), "prove-runs-")), "runs");
    projects.push(dirname(runs));
    const counted = `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(runs)}, "ran\\n");\n${PASS}`;
    const dir = project("In Progress", "control: Scope Isolation", { "a.test.ts": counted });
    const security = readFileSync(join(dir, "data/security.yaml"), "utf8");
    const criteria = join(dir, "data/criteria.yaml");
    writeFileSync(criteria, `${readFileSync(criteria, "utf8").trimEnd()}\n${security.slice(security.indexOf("  proof:\n"))}`);
    const run = await runMain("prove", dir);
    expect(run.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    const faultsOf = (kind: string) => results.records.find((r: { kind: string }) => r.kind === kind).faults;
    expect(faultsOf("criteria")).toEqual([expect.objectContaining({ id: "one-scope", state: "caught" })]);
    expect(faultsOf("security")).toEqual(faultsOf("criteria"));
    // The tests ran twice: unplanted once for both records, and once with the fault planted.
    expect(readFileSync(runs, "utf8")).toBe("ran\nran\n");
  }, 60_000);

  test("a test no record names does not run: a file whose proofs all name a describe or test runs for those names only", async () => {
    // The marker is named by its absolute path: the proof reads no record, so it runs in a copy of the project.
    const marker = join(mkdtempSync(join(tmpdir(), "takeoff-unclaimed-")), "ran");
    projects.push(dirname(marker));
    const other = `import { writeFileSync } from "node:fs";
describe("not a proof", () => { test("slow and unclaimed", () => writeFileSync(${JSON.stringify(marker)}, "")); });
`;
    const dir = project("Beta", "control: Scope Isolation", { "a.test.ts": PASS.replace('describe("other"', `${other}describe("other"`) });
    const run = await runMain("prove", dir, ["--no-faults"]);
    expect(headlines(run.stderr)).toEqual([]);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records[0]).toMatchObject({ name: "Scope Isolation", matched: 2, passed: 2, failed: 0 });
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  test("faults are planted while the proofs run, not after the last: the planted run starts before the unplanted one ends", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "takeoff-overlap-")), "log");
    projects.push(dirname(log));
    writeFileSync(log, "");
    // The unplanted run waits (with a deadline) until the planted one has started; run in turn, it waits in vain.
    const overlap = `import { appendFileSync, readFileSync } from "node:fs";
import { describe, expect, test } from "bun:test";
import { scopeOf } from "../../src/app/scope.ts";
const LOG = ${JSON.stringify(log)};
describe("control: Scope Isolation", () => {
  test("variant prod: reads stay in scope", async () => {
    const planted = scopeOf("enterprise") === "prod";
    appendFileSync(LOG, planted ? "planted\\n" : "unplanted starts\\n");
    if (!planted) {
      const deadline = Date.now() + 20_000;
      while (!readFileSync(LOG, "utf8").includes("planted\\n") && Date.now() < deadline) await Bun.sleep(20);
      appendFileSync(LOG, "unplanted ends\\n");
    }
    expect(scopeOf("prod")).toBe("prod");
  }, 30_000);
  test("variant enterprise: writes stay in scope", () => expect(scopeOf("enterprise")).toBe("enterprise"));
});
`;
    const dir = project("Beta", "control: Scope Isolation", { "a.test.ts": overlap });
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([]);
    expect(run.exitCode).toBe(0);
    const lines = readFileSync(log, "utf8").trimEnd().split("\n");
    expect([...lines].sort()).toEqual(["planted", "unplanted ends", "unplanted starts"]);
    expect(lines.indexOf("planted")).toBeLessThan(lines.indexOf("unplanted ends"));
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records[0].faults).toEqual([expect.objectContaining({ id: "one-scope", state: "caught" })]);
  }, 60_000);

  test("a proof that fails keeps no fault outcome, though its faults were planted while it ran", async () => {
    const dir = project("Beta", "control: Scope Isolation", {
      "a.test.ts": FAIL.replace('describe("control', 'import { scopeOf } from "../../src/app/scope.ts";\ndescribe("control').replace(
        "expect(1).toBe(1)",
        'expect(scopeOf("enterprise")).toBe("enterprise")',
      ),
    });
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr).filter((l) => /proof-fault/.test(l))).toEqual([]);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records[0]).toMatchObject({ failed: 1 });
    expect(results.records[0].faults).toBeUndefined();
  }, 60_000);

  test("the planting under a proof that fails is abandoned once it fails: a planted run that would hang is killed", async () => {
    const hangs = `import { describe, expect, test } from "bun:test";
import { scopeOf } from "../../src/app/scope.ts";
describe("control: Scope Isolation", () => {
  test("variant prod: fails, and hangs with the fault planted", async () => {
    if (scopeOf("enterprise") === "prod") await Bun.sleep(40_000);
    expect(1).toBe(2);
  }, 60_000);
});
`;
    const dir = project("Beta", "control: Scope Isolation", { "a.test.ts": hangs });
    const started = performance.now();
    const run = await runMain("prove", dir);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(headlines(run.stderr).filter((l) => /proof-failed|proof-fault/.test(l))).toEqual([
      "data/security.yaml:19:3: error proof-failed: 1 of 1 tests proving Scope Isolation failed in prod: control: Scope Isolation › variant prod: fails, and hangs with the fault planted",
    ]);
    expect(JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8")).records[0].faults).toBeUndefined();
  }, 60_000);

  test("a proof that matches zero tests: proof-matched-none at the proof key", async () => {
    const dir = project("Planned", "control: Scope Isolaton", { "a.test.ts": PASS });
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      'data/security.yaml:19:3: error proof-matched-none: the proof of Scope Isolation matched no test in test/proof/a.test.ts named "control: Scope Isolaton"',
    ]);
    expect(run.exitCode).toBe(1);
  }, 60_000);
});

test("a test plan: a file runs for its proofs' names, fresh ones included, only when every proof of it names one", () => {
  const entry = (tests: string[], name?: string) =>
    ({ record: { proof: { tests, ...(name === undefined ? {} : { name }) } } }) as unknown as ProvedEntry;
  const entries = [entry(["a.test.ts"], "x"), entry(["a.test.ts", "b.test.ts"], "y"), entry(["b.test.ts"]), entry(["c.test.ts"], "z")];
  // Only a.test.ts and b.test.ts hold stale proofs; x's proof is fresh but runs with them, so its name is in the pattern.
  expect(testPlan(["a.test.ts", "b.test.ts"], entries)).toEqual({ whole: ["b.test.ts"], named: ["a.test.ts"], names: ["x", "y"] });
  expect(testPlan(["c.test.ts"], entries)).toEqual({ whole: [], named: ["c.test.ts"], names: ["z"] });
});

describe("JUnit report", () => {
  test("nested describes, failures, skips and entities", () => {
    const xml = `<?xml version="1.0"?><testsuites><testsuite name="t/a.test.ts" file="t/a.test.ts"><testsuite name="control: A &amp; B" file="t/a.test.ts"><testsuite name="inner">
      <testcase name="variant prod: x &lt; y" file="t/a.test.ts" time="0.5" />
      <testcase name="variant dev: bad" file="t/a.test.ts" time="0.25"><failure message="m">boom</failure></testcase>
      <testcase name="sk" file="t/a.test.ts" time="0"><skipped /></testcase></testsuite></testsuite>
      <testcase name="top" file="t/a.test.ts" time="0" /></testsuite></testsuites>`;
    expect(parseJunit(xml)).toEqual([
      { file: "t/a.test.ts", suites: ["control: A & B", "inner"], name: "variant prod: x < y", status: "passed", time: 0.5 },
      { file: "t/a.test.ts", suites: ["control: A & B", "inner"], name: "variant dev: bad", status: "failed", time: 0.25 },
      { file: "t/a.test.ts", suites: ["control: A & B", "inner"], name: "sk", status: "skipped", time: 0 },
      { file: "t/a.test.ts", suites: [], name: "top", status: "passed", time: 0 },
    ]);
  });

  test("a legal > in an attribute, character references and a failure message holding markup", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="3">
  <testsuite name="t/b.test.ts" file="t/b.test.ts" tests="3">
    <testsuite name="flag: A > B" file="t/b.test.ts" line="3">
      <testcase name="variant prod: 2 > 1 &amp;&amp; 'x' &lt;= &quot;y&quot;" classname="flag: A > B" time="0.125" file="t/b.test.ts" line="4" />
      <testcase name="variant dev: caf&#xE9; &#9731; >" classname="flag: A > B" time="1" file="t/b.test.ts" line="5">
        <failure message="expect(received).toBe(expected) &lt;b&gt;" type="AssertionError"><![CDATA[<testcase name="fake" />]]></failure>
      </testcase>
    </testsuite>
    <testcase name="after > the describe" classname="" time="0" file="t/b.test.ts" line="9" />
  </testsuite>
</testsuites>`;
    expect(parseJunit(xml)).toEqual([
      { file: "t/b.test.ts", suites: ["flag: A > B"], name: "variant prod: 2 > 1 && 'x' <= \"y\"", status: "passed", time: 0.125 },
      { file: "t/b.test.ts", suites: ["flag: A > B"], name: "variant dev: caf\u00e9 \u2603 >", status: "failed", time: 1 },
      { file: "t/b.test.ts", suites: [], name: "after > the describe", status: "passed", time: 0 },
    ]);
  });

  test("a report cut off while written is refused, not read in part", () => {
    expect(() => parseJunit(`<testsuites><testsuite name="t/a.test.ts"><testcase name="a" time="0" />`)).toThrow(/not well-formed/);
  });
});
