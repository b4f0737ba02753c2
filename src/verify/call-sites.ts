/**
 * Every place the code reads a flag, as plain data for the results file and the site's code references:
 * each `feature("NAME")` call with its line and column, the function around it, the `if` or ternary it
 * decides (its condition, the other flags that condition tests, its line range) and the first lines of that
 * statement for a code frame. From the same syntax tree the source rules and the probe build use.
 */
import ts from "typescript";
import { flagsIn, isFunctionLike, type FileFlags, type GuardSite } from "./flag-sites.ts";
import { nodePosition } from "./places.ts";
import type { CallSiteFact, CallSiteFacts } from "./source-facts.ts";
import { MAX_FRAME_LINES, sourceHash } from "./results-file.ts";
import type { SourceGraph } from "./source-graph.ts";

export { MAX_FRAME_LINES, sourceHash };
/** Characters of each code frame line at most. */
export const MAX_FRAME_LINE_CHARS = 160;
const MAX_CONDITION_CHARS = 200;

const short = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function propertyName(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** `Store.add` for a method of a class or object literal named Store; plain `add` otherwise. */
function memberName(node: ts.Node, name: string): string {
  const owner = node.parent;
  if (owner && (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) && owner.name) return `${owner.name.text}.${name}`;
  if (owner && ts.isObjectLiteralExpression(owner)) {
    const holder = owner.parent;
    const held = holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) ? propertyName(holder.name) : undefined;
    if (held) return `${held}.${name}`;
  }
  return name;
}

/** How a reader names the function a node stands in; null at module top level. */
export function enclosingFunction(node: ts.Node): string | null {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    if (ts.isConstructorDeclaration(p))
      return `${p.parent && ts.isClassLike(p.parent) && p.parent.name ? `${p.parent.name.text} ` : ""}constructor`;
    if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
      const name = propertyName(p.name);
      const prefix = ts.isGetAccessorDeclaration(p) ? "get " : ts.isSetAccessorDeclaration(p) ? "set " : "";
      if (name !== undefined) return prefix + memberName(p, name);
    }
    if (ts.isFunctionDeclaration(p) && p.name) return p.name.text;
    if (ts.isFunctionExpression(p) && p.name) return p.name.text;
    // An arrow or anonymous function takes the name it is stored under, else it is described by where it stands.
    const holder = p.parent;
    if (
      holder &&
      (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder)) &&
      holder.initializer === p
    ) {
      const name = propertyName(holder.name);
      if (name !== undefined) return ts.isPropertyAssignment(holder) ? memberName(holder, name) : name;
    }
    const outer = enclosingFunction(p);
    const what = ts.isArrowFunction(p) ? "arrow function" : "anonymous function";
    return outer ? `${what} in ${outer}` : what;
  }
  return null;
}

/** The `if` or ternary whose condition holds this call, climbing through the condition's operators only. */
function guardOf(call: ts.CallExpression, file: FileFlags): GuardSite | undefined {
  let child: ts.Node = call;
  for (let p: ts.Node | undefined = call.parent; p; child = p, p = p.parent) {
    if ((ts.isIfStatement(p) && p.expression === child) || (ts.isConditionalExpression(p) && p.condition === child)) {
      return file.sites.find((s) => s.node === p);
    }
    if (
      ts.isBlock(p) ||
      ts.isSourceFile(p) ||
      isFunctionLike(p) ||
      ts.isIfStatement(p) ||
      ts.isConditionalExpression(p) ||
      ts.isExpressionStatement(p) ||
      ts.isVariableStatement(p) ||
      ts.isReturnStatement(p)
    )
      return undefined;
  }
  return undefined;
}

function lineText(lines: string[], n: number): string {
  return short((lines[n - 1] ?? "").replace(/\r$/, ""), MAX_FRAME_LINE_CHARS);
}

/** The call sites of every parsed file (bundled and extra roots), sorted by flag, file, line and column. */
export function callSitesOf(graph: SourceGraph): CallSiteFacts {
  const files: CallSiteFacts["files"] = [];
  const sites: CallSiteFact[] = [];
  for (const file of graph.files.values()) {
    files.push({ path: file.path, sha256: sourceHash(file.text) });
    const flags = file.flags;
    const tests = flags.tests.filter((t) => t.flag !== undefined);
    if (!tests.length) continue;
    const lines = file.text.split("\n");
    const { sf } = flags;
    for (const test of tests) {
      const { line, col } = nodePosition(sf, test.call);
      const site = guardOf(test.call, flags);
      let guard: CallSiteFact["guard"] = null;
      let frameStart = line;
      let frameEnd = line;
      if (site) {
        const start = nodePosition(sf, site.node).line;
        const end = sf.getLineAndCharacterOfPosition(site.node.getEnd()).line + 1;
        const condition = short(site.condition.getText(sf).replace(/\s+/g, " ").trim(), MAX_CONDITION_CHARS);
        guard = { kind: ts.isIfStatement(site.node) ? "if" : "ternary", condition, start, end };
        frameStart = start;
        frameEnd = Math.min(end, start + MAX_FRAME_LINES - 1);
      }
      const frame: string[] = [];
      for (let n = frameStart; n <= frameEnd; n++) frame.push(lineText(lines, n));
      sites.push({
        flag: test.flag!,
        file: file.path,
        line,
        col,
        fn: ((name) => (name === null ? null : short(name, 200)))(enclosingFunction(test.call)),
        bundled: graph.bundled.has(file.path),
        guard,
        with: site
          ? flagsIn(site.condition, flags.bindings)
              .filter((f) => f !== test.flag)
              .sort()
          : [],
        frameStart,
        frame,
      });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sites.sort((a, b) =>
    a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col,
  );
  return { files, sites };
}
