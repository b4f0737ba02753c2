/**
 * Source rules for compile-time flags, from the TypeScript syntax tree. They exist because the bundler is
 * lenient where it hurts: a namespace import, a default import, a wrapper that re-exports `feature`,
 * `require` or `import()` of bun:bundle all build fine yet ship both branches, and an undeclared name folds
 * silently to false. Flag-owned modules must have no top-level side effects (the bundler keeps those even
 * when the flag is off). The rules on the flags themselves (stale, expired) are in flag-rules.ts.
 */
import ts from "typescript";
import { diagnostic, sortDiagnostics, type Diagnostic, type Place } from "../core/report/diagnostics.ts";
import { didYouMean } from "../core/report/suggest.ts";
import { BUN_BUNDLE, flagTestOf, isBunBundle, type FlagTest } from "./flag-sites.ts";
import { nodePlace } from "./places.ts";
import type { SourceFile, SourceGraph } from "./source-graph.ts";
import { plural } from "../core/text/plural.ts";

const NAMED_IMPORT = `import { feature } from "${BUN_BUNDLE}"`;

export interface SourceRulesInput {
  graph: SourceGraph;
  /** Names declared in data/features.yaml. */
  declared: string[];
  /** Root-relative paths of flag-owned (or replaced) modules, which must be free of top-level side effects. */
  ownedFiles: Set<string>;
}

export interface SourceRulesResult {
  diagnostics: Diagnostic[];
  /** Flag → files of bundled code that test it. */
  references: Map<string, Set<string>>;
}

export function checkSourceRules(input: SourceRulesInput): SourceRulesResult {
  const declared = new Set(input.declared);
  const diagnostics: Diagnostic[] = [];
  const references = new Map<string, Set<string>>();
  for (const file of input.graph.files.values()) {
    diagnostics.push(...importRules(file));
    for (const test of file.flags.tests) {
      diagnostics.push(...callRules(file, test, declared, input.declared));
      if (test.flag !== undefined && input.graph.bundled.has(file.path)) {
        let set = references.get(test.flag);
        if (!set) references.set(test.flag, (set = new Set()));
        set.add(file.path);
      }
    }
    diagnostics.push(...bareReferences(file));
    if (input.ownedFiles.has(file.path)) diagnostics.push(...topLevelSideEffects(file));
  }
  return { diagnostics: sortDiagnostics(diagnostics), references };
}

/** A re-export of `what` (bun:bundle itself, or its feature): the bundler folds only direct imports. */
const reexport = (place: Place, what: string) =>
  diagnostic(
    "bun-bundle-reexport",
    place,
    `re-export of ${what}: calls through a wrapper are not folded, so both branches ship`,
    `import it with ${NAMED_IMPORT} in each file that tests a flag`,
  );

