/**
 * npm run diff on fixture repositories: one with two commits (a flag added and shipped in prod; then a
 * status, an approval and a budget changed), one with a flag renamed. The Markdown report of each is kept
 * beside the tests (__snapshots__/*.md) and compared; the facts the issue names are also asserted one by
 * one, so a snapshot rewritten carelessly still has to say them.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, REPO, removeProject, runMain } from "../helpers/project.ts";
import { applyCase, fixtureRepo, git, normalise, snapshotFile } from "./repo.ts";

// Each diff builds both sides (16 bundles) in a git worktree: seconds when idle, much more on a loaded 2-core machine.
setDefaultTimeout(90_000);

const TODAY = ["--today", "2026-01-15"];
const diff = (dir: string, ...args: string[]) => runMain("diff", dir, [...TODAY, ...args]);

/** Worktrees of this repository besides its own. */
const extraWorktrees = (dir: string) =>
  git(dir, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((l) => l.startsWith("worktree ")).length - 1;
/** Temp folders of diffs process `pid` made and left. */
const tempFoldersOf = (pid: number) =>
  readdirSync(tmpdir()).filter((n) => {
    if (!n.startsWith("takeoff-diff-")) return false;
    try {
      return readFileSync(join(tmpdir(), n, "owner.pid"), "utf8") === String(pid);
    } catch {
      return false;
    }
  });

describe("a flag added and shipped, then a status and a budget changed", () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureRepo();
    applyCase(dir, "add-flag");
  });
  afterAll(() => removeProject(dir));

  test("the report names the new record, prod's byte delta, the flag's call sites and the new diagnostics", async () => {
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown");
    expect(r.stderr).not.toContain("could not");
    expect(r.exitCode).toBe(0);
    const md = normalise(r.stdout);
    // An added record shows what it claims and who answers for it.
    expect(md).toContain(
      "- added feature flag `CSV_EXPORT`: Type `Release`; Release/Status `Planned`; Approval `Pending`; Scope `all`; Tier `Free`; Size/Impact `Low`; Owner `Platform Lead`",
    );
    expect(md).toContain("| `CSV_EXPORT` (new feature flag) | status — → Planned; approval — → Pending | — |");
    expect(md).toContain("- changed `prod`: Features +`CSV_EXPORT`");
    expect(md).toMatch(/\| `prod` \| [\d,]+ → [\d,]+ \(\+[\d,]+, \+\d+\.\d%\) \|.*\| \+`CSV_EXPORT` \|/);
    expect(md).toMatch(/- `CSV_EXPORT` \(new\): `prod` — → [\d,]+/);
    expect(md).toContain('new call site `src/app/main.ts:19: if (feature("CSV_EXPORT"))`');
    expect(md).toMatch(
      /\*\*2 records changed · 1 claim changed · 1 variant changed size \(largest: `prod` \+61 B, \+32\.6%\) · 1 new error\*\*/,
    );
    expect(md).toMatch(/❌ `data\/variants\.yaml:\d+:\d+` `unapproved-in-production` `Production variant prod ships CSV_EXPORT/);
    // Variants the change did not touch keep their size and say so by a single number.
    expect(md).toMatch(/\| `dev` \| [\d,]+ \| [\d,]+ \| [\d,]+ \| — \|/);
    const snap = snapshotFile("add-flag.md", md);
    expect(snap.actual).toBe(snap.expected);
  });

  test("the worktree is gone afterwards", () => {
    expect(extraWorktrees(dir)).toBe(0);
    expect(tempFoldersOf(process.pid)).toEqual([]);
  });

  test("--fail-on: a size limit the change exceeds fails with the reason; a loose one passes", async () => {
    const strict = await diff(dir, "--base", "HEAD~1", "--fail-on", "size:+1%,new-errors", "--format", "json");
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toMatch(/--fail-on size:\+1%: prod [\d,]+ → [\d,]+ B \(\+[\d,]+ B, \+\d+\.\d%\)/);
    expect(strict.stderr).toContain("--fail-on new-errors: 1 new error (unapproved-in-production)");
    const json = JSON.parse(strict.stdout) as { failed: string[]; variants: { name: string; delta: { raw: number } | null }[] };
    expect(json.failed.length).toBe(2);
    expect(json.variants.find((v) => v.name === "prod")!.delta!.raw).toBeGreaterThan(0);

    const loose = await diff(dir, "--base", "HEAD~1", "--fail-on", "size:+100kB,gzip:+50%,unproven");
    expect(loose.stderr).not.toContain("--fail-on");
    expect(loose.exitCode).toBe(0);
  });

  test("a second run takes the base from the snapshot cache and makes no worktree", async () => {
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown");
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("base taken from the snapshot cache");
    expect(r.stdout).toContain("Base snapshot reused from the cache");
    expect(r.stdout).toContain("- added feature flag `CSV_EXPORT`");
  });

  test("status, approval and budget changes are claims; the resolved diagnostic is counted", async () => {
    applyCase(dir, "status-budget");
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown", "--out", ".cache/diff/comment.md");
    expect(r.exitCode).toBe(0);
    const md = normalise(r.stdout);
    // Done without a behaviour proof: the bytes alone no longer back a flag's Done, and check says so.
    expect(md).toMatch(/\| `V2_SERIALIZER` \(feature flag\) \| status Beta → Done \| `—` → `unproven: it names no tests as proof` \|/);
    expect(md).toContain("`flag-without-proof` `flag V2_SERIALIZER says Done, but names no behaviour proof");
    expect(md).toContain("| `CSV_EXPORT` (feature flag) | status Planned → Beta; approval Pending → Approved | unchanged |");
    expect(md).toContain("| `prod` (build variant) | budget 1,000 → 1,200 | unchanged |");
    // A released flag (Beta or Done) without a behaviour proof is flag-without-proof: CSV_EXPORT's new Beta adds one,
    // V2_SERIALIZER's moves from "says Beta" to "says Done", and the base's own are counted as resolved.
    expect(md).toContain("`flag-without-proof` `flag CSV_EXPORT says Beta, but names no behaviour proof");
    expect(md).toContain("2 errors, 0 warnings new in the head; 2 of the base resolved.");
    // --out writes the same Markdown, for the pull-request comment.
    expect(normalise(readFileSync(join(dir, ".cache/diff/comment.md"), "utf8"))).toBe(md);
    const snap = snapshotFile("status-budget.md", md);
    expect(snap.actual).toBe(snap.expected);
  });

  test("the terminal table has no colour off a TTY", async () => {
    const r = await diff(dir, "--base", "HEAD~2");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("\u001b[");
    expect(r.stdout).toMatch(/\n {2}prod +[\d,]+ → [\d,]+ \(\+[\d,]+, \+\d+\.\d%\)/);
    expect(r.stdout).toContain("+ CSV_EXPORT (new feature flag)");
  });
});

