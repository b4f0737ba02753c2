/**
 * Source rules for feature() in the app and the examples, checked with the TypeScript parser:
 * named import only, plain string literal of a declared flag, call directly in an if/ternary
 * condition; feature modules and core have no feature() and no top-level side effects.
 */
import { describe, expect, test } from "bun:test";
import { join, relative } from "node:path";
import ts from "typescript";

const ROOT = join(import.meta.dir, "../..");

function files(dir: string): string[] {
  return [...new Bun.Glob("**/*.ts").scanSync(join(ROOT, dir))].map((f) => join(ROOT, dir, f)).sort();
}

async function parse(path: string): Promise<ts.SourceFile> {
  return ts.createSourceFile(path, await Bun.file(path).text(), ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
}

function declaredFlags(registry: string): Set<string> {
  return new Set([...(/features:([^;]*);/.exec(registry)?.[1] ?? "").matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!));
}

/** Violations of the feature() rules in one file; also returns the flags used. */
function check(sf: ts.SourceFile, declared: Set<string>): { problems: string[]; used: Set<string>; guards: { ifs: number; elses: number; ternaries: number } } {
  const problems: string[] = [];
  const used = new Set<string>();
  const guards = { ifs: 0, elses: 0, ternaries: 0 };
  const where = (n: ts.Node) => `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === "bun:bundle") {
      const b = node.importClause?.namedBindings;
      const ok = !node.importClause?.name && b && ts.isNamedImports(b) && b.elements.every((e) => (e.propertyName ?? e.name).text === "feature" && e.name.text === "feature");
      if (!ok) problems.push(`${where(node)}: only \`import { feature } from "bun:bundle"\` is allowed`);
    }
    if ((ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === "bun:bundle") ||
        (ts.isCallExpression(node) && node.arguments.some((a) => ts.isStringLiteral(a) && a.text === "bun:bundle"))) {
      problems.push(`${where(node)}: bun:bundle must not be re-exported, required or imported dynamically`);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "feature") {
      const arg = node.arguments[0];
      if (node.arguments.length !== 1 || !arg || !ts.isStringLiteral(arg)) problems.push(`${where(node)}: feature() needs one plain string literal`);
      else if (!declared.has(arg.text)) problems.push(`${where(node)}: undeclared flag ${arg.text}`);
      else used.add(arg.text);
      // Climb through !, &&, ||, parentheses to the enclosing condition.
      let child: ts.Node = node;
      let parent = node.parent;
      while (
        (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) ||
        ts.isParenthesizedExpression(parent) ||
        (ts.isBinaryExpression(parent) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken].includes(parent.operatorToken.kind))
      ) {
        child = parent;
        parent = parent.parent;
      }
      if (ts.isIfStatement(parent) && parent.expression === child) {
        guards.ifs++;
        if (parent.elseStatement) guards.elses++;
      } else if (ts.isConditionalExpression(parent) && parent.condition === child) guards.ternaries++;
      else problems.push(`${where(node)}: feature() must sit directly in an if or ternary condition`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { problems, used, guards };
}

/** Top-level statements allowed in side-effect-free modules. */
function sideEffects(sf: ts.SourceFile): string[] {
  const bad: string[] = [];
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) || ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isExportDeclaration(s)) continue;
    if (ts.isVariableStatement(s)) {
      const pure = (e: ts.Expression | undefined): boolean =>
        !e || ts.isLiteralExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isRegularExpressionLiteral(e) || ts.isArrowFunction(e) ||
        ts.isFunctionExpression(e) || (ts.isPrefixUnaryExpression(e) && pure(e.operand)) ||
        (ts.isArrayLiteralExpression(e) && e.elements.every((x) => pure(x as ts.Expression))) ||
        (ts.isObjectLiteralExpression(e) && e.properties.every((p) => (ts.isPropertyAssignment(p) && pure(p.initializer)) || ts.isMethodDeclaration(p))) ||
        (ts.isAsExpression(e) && pure(e.expression));
      if (s.declarationList.declarations.every((d) => pure(d.initializer))) continue;
    }
    bad.push(`${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(s.getStart()).line + 1}`);
  }
  return bad;
}

describe("feature() source rules", () => {
  test("app and examples follow the rules; every flag is used; if, else and ternary guards all appear", async () => {
    const declared = declaredFlags(await Bun.file(join(ROOT, "src/generated/registry.ts")).text());
    const problems: string[] = [];
    const used = new Set<string>();
    const guards = { ifs: 0, elses: 0, ternaries: 0 };
    for (const f of [...files("src/app"), ...files("src/examples")]) {
      const r = check(await parse(f), declared);
      problems.push(...r.problems);
      r.used.forEach((u) => used.add(u));
      guards.ifs += r.guards.ifs;
      guards.elses += r.guards.elses;
      guards.ternaries += r.guards.ternaries;
    }
    expect(problems).toEqual([]);
    expect([...used].sort()).toEqual([...declared].sort());
    expect(guards.ifs).toBeGreaterThan(27);
    expect(guards.elses).toBeGreaterThan(2);
    expect(guards.ternaries).toBeGreaterThan(5);
  });

  test("feature modules and core: no feature() calls, no bun:bundle; feature modules without top-level side effects", async () => {
    const declared = new Set<string>();
    for (const f of [...files("src/app/features"), ...files("src/app/core")]) {
      const sf = await parse(f);
      expect({ f: relative(ROOT, f), bundle: sf.text.includes("bun:bundle"), used: [...check(sf, declared).used] }).toEqual({ f: relative(ROOT, f), bundle: false, used: [] });
      if (f.includes("/features/")) expect(sideEffects(sf)).toEqual([]);
    }
  });

  test("the checker catches violations", () => {
    const declared = new Set(["A", "B"]);
    const src = [
      'import * as b from "bun:bundle";',
      "const x = feature(\"A\");",
      "if (feature(\"TYPO\")) {}",
      "const n = \"A\"; if (feature(n)) {}",
      "foo(feature(\"B\"));",
      "if (!feature(\"A\") && (feature(\"B\") || y)) {} else {}",
      "const z = feature(\"B\") ? 1 : 2;",
      "Object.freeze({});",
    ].join("\n");
    const sf = ts.createSourceFile(join(ROOT, "x.ts"), src, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
    const r = check(sf, declared);
    expect(r.problems.map((p) => p.replace(/^x\.ts:\d+: /, ""))).toEqual([
      'only `import { feature } from "bun:bundle"` is allowed',
      "feature() must sit directly in an if or ternary condition",
      "undeclared flag TYPO",
      "feature() needs one plain string literal",
      "feature() must sit directly in an if or ternary condition",
    ]);
    expect(r.guards).toEqual({ ifs: 4, elses: 2, ternaries: 1 });
    expect(sideEffects(sf).length).toBe(7);
  });
});
