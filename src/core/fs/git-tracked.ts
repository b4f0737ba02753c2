/**
 * Whether git tracks a path: evidence must never come from a file a contribution could write, and a file
 * under .cache/ that git tracks came in with a commit. Asked through the hardened git wrapper (no hooks, no
 * fsmonitor, no prompts, an argument array). Outside a git work tree (or without git) nothing is tracked;
 * a git that fails otherwise (a clone it calls of dubious ownership, say) cannot vouch for the file.
 */
import { git } from "../git.ts";
import { observe } from "./safe-fs.ts";

export type Tracking = { tracked: string } | { unknown: string } | undefined;

/**
 * The tracked path that stands for `rel`: `rel` itself, or a folder or link above it that git tracks (a
 * committed `.cache` link would put any file behind it); `unknown` with git's words when git cannot say.
 */
export function gitTracking(root: string, rel: string): Tracking {
  const tracking = askGit(root, rel);
  observe("tracked", root, rel, () => `\0${trackingWord(tracking)}`);
  return tracking;
}

function askGit(root: string, rel: string): Tracking {
  const top = rel.split("/")[0]!;
  let r: ReturnType<typeof git>;
  try {
    // Paths come back relative to the working folder (root), whatever the repository's top is.
    r = git(root, ["ls-files", "-z", "--", top]);
  } catch {
    return undefined; // no git on this machine: no clone either
  }
  if (!r.ok) return /not a git repository/i.test(r.stderr) ? undefined : { unknown: r.stderr.trim().split("\n")[0] ?? "git failed" };
  for (const path of r.stdout.split("\0")) {
    if (path && (path === rel || rel.startsWith(`${path}/`))) return { tracked: path };
  }
  return undefined;
}

/** A digest-ready word for what gitTracking says (the check verdict compares it). */
export function trackingWord(t: Tracking): string {
  return t === undefined ? "" : "tracked" in t ? `tracked:${t.tracked}` : `unknown:${t.unknown}`;
}