describe("a renamed flag", () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureRepo();
    applyCase(dir, "rename");
  });
  afterAll(() => removeProject(dir));

  test("is shown as a rename, in the records, the variants and the flags, not as a removal and an addition", async () => {
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown");
    expect(r.exitCode).toBe(0);
    const md = normalise(r.stdout);
    expect(md).toContain("- renamed `DEBUG` → `DIAGNOSTICS`");
    expect(md).not.toContain("added feature flag");
    expect(md).not.toContain("removed feature flag");
    expect(md).toContain("- changed `dev`: Features +`DIAGNOSTICS` −`DEBUG`");
    expect(md).toMatch(/\| `dev` \| [\d,]+ \| [\d,]+ \| [\d,]+ \| — \|/);
    expect(md).not.toContain("call site");
    const snap = snapshotFile("rename.md", md);
    expect(snap.actual).toBe(snap.expected);
  });
});

describe("a proof that passed in the base and fails in the head", () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureRepo();
    applyCase(dir, "proof-passes");
    applyCase(dir, "proof-fails");
  });
  afterAll(() => removeProject(dir));

  test("without --prove the evidence is reported as not computed, and the gate does not pretend", async () => {
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown", "--fail-on", "unproven");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Proofs of the base were not run: evidence from tests is shown as not proven in base (run with --prove).");
    expect(r.stdout).not.toContain("### Claims");
  });

  test("with --prove both sides run their tests: proven → failing, and --fail-on unproven fails", async () => {
    const r = await diff(dir, "--base", "HEAD~1", "--format", "markdown", "--prove", "--fail-on", "unproven");
    expect(r.stdout).toContain("Proofs of the base: run now (bun test).");
    expect(r.stdout).toContain("Proofs of the head: run now (bun test).");
    expect(r.stdout).toContain("| `Values round-trip` (success criterion) | — | ⚠️ `proven` → `failing: 1 of its 1 tests failed` |");
    expect(r.stderr).toContain("--fail-on unproven: Values round-trip (proven → failing: 1 of its 1 tests failed)");
    expect(r.exitCode).toBe(1);
    // The base's results are kept by their inputs: the next diff reuses them without --prove.
    const again = await diff(dir, "--base", "HEAD~1", "--format", "markdown");
    expect(again.stdout).toContain("Proofs of the head: results of npm run prove computed from its current inputs.");
    expect(again.stdout).toContain("⚠️ `proven` → `failing");
  });
});

