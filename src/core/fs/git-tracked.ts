/**
 * Whether git tracks a path: evidence must never come from a file a contribution could write, and a file
 * under .cache/ that git tracks came in with a commit. Asked through the hardened git wrapper (no hooks, no
 * fsmonitor, no prompts, an argument array). Outside a git work tree nothing is tracked.
 */
import { git } from "../../diff/git.ts";
import { observe } from "./safe-fs.ts";

/**
 * The tracked path that stands for `rel`: `rel` itself, or a folder or link above it that git tracks (a
 * committed `.cache` link would put any file behind it). Undefined when none is tracked.
 */
export function trackedPath(root: string, rel: string): string | undefined {
  observe("tracked", root, rel);
  const top = rel.split("/")[0]!;
  // Paths come back relative to the working folder (root), whatever the repository's top is.
  const r = git(root, ["ls-files", "-z", "--", top]);
  if (!r.ok) return undefined;
  for (const path of r.stdout.split("\0")) {
    if (path && (path === rel || rel.startsWith(`${path}/`))) return path;
  }
  return undefined;
}
