/**
 * Reading and writing when the repository itself is untrusted input: a pull request can add a symlink to
 * /proc/self/environ, a FIFO that never answers, a link to /dev/zero, or a folder where a file belongs.
 * Every read of data, content and public files goes through here, so a file is read only when it is a
 * regular file whose real path stays inside the root, and never more than its size limit (counted on the
 * open file, not trusted from a stat of the path). Every write and removal checks its target the same way.
 * This module imports nothing heavy: the check verdict's fingerprint walks with it too, so the fingerprint and
 * the loader always agree on what was read.
 */
import {
  type BigIntStats,
  type Stats,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  lstatSync,
  statSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { digestMemo, sha256 } from "./digest-memo.ts";

/** The questions a check asks of the repository: read a file, list a folder, say what a path is, ask git. */
export type FsOp = "read" | "list" | "stat" | "plain" | "tracked";
/**
 * Observers of every answer given here, while any are registered, with the answer as the check got it
 * (bytes, or a word for a refusal, listing or kind): the check verdict records what a check looked at, so a
 * remembered verdict is dropped when any of it would answer differently.
 */
export type FsObserver = (op: FsOp, root: string, rel: string, answer: string | Uint8Array) => void;
export const fsObservers = new Set<FsObserver>();
/** Tells the observers what `op` on `rel` answered; `answer` is only put into words when someone listens. */
export function observe(op: FsOp, root: string, rel: string, answer: () => string | Uint8Array): void {
  if (!fsObservers.size) return;
  const said = answer();
  for (const o of fsObservers) o(op, root, rel, said);
}

export type RefusalRule = "outside-repository" | "not-a-file" | "file-too-large" | "unreadable-file";

export interface Refusal {
  rule: RefusalRule;
  message: string;
  hint?: string;
}

/**
 * Real paths of folders, remembered while one look at the tree lasts (oneLook): a path's real path is then its
 * folder's plus its own name when the path is no link (one lstat), so a check asking about hundreds of files
 * resolves each folder once. Outside such a look every path is resolved afresh, so a long-running process (the
 * dev server) never trusts a folder that has since been replaced by a link.
 */
let realFolders: Map<string, string> | undefined;
function realFolder(abs: string): string {
  let real = realFolders?.get(abs);
  if (real === undefined) {
    real = realpathSync(abs);
    realFolders?.set(abs, real);
  }
  return real;
}

/**
 * Runs `look`, a command's questions about one state of the tree (a check, one judgement of the proofs), with
 * folders' real paths remembered until it returns. A folder swapped for a link meanwhile is the one thing it
 * would miss; the questions are asked one after another anyway, never all at one instant.
 */
export function oneLook<T>(look: () => T): T {
  const outer = realFolders;
  realFolders ??= new Map();
  try {
    return look();
  } finally {
    realFolders = outer;
  }
}

const realRoots = new Map<string, string>();
function realRoot(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    try {
      real = realpathSync(root);
    } catch {
      real = resolve(root);
    }
    realRoots.set(root, real);
  }
  return real;
}

/** Whether `path` is `base` or lies below it, by path text (no symlinks resolved). */
export function isInside(base: string, path: string): boolean {
  const rel = relative(resolve(base), resolve(path));
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** isInside for paths already absolute and normalised (resolved or real): a prefix test. */
const below = (base: string, path: string) => path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);

/**
 * Real path of a repository path when it exists and stays inside the root, else a refusal; with the lstat of
 * the path itself when it is no link (then it is the stat of what it names).
 */
function realInside(root: string, rel: string): { real: string; stat?: BigIntStats } | { refusal: Refusal } {
  const base = resolve(root);
  const full = resolve(base, rel);
  if (!below(base, full)) return { refusal: outside(rel) };
  let real: string;
  let stat: BigIntStats | undefined;
  try {
    stat = lstatSync(full, { bigint: true });
    if (stat.isSymbolicLink() || full === base) {
      stat = undefined;
      real = realpathSync(full);
    } else real = join(realFolder(dirname(full)), basename(full));
  } catch (err) {
    return { refusal: unreadable(rel, err) };
  }
  if (!below(realRoot(root), real)) return { refusal: outside(rel) };
  return stat ? { real, stat } : { real };
}

/** What a repository path names, its real path confined to the root: check's existence questions, answered without reading. */
export function kindInside(root: string, rel: string): PathKind {
  const kind = kindOf(root, rel);
  observe("stat", root, rel, () => kindAnswer(kind));
  return kind;
}