describe("refs and paths from outside", () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureRepo();
  });
  afterAll(() => removeProject(dir));

  for (const base of ["--upload-pack=touch pwned", "-x", "../x", "HEAD~5", "HEAD\u0000x", "a b"]) {
    test(`--base ${JSON.stringify(base)} is refused with exit 2 before anything runs`, async () => {
      const r = await diff(dir, `--base=${base}`);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n").filter(Boolean).length).toBe(1);
      expect(existsSync(join(dir, "pwned"))).toBe(false);
      expect(extraWorktrees(dir)).toBe(0);
    });
  }

  test("--out outside the repository or into .git is refused with exit 2", async () => {
    for (const out of ["../comment.md", "/tmp/comment.md", ".git/hooks/post-checkout"]) {
      const r = await diff(dir, "--base", "HEAD", "--out", out);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("--out takes a file path inside the repository");
    }
    expect(existsSync(join(dir, ".git/hooks/post-checkout"))).toBe(false);
  });

  test("outside a git repository: a usage error", async () => {
    const plain = fixtureRepo();
    try {
      removeProject(join(plain, ".git"));
      const r = await diff(plain);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("inside a git repository");
    } finally {
      removeProject(plain);
    }
  });

  test("killed while the base is measured, the bin still removes the worktree", async () => {
    const child = Bun.spawn([BUN, join(REPO, "scripts/diff.ts"), "--base", "HEAD", "--no-cache", ...TODAY], {
      cwd: dir,
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, BUN_OPTIONS: "" },
    });
    // What the diff printed, so a run that ends or stalls before its worktree exists says why.
    let stderr = "";
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
    })();
    let exited = false;
    void child.exited.then(() => (exited = true));
    let seen = false;
    // The head is measured first, afresh (--no-cache): on a loaded machine that alone can take a minute.
    for (const deadline = Date.now() + 150_000; Date.now() < deadline && !seen && !exited; ) {
      await Bun.sleep(20);
      seen = extraWorktrees(dir) > 0;
    }
    expect({ seen, exited, stderr: seen ? "" : stderr }).toEqual({ seen: true, exited: false, stderr: "" });
    child.kill("SIGTERM");
    await child.exited;
    expect(child.signalCode).toBe("SIGTERM");
    expect(extraWorktrees(dir)).toBe(0);
    expect(tempFoldersOf(child.pid)).toEqual([]);
  }, 180_000);
});
