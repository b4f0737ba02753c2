/**
 * Generated files are written whole or not at all: a temp file in the same directory, fsync, rename.
 * A killed writer can leave a stray temp file, never a half-written output.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { assertInside } from "./safe-fs.ts";

export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Writes only when the content differs; returns whether it wrote. With `root`, the path must really lie
 * inside it: a committed symlink (say `.cache` → somewhere else) cannot send the write outside.
 * `durable: false` skips the fsync: still whole or absent after a crash of the process, but after a power
 * loss possibly empty; for caches, whose readers treat a broken entry as a miss.
 */
export function writeAtomic(path: string, content: string, root?: string, options: { durable?: boolean } = {}): boolean {
  if (root !== undefined) assertInside(root, path, "file", root);
  if (readIfExists(path) === content) return false;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, content);
      if (options.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // Name the file the caller asked for, never the temp file (a folder standing at `path` fails the rename).
    const e = err as NodeJS.ErrnoException;
    if (e.path === tmp) e.path = path;
    throw err;
  }
  return true;
}
