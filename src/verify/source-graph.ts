/**
 * The application's source files as the bundler will see them: every file reachable from a variant's entry
 * through static imports, re-exports and `import()` (flags ignored, so this is the union over all variants),
 * parsed once with the TypeScript parser and analysed for flag use.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { analyzeFlags, parseSource, type FileFlags } from "./flag-sites.ts";
import { resolveRelative } from "./places.ts";

export interface ImportEdge {
  specifier: string;
  /** Root-relative path of the file it resolves to; undefined for packages and built-ins. */
  target: string | undefined;
  node: ts.Node;
  /** Local names it binds (named, default, namespace); empty for side-effect imports and import(). */
  names: string[];
}

export interface SourceFile {
  /** Root-relative, forward slashes. */
  path: string;
  text: string;
  flags: FileFlags;
  imports: ImportEdge[];
}

export interface SourceGraph {
  files: Map<string, SourceFile>;
  /** Files some variant may bundle (reachable from a variant entry); the rest came from extra roots. */
  bundled: Set<string>;
  /** Texts for code frames. */
  texts: Map<string, string>;
}

export function importsOf(root: string, path: string, sf: ts.SourceFile): ImportEdge[] {
  const out: ImportEdge[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined, names: string[]) => {
    if (!spec || !(ts.isStringLiteral(spec) || ts.isNoSubstitutionTemplateLiteral(spec))) return;
    out.push({ specifier: spec.text, target: resolveRelative(root, path, spec.text), node, names });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      const c = node.importClause;
      const names: string[] = [];
      if (c?.name) names.push(c.name.text);
      if (c?.namedBindings) {
        if (ts.isNamespaceImport(c.namedBindings)) names.push(c.namedBindings.name.text);
        else for (const e of c.namedBindings.elements) if (!e.isTypeOnly) names.push(e.name.text);
      }
      // An import of only types is erased: it pulls nothing into the bundle.
      if (!c || names.length) add(node, node.moduleSpecifier, names);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      add(node, node.moduleSpecifier, []);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if (isImport || isRequire) add(node, node.arguments[0], []);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function parsedFile(root: string, path: string, text: string, nextId: () => number): SourceFile {
  const sf = parseSource(path, text);
  return { path, text, flags: analyzeFlags(sf, nextId), imports: importsOf(root, path, sf) };
}

/** A graph of in-memory files, all counted as bundled: for checking snippets without a project on disk. */
export function sourceGraphOf(files: { path: string; text: string }[], root = "/nonexistent"): SourceGraph {
  let counter = 0;
  const graph: SourceGraph = { files: new Map(), bundled: new Set(), texts: new Map() };
  for (const f of files) {
    graph.files.set(
      f.path,
      parsedFile(root, f.path, f.text, () => ++counter),
    );
    graph.bundled.add(f.path);
    graph.texts.set(f.path, f.text);
  }
  return graph;
}

/**
 * Parses every file reachable from `entries` (root-relative), then from `extraRoots`. A missing entry is
 * the caller's to report; missing imports are left to the bundler, which names them precisely.
 */
export function loadSourceGraph(root: string, entries: string[], extraRoots: string[] = []): SourceGraph {
  const files = new Map<string, SourceFile>();
  const texts = new Map<string, string>();
  let counter = 0;
  const nextId = () => ++counter;
  const walk = (start: string[], reached: Set<string>) => {
    const queue = [...start];
    while (queue.length) {
      const path = queue.shift()!;
      if (reached.has(path)) continue;
      let file = files.get(path);
      if (!file) {
        let text: string;
        try {
          text = readFileSync(join(root, path), "utf8");
        } catch {
          continue;
        }
        file = parsedFile(root, path, text, nextId);
        files.set(path, file);
        texts.set(path, text);
      }
      reached.add(path);
      for (const edge of file.imports) if (edge.target) queue.push(edge.target);
    }
  };
  const bundled = new Set<string>();
  walk(entries, bundled);
  walk(extraRoots, new Set());
  return { files, bundled, texts };
}
