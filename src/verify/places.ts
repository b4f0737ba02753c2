/**
 * Places a reader can open: a node in a source file (`nodePlace`; a field of a record is `recordPlace` in
 * yaml-source.ts). Every verify step builds its diagnostics with `diagnostic(rule, place, …)` on these, so a
 * problem always points at the line to edit. Also the path helpers the steps share.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type ts from "typescript";
import type { Place } from "../core/report/diagnostics.ts";

/** Where a node of a source file starts: the place of a diagnostic about it. */
export function nodePlace(file: string, sf: ts.SourceFile, node: ts.Node): Place {
  return { file, ...nodePosition(sf, node) };
}

/** 1-based line and column of a node's first token. */
export function nodePosition(sf: ts.SourceFile, node: ts.Node): { line: number; col: number } {
  const p = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { line: p.line + 1, col: p.character + 1 };
}

export const bytes = (n: number) => `${n.toLocaleString("en-US")} B`;

export const toPosix = (p: string) => p.split(sep).join("/");

/** Root-relative files matching globs, sorted; for extra roots such as the examples. */
export function globFiles(root: string, globs: string[]): string[] {
  const out = new Set<string>();
  for (const g of globs) {
    for (const f of new Bun.Glob(g).scanSync({ cwd: root, onlyFiles: true })) out.add(toPosix(f));
  }
  return [...out].sort();
}

export const EXTENSIONS = ["", ".ts", ".tsx", ".js", ".mjs", "/index.ts", "/index.js"];

/** A relative import resolved like the bundler does for our sources; undefined for packages and built-ins. */
export function resolveRelative(root: string, fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".") && !specifier.startsWith("/")) return undefined;
  const base = resolve(dirname(join(root, fromFile)), specifier);
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      const rel = toPosix(relative(root, candidate));
      return rel.startsWith("../") ? undefined : rel;
    }
  }
  return undefined;
}
