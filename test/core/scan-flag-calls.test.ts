/**
 * check reads each file's `feature()` calls and imports with oxc (src/core/source/scan-flag-calls.ts), verify
 * with TypeScript (src/verify/flag-calls.ts over flag-sites.ts and source-graph.ts). The two must give the same
 * facts, so check and verify agree on what a flag test and an import are: here on every source file of the
 * repository and on the cases where the two could part (bindings, literal forms, positions, erased imports).
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { mayNestTooDeep, oxcFlagCalls, scanFlagCalls } from "../../src/core/source/scan-flag-calls.ts";
import { flagCallsOf } from "../../src/verify/flag-calls.ts";
import { REPO } from "../helpers/project.ts";

/** Every .ts, .tsx, .js and .mjs file under `dirs` (root-relative). */
function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const e of readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })) {
      const path = relative(REPO, join(e.parentPath, e.name));
      // Dot folders hold what tests and builds leave behind (test/.work), not sources.
      if (e.isFile() && /\.(ts|tsx|js|mjs)$/.test(e.name) && !path.split("/").some((s) => s.startsWith("."))) out.push(path);
    }
  }
  return out.sort();
}

const BUN = `import { feature } from "bun:bundle";\n`;

/** Cases where a scanner could part from TypeScript: each must give the same facts from both. */
const SNIPPETS: Record<string, string> = {
  "renamed.ts": `import { feature as isOn } from "bun:bundle";\nif (isOn("A")) {}\nif (feature("NOT_BOUND")) {}\n`,
  "namespace.ts": `import * as bb from "bun:bundle";\nimport def from "bun:bundle";\nbb.feature("A"); def.feature("B"); bb?.feature("C");\nbb["feature"]("NOT_COMPUTED"); other.feature("NOT_NS"); bb.other("NOT_FEATURE");\n`,
  "default-and-named.ts": `import bb, { feature as f, type feature as g } from "bun:bundle";\nbb.feature("A"); f("B"); g("NOT_TYPE");\n`,
  "string-name.ts": `import { "feature" as f } from "bun:bundle";\nf("A");\n`,
  "foreign.ts": `import { feature } from "./flags.ts";\nimport { feature as other } from "pkg";\nfeature("A"); other('B');\n`,
  "type-only.ts": `import type { feature } from "bun:bundle";\nimport type * as ns from "bun:bundle";\nimport { type feature as f } from "bun:bundle";\nfeature("NO"); ns.feature("NO"); f("NO");\nimport type { T } from "./types.ts";\nimport { type U } from "./types-too.ts";\nimport {} from "./empty.ts";\nimport /* { } */ "./bare.ts";\nimport "./bare-too.ts";\nimport V, { type W } from "./value.ts";\n`,
  "exports.ts": `export * from "./all.ts";\nexport * as ns from "./ns.ts";\nexport { a } from "./a.ts";\nexport {} from "./none.ts";\nexport type { T } from "./type.ts";\nexport type * from "./types.ts";\nexport { type U } from "./mixed.ts";\nexport const x = 1;\n`,
  "dynamic.ts": `const a = await import("./dyn.ts");\nconst b = import(\`./tpl.ts\`);\nconst c = import(\`./\${a}.ts\`);\nconst d = require("./req.ts");\nconst e = require(\`./req-tpl.ts\`);\nconst f = require(name);\nconst g = (require)("./paren.ts");\nconst h = require?.("./opt.ts");\nimport x = require("./equals.ts");\nexport = require("./export-equals.ts");\ntype T = typeof import("./type-import.ts");\nimport("./dyn.ts");\nrequire("./req.ts", 2);\n`,
  "literals.ts": `${BUN}feature("A"); feature('B'); feature(\`C\`); feature(\`D\${x}\`); feature(("E")); feature("F" as const);\nfeature(("G") as const); feature(("H" as const)); feature("I" as const as const); feature("J" satisfies string);\nfeature(<const>"K"); feature("\\x4c"); feature("M", "N"); feature(); feature(...["O"]); feature(name);\nfeature("P" as string); feature(\`Q\\u0051\`);\n`,
  "callees.ts": `import * as ns from "bun:bundle";\n${BUN}(feature)("A"); ((feature))("B"); (ns.feature)("C"); ((ns.feature))("D"); feature?.("E"); feature<string>("F");\nnew feature("G"); feature\`H\`; (feature as any)("I"); feature!("J"); (0, feature)("K");\n`,
  "not-calls.ts": `${BUN}// feature("COMMENT")\n/* feature("BLOCK") */\nconst s = 'feature("STRING")';\nconst t = \`feature("TEMPLATE") \${feature("INSIDE")}\`;\nconst r = /feature\\("REGEX"\\)/;\n`,
  "unicode.ts": `${BUN}const é = "😀😀"; if (feature("AFTER_EMOJI")) {}\n/* 日本語 */ feature('AFTER_CJK');\nconst s = "\\uD800"; feature("AFTER_ESCAPE");\n`,
  "raw-characters.ts": `${BUN}const s = "\uD800\uDC00\uDC00\0"; feature("AFTER_LONE_SURROGATE");\n// \uD800\nfeature('A')\u00A0;\u0085feature('NEL_IS_NO_LINE_BREAK');\n`,
  "line-breaks.ts": `${BUN}feature("LF");\r\nfeature("CRLF");\rfeature("CR");\u2028feature("LS");\u2029feature("PS");\n`,
  "bom.ts": `\uFEFF${BUN}feature("AFTER_BOM");\n`,
  "hashbang.ts": `#!/usr/bin/env bun\n${BUN}feature("A");\n`,
  "jsx.tsx": `${BUN}import { View } from "./view.tsx";\nexport const C = () => <View on={feature("A")}>feature("TEXT") {feature("B") ? <b /> : null}</View>;\n`,
  "jsx.js": `${BUN}export const C = () => <div hidden={feature("A")}>{require("./x.js")}</div>;\n`,
  "script.mjs": `${BUN}export default feature("A");\n`,
  "nested.ts": `${BUN}class K {\n  @dec(feature("DECORATOR")) m() { return () => feature("ARROW"); }\n  static { feature("STATIC"); }\n}\nfunction shadow(feature: (n: string) => boolean) { return feature("SHADOWED"); }\nnamespace N { feature("NAMESPACE"); }\ndeclare module "m" { import x from "./in-module.ts"; }\nenum E { A = feature("ENUM") ? 1 : 0 }\n`,
  "order.ts": `import "./b.ts";\n${BUN}import "./a.ts";\nimport "./b.ts";\nexport * from "./a.ts";\nconst x = () => import("./c.ts");\nimport "./d.ts";\nfeature("Z"); feature("A");\n`,
  "nested-import.ts": `function f() { ${BUN.trim()} return feature("NOT_TOP_LEVEL"); }\n`,
  "no-flags.ts": "export const x = 1;\n",
  "empty.ts": "",
};