function importRules(file: SourceFile): Diagnostic[] {
  const { sf } = file.flags;
  const out: Diagnostic[] = [];
  const at = (node: ts.Node) => nodePlace(file.path, sf, node);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && isBunBundle(node.moduleSpecifier)) {
      const c = node.importClause;
      if (!c) {
        out.push(
          diagnostic(
            "bun-bundle-import",
            at(node),
            `a side-effect import of "${BUN_BUNDLE}" does nothing at build time and fails at run time`,
            `write ${NAMED_IMPORT}`,
          ),
        );
      } else if (!c.isTypeOnly) {
        if (c.name)
          out.push(
            diagnostic(
              "bun-bundle-import",
              at(c.name),
              `default import of "${BUN_BUNDLE}": the bundler does not fold calls through it, so both branches ship`,
              `write ${NAMED_IMPORT}`,
            ),
          );
        const b = c.namedBindings;
        if (b && ts.isNamespaceImport(b))
          out.push(
            diagnostic(
              "bun-bundle-import",
              at(b),
              `namespace import of "${BUN_BUNDLE}": the bundler does not fold calls through it, so both branches ship`,
              `write ${NAMED_IMPORT}`,
            ),
          );
        if (b && ts.isNamedImports(b)) {
          for (const e of b.elements) {
            const imported = (e.propertyName ?? e.name).text;
            if (!e.isTypeOnly && imported !== "feature")
              out.push(
                diagnostic(
                  "bun-bundle-import",
                  at(e),
                  `"${BUN_BUNDLE}" has no export "${imported}" usable at run time`,
                  `write ${NAMED_IMPORT}`,
                ),
              );
          }
        }
      }
    } else if (ts.isImportDeclaration(node) && node.importClause && !node.importClause.isTypeOnly) {
      const b = node.importClause.namedBindings;
      const spec = ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : "?";
      if (b && ts.isNamedImports(b)) {
        for (const e of b.elements) {
          if (!e.isTypeOnly && (e.propertyName ?? e.name).text === "feature") {
            out.push(
              diagnostic(
                "feature-wrapper",
                at(e),
                `feature is imported from "${spec}", not from "${BUN_BUNDLE}": the bundler folds only direct imports, so both branches ship`,
                `write ${NAMED_IMPORT} in this file`,
              ),
            );
          }
        }
      }
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      isBunBundle(node.moduleReference.expression)
    ) {
      out.push(
        diagnostic(
          "bun-bundle-require",
          at(node),
          `require of "${BUN_BUNDLE}": it does not exist at run time and nothing is folded`,
          `write ${NAMED_IMPORT}`,
        ),
      );
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
      if (isBunBundle(node.moduleSpecifier)) {
        out.push(reexport(at(node), `"${BUN_BUNDLE}"`));
      } else if (!node.moduleSpecifier && node.exportClause && ts.isNamedExports(node.exportClause)) {
        const b = file.flags.bindings;
        for (const e of node.exportClause.elements) {
          const local = (e.propertyName ?? e.name).text;
          if (b.direct.has(local) || b.namespaces.has(local)) out.push(reexport(at(e), `feature from "${BUN_BUNDLE}"`));
        }
      }
    } else if (
      ts.isExportAssignment(node) &&
      ts.isIdentifier(node.expression) &&
      (file.flags.bindings.direct.has(node.expression.text) || file.flags.bindings.namespaces.has(node.expression.text))
    ) {
      out.push(reexport(at(node), `"${BUN_BUNDLE}"`));
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && isBunBundle(node.arguments[0])) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        out.push(
          diagnostic(
            "bun-bundle-dynamic-import",
            at(node),
            `import("${BUN_BUNDLE}") is not folded and fails at run time`,
            `write ${NAMED_IMPORT}`,
          ),
        );
      } else if (ts.isIdentifier(node.expression) && node.expression.text === "require") {
        out.push(
          diagnostic(
            "bun-bundle-require",
            at(node),
            `require("${BUN_BUNDLE}") is not folded and fails at run time`,
            `write ${NAMED_IMPORT}`,
          ),
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.flags.sf);
  return out;
}

function callRules(file: SourceFile, test: FlagTest, declared: Set<string>, names: string[]): Diagnostic[] {
  const { sf } = file.flags;
  const out: Diagnostic[] = [];
  const arg = test.call.arguments[0];
  if (test.call.arguments.length !== 1 || test.flag === undefined) {
    out.push(
      diagnostic(
        "flag-name-literal",
        nodePlace(file.path, sf, arg ?? test.call),
        test.call.arguments.length !== 1
          ? `feature() takes exactly one flag name, got ${plural(test.call.arguments.length, "argument")}`
          : `feature() needs a plain string literal, not \`${arg!.getText(sf)}\``,
        'write the name itself, e.g. feature("DEBUG"); a variable or expression is folded only by some build modes',
      ),
    );
  } else if (!declared.has(test.flag)) {
    const written = arg!.getText(sf);
    const escaped = /\\/.test(written) ? ` (written ${written})` : "";
    out.push(
      diagnostic(
        "undeclared-flag",
        nodePlace(file.path, sf, arg!),
        `flag "${test.flag}"${escaped} is not declared in data/features.yaml; the bundler would fold it to false silently`,
        didYouMean(test.flag, names) ?? "declare it in data/features.yaml, then run `npm run generate`",
      ),
    );
  }
  if (test.via === "direct" && !inCondition(test.call)) {
    out.push(
      diagnostic(
        "feature-position",
        nodePlace(file.path, sf, test.call),
        "feature() may only stand in an if or ternary condition (optionally under !, &&, ||, ===, parentheses)",
        "move the call into `if (feature(...))` or `feature(...) ? a : b`",
      ),
    );
  }
  return out;
}

