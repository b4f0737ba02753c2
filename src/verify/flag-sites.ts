/**
 * Where a source file reads compile-time flags, from the TypeScript syntax tree: the bindings that name
 * `feature`, every flag test (a call of it), every guarded site (an `if` or ternary whose condition tests a
 * flag) with its arms, and the function that hosts each arm. The source rules, the probe build and the
 * leak finder all read this one analysis, so they agree on what a guarded site is.
 */
import ts from "typescript";
import { armShips, type Cond } from "./source-facts.ts";

export const BUN_BUNDLE = "bun:bundle";

export interface FeatureBindings {
  /** Local names bound by `import { feature [as f] } from "bun:bundle"`. */
  direct: Set<string>;
  /** Namespace or default imports of bun:bundle: `ns.feature(...)` is a flag test the bundler does not fold. */
  namespaces: Set<string>;
  /** `feature` imported from another module, e.g. a wrapper that re-exports it: not folded either. */
  foreign: Map<string, string>;
}

export interface FlagTest {
  call: ts.CallExpression;
  /** The flag named, escapes decoded; undefined when the argument is not a plain string literal. */
  flag: string | undefined;
  via: "direct" | "namespace" | "foreign";
}

export type ArmKind = "then" | "else";

export interface GuardArm {
  /** Stable id within one analysis run, also the probe marker. */
  id: string;
  kind: ArmKind;
  site: GuardSite;
  /** The statement or expression that is kept or dropped. */
  node: ts.Node;
  /** Id of the function that contains the arm, or undefined for module top level. */
  host: string | undefined;
}

export interface GuardSite {
  node: ts.IfStatement | ts.ConditionalExpression;
  condition: ts.Expression;
  arms: GuardArm[];
}

export interface Host {
  id: string;
  node: ts.SignatureDeclaration & { body?: ts.ConciseBody | ts.Block };
}

export interface FileFlags {
  sf: ts.SourceFile;
  bindings: FeatureBindings;
  tests: FlagTest[];
  sites: GuardSite[];
  /** Functions that contain at least one arm, for the probe's liveness marker. */
  hosts: Host[];
  /** Arms by the node they guard, to find the arms enclosing any node. */
  armOf: Map<ts.Node, GuardArm>;
}

export function parseSource(fileName: string, text: string): ts.SourceFile {
  const kind = fileName.endsWith(".tsx")
    ? ts.ScriptKind.TSX
    : fileName.endsWith(".js") || fileName.endsWith(".mjs")
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.ESNext, true, kind);
}

export function isBunBundle(node: ts.Node | undefined): boolean {
  return !!node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text === BUN_BUNDLE;
}

export function featureBindings(sf: ts.SourceFile): FeatureBindings {
  const b: FeatureBindings = { direct: new Set(), namespaces: new Set(), foreign: new Map() };
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !s.importClause || s.importClause.isTypeOnly) continue;
    const spec = ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : "";
    const clause = s.importClause;
    const named = clause.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
    if (spec === BUN_BUNDLE) {
      if (clause.name) b.namespaces.add(clause.name.text);
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) b.namespaces.add(clause.namedBindings.name.text);
      for (const e of named) if (!e.isTypeOnly && (e.propertyName ?? e.name).text === "feature") b.direct.add(e.name.text);
    } else {
      for (const e of named) if (!e.isTypeOnly && (e.propertyName ?? e.name).text === "feature") b.foreign.set(e.name.text, spec);
    }
  }
  return b;
}

/** A plain literal the bundler and a reader agree on: "A", 'A', `A`, optionally `as const`. */
export function literalFlagName(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  let e = arg;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isAsExpression(e) && ts.isTypeReferenceNode(e.type) && e.type.typeName.getText() === "const") e = e.expression;
  return ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : undefined;
}

