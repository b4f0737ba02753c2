/**
 * No code from the tree runs in our tools: a Bun macro import (which runs while Bun bundles) is refused before
 * any build starts, by `npm run verify` and by `npm run diff` for its base (and reported for the head). The
 * planted macro appends to a marker file outside the project: after each command the marker must not exist,
 * and the command must name `macro-import` at the file, line and column of the "macro" text.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { decodeEscapes, findMacroImports, macroImportsIn, mentionsMacro } from "../../src/verify/macro-imports.ts";
import { fixtureProject, removeProject, runMain } from "../helpers/project.ts";
import { fixtureRepo, git } from "../diff/repo.ts";

// Verify builds 8 variants only when the tree is clean; diff measures both sides: seconds, more when loaded.
setDefaultTimeout(120_000);

const made: string[] = [];
const markers = mkdtempSync(join(tmpdir(), "macro-marker-"));
afterAll(() => {
  made.forEach(removeProject);
  rmSync(markers, { recursive: true, force: true });
});

let count = 0;
/** A macro module that appends to its own marker file when it runs; returns the marker's path. */
function plantMacro(dir: string): string {
  const marker = join(markers, `ran-${++count}.txt`);
  writeFileSync(
    join(dir, "src/app/stamp.ts"),
    `import { appendFileSync } from "node:fs";\nexport function stamp(): string {\n  appendFileSync(${JSON.stringify(marker)}, "ran\\n");\n  return "stamped";\n}\n`,
  );
  const main = join(dir, "src/app/main.ts");
  writeFileSync(main, `import { stamp } from "./stamp.ts" with { type: "macro" };\n${readFileSync(main, "utf8")}console.log(stamp());\n`);
  return marker;
}
const MAIN_MACRO =
  'src/app/main.ts:1:49: error macro-import: import of "./stamp.ts" with { type: "macro" }: Bun would run its code while bundling, inside our tools; nothing is built from a tree with a macro import';
const headlines = (s: string) =>
  s
    .split("\n")
    .filter((l) => /^\s*\S+:\d+:\d+: (error|warning) /.test(l))
    .map((l) => l.trim());

describe("macro imports in the source", () => {
  const find = (text: string, file = "a.ts") => {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    return macroImportsIn(ts, sf).map((f) => {
      const p = sf.getLineAndCharacterOfPosition(f.node.getStart(sf));
      return `${p.line + 1}:${p.character + 1} ${f.message.split(":")[0]}`;
    });
  };

  test("every form Bun reads as a macro is found: with, assert, escaped or quoted, a re-export, a dynamic import", () => {
    expect(find('import { a } from "./m.ts" with { type: "macro" };')).toEqual(['1:41 import of "./m.ts" with { type']);
    expect(find('import { a } from "./m.ts" assert { type: "macro" };')).toEqual(['1:43 import of "./m.ts" assert { type']);
    expect(find('import { a } from "./m.ts" with { "type": "m\\u0061cro" };')).toHaveLength(1);
    expect(find('import { a } from "./m.ts" with { t\\u0079pe: "\\ma\\cro", x: "y" };')).toHaveLength(1);
    expect(find('import * as m from "./m.ts" with { type: "macro" };')).toHaveLength(1);
    expect(find('export { a } from "./m.ts" with { type: "macro" };')).toEqual(['1:41 re-export of "./m.ts" with { type']);
    expect(find('const m = await import("./m.ts", { with: { type: "macro" } });')).toEqual(['1:50 dynamic import of "./m.ts" with type']);
    expect(find('const m = await import("./m.ts", { assert: { type: "mac" + "ro" } });')).toEqual([
      '1:52 dynamic import of "./m.ts" assert a computed type',
    ]);
  });

  test("anything else is not a macro import: other attributes, the word in strings and comments, a plain import()", () => {
    expect(find('import data from "./d.json" with { type: "json" };\nimport { b } from "./b.ts";')).toEqual([]);
    expect(find('// import { a } from "./m.ts" with { type: "macro" };\nconst s = \'with { type: "macro" }\';')).toEqual([]);
    expect(find('const m = await import("./m.ts", options);\nconst n = await import("./n.ts", { with: { type: "json" } });')).toEqual([]);
  });

  test("only files that spell the word, escapes decoded, are parsed", () => {
    expect(mentionsMacro("const a = 1;")).toBe(false);
    expect(mentionsMacro('with { type: "\\u006d\\x61c\\x72o" }')).toBe(true);
    expect(mentionsMacro('with { type: "\\ma\\cro" }')).toBe(true);
    expect(mentionsMacro('const re = /\\d+\\.\\s/; const s = "a\\tb\\n";')).toBe(false);
    expect(decodeEscapes("mac\\ro")).toBe("mac\ro");
    expect(decodeEscapes("\\u{6d}\\141\\x63\\\nro")).toBe("macro");
  });
});