export type PathKind = "file" | "folder" | "other" | "absent";
export const kindAnswer = (kind: PathKind) => `\0${kind}`;

function kindOf(root: string, rel: string): PathKind {
  const r = realInside(root, rel);
  if ("refusal" in r) return "absent";
  try {
    const st = r.stat ?? statSync(r.real);
    return st.isFile() ? "file" : st.isDirectory() ? "folder" : "other";
  } catch {
    return "absent";
  }
}

/** Whether a repository path names a file or folder whose real path stays inside the root. */
export function existsInside(root: string, rel: string): boolean {
  const kind = kindInside(root, rel);
  return kind === "file" || kind === "folder";
}

/** Whether a repository path names a regular file whose real path stays inside the root (nothing is read). */
export function isFileInside(root: string, rel: string): boolean {
  return kindInside(root, rel) === "file";
}

/**
 * Whether a repository path names a regular file reached through no symbolic link at all (neither the file
 * nor a folder on the way): the one kind of path a tool may write into a copy of the repository.
 */
export function isPlainFileInside(root: string, rel: string): boolean {
  const plain = isPlainFile(root, rel);
  observe("plain", root, rel, () => plainAnswer(plain));
  return plain;
}

export const plainAnswer = (plain: boolean) => `\0plain:${plain}`;

function isPlainFile(root: string, rel: string): boolean {
  const full = resolve(root, rel);
  if (!isInside(root, full)) return false;
  try {
    return realpathSync(full) === join(realRoot(root), relative(resolve(root), full)) && lstatSync(full).isFile();
  } catch {
    return false;
  }
}

const outside = (rel: string): Refusal => ({
  rule: "outside-repository",
  message: `${rel} is a link that leads outside the repository; it is not read`,
  hint: "commit the file itself instead of a symbolic link to it",
});

