/**
 * A throwaway copy of the repository to plant faults into: what a clone plus the working tree holds (git's
 * tracked files and the untracked ones it does not ignore; outside a git work tree, every file but
 * node_modules, .git and the output and cache folders), under a fresh folder of the system's temp dir, never
 * inside the repository. Regular files are copied; a link is kept only when it is relative and stays inside
 * the repository (a link leaving it, or absolute, would lead writes in the copy back out). node_modules is a
 * link to the repository's own: packages are read, never planted into. Removed on `remove()`, at exit and on
 * SIGINT/SIGTERM/SIGHUP.
 */
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isInside } from "../core/fs/safe-fs.ts";
import { walkTree } from "../core/fs/walk-tree.ts";
import { git, topLevel } from "../core/git.ts";

/** Every copy lives in a folder starting with this, below the temp dir, beside an owner.pid naming the process that made it. */
export const COPY_PREFIX = "takeoff-faults-";

/** Folders never copied: packages (linked instead), git's own, and what builds and caches write. */
const SKIPPED = new Set(["node_modules", ".git", ".cache", "dist", ".astro"]);

export interface RepoCopy {
  /** The copy's root. */
  dir: string;
  remove(): void;
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** Repository paths to copy: git's view when `root` is the top of a work tree, else a walk. */
export function repoFiles(root: string): string[] {
  const top = topLevel(root);
  if (top !== undefined && real(top) === real(root)) {
    const r = git(root, ["-c", "core.fsmonitor=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
    if (r.ok) return [...new Set(r.stdout.split("\0").filter((f) => f && !SKIPPED.has(f.split("/")[0]!)))].sort();
  }
  const out: string[] = [];
  for (const e of walkTree(root, (name, parent) => parent === "" && SKIPPED.has(name))) if (!e.stat.isDirectory()) out.push(e.rel);
  return out;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Copies the repository at `root` into a new temporary folder; `leaveOut` names top-level folders not copied
 * (data/, for a proof that must show it reads no record).
 */
export function copyRepository(root: string, leaveOut: readonly string[] = []): RepoCopy {
  const top = mkdtempSync(join(tmpdir(), COPY_PREFIX));
  writeFileSync(join(top, "owner.pid"), String(process.pid));
  const dir = join(top, "repo");
  mkdirSync(dir);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off("exit", remove);
    // The link first: a removal that followed it would empty the repository's node_modules.
    try {
      if (lstatSync(join(dir, "node_modules")).isSymbolicLink()) rmSync(join(dir, "node_modules"));
    } catch {}
    rmSync(top, { recursive: true, force: true });
  };
  // A handler replaces the default action (exit), so it cleans up and then re-raises the signal.
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      remove();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on("exit", remove);
  try {
    const realRoot = real(root);
    for (const rel of repoFiles(root)) {
      if (leaveOut.includes(rel.split("/")[0]!)) continue;
      const from = join(root, rel);
      const to = join(dir, rel);
      let st;
      try {
        st = lstatSync(from);
      } catch {
        continue; // deleted in the working tree
      }
      if (st.isFile()) {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(from, to);
      } else if (st.isSymbolicLink()) {
        const target = readlinkSync(from);
        if (isAbsolute(target) || !isInside(realRoot, real(from))) continue;
        mkdirSync(dirname(to), { recursive: true });
        symlinkSync(target, to);
      }
    }
    const modules = join(root, "node_modules");
    try {
      if (lstatSync(modules).isDirectory() || lstatSync(modules).isSymbolicLink())
        symlinkSync(real(modules), join(dir, "node_modules"), "dir");
    } catch {
      /* no packages installed: the tests will say what they miss */
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { dir, remove };
}
