/**
 * One folder replaced whole (the site's dist/, each dist/variants/<name>/): the new content is written into a
 * stage folder beside it, then swapped in, so a reader sees the previous folder or the next one, never half
 * of each, and a process killed at any point leaves what the next run's recovery puts right.
 *
 * The swap: on Linux the stage and the target trade places in one renameat2(RENAME_EXCHANGE) call, then the
 * previous folder (now at the stage path) is removed. Where the kernel or file system cannot exchange, the
 * target is renamed aside (`<stage>.old`) and the stage renamed in: two renames, and a process killed between
 * them leaves no target, which `recoverDir` restores from the folder set aside before anything else.
 *
 * Stage folders are named `.<key>.stage-<pid>` (and `.old` after it): recovery touches only those of
 * processes that are gone, so two writers of one folder never remove each other's work. Every rename and
 * removal first checks its target lies inside the folder it belongs to (assertInside).
 *
 * Failure points are injected (`PublishHooks.after`): a test kills the process or throws right after each
 * one; production code passes no hooks.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { dlopen, FFIType } from "bun:ffi";
import { assertInside } from "./safe-fs.ts";

/** The points of a swap, in order: "swap" (exchanged, or renamed in when there was no target) | "rename-out", "rename-stage"; then "old-removed". */
export type PublishPoint = "swap" | "rename-out" | "rename-stage" | "old-removed";

export interface PublishHooks {
  /** Runs right after each point; a test kills the process or throws here to show what a crash leaves. */
  after?(point: PublishPoint): void;
  /** false: the two-rename swap even where the kernel can exchange (the fallback's own tests). */
  exchange?: boolean;
}

/** Where a published folder and its stage folders live. */
export interface DirSlot {
  /** The published folder (absolute). */
  target: string;
  /** The folder `target` must stay strictly inside. */
  targetBase: string;
  /** Where stage folders are made: on the target's file system, so a rename never copies. */
  stageBase: string;
  /** Stage folder names start with `.${key}.stage-`. */
  key: string;
  /** Earlier keys whose stage folders recovery also recognises (names a previous version of a writer used). */
  aliases?: readonly string[];
  /** With a root, a link inside it cannot move a write outside it (see assertInside). */
  root?: string;
}

export type SwapMode = "exchange" | "rename" | "first";

