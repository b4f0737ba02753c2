/**
 * A proof must catch its faults: npm run prove plants each fault a record lists into a copy of the project and
 * runs the proof's tests there. The fixture (test/fixtures/prove/faults) is a control whose proof is a test
 * file that asserts nothing, with one fault: prove fails it (proof-fault-missed). The same control with a test
 * that asserts the guard catches the fault; a fault whose text is gone, or whose file is a link, is stale;
 * a control whose proof lists no faults is refused by check and prove. The project's own files never change.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { PROVE_RESULTS } from "../../src/core/model/proof.ts";
import { COPY_PREFIX } from "../../src/prove/repo-copy.ts";
import { makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

const FIXTURE = join(REPO, "test/fixtures/prove/faults");
const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));

/** The fixture over the base project; `*.fixture` files land without the suffix (so the repository's bun test never runs them). */
function project(edit: (yaml: string) => string = (y) => y): string {
  const dir = makeProject(FIXTURE);
  projects.push(dir);
  for (const entry of readdirSync(join(FIXTURE, "test"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(FIXTURE, join(entry.parentPath, entry.name));
    const to = join(dir, rel.replace(/\.fixture$/, ""));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(FIXTURE, rel), to);
  }
  // The base criterion says Done without a proof; Beta keeps its unproven claim out of these runs.
  const criteria = join(dir, "data/criteria.yaml");
  writeFileSync(criteria, readFileSync(criteria, "utf8").replace("status: Done", "status: Beta"));
  const path = join(dir, "data/security.yaml");
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  return dir;
}

const headlines = (stderr: string) => stderr.split("\n").filter((l) => /^\S+:\d+:\d+: (error|warning) /.test(l));
/** Copies of the project this process made and left (each copy's folder names its owner). */
const copiesLeft = () =>
  readdirSync(tmpdir()).filter((n) => {
    try {
      return n.startsWith(COPY_PREFIX) && readFileSync(join(tmpdir(), n, "owner.pid"), "utf8") === String(process.pid);
    } catch {
      return false;
    }
  });
const GUARD = "src/app/guard.ts";

describe("npm run prove plants faults", () => {
  test("a proof whose tests assert nothing: its fault is missed (proof-fault-missed at the fault's id), and its Beta is an unproven claim", async () => {
    const dir = project();
    const guard = readFileSync(join(dir, GUARD), "utf8");
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Beta, but fault open-guard (the guard lets a caller read another tenant's data) was not caught",
      "data/security.yaml:23:13: error proof-fault-missed: fault open-guard of Scope Isolation (the guard lets a caller read another tenant's data) was not caught: 2 of 2 tests of the proof still pass with it planted",
    ]);
    expect(run.stderr).toContain("faults: 1 of 2 caught in 2 records");
    expect(run.exitCode).toBe(1);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records[0].passed).toBe(2);
    expect(results.records[0].faults).toEqual([
      {
        id: "open-guard",
        what: "the guard lets a caller read another tenant's data",
        state: "missed",
        failures: [],
        variants: [],
        reason: "2 of 2 tests of the proof still pass with it planted",
        duration: expect.any(Number),
      },
    ]);
    // The fault went into a copy: the project's file is as it was, and the copy is gone.
    expect(readFileSync(join(dir, GUARD), "utf8")).toBe(guard);
    expect(copiesLeft()).toEqual([]);
    // check holds the claim to the same results.
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Beta, but fault open-guard (the guard lets a caller read another tenant's data) was not caught",
    ]);
  }, 60_000);

  test("a proof that asserts the behaviour catches the fault: the failing tests and their variants are kept; --no-faults skips planting and says so", async () => {
    const dir = project((y) => y.replace("test/proof/smoke.test.ts", "test/proof/guard.test.ts"));
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("faults: 2 of 2 caught in 2 records");
    expect(run.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8"));
    expect(results.records[0].faults).toEqual([
      {
        id: "open-guard",
        what: "the guard lets a caller read another tenant's data",
        state: "caught",
        failures: [
          "control: Scope Isolation › variant prod: another tenant's read is refused",
          "control: Scope Isolation › variant enterprise: another tenant's read is refused",
        ],
        variants: ["enterprise", "prod"],
        duration: expect.any(Number),
      },
    ]);

    // --all: the proofs are fresh, so without it prove would keep the results (and fault outcomes) of the run above.
    const quick = await runMain("prove", dir, ["--no-faults", "--all"]);
    expect(quick.stderr).toContain("faults: not planted (--no-faults)");
    expect(quick.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, PROVE_RESULTS), "utf8")).records[0].faults).toBeUndefined();
    // A Done needs its faults planted: results without them do not back it.
    writeFileSync(
      join(dir, "data/security.yaml"),
      readFileSync(join(dir, "data/security.yaml"), "utf8").replace("status: Beta", "status: Done"),
    );
    const done = await runMain("prove", dir, ["--no-faults"]);
    expect(headlines(done.stderr)).toEqual([
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Done, but its faults were not planted (open-guard): run npm run prove without --no-faults",
    ]);
  }, 60_000);

  test("a fault whose text is not in its file, or whose file is a link, cannot be planted (proof-fault-stale at find, at file)", async () => {
    const gone = project((y) => y.replace('find: "return caller === owner;"', 'find: "return caller == owner;"'));
    const run = await runMain("prove", gone);
    expect(headlines(run.stderr)).toEqual([
      "data/security.yaml:9:11: error unproven-claim: Scope Isolation says Beta, but fault open-guard (the guard lets a caller read another tenant's data) could not be planted",
      `data/security.yaml:26:15: error proof-fault-stale: fault open-guard of Scope Isolation cannot be planted: the text to find is not in ${GUARD} (any more): copy it from the file as it is now`,
    ]);
    expect(run.exitCode).toBe(1);

    // A link, even to a file of the project, is never written through; one leading out of it neither.
    const elsewhere = mkdtempSync(join(tmpdir(), "prove-faults-outside-"));
    const outside = join(elsewhere, "guard.ts");
    writeFileSync(outside, "export const x = () => { return caller === owner; };\n");
    try {
      for (const target of ["guard.ts", outside]) {
        const dir = project((y) => y.replace(`file: ${GUARD}`, "file: src/app/link.ts"));
        symlinkSync(target, join(dir, "src/app/link.ts"));
        const linked = await runMain("prove", dir);
        expect(headlines(linked.stderr)).toContain(
          "data/security.yaml:25:15: error proof-fault-stale: fault open-guard of Scope Isolation cannot be planted: src/app/link.ts is a link, or not a regular file inside the repository: a fault is planted only into a plain file",
        );
        expect(linked.exitCode).toBe(1);
        expect(readFileSync(outside, "utf8")).toContain("caller === owner");
      }
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);

  test("a fault's replace text runs only in the copy, with no secret of the environment: a fault that would show one is missed", async () => {
    const dir = project((y) =>
      y
        .replace("test/proof/smoke.test.ts", "test/proof/guard.test.ts")
        .replace('replace: "return true;"', "replace: 'return process.env.PROVE_FAULT_SECRET === undefined ? caller === owner : true;'"),
    );
    const run = await runMain("prove", dir, [], { PROVE_FAULT_SECRET: "s3cret" });
    expect(headlines(run.stderr)).toContain(
      "data/security.yaml:23:13: error proof-fault-missed: fault open-guard of Scope Isolation (the guard lets a caller read another tenant's data) was not caught: 3 of 3 tests of the proof still pass with it planted",
    );
    expect(run.exitCode).toBe(1);
  }, 60_000);

  test("a control whose proof lists no faults: proof-without-faults at its proof key, in check (nothing run) and prove", async () => {
    const dir = project((y) => y.slice(0, y.indexOf("    faults:")));
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(headlines(check.stderr)).toEqual([
      "data/security.yaml:19:3: error proof-without-faults: the proof of control Scope Isolation lists no faults: nothing shows its tests would catch a broken control",
    ]);
    expect(check.exitCode).toBe(1);
    const run = await runMain("prove", dir);
    expect(headlines(run.stderr)).toContain(
      "data/security.yaml:19:3: error proof-without-faults: the proof of control Scope Isolation lists no faults: nothing shows its tests would catch a broken control",
    );
    expect(run.exitCode).toBe(1);
  }, 60_000);
});

