/**
 * The one way this code runs git (diff, prove's repository copy, the site's last-updated dates, whether git
 * tracks a results file): a `git` process with an argument array, so no shell ever sees a ref, a path or a
 * record; hooks, fsmonitor and prompts off. test/site/dev-overlay.test.ts finds any other git process.
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

/** The repository's top folder, or undefined outside a work tree. */
export function topLevel(cwd: string): string | undefined {
  const r = git(cwd, ["rev-parse", "--show-toplevel"]);
  return r.ok ? r.stdout.trim() : undefined;
}