/** Climbs through !, &&, ||, ==/===/!=/!==, parentheses; true when it then stands as an if or ternary condition. */
function inCondition(call: ts.Node): boolean {
  let child: ts.Node = call;
  let parent = call.parent;
  const passThrough = new Set([
    ts.SyntaxKind.AmpersandAmpersandToken,
    ts.SyntaxKind.BarBarToken,
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
  ]);
  while (
    (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) ||
    ts.isParenthesizedExpression(parent) ||
    (ts.isBinaryExpression(parent) && passThrough.has(parent.operatorToken.kind))
  ) {
    child = parent;
    parent = parent.parent;
  }
  return (ts.isIfStatement(parent) && parent.expression === child) || (ts.isConditionalExpression(parent) && parent.condition === child);
}

/** `feature` used as a value (passed, stored, returned) instead of called. */
function bareReferences(file: SourceFile): Diagnostic[] {
  const { sf, bindings } = file.flags;
  const out: Diagnostic[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isExportAssignment(node)) return;
    if (ts.isIdentifier(node) && bindings.direct.has(node.text)) {
      let callee: ts.Node = node;
      while (ts.isParenthesizedExpression(callee.parent)) callee = callee.parent;
      const p = node.parent;
      const called = ts.isCallExpression(callee.parent) && callee.parent.expression === callee && flagTestOf(callee.parent, bindings);
      const declaration =
        (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p)) &&
        (p as { name?: ts.Node }).name === node;
      if (!called && !declaration) {
        out.push(
          diagnostic(
            "feature-position",
            nodePlace(file.path, sf, node),
            "feature is used as a value; the bundler folds only direct calls in an if or ternary condition",
            'call it directly: if (feature("NAME"))',
          ),
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Top-level statements that run on import; the bundler keeps them even when nothing of the module is used. */
export function topLevelSideEffects(file: SourceFile): Diagnostic[] {
  const { sf } = file.flags;
  const out: Diagnostic[] = [];
  for (const s of sf.statements) {
    if (
      ts.isImportDeclaration(s) ||
      ts.isFunctionDeclaration(s) ||
      ts.isClassDeclaration(s) ||
      ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isEnumDeclaration(s) ||
      ts.isModuleDeclaration(s) ||
      ts.isEmptyStatement(s)
    )
      continue;
    if (ts.isVariableStatement(s) && s.declarationList.declarations.every((d) => isPure(d.initializer))) continue;
    out.push(
      diagnostic(
        "owned-module-side-effect",
        nodePlace(file.path, sf, s),
        "top-level code in a flag-owned module runs on import and ships even when its flag is off",
        "move it into a function the flag's branch calls",
      ),
    );
  }
  return out;
}

function isPure(e: ts.Expression | undefined): boolean {
  if (!e) return true;
  if (
    ts.isLiteralExpression(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    ts.isRegularExpressionLiteral(e) ||
    ts.isArrowFunction(e) ||
    ts.isFunctionExpression(e) ||
    ts.isClassExpression(e)
  )
    return true;
  if (
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.NullKeyword ||
    ts.isIdentifier(e)
  )
    return true;
  if (ts.isPrefixUnaryExpression(e)) return isPure(e.operand);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return isPure(e.expression);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && isPure(x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every(
      (p) =>
        (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isPure(p.initializer)) ||
        ts.isMethodDeclaration(p) ||
        ts.isShorthandPropertyAssignment(p),
    );
  }
  return false;
}