describe("verify refuses a macro import before building anything", () => {
  test("in the entry: macro-import at the file, line and column; nothing built, the macro never ran", async () => {
    const dir = fixtureProject();
    made.push(dir);
    const marker = plantMacro(dir);
    const run = await runMain("verify", dir, ["--today", "2026-06-01"]);
    expect(headlines(run.stderr)).toEqual([MAIN_MACRO]);
    expect(run.exitCode).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, "dist/variants"))).toBe(false);
  });

  test("in a file no entry imports (a tsconfig path could lead the bundler there): refused too; a warm run keeps the verdict", async () => {
    const dir = fixtureProject();
    made.push(dir);
    writeFileSync(join(dir, "src/app/aside.ts"), 'export const later = () => import("./stamp.ts", { with: { type: "macro" } });\n');
    const first = await findMacroImports(dir);
    expect(first.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}`)).toEqual(["src/app/aside.ts:1:65 macro-import"]);
    expect(first.parsed).toBe(1);
    const again = await findMacroImports(dir);
    expect(again.diagnostics).toEqual(first.diagnostics);
    expect(again.parsed).toBe(0);
  });

  test("a link leading out of the repository (to a script file or a folder), or a file too large to search, is refused: it was never searched", async () => {
    const dir = fixtureProject();
    made.push(dir);
    const outside = mkdtempSync(join(markers, "outside-"));
    writeFileSync(join(outside, "evil.ts"), 'import { s } from "./s.ts" with { type: "macro" };\n');
    symlinkSync(join(outside, "evil.ts"), join(dir, "src/app/evil.ts"));
    symlinkSync(outside, join(dir, "src/app/lib"));
    symlinkSync("main.ts", join(dir, "src/app/same.ts")); // inside: main.ts is searched in its own place
    // Too large to search: refused rather than skipped.
    writeFileSync(join(dir, "src/app/huge.js"), `// ${"x".repeat(9 * 1024 * 1024)}\n`);
    const scan = await findMacroImports(dir);
    expect(scan.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}`)).toEqual([
      "src/app/evil.ts:1:1 macro-import",
      "src/app/lib:1:1 macro-import",
      "src/app/huge.js:1:1 macro-import",
    ]);
  });
});

describe("diff never runs a macro of either side", () => {
  test("a macro in the base: the base is refused before it is built, with the rule and place; the macro never ran", async () => {
    const dir = fixtureRepo();
    made.push(dir);
    const marker = plantMacro(dir);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "macro");
    git(dir, "rm", "-q", "src/app/stamp.ts");
    git(dir, "checkout", "-q", "HEAD~1", "--", "src/app/main.ts");
    git(dir, "commit", "-q", "-m", "no macro");
    const run = await runMain("diff", dir, ["--base", "HEAD~1", "--today", "2026-01-15"]);
    expect(run.stderr).toContain("could not be measured: it imports a Bun macro, so nothing of it is built or run");
    expect(headlines(run.stderr)).toEqual([MAIN_MACRO]);
    expect(run.exitCode).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });

  test("a macro in the working tree: the head is not built and the diff names the new macro-import; the macro never ran", async () => {
    const dir = fixtureRepo();
    made.push(dir);
    const marker = plantMacro(dir);
    const run = await runMain("diff", dir, ["--base", "HEAD", "--today", "2026-01-15", "--format", "json"]);
    const report = JSON.parse(run.stdout) as { diagnostics: { added: { rule: string; file: string; line: number; col: number }[] } };
    expect(JSON.stringify(report)).toContain('"rule":"macro-import"');
    expect(JSON.stringify(report)).toContain('"file":"src/app/main.ts","line":1,"col":49');
    expect(existsSync(marker)).toBe(false);
  });
});
