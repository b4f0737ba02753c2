import { describe, expect, test } from "bun:test";
import {
  codeFrame,
  escapeControl,
  formatGithub,
  formatHeadline,
  formatJson,
  formatText,
  lineIndex,
  sortDiagnostics,
  summaryLine,
  type Diagnostic,
} from "../../src/core/report/diagnostics.ts";
import { closest, didYouMean, listOf } from "../../src/core/report/suggest.ts";

describe("diagnostics", () => {
  const d: Diagnostic = { file: "data/a.yaml", line: 3, col: 5, rule: "invalid-enum", message: "bad, really: 100%\nsecond" };

  test("headline is path:line:col: error rule: message, a line break in it shown escaped", () => {
    expect(formatHeadline(d)).toBe("data/a.yaml:3:5: error invalid-enum: bad, really: 100%\\nsecond");
  });

  test("code frame shows context and a caret under the column; a tab shows as →", () => {
    expect(codeFrame("a\nb\n\tcc: x\nd", 3, 5)).toBe("  1 | a\n  2 | b\n> 3 | →cc: x\n    |     ^");
  });

  test("code frame lines are the lines split(/\\r?\\n/) gives", () => {
    const texts = ["a\r\nb\r\nc", "a\nb\r\n\r\nc\r", "x\ry\nz\n", "", "\n\n", "only"];
    for (const text of texts) {
      const lines = text.split(/\r?\n/);
      expect(lineIndex(text).starts.length).toBe(lines.length);
      for (let n = 1; n <= lines.length + 1; n++) {
        const expected = lines.slice(Math.max(0, n - 3), Math.min(lines.length, n)).map((l) => escapeControl(l.replace(/\t/g, "→")));
        const frame = codeFrame(text, n, 1)
          .split("\n")
          .filter((l) => !l.endsWith("^"));
        expect(frame.map((l) => l.replace(/^[> ] +\d+ \| /, ""))).toEqual(expected);
      }
    }
  });

  test("code frame after a line past the end shows nothing, as before", () => {
    expect(codeFrame("a\nb", 9, 1)).toBe("");
    expect(codeFrame("a\nb", 0, 1)).toBe("");
  });

  test("the caret stays under its character when escapes before it print wider", () => {
    const frame = codeFrame("  k\x1b[2K\r\u202e: v", 1, 12).split("\n");
    expect(frame[0]).toBe("> 1 |   k\\x1b[2K\\r\\u202e: v");
    expect(frame[1]!.indexOf("^")).toBe(frame[0]!.indexOf(": v") + 2);
  });

  test("unsafe characters become visible escapes; ordinary text is untouched", () => {
    expect(escapeControl("\x1b]52;c;aGk=\x07\x1b[2K\r")).toBe("\\x1b]52;c;aGk=\\x07\\x1b[2K\\r");
    expect(escapeControl("\0\t\n\x7f\x80\x9b\u202a\u202e\u2066\u2069")).toBe("\\x00\\t\\n\\x7f\\x80\\x9b\\u202a\\u202e\\u2066\\u2069");
    const plain = "Grüße, “quoted” → ✓ 日本 🚀 \\x1b as text, \u200d \u00a0";
    expect(escapeControl(plain)).toBe(plain);
  });

  test("text output escapes file, message, hint and code line", () => {
    const evil = "\x1b]52;c;aGk=\x07\x1b[2K\r\u202e\x9b";
    const out = formatText(
      [{ file: `data/${evil}.yaml`, line: 1, col: 1, rule: "invalid-enum", message: `bad ${evil}`, hint: `try ${evil}` }],
      () => `tier: ${evil}\n`,
    );
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(out.split("\n")).toHaveLength(4); // headline, code line, caret, hint
    expect(out).toContain("\\x1b]52;c;aGk=\\x07\\x1b[2K\\r\\u202e\\x9b");
  });

  test("formatText looks up and indexes each file once, however many diagnostics point into it", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const list: Diagnostic[] = [];
    for (let i = 1; i <= 1000; i++) list.push({ ...d, file: i % 2 ? "a.yaml" : "b.yaml", line: i, col: 1 });
    const asked: string[] = [];
    const out = formatText(list, (f) => {
      asked.push(f);
      return f === "missing" ? undefined : text;
    });
    expect(asked.sort()).toEqual(["a.yaml", "b.yaml"]);
    expect(out).toContain("> 1000 | line 999\n       | ^");
  });

  test("JSON escapes DEL, C1 and bidi characters too and parses back to the same strings", () => {
    const message = "a\x1b[2K\x7f\x9b\u202e\u2066z";
    const json = formatJson([{ ...d, message }]);
    expect(json).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(json)[0].message).toBe(message);
  });

  test("GitHub annotations show other control characters escaped", () => {
    const out = formatGithub([{ ...d, file: "data/\x1b[31m.yaml", message: "m\x07\u202e", hint: "h\x9b" }]);
    expect(out).toBe("::error file=data/\\x1b[31m.yaml,line=3,col=5,title=invalid-enum::m\\x07\\u202e (h\\x9b)");
  });

  test("GitHub annotations escape data and properties", () => {
    expect(formatGithub([{ ...d, file: "data/a,b:c.yaml", hint: 'did you mean "X"?' }])).toBe(
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

test("a very long line is shown as a window around the column, caret still under its character", () => {
  const line = `${"a".repeat(50_000)}X${"b".repeat(50_000)}`;
  const frame = codeFrame(`first\n${line}\n`, 2, 50_001);
  expect(frame.length).toBeLessThan(600);
  const [shown, caret] = frame.split("\n").slice(-2) as [string, string];
  expect(shown[caret.indexOf("^")]).toBe("X");
  expect(shown).toContain("…");
});
