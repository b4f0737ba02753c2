import { describe, expect, test } from "bun:test";
import { codeFrame, formatGithub, formatHeadline, sortDiagnostics, summaryLine } from "../../src/core/diagnostics.ts";
import { closest, didYouMean, listOf } from "../../src/core/suggest.ts";

describe("diagnostics", () => {
  const d = { file: "data/a.yaml", line: 3, col: 5, rule: "invalid-enum", message: "bad, really: 100%\nsecond" };

  test("headline is path:line:col: error rule: message", () => {
    expect(formatHeadline(d)).toBe("data/a.yaml:3:5: error invalid-enum: bad, really: 100%\nsecond");
  });

  test("code frame shows context and a caret under the column", () => {
    expect(codeFrame("a\nb\n\tcc: x\nd", 3, 5)).toBe("  1 | a\n  2 | b\n> 3 |  cc: x\n    |     ^");
  });

  test("GitHub annotations escape data and properties", () => {
    expect(formatGithub([{ ...d, file: "data/a,b:c.yaml", hint: "did you mean \"X\"?" }])).toBe(
      '::error file=data/a%2Cb%3Ac.yaml,line=3,col=5,title=invalid-enum::bad, really: 100%25%0Asecond (did you mean "X"?)',
    );
  });

  test("sorted by file, then position", () => {
    const list = [
      { ...d, file: "b", line: 1, col: 1 },
      { ...d, file: "a", line: 2, col: 1 },
      { ...d, file: "a", line: 1, col: 9 },
    ];
    expect(sortDiagnostics(list).map((x) => `${x.file}:${x.line}:${x.col}`)).toEqual(["a:1:9", "a:2:1", "b:1:1"]);
  });

  test("summary counts errors and files", () => {
    expect(summaryLine([d, { ...d, file: "x" }])).toBe("2 errors in 2 files");
    expect(summaryLine([d])).toBe("1 error in 1 file");
  });
});

describe("suggestions", () => {
  test("case-insensitive match wins", () => expect(closest("enterprise", ["Free", "Enterprise"])).toBe("Enterprise"));
  test("transpositions and typos", () => {
    expect(closest("descripton", ["description", "owner"])).toBe("description");
    expect(closest("ENTERPRIZE", ["ENTERPRISE", "DEBUG"])).toBe("ENTERPRISE");
  });
  test("no suggestion when nothing is close", () => expect(didYouMean("Gold", ["Free", "Pro", "Enterprise", "Internal"])).toBeUndefined());
  test("lists read naturally", () => {
    expect(listOf(["a", "b", "c"])).toBe('"a", "b" or "c"');
    expect(listOf(["a"])).toBe('"a"');
  });
});
