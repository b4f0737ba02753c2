/**
 * The one git wrapper (src/core/git.ts): a repository's hooks and fsmonitor program never run through it,
 * and no other file of src/ or scripts/ starts a git process of its own (the site's last-updated dates,
 * prove's repository copy, diff's worktree and whether git tracks a results file all go through it).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { git } from "../../src/core/git.ts";

const REPO = join(import.meta.dir, "..", "..");
const TMP = mkdtempSync(join(tmpdir(), "takeoff-git-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A git process started any way a file of ours could: spawn/exec with "git" as the command, an argument array or Bun's shell. */
const STARTS_GIT =
  /\b(?:spawnSync|spawn|execSync|execFileSync|execFile|exec)\s*\(\s*(?:\[\s*|\{\s*cmd\s*:\s*\[\s*)?["'`]git["'`\s]|\$`\s*git\b|child_process/;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (/\.(?:ts|mts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

describe("the git wrapper", () => {
  test("runs no hook and no fsmonitor program of the repository", () => {
    const dir = join(TMP, "repo");
    const pwned = join(TMP, "PWNED");
    const setup = (args: string[]) =>
      expect(Bun.spawnSync(["git", ...args], { cwd: dir, stdout: "ignore", stderr: "ignore" }).exitCode).toBe(0);
    Bun.spawnSync(["git", "init", "-q", dir]);
    const program = join(TMP, "program.sh");
    writeFileSync(program, `#!/bin/sh\necho "$0 $*" >> ${JSON.stringify(pwned)}\n`);
    chmodSync(program, 0o755);
    for (const hook of ["pre-commit", "post-commit", "post-checkout"]) {
      writeFileSync(join(dir, ".git", "hooks", hook), readFileSync(program));
      chmodSync(join(dir, ".git", "hooks", hook), 0o755);
    }
    setup(["config", "user.name", "t"]);
    setup(["config", "user.email", "t@t.invalid"]);
    setup(["config", "commit.gpgsign", "false"]);
    setup(["config", "core.fsmonitor", program]);
    writeFileSync(join(dir, "a.txt"), "a\n");
    expect(git(dir, ["add", "a.txt"]).ok).toBe(true);
    expect(git(dir, ["commit", "-q", "-m", "a"]).ok).toBe(true);
    expect(git(dir, ["status", "--porcelain"]).ok).toBe(true);
    expect(git(dir, ["checkout", "-q", "-b", "other"]).ok).toBe(true);
    expect(git(dir, ["log", "-1", "--format=%cs", "--", "a.txt"]).stdout.trim()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(existsSync(pwned) ? readFileSync(pwned, "utf8") : "").toBe("");
  });

  test("no file of src/ or scripts/ but the wrapper starts a git process", () => {
    const wrapper = join(REPO, "src", "core", "git.ts");
    // The pattern finds the wrapper's own call, so an empty list below means something.
    expect(STARTS_GIT.test(readFileSync(wrapper, "utf8"))).toBe(true);
    const offenders = [...tsFiles(join(REPO, "src")), ...tsFiles(join(REPO, "scripts"))]
      .filter((f) => f !== wrapper && STARTS_GIT.test(readFileSync(f, "utf8")))
      .map((f) => relative(REPO, f));
    expect(offenders).toEqual([]);
  });
});