describe("test runs are bounded and leave nothing running", () => {
  /** A test file that starts a child (which would outlive it), writes both pids, and never finishes. */
  const HANGS = `import { test } from "bun:test";
import { writeFileSync } from "node:fs";
test("variant prod: hangs", async () => {
  const child = Bun.spawn([process.execPath, "-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "ignore", "ignore"] });
  writeFileSync(process.env.PIDS_FILE ?? "pids.txt", \`\${process.pid} \${child.pid}\`);
  await new Promise(() => {});
}, 600_000);
`;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (check()) return true;
      await Bun.sleep(50);
    }
    return check();
  }
  const pidsIn = (file: string) => readFileSync(file, "utf8").split(" ").map(Number);

  test("at its deadline, bun test and everything it started are killed", async () => {
    const { runBunTest } = await import("../../src/prove/bun-test.ts");
    const dir = mkdtempSync(join(tmpdir(), "prove-hang-"));
    projects.push(dir);
    mkdirSync(join(dir, "test"));
    writeFileSync(join(dir, "test/hang.test.ts"), HANGS);
    const pidsFile = join(dir, "pids.txt");
    try {
      const run = await runBunTest(dir, ["test/hang.test.ts"], {
        bun: process.execPath,
        env: { ...process.env, PIDS_FILE: pidsFile },
        timeoutMs: 3_000,
      });
      expect(run.timedOut).toBe(true);
      expect(run.reported).toBe(false);
      const pids = pidsIn(pidsFile);
      expect(await waitFor(() => pids.every((p) => !alive(p)), 5_000)).toBe(true);
    } finally {
      if (existsSync(pidsFile)) for (const p of pidsIn(pidsFile)) if (alive(p)) process.kill(p, "SIGKILL");
    }
  }, 60_000);

  test("SIGTERM to npm run prove: the test run and its children go with it", async () => {
    const dir = project((y) => y.replace("test/proof/smoke.test.ts", "test/proof/hang.test.ts"));
    writeFileSync(join(dir, "test/proof/hang.test.ts"), HANGS.replace('"variant prod: hangs"', '"control: Scope Isolation"'));
    const pidsFile = join(dir, "pids.txt");
    const prove = Bun.spawn([process.execPath, join(REPO, "scripts/prove.ts")], {
      cwd: dir,
      env: { ...process.env, BUN_OPTIONS: "", PIDS_FILE: pidsFile },
      stdio: ["ignore", "ignore", "ignore"],
    });
    try {
      expect(await waitFor(() => existsSync(pidsFile) && readFileSync(pidsFile, "utf8").includes(" "), 30_000)).toBe(true);
      const pids = pidsIn(pidsFile);
      prove.kill("SIGTERM");
      await prove.exited;
      expect(await waitFor(() => pids.every((p) => !alive(p)), 5_000)).toBe(true);
    } finally {
      prove.kill("SIGKILL");
      if (existsSync(pidsFile)) for (const p of pidsIn(pidsFile)) if (alive(p)) process.kill(p, "SIGKILL");
    }
  }, 60_000);
});
