/**
 * The base of a diff, checked out as a temporary git worktree: under a fresh mkdtemp folder of the system's
 * temp dir (never inside the repository, so no tool of the head walks into it), detached at the commit,
 * and removed afterwards whatever happens: on return, on a throw, on SIGINT/SIGTERM/SIGHUP and at exit.
 * Only SIGKILL escapes; its leftovers are removed by the next run (the folder records the owner's pid).
 *
 * What the base may run: nothing. The head's code (this process) reads the base's files and bundles its
 * app sources with Bun.build, as verify does for the head. Bun reads bunfig.toml from the working folder
 * of every process it starts (a `preload` there is code), and verify's size helper starts in the project
 * root, so the base's bunfig.toml is taken out of the checkout before anything runs there.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "../core/git.ts";

/** Every worktree folder of a diff starts with this, below the temp dir. */
const PREFIX = "takeoff-diff-";
const OWNER_FILE = "owner.pid";

export interface Worktree {
  /** The checked-out base: the project root of the base's snapshot. */
  dir: string;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `fn` on a checkout of `commit` of the repository at `repo`. The base gets the head's node_modules
 * (a link): the packages are the head's anyway (the code that measures is the head's), installing the
 * base's would cost a minute, and cache writes through a link that leaves the checkout are refused by
 * writeAtomic, so the base reads the head's content caches (an unchanged input is not rebuilt) and never
 * overwrites them.
 */
export async function withWorktree<T>(repo: string, commit: string, fn: (tree: Worktree) => Promise<T>): Promise<T> {
  removeStale(repo);
  const top = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(top, OWNER_FILE), String(process.pid));
  const dir = join(top, "base");
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    removeWorktree(repo, top, dir);
  };
  // A handler replaces the default action (exit), so it cleans up and then re-raises the signal.
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      remove();
      detach();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on("exit", remove);
  const detach = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off("exit", remove);
  };
  try {
    const add = git(repo, ["worktree", "add", "--detach", "--quiet", "--end-of-options", dir, commit]);
    if (!add.ok) throw new Error(`git worktree add failed: ${add.stderr.trim().split("\n").slice(-1)[0] ?? ""}`);
    rmSync(join(dir, "bunfig.toml"), { force: true });
    const modules = join(repo, "node_modules");
    if (existsSync(modules) && !existsSync(join(dir, "node_modules"))) symlinkSync(modules, join(dir, "node_modules"), "dir");
    return await fn({ dir });
  } finally {
    remove();
    detach();
  }
}

/** `git worktree remove --force`, the folder itself whatever git did, then `prune` for the bookkeeping. */
function removeWorktree(repo: string, top: string, dir: string): void {
  // The link first: a remove that followed it would empty the head's node_modules.
  try {
    if (lstatSync(join(dir, "node_modules")).isSymbolicLink()) rmSync(join(dir, "node_modules"));
  } catch {}
  git(repo, ["worktree", "remove", "--force", "--force", "--end-of-options", dir]);
  rmSync(top, { recursive: true, force: true });
  git(repo, ["worktree", "prune"]);
}

/** Worktrees of earlier diffs whose process is gone (killed with SIGKILL): removed before a new one is made. */
function removeStale(repo: string): void {
  const list = git(repo, ["worktree", "list", "--porcelain"]);
  if (!list.ok) return;
  const temp = tmpdir();
  for (const line of list.stdout.split("\n")) {
    if (!line.startsWith("worktree ")) continue;
    const dir = line.slice("worktree ".length);
    const m = dir.startsWith(`${temp}/${PREFIX}`) ? /^(.*\/takeoff-diff-[^/]+)\/base$/.exec(dir) : null;
    if (!m) continue;
    const top = m[1]!;
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(join(top, OWNER_FILE), "utf8"));
    } catch {}
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    removeWorktree(repo, top, dir);
  }
  // Folders whose git entry is already gone (a prune by someone else) but whose owner died.
  for (const name of safeList(temp)) {
    if (!name.startsWith(PREFIX)) continue;
    const top = join(temp, name);
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(join(top, OWNER_FILE), "utf8"));
    } catch {
      continue; // not ours to judge: no owner file
    }
    if (!alive(pid) && !existsSync(join(top, "base", ".git"))) rmSync(top, { recursive: true, force: true });
  }
  git(repo, ["worktree", "prune"]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