/** This process's stage folder for `slot`. */
export function stageOf(slot: DirSlot, pid = process.pid): string {
  return join(slot.stageBase, `.${slot.key}.stage-${pid}`);
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function remove(base: string, target: string, what: string, root?: string): void {
  assertInside(base, target, what, root);
  rmSync(target, { recursive: true, force: true });
}

function move(fromBase: string, from: string, toBase: string, to: string, what: string, root?: string): void {
  assertInside(fromBase, from, what, root);
  assertInside(toBase, to, what, root);
  renameSync(from, to);
}

/** A fresh, empty stage folder, this process's by default (whatever an earlier run of this pid left is removed). */
export function prepareStage(slot: DirSlot, stage = stageOf(slot)): string {
  mkdirSync(slot.stageBase, { recursive: true });
  remove(slot.stageBase, stage, "stage folder", slot.root);
  mkdirSync(stage);
  return stage;
}

/** Removes this process's stage folder and the folder set aside next to it, when they are still there. */
export function discardStage(slot: DirSlot, stage: string): void {
  for (const p of [stage, `${stage}.old`]) if (exists(p)) remove(slot.stageBase, p, "stage folder", slot.root);
}

type Exchange = (a: string, b: string) => boolean;
let exchanger: Exchange | null | undefined;

/** Atomically swaps two paths (Linux renameat2 RENAME_EXCHANGE); false when the platform or file system cannot. */
function exchange(a: string, b: string): boolean {
  if (exchanger === undefined) {
    exchanger = null;
    if (process.platform === "linux") {
      try {
        const libc = dlopen("libc.so.6", {
          renameat2: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
        });
        const AT_FDCWD = -100;
        const RENAME_EXCHANGE = 2;
        // Buffers passed straight to a ptr argument stay alive for the call.
        exchanger = (x, y) =>
          libc.symbols.renameat2(AT_FDCWD, Buffer.from(`${x}\0`), AT_FDCWD, Buffer.from(`${y}\0`), RENAME_EXCHANGE) === 0;
      } catch {
        exchanger = null; // no glibc (musl, …) or no FFI: the two-rename swap
      }
    }
  }
  return exchanger ? exchanger(a, b) : false;
}

/**
 * Swaps the complete folder `stage` in as `slot.target`. On return the target is the new folder and the
 * previous one is gone. On a throw the target is the previous folder or the new one, whole (a failure between
 * the two renames puts the previous one back at once); the stage is left for `discardStage`.
 */
export function publishDir(slot: DirSlot, stage: string, hooks: PublishHooks = {}): SwapMode {
  const { target, targetBase, stageBase, root } = slot;
  const after = hooks.after ?? (() => {});
  assertInside(targetBase, target, "output", root);
  assertInside(stageBase, stage, "stage folder", root);
  if (!isDir(stage)) throw new Error(`${stage} is not a folder to publish`);
  if (!exists(target)) {
    move(stageBase, stage, targetBase, target, "output", root);
    after("swap");
    return "first";
  }
  if (hooks.exchange !== false && exchange(stage, target)) {
    // The target is the new folder; the stage path holds the previous one.
    after("swap");
    remove(stageBase, stage, "previous output", root);
    after("old-removed");
    return "exchange";
  }
  const old = `${stage}.old`;
  move(targetBase, target, stageBase, old, "previous output", root);
  try {
    after("rename-out");
    move(stageBase, stage, targetBase, target, "output", root);
  } catch (err) {
    if (!exists(target)) renameSync(old, target); // the previous folder back at once
    throw err;
  }
  after("rename-stage");
  remove(stageBase, old, "previous output", root);
  after("old-removed");
  return "rename";
}

export interface RecoverOptions {
  /** Whether a folder a dead writer left is a complete output: `old` for a previous target set aside, else a stage. */
  complete(dir: string, old: boolean): boolean;
  /** Sub-folders other tools write into the target: stranded in a previous target set aside, they are moved back. */
  carry?: readonly string[];
}

export interface Recovery {
  /** The folder restored as the target (it was missing: a writer died between the two renames). */
  restored?: string;
  /** Sub-folders (of `carry`) moved back into the target. */
  carried: string[];
  /** How many stage folders of dead writers were removed. */
  removed: number;
}

/**
 * What writers of `slot` that died (their process is gone) left behind: a target renamed aside and never
 * renamed back is restored (failing that, the newest complete stage); a `carry` folder stranded in a folder
 * set aside is moved into a target that lacks it; then every such folder is removed.
 */
export function recoverDir(slot: DirSlot, options: RecoverOptions): Recovery {
  const { target, targetBase, stageBase, root } = slot;
  const recovery: Recovery = { carried: [], removed: 0 };
  let names: string[];
  try {
    names = readdirSync(stageBase);
  } catch {
    return recovery;
  }
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const keys = [slot.key, ...(slot.aliases ?? [])].map(escapeRegExp).join("|");
  const pattern = new RegExp(`^\\.(?:${keys})\\.stage-(\\d+)(\\.old)?$`);
  const stale: { path: string; old: boolean; mtime: number }[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const path = join(stageBase, name);
    if (!isDir(path)) continue;
    stale.push({ path, old: !!m[2], mtime: statSync(path).mtimeMs });
  }
  if (!stale.length) return recovery;
  const newest = [...stale].sort((a, b) => b.mtime - a.mtime);
  if (!exists(target)) {
    // The previous target is the last good one; failing that, a complete stage is better than nothing.
    const back =
      newest.find((s) => s.old && options.complete(s.path, true)) ?? newest.find((s) => !s.old && options.complete(s.path, false));
    if (back) {
      move(stageBase, back.path, targetBase, target, "output", root);
      stale.splice(stale.indexOf(back), 1);
      recovery.restored = back.path;
    }
  }
  if (isDir(target)) {
    for (const keep of options.carry ?? []) {
      if (exists(join(target, keep))) continue;
      const from = newest.find((s) => s.old && s.path !== recovery.restored && isDir(join(s.path, keep)));
      if (!from) continue;
      move(stageBase, join(from.path, keep), targetBase, join(target, keep), "carried folder", root);
      recovery.carried.push(`${keep}/ from ${from.path}`);
    }
  }
  for (const s of stale) remove(stageBase, s.path, "stale stage folder", root);
  recovery.removed = stale.length;
  return recovery;
}
