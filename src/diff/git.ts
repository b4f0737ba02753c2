/**
 * The few git questions `npm run diff` asks, each a `git` process with an argument array: no shell ever
 * sees a ref, a path or a record. A ref comes from the command line or a pull request, so it is refused when
 * it could be read as an option (a leading "-": `--upload-pack=…` would run a program) and resolved only
 * after `--end-of-options`, to a commit (`^{commit}`), never to a path or a tree.
 */

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * `git` in `cwd`, synchronously (also from exit and signal handlers). Hooks are off: a checkout must not
 * run whatever a hook of the repository says, and the prompts of a credential helper could hang a CI job.
 */
export function git(cwd: string, args: readonly string[]): GitResult {
  // No fsmonitor either: a configured one is a program git would start.
  const p = Bun.spawnSync(["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  return { ok: p.exitCode === 0, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** Why a --base value is refused before git sees it, or undefined when git may resolve it. */
export function refProblem(ref: string): string | undefined {
  if (ref.startsWith("-")) return `--base takes a git ref, not an option: ${JSON.stringify(ref)}`;
  // Control characters and spaces are in no ref name git accepts; a NUL would not even reach it whole.
  if (/[\u0000-\u0020\u007f]/.test(ref) || ref.length > 256) return `--base takes a git ref such as main or HEAD~1, not ${JSON.stringify(ref)}`;
  return undefined;
}

/** The commit `ref` names, full hex; undefined when it names none. */
export function resolveCommit(root: string, ref: string): string | undefined {
  if (refProblem(ref)) return undefined;
  const r = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  const sha = r.stdout.trim();
  return r.ok && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/** The tree of a commit: what the base's snapshot is cached by (two commits with one tree build alike). */
export function treeOf(root: string, commit: string): string | undefined {
  const r = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${commit}^{tree}`]);
  const sha = r.stdout.trim();
  return r.ok && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/** The repository's top folder, or undefined outside a work tree. */
export function topLevel(cwd: string): string | undefined {
  const r = git(cwd, ["rev-parse", "--show-toplevel"]);
  return r.ok ? r.stdout.trim() : undefined;
}

/**
 * The default base: the merge base of HEAD with the default branch. The default branch is what
 * origin/HEAD points at, else origin/main, origin/master, main or master, the first that exists.
 */
export function defaultBase(root: string): { ref: string; commit: string } | { problem: string } {
  const candidates: string[] = [];
  const head = git(root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]);
  if (head.ok && head.stdout.trim()) candidates.push(head.stdout.trim().replace(/^refs\/remotes\//, ""));
  candidates.push("origin/main", "origin/master", "main", "master");
  for (const ref of candidates) {
    const branch = resolveCommit(root, ref);
    if (!branch) continue;
    const mb = git(root, ["merge-base", "HEAD", branch]);
    const commit = mb.stdout.trim();
    if (mb.ok && /^[0-9a-f]{40,64}$/.test(commit)) return { ref: `merge-base(HEAD, ${ref})`, commit };
  }
  return { problem: "no default branch to compare with (origin/HEAD, origin/main, origin/master, main, master): pass --base REF" };
}

/** `abc1234`: how a commit is named in the report. */
export const shortSha = (sha: string) => sha.slice(0, 7);
