/**
 * `npm run check -- --fix`: rewrites what the table lint finds with one right answer (labels, column order,
 * cells their records decide, swapped cells, outer pipes, missing delimiter cells) in the pages of content/,
 * and says what it changed, file:line per change. Pages are untrusted input like any other: a page is
 * written only when it is a regular file whose real path is where it is written, inside the content folder
 * (no link anywhere on the way, in or out), and always whole (write-atomic.ts).
 */
import { lstatSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { assertInside, readInside, walkInside } from "../fs/safe-fs.ts";
import { writeAtomic } from "../fs/write-atomic.ts";
import { fixMarkdown, MAX_CONTENT_FILE_BYTES, type TableLintContext } from "./lint-tables.ts";

export interface FixReport {
  /** One line per change: where, and what it now says. */
  changes: { file: string; line: number; note: string }[];
  /** Pages with fixes that were not written, and why. */
  skipped: { file: string; reason: string }[];
}

/** Why a page may not be rewritten in place, or undefined when it may. */
function unsafeTarget(root: string, dir: string, rel: string): string | undefined {
  const path = resolve(root, rel);
  try {
    // A link anywhere on the way (the page itself, or a folder in content/) makes the real path differ.
    if (lstatSync(path).isSymbolicLink() || realpathSync(path) !== join(realpathSync(root), rel))
      return "it is reached through a symbolic link";
    assertInside(resolve(root, dir), path, "content page", root);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

export function fixContent(root: string, ctx: TableLintContext, dir = "content"): FixReport {
  const report: FixReport = { changes: [], skipped: [] };
  for (const entry of walkInside(root, dir)) {
    if (entry.kind !== "file" || !/\.mdx?$/.test(entry.rel) || !entry.rel.startsWith(`${dir}/`)) continue;
    const read = readInside(root, entry.rel, MAX_CONTENT_FILE_BYTES);
    if ("refusal" in read) continue;
    const before = read.bytes.toString("utf8");
    const fixed = fixMarkdown(entry.rel, before, ctx);
    if (fixed.text === before) continue;
    const unsafe = unsafeTarget(root, dir, entry.rel);
    if (unsafe) {
      report.skipped.push({ file: entry.rel, reason: unsafe });
      continue;
    }
    writeAtomic(resolve(root, entry.rel), fixed.text, root);
    report.changes.push(...fixed.changes.map((c) => ({ file: entry.rel, ...c })));
  }
  return report;
}