const unreadable = (rel: string, err: unknown): Refusal => ({
  rule: "unreadable-file",
  message: `${rel} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
});

const notAFile = (rel: string, what: string): Refusal => ({
  rule: "not-a-file",
  message: `${rel} is ${what}, not a regular file`,
  hint: "replace it with a plain file",
});

/** What a stat or a directory entry says a path is. */
type Mode = Pick<Stats, "isFile" | "isDirectory" | "isSymbolicLink" | "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice">;

function describe(mode: Mode): string {
  if (mode.isDirectory()) return "a folder";
  const code = codeOf(mode);
  return code === "p" || code === "s" || code === "c" || code === "b" ? SPECIAL[code] : "a special file";
}

/**
 * Reads a regular file inside `root`. Opens without following a final link and without blocking (a FIFO
 * would otherwise wait forever), checks the open file, and reads at most `maxBytes` (+1 to detect more).
 */
export function readInside(root: string, rel: string, maxBytes: number): ReadAnswer {
  const read = readFile(root, rel, maxBytes);
  observe("read", root, rel, () => readAnswer(read));
  return read;
}

export type ReadAnswer = { bytes: Buffer } | { refusal: Refusal };
export type DigestAnswer = { digest: string } | { refusal: Refusal };
/** A read as the check verdict digests it: the sha256 of the bytes, or why none were read. */
export const readAnswer = (read: ReadAnswer | DigestAnswer) =>
  "refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : "digest" in read ? read.digest : sha256(read.bytes);

/**
 * The sha256 of a regular file inside `root`, with the refusals of readInside: the same bytes, but a file
 * whose identity is unchanged since it was last hashed is not read again (src/core/fs/digest-memo.ts).
 */
export function digestInside(root: string, rel: string, maxBytes: number): DigestAnswer {
  const answer = digestFile(root, rel, maxBytes);
  observe("read", root, rel, () => readAnswer(answer));
  return answer;
}

function digestFile(root: string, rel: string, maxBytes: number): DigestAnswer {
  const found = realInside(root, rel);
  if ("refusal" in found) return found;
  let st: BigIntStats | undefined = found.stat;
  if (!st) {
    try {
      st = statSync(found.real, { bigint: true });
    } catch {
      st = undefined;
    }
  }
  let refusal: Refusal | undefined;
  const read = () => {
    const r = readFile(root, rel, maxBytes);
    if ("refusal" in r) refusal = r.refusal;
    return "refusal" in r ? undefined : r.bytes;
  };
  // Anything but a regular file within the limit is read as readInside reads it, for the same refusal.
  if (!st?.isFile() || st.size > BigInt(maxBytes)) {
    const bytes = read();
    return bytes === undefined ? { refusal: refusal! } : { digest: sha256(bytes) };
  }
  const digest = digestMemo.digest(found.real, st, read);
  return digest === undefined ? { refusal: refusal! } : { digest };
}

function readFile(root: string, rel: string, maxBytes: number): ReadAnswer {
  const found = realInside(root, rel);
  if ("refusal" in found) return found;
  let fd: number;
  try {
    fd = openSync(found.real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    return { refusal: unreadable(rel, err) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { refusal: notAFile(rel, describe(st)) };
    if (st.size > maxBytes) return { refusal: tooLarge(rel, st.size, maxBytes) };
    // Sized from the open file, but a FIFO or /proc file reports 0: the read stops at maxBytes + 1 regardless.
    const buf = Buffer.allocUnsafe(Math.min(maxBytes, st.size) + 1);
    let length = 0;
    let chunk = buf;
    for (;;) {
      if (length === chunk.length) {
        if (length > maxBytes) return { refusal: tooLarge(rel, length, maxBytes) };
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, length);
        chunk = bigger;
      }
      const n = readSync(fd, chunk, length, chunk.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) return { refusal: tooLarge(rel, length, maxBytes) };
    return { bytes: chunk.subarray(0, length) };
  } catch (err) {
    return { refusal: unreadable(rel, err) };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(rel: string, size: number, max: number): Refusal {
  return { rule: "file-too-large", message: `${rel} is ${size > max ? `more than ${max}` : size} bytes; it may hold at most ${max} bytes` };
}

export type WalkEntry = { rel: string; kind: "file" } | { rel: string; kind: "dir" } | { rel: string; kind: "refused"; refusal: Refusal };

/**
 * The entries of a folder inside `root`, sorted by name: files, folders (links to files and folders inside
 * the root count as what they point at) and refusals (links leaving the root, FIFOs, devices, sockets).
 * Returns a refusal when the folder itself is unsafe, undefined when it does not exist.
 */
export function listInside(root: string, rel: string): Listing {
  return listFound(root, rel, realInside(root, rel));
}

type Found = ReturnType<typeof realInside>;

function listFound(root: string, rel: string, found: Found): Listing {
  const listed = listFolder(root, rel, found);
  observe("list", root, rel, () => listAnswer(listed));
  return listed;
}

export type Listing = WalkEntry[] | { refusal: Refusal } | undefined;
/** A listing as the check verdict digests it: the names and kinds of the entries, or why there are none. */
export const listAnswer = (listed: Listing) =>
  listed === undefined
    ? "\0absent"
    : "refusal" in listed
      ? `\0refused:${listed.refusal.rule}`
      : listed.map((e) => `${e.kind}:${e.rel}`).join("\0");

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function listFolder(root: string, rel: string, found: Found): Listing {
  if ("refusal" in found) {
    if (found.refusal.rule === "unreadable-file" && /ENOENT/.test(found.refusal.message)) return undefined;
    return found;
  }
  let listing: string | undefined;
  try {
    const st = found.stat ?? lstatSync(found.real, { bigint: true });
    if (!st.isDirectory())
      return {
        refusal: {
          rule: "not-a-file",
          message: `${rel} is ${st.isFile() ? "a file" : describe(st)}, not a folder`,
          hint: `make ${rel} a folder`,
        },
      };
    const real = found.real;
    listing = digestMemo.remember(`${real}/`, st, () => readListing(real));
  } catch (err) {
    return { refusal: unreadable(rel, err) };
  }
  const out: WalkEntry[] = [];
  for (const item of listing!.split("\0")) {
    if (!item) continue;
    const code = item[0] as EntryCode;
    const child = `${rel}/${item.slice(1)}`;
    // An entry that is no link lies where its folder really is: its kind from the listing, no stat or realpath (a
    // walk of src/ asks thousands).
    if (code === "f") out.push({ rel: child, kind: "file" });
    else if (code === "d") out.push({ rel: child, kind: "dir" });
    else if (code !== "l") out.push({ rel: child, kind: "refused", refusal: notAFile(child, SPECIAL[code]) });
    else out.push(linkEntry(root, child));
  }
  return out;
}

/** An entry that is a link (or whose kind the file system would not say): judged by where it leads, every time. */
function linkEntry(root: string, child: string): WalkEntry {
  const real = realInside(root, child);
  if ("refusal" in real) return { rel: child, kind: "refused", refusal: real.refusal };
  try {
    const st = lstatSync(real.real);
    if (st.isDirectory()) return { rel: child, kind: "dir" };
    if (st.isFile()) return { rel: child, kind: "file" };
    return { rel: child, kind: "refused", refusal: notAFile(child, describe(st)) };
  } catch (err) {
    return { rel: child, kind: "refused", refusal: unreadable(child, err) };
  }
}

/** How a listing names an entry's kind: a file, a folder, a link, or one of the special files. */
type EntryCode = "f" | "d" | "l" | "p" | "s" | "c" | "b";
const SPECIAL = { p: "a named pipe", s: "a socket", c: "a device", b: "a device" } as const;

/**
 * A folder's entries, sorted by name, each as its kind's code and its name, separated by NUL (which no name
 * holds): the form the digest memo keeps. A kind the file system does not say is asked with lstat; an entry
 * gone by then is listed as a link, so it is judged (and refused) where it is used.
 */
function readListing(real: string): string {
  const names: string[] = [];
  for (const entry of readdirSync(real, { withFileTypes: true })) {
    const kind = codeOf(entry) ?? codeOf(lstatOrUndefined(join(real, entry.name))) ?? "l";
    names.push(`${kind}${entry.name}`);
  }
  return names.sort((x, y) => (x.slice(1) < y.slice(1) ? -1 : x.slice(1) > y.slice(1) ? 1 : 0)).join("\0");
}

function codeOf(e: Mode | undefined): EntryCode | undefined {
  if (!e) return undefined;
  if (e.isSymbolicLink()) return "l";
  if (e.isFile()) return "f";
  if (e.isDirectory()) return "d";
  if (e.isFIFO()) return "p";
  if (e.isSocket()) return "s";
  if (e.isCharacterDevice()) return "c";
  if (e.isBlockDevice()) return "b";
  return undefined;
}

/**
 * Every file below a folder (depth first, sorted), with refusals in place; links to folders are followed once.
 * With `hidden: false`, entries whose name starts with a dot below the folder are left out, and hidden folders
 * are not even entered (a test's or bench's scratch space can hold thousands of files).
 */
export function walkInside(root: string, rel: string, options: { hidden?: boolean } = {}): WalkEntry[] {
  const out: WalkEntry[] = [];
  const seen = new Set<string>();
  const shown = (e: WalkEntry) => options.hidden !== false || !e.rel.slice(e.rel.lastIndexOf("/") + 1).startsWith(".");
  const visit = (dir: string) => {
    const found = realInside(root, dir);
    const real = "real" in found ? found.real : dir;
    if (seen.has(real)) return;
    seen.add(real);
    const listed = listFound(root, dir, found);
    if (listed === undefined) return;
    if ("refusal" in listed) {
      out.push({ rel: dir, kind: "refused", refusal: listed.refusal });
      return;
    }
    for (const e of listed) {
      if (!shown(e)) continue;
      if (e.kind === "dir") visit(e.rel);
      else out.push(e);
    }
  };
  visit(rel);
  return out;
}

/** The real path of `p`: its deepest existing ancestor with links resolved, the rest appended as written. */
function realish(p: string): string {
  const abs = resolve(p);
  let probe = abs;
  for (;;) {
    try {
      return join(realpathSync(probe), relative(probe, abs));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" && (err as NodeJS.ErrnoException).code !== "ENOTDIR") throw err;
      const parent = join(probe, "..");
      if (parent === probe) return abs;
      probe = parent;
    }
  }
}

/**
 * Throws unless `target` lies strictly inside `base`, by the paths as written AND after resolving links.
 * With `root`, `base` must also really be where it is written below `root`: a committed `dist` symlink to
 * content/ cannot turn a write into dist/variants/ into a write into content/. Every write and removal of
 * an output folder calls this first, so no record, option or link can aim one anywhere else.
 */
export function assertInside(base: string, target: string, what = "output", root?: string): void {
  const b = resolve(base);
  const t = resolve(target);
  if (t === b || !isInside(b, t)) throw new Error(`refusing to write ${what} ${t}: it is not inside ${b}`);
  const expected = root !== undefined && isInside(root, b) ? join(realish(root), relative(resolve(root), b)) : realish(b);
  const real = realish(t);
  if (real === expected || !isInside(expected, real))
    throw new Error(`refusing to write ${what} ${t}: a link makes it ${real}, outside ${expected}`);
}
