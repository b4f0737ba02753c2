/**
 * The few git questions `npm run diff` asks, through the one hardened wrapper (src/core/git.ts). A ref comes
 * from the command line or a pull request, so it is refused when it could be read as an option (a leading
 * "-": `--upload-pack=…` would run a program) and resolved only after `--end-of-options`, to a commit
 * (`^{commit}`), never to a path or a tree.
 */
import { git } from "../core/git.ts";

/** Why a --base value is refused before git sees it, or undefined when git may resolve it. */
export function refProblem(ref: string): string | undefined {
  if (ref.startsWith("-")) return `--base takes a git ref, not an option: ${JSON.stringify(ref)}`;
  // Control characters and spaces are in no ref name git accepts; a NUL would not even reach it whole.
  if (/[\u0000-\u0020\u007f]/.test(ref) || ref.length > 256)
    return `--base takes a git ref such as main or HEAD~1, not ${JSON.stringify(ref)}`;
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