/** `(feature)` and `((ns.feature))` call the same function: Bun folds them like the bare name. */
export function unparenthesized(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

export function flagTestOf(node: ts.Node, b: FeatureBindings): FlagTest | undefined {
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unparenthesized(node.expression);
  let via: FlagTest["via"] | undefined;
  if (ts.isIdentifier(callee)) {
    if (b.direct.has(callee.text)) via = "direct";
    else if (b.foreign.has(callee.text)) via = "foreign";
  } else if (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === "feature" &&
    ts.isIdentifier(callee.expression) &&
    b.namespaces.has(callee.expression.text)
  ) {
    via = "namespace";
  }
  if (!via) return undefined;
  return { call: node, flag: node.arguments.length === 1 ? literalFlagName(node.arguments[0]) : undefined, via };
}

function containsFlagTest(expr: ts.Node, b: FeatureBindings): boolean {
  if (flagTestOf(expr, b)) return true;
  return ts.forEachChild(expr, (c) => (containsFlagTest(c, b) ? true : undefined)) ?? false;
}

/** A node that can host flag calls as a function: a declaration, expression, arrow, method, constructor or accessor. */
export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** Analyses one file. `nextId` numbers arms and hosts across files so ids are unique in a run. */
export function analyzeFlags(sf: ts.SourceFile, nextId: () => number): FileFlags {
  const bindings = featureBindings(sf);
  const tests: FlagTest[] = [];
  const sites: GuardSite[] = [];
  const hosts = new Map<ts.Node, Host>();
  const armOf = new Map<ts.Node, GuardArm>();
  const hostOf = (node: ts.Node): string | undefined => {
    for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
      if (isFunctionLike(p) && p.body) {
        let h = hosts.get(p);
        if (!h) hosts.set(p, (h = { id: `H${nextId()}`, node: p }));
        return h.id;
      }
    }
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    const test = flagTestOf(node, bindings);
    if (test) tests.push(test);
    let condition: ts.Expression | undefined;
    let arms: [ArmKind, ts.Node | undefined][] = [];
    if (ts.isIfStatement(node)) {
      condition = node.expression;
      arms = [
        ["then", node.thenStatement],
        ["else", node.elseStatement],
      ];
    } else if (ts.isConditionalExpression(node)) {
      condition = node.condition;
      arms = [
        ["then", node.whenTrue],
        ["else", node.whenFalse],
      ];
    }
    if (condition && containsFlagTest(condition, bindings)) {
      const site: GuardSite = { node: node as GuardSite["node"], condition, arms: [] };
      for (const [kind, armNode] of arms) {
        if (!armNode) continue;
        const arm: GuardArm = { id: `S${nextId()}`, kind, site, node: armNode, host: hostOf(node) };
        site.arms.push(arm);
        armOf.set(armNode, arm);
      }
      sites.push(site);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sf, bindings, tests, sites, hosts: [...hosts.values()], armOf };
}

/**
 * A condition as plain data: flag tests, !, &&, ||, parentheses, literals; anything else is undecided.
 * Every flag test counts, even through a namespace import or a wrapper that the bundler does not fold:
 * the expectation is what the flags imply, and the probe build shows whether the bundler delivered it.
 */
export function condOf(expr: ts.Expression, b: FeatureBindings): Cond {
  const test = flagTestOf(expr, b);
  if (test) return test.flag !== undefined ? { flag: test.flag } : { unknown: true };
  if (ts.isParenthesizedExpression(expr)) return condOf(expr.expression, b);
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.ExclamationToken) return { not: condOf(expr.operand, b) };
  if (ts.isBinaryExpression(expr)) {
    const op = expr.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return { and: [condOf(expr.left, b), condOf(expr.right, b)] };
    if (op === ts.SyntaxKind.BarBarToken) return { or: [condOf(expr.left, b), condOf(expr.right, b)] };
    // feature("A") === true, false !== feature("A"): the bundler folds the comparison with a boolean literal.
    const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    if (equal || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) {
      const left = condOf(expr.left, b);
      const right = condOf(expr.right, b);
      const [literal, other] = "value" in right ? [right, left] : [left, right];
      if ("value" in literal) return literal.value === equal ? other : { not: other };
    }
  }
  return { unknown: true };
}

/** The arms enclosing a node, innermost first. */
export function enclosingArms(node: ts.Node, file: Pick<FileFlags, "armOf">): GuardArm[] {
  const out: GuardArm[] = [];
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    const arm = file.armOf.get(n);
    if (arm) out.push(arm);
  }
  return out;
}

/** The conditions that decide whether code at a node ships: one per enclosing arm. */
export function guardsOf(node: ts.Node, file: Pick<FileFlags, "armOf" | "bindings">): { cond: Cond; kind: ArmKind }[] {
  return enclosingArms(node, file).map((a) => ({ cond: condOf(a.site.condition, file.bindings), kind: a.kind }));
}

/** False when some enclosing arm is folded away under these flags: code there cannot ship. */
export function canShip(node: ts.Node, file: Pick<FileFlags, "armOf" | "bindings">, on: ReadonlySet<string>): boolean {
  return armShips({ guards: guardsOf(node, file) }, on);
}

/** Flags a condition tests. */
export function flagsIn(expr: ts.Node, b: FeatureBindings): string[] {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    const t = flagTestOf(n, b);
    if (t?.flag !== undefined) names.add(t.flag);
    ts.forEachChild(n, visit);
  };
  visit(expr);
  return [...names];
}

/** `if (!feature("A"))` or `feature("A") ? …`, for messages. */
export function describeSite(site: GuardSite): string {
  const cond = site.condition.getText().replace(/\s+/g, " ");
  const short = cond.length > 60 ? `${cond.slice(0, 57)}...` : cond;
  return ts.isIfStatement(site.node) ? `if (${short})` : `${short} ? … : …`;
}
