/**
 * Whether git tracks a path: evidence must never come from a file a contribution could write, and a file
 * under .cache/ that git tracks came in with a commit. Asked through the hardened git wrapper (no hooks, no
 * fsmonitor, no prompts, an argument array). Outside a git work tree (or without git) nothing is tracked;
 * a git that fails otherwise (a clone it calls of dubious ownership, say) cannot vouch for the file.
 */
import { lstatSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { git } from "../git.ts";
import { isRecord, type Store } from "../cache/store.ts";
import { fileDigestOf } from "./digest-memo.ts";
import { observe } from "./safe-fs.ts";

export type Tracking = { tracked: string } | { unknown: string } | undefined;

/**
 * The tracked path that stands for `rel`: `rel` itself, or a folder or link above it that git tracks (a
 * committed `.cache` link would put any file behind it); `unknown` with git's words when git cannot say.
 */
export function gitTracking(root: string, rel: string, remember?: Store): Tracking {
  const tracking = !inAnyRepository(root) ? undefined : remember ? rememberedTracking(root, rel, remember) : askGit(root, rel);
  observe("tracked", root, rel, () => `\0${trackingWord(tracking)}`);
  return tracking;
}

/** Variables that make git read another repository, index or configuration than the one at the root. */
const REDIRECTS = /^GIT_(DIR|WORK_TREE|INDEX_FILE|COMMON_DIR|CONFIG.*|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM)$/;

/**
 * Whether git could find a repository for `root`: a `.git` there or in a folder above, or a variable that
 * names one. Without any, git answers "not a git repository", so it need not be asked.
 */
function inAnyRepository(root: string): boolean {
  if (Object.keys(process.env).some((k) => REDIRECTS.test(k))) return true;
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    try {
      lstatSync(join(dir, ".git"));
      return true;
    } catch {
      if (dirname(dir) === dir) return false;
    }
  }
}

/**
 * The git folder `ls-files` answers from, when `root` is the top of a work tree with its own `.git` (a
 * folder, or a worktree's `gitdir:` file) and no variable sends git elsewhere; else undefined.
 */
function gitDir(root: string): string | undefined {
  if (Object.keys(process.env).some((k) => REDIRECTS.test(k))) return undefined;
  const dotGit = join(root, ".git");
  try {
    const st = lstatSync(dotGit);
    if (st.isDirectory()) return dotGit;
    const gitdir = st.isFile() ? /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim() : undefined;
    return gitdir ? resolve(root, gitdir) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What git says, remembered in `store` by the digest of the index it answers from: what git tracks changes
 * only with the index (and the configuration), and asking git costs a process on every check. Without a known index, or when git
 * cannot say, git is asked every time.
 */
function rememberedTracking(root: string, rel: string, store: Store): Tracking {
  const dir = gitDir(root);
  const index = dir === undefined ? undefined : fileDigestOf(join(dir, "index"));
  if (dir === undefined || index === undefined) return askGit(root, rel);
  // The configuration can move the work tree (core.worktree): it is part of the question too.
  const key = store.key("git-tracked", rel, dir, index, fileDigestOf(join(dir, "config")) ?? "no config");
  const known = store.get("git-tracked", key, (v) =>
    isRecord(v) && (v.tracked === undefined || typeof v.tracked === "string") ? { tracked: v.tracked as string | undefined } : undefined,
  );
  if (known) return known.tracked === undefined ? undefined : { tracked: known.tracked };
  const asked = askGit(root, rel);
  if (asked === undefined || "tracked" in asked) store.set("git-tracked", key, { tracked: asked?.tracked });
  return asked;
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