/** Files oxc reports a syntax error in: check answers with TypeScript's recovery there. */
const BROKEN: Record<string, string> = {
  "unclosed.ts": `${BUN}import "./a.ts";\nfeature("A");\nif (feature("B") {\n  feature("C");\n`,
  "jsx-in-ts.ts": `${BUN}const x = <div>{feature("A")}</div>;\nfeature("B");\n`,
  "types-in-js.js": `${BUN}const x: number = 1;\nfeature("A");\n`,
  // TypeScript reads a .jsx file as TS (flag-sites.ts parseSource), where JSX is a syntax error.
  "component.jsx": `${BUN}export const C = () => <div>{feature("A")}</div>;\nfeature("B");\n`,
};

describe("check's oxc scan agrees with verify's TypeScript facts", () => {
  test("on every source file of the repository", () => {
    const files = sourceFiles(["src", "test", "bench", "scripts"]);
    expect(files.length).toBeGreaterThan(200);
    const parted: string[] = [];
    let calls = 0;
    for (const path of files) {
      const text = readFileSync(join(REPO, path), "utf8");
      const ts = flagCallsOf(path, text);
      calls += ts.calls.length;
      // Each file the repository holds parses with oxc: the agreement is oxc's, not the fallback's.
      const oxc = oxcFlagCalls(path, text);
      if (!Bun.deepEquals(oxc, ts, true)) parted.push(`${path}\n  oxc ${JSON.stringify(oxc)}\n  ts  ${JSON.stringify(ts)}`);
    }
    expect(parted).toEqual([]);
    // The corpus exercises the rule: the app's and the fixtures' flag calls are among the files.
    expect(calls).toBeGreaterThan(50);
  });

  for (const [path, text] of Object.entries(SNIPPETS)) {
    test(`on ${path}`, () => {
      const oxc = oxcFlagCalls(path, text);
      expect(oxc).toBeDefined();
      expect(oxc).toEqual(flagCallsOf(path, text));
    });
  }

  test("the snippets cover what they name: renamed, namespace, foreign and literal calls, erased imports, positions", () => {
    const calls = (path: string) => oxcFlagCalls(path, SNIPPETS[path]!)!.calls;
    expect(calls("renamed.ts").map((c) => c.flag)).toEqual(["A"]);
    expect(calls("namespace.ts").map((c) => c.flag)).toEqual(["A", "B", "C"]);
    expect(calls("foreign.ts").map((c) => c.flag)).toEqual(["A", "B"]);
    expect(calls("type-only.ts")).toEqual([]);
    expect(oxcFlagCalls("type-only.ts", SNIPPETS["type-only.ts"]!)!.imports).toEqual(["./bare.ts", "./bare-too.ts", "./value.ts"]);
    expect(calls("literals.ts").map((c) => c.flag)).toEqual(["A", "B", "C", "E", "F", "H", "L", "QQ"]);
    expect(calls("callees.ts").map((c) => c.flag)).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(calls("not-calls.ts").map((c) => c.flag)).toEqual(["INSIDE"]);
    // Columns count UTF-16 code units, as TypeScript and editors do: in UTF-8 bytes the first would be 36.
    expect(calls("unicode.ts")).toEqual([
      { flag: "AFTER_EMOJI", line: 2, col: 31 },
      { flag: "AFTER_CJK", line: 3, col: 19 },
      { flag: "AFTER_ESCAPE", line: 4, col: 29 },
    ]);
    expect(calls("line-breaks.ts").map((c) => `${c.flag}@${c.line}:${c.col}`)).toEqual([
      "LF@2:9",
      "CRLF@3:9",
      "CR@4:9",
      "LS@5:9",
      "PS@6:9",
    ]);
    expect(calls("raw-characters.ts").map((c) => `${c.flag}@${c.line}:${c.col}`)).toEqual([
      "AFTER_LONE_SURROGATE@2:27",
      "A@4:9",
      "NEL_IS_NO_LINE_BREAK@4:24",
    ]);
    expect(calls("bom.ts")).toEqual([{ flag: "AFTER_BOM", line: 2, col: 9 }]);
    expect(oxcFlagCalls("dynamic.ts", SNIPPETS["dynamic.ts"]!)!.imports).toEqual([
      "./dyn.ts",
      "./tpl.ts",
      "./req.ts",
      "./req-tpl.ts",
      "./opt.ts",
      "./export-equals.ts",
    ]);
    expect(oxcFlagCalls("order.ts", SNIPPETS["order.ts"]!)).toEqual({
      imports: ["./b.ts", "bun:bundle", "./a.ts", "./c.ts", "./d.ts"],
      calls: [
        { flag: "Z", line: 8, col: 9 },
        { flag: "A", line: 8, col: 23 },
      ],
    });
  });

  for (const [path, text] of Object.entries(BROKEN)) {
    test(`a file oxc cannot parse (${path}) gets TypeScript's facts`, () => {
      expect(oxcFlagCalls(path, text)).toBeUndefined();
      const ts = flagCallsOf(path, text);
      expect(ts.calls.length).toBeGreaterThan(0);
      expect(scanFlagCalls(path, text)).toEqual(ts);
    });
  }

  // Shapes that overflow oxc's native stack at these depths (SIGSEGV, measured with Bun 1.4 and rolldown 1.2),
  // and where TypeScript's own parser runs out of stack too.
  const DEEP: Record<string, string> = {
    brackets: `${"[".repeat(30_000)}${"]".repeat(30_000)}`,
    templates: `${"`${".repeat(6_000)}1${"}`".repeat(6_000)}`,
    ternaries: `${"a ? ".repeat(30_000)}1${" : 0".repeat(30_000)}`,
    arrows: `${"() => ".repeat(30_000)}1`,
    "type arguments": `null as ${"A<".repeat(30_000)}B${">".repeat(30_000)}`,
    "keyof chain": `null as ${"keyof ".repeat(120_000)}A`,
    "keyof chain parted by no-break spaces": `null as ${"keyof\u00a0".repeat(120_000)}A`,
    "string sum": Array(120_000).fill('"a"').join("+"),
  };

  test("a file that could overflow oxc's stack goes to TypeScript: a RangeError, as before, never a killed process", () => {
    for (const [shape, body] of Object.entries(DEEP)) {
      const text = `${BUN}feature("A");\nexport const x = ${body};\n`;
      expect({ shape, deep: mayNestTooDeep(text) }).toEqual({ shape, deep: true });
      expect(() => scanFlagCalls("deep.ts", text)).toThrow(RangeError);
    }
  });

  test("no source of the app comes near the nesting limits, so none of them costs loading TypeScript", () => {
    const app = sourceFiles(["src/app"]);
    expect(app.length).toBeGreaterThan(20);
    expect(app.filter((path) => mayNestTooDeep(readFileSync(join(REPO, path), "utf8")))).toEqual([]);
    // Moderate nesting stays with oxc.
    expect(mayNestTooDeep(`${BUN}export const x = ${"[".repeat(500)}${"]".repeat(500)};\n`)).toBe(false);
  });
});
