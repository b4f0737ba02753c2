/**
 * Source rules for feature() in the app and the examples, through the verify core (TypeScript parser):
 * named import only, plain string literal of a declared flag, call directly in an if/ternary condition;
 * feature modules and core have no feature() and no bun:bundle; feature modules no top-level side effects.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import ts from "typescript";
import { loadModel } from "../../src/core/model/model.ts";
import { checkSourceRules, topLevelSideEffects } from "../../src/verify/source-rules.ts";
import { globFiles } from "../../src/verify/places.ts";
import { loadSourceGraph, sourceGraphOf } from "../../src/verify/source-graph.ts";

const ROOT = join(import.meta.dir, "../..");
const { model } = loadModel(ROOT);
const flags = model.records.features;
const graph = loadSourceGraph(ROOT, ["src/app/main.ts"], globFiles(ROOT, ["src/examples/**/*.ts"]));

function guards(files: Iterable<{ flags: { sites: { node: ts.Node; arms: { kind: string }[] }[] } }>) {
  const g = { ifs: 0, elses: 0, ternaries: 0 };
  for (const f of files) {
    for (const s of f.flags.sites) {
      if (ts.isIfStatement(s.node)) {
        g.ifs++;
        if (s.arms.some((a) => a.kind === "else")) g.elses++;
      } else g.ternaries++;
    }
  }
  return g;
}

describe("feature() source rules", () => {
  test("app and examples follow the rules; every flag is used; if, else and ternary guards all appear", () => {
    const r = checkSourceRules({ graph, declared: flags.map((f) => f.record.name), ownedFiles: new Set() });
    expect(r.diagnostics).toEqual([]);
    expect([...r.references.keys()].sort()).toEqual(flags.map((f) => f.record.name).sort());
    expect([...graph.files.keys()]).toContain("src/examples/registry-features.ts");
    const g = guards(graph.files.values());
    expect(g.ifs).toBeGreaterThan(27);
    expect(g.elses).toBeGreaterThan(2);
    expect(g.ternaries).toBeGreaterThan(5);
  });

  test("feature modules and core: no feature() calls, no bun:bundle; feature modules without top-level side effects", () => {
    const files = [...graph.files.values()].filter((f) => f.path.startsWith("src/app/features/") || f.path.startsWith("src/app/core/"));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      expect({ f: f.path, bundle: f.text.includes("bun:bundle"), tests: f.flags.tests.length }).toEqual({
        f: f.path,
        bundle: false,
        tests: 0,
      });
      if (f.path.includes("/features/")) expect(topLevelSideEffects(f)).toEqual([]);
    }
  });

  test("the checker catches violations, each at its line", () => {
    const declared = flags.filter((f) => f.record.name === "DEBUG" || f.record.name === "MOCK_API");
    const src = [
      'import * as b from "bun:bundle";', // 1
      'import { feature } from "bun:bundle";', // 2
      'const x = feature("DEBUG");', // 3
      'if (feature("DEBUGG")) {}', // 4
      'const n = "DEBUG"; if (feature(n)) {}', // 5
      'foo(feature("MOCK_API"));', // 6
      'if (!feature("DEBUG") && (feature("MOCK_API") || y)) {} else {}', // 7
      'const z = feature("MOCK_API") ? 1 : 2;', // 8
      'if (feature("\\u0044EBUG")) {}', // 9: escapes decoded, so this is DEBUG
      "export { feature };", // 10
      'const r = require("bun:bundle");', // 11
      'const d = await import("bun:bundle");', // 12
      "Object.freeze({});", // 13
    ].join("\n");
    const g = sourceGraphOf([{ path: "x.ts", text: src }]);
    const r = checkSourceRules({ graph: g, declared: declared.map((f) => f.record.name), ownedFiles: new Set() });
    // Each violation once, at its own line and column; line 9 is DEBUG written with an escape, so it passes.
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`)).toEqual([
      "1:8 bun-bundle-import",
      "3:11 feature-position",
      "4:13 undeclared-flag",
      "5:32 flag-name-literal",
      "6:5 feature-position",
      "10:10 bun-bundle-reexport",
      "11:11 bun-bundle-require",
      "12:17 bun-bundle-dynamic-import",
    ]);
    expect(r.diagnostics.find((d) => d.rule === "undeclared-flag")?.hint).toBe('did you mean "DEBUG"?');
    expect([...r.references.keys()].sort()).toEqual(["DEBUG", "DEBUGG", "MOCK_API"]);
    expect(guards(g.files.values())).toEqual({ ifs: 4, elses: 1, ternaries: 1 });
  });

  test("top-level side effects in an owned module are found; declarations are not", () => {
    const src = [
      'import { x } from "./x.ts";',
      "export const LIMIT = 10;",
      "const table = { a: 1, b: [1, 2], f: () => 1 };",
      "export function f() { return table; }",
      "export class C {}",
      'console.log("loaded");', // 6
      "const started = Date.now();", // 7
      "globalThis.x = 1;", // 8
    ].join("\n");
    const g = sourceGraphOf([{ path: "m.ts", text: src }]);
    expect(topLevelSideEffects(g.files.get("m.ts")!).map((d) => `${d.line} ${d.rule}`)).toEqual([
      "6 owned-module-side-effect",
      "7 owned-module-side-effect",
      "8 owned-module-side-effect",
    ]);
  });
});
