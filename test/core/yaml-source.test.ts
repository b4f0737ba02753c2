import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { keyOffset, nestingOverflow, offsetOf, parseYamlSource, position } from "../../src/core/load/yaml-source.ts";
import { readFlatYaml } from "../../src/core/load/flat-yaml.ts";
import { scaleFlagsFile } from "../../bench/synthetic.ts";

const place = (text: string, path: (string | number)[], onKey = false) => {
  const { source } = parseYamlSource("f.yaml", text);
  return position(source, offsetOf(source, path, onKey));
};

describe("positions", () => {
  test("values and keys, 1-based", () => {
    const text = "- name: A\n  tier: Gold\n";
    expect(place(text, [0, "tier"])).toEqual({ line: 2, col: 9 });
    expect(place(text, [0, "tier"], true)).toEqual({ line: 2, col: 3 });
    expect(place(text, [0])).toEqual({ line: 1, col: 3 });
  });
  test("CRLF line endings and a BOM", () => {
    expect(place("\uFEFF- name: A\r\n  tier: Gold\r\n", [0, "tier"])).toEqual({ line: 2, col: 9 });
  });
  test("columns count UTF-16 units, as editors do", () => {
    expect(place('- name: "🚀 x"\n  tier: Gold\n', [0, "tier"])).toEqual({ line: 2, col: 9 });
    expect(place('- { name: "🚀", tier: Gold }\n', [0, "tier"])).toEqual({ line: 1, col: 23 });
  });
  test("list items and nested maps", () => {
    const text = "- name: A\n  limits:\n    - name: x\n      value: 10\n";
    expect(place(text, [0, "limits", 0, "value"])).toEqual({ line: 4, col: 14 });
  });
  test("a missing path falls back to the nearest ancestor", () => {
    expect(place("- name: A\n", [0, "owner"])).toEqual({ line: 1, col: 3 });
  });
  test("keyOffset finds the key of an entry", () => {
    const { source } = parseYamlSource("f.yaml", "- name: A\n  colour: red\n");
    expect(position(source, keyOffset(source, [0], "colour"))).toEqual({ line: 2, col: 3 });
  });
  test("an empty file has a place too", () => {
    const { source, diagnostics } = parseYamlSource("f.yaml", "");
    expect(diagnostics).toEqual([]);
    expect(source.data).toBeNull();
    expect(position(source, offsetOf(source, []))).toEqual({ line: 1, col: 1 });
  });
  test("YAML 1.2: yes, on and dates stay strings; versions must be quoted to stay text", () => {
    const { source } = parseYamlSource("f.yaml", "- a: yes\n  b: on\n  c: 2026-01-01\n  d: 1.10\n");
    expect(source.data).toEqual([{ a: "yes", b: "on", c: "2026-01-01", d: 1.1 }]);
  });
  test("billion laughs never expands", () => {
    const text = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n';
    const { diagnostics, source } = parseYamlSource("f.yaml", text);
    expect(source.data).toBeUndefined();
    expect(diagnostics.map((d) => d.rule)).toContain("yaml-alias");
  });
});

const REPO = join(import.meta.dir, "../..");

/** parseYamlSource with the fast path and with yaml alone: the same diagnostics, data, places and lines. */
function expectSameBothWays(text: string): { fast: boolean; data: unknown } {
  const fast = parseYamlSource("f.yaml", text);
  const slow = parseYamlSource("f.yaml", text, { fast: false });
  // Where each record starts, asked before anything reads the places (the fast path answers from its scan);
  // one past the last falls back to the root.
  const records = Array.isArray(slow.source.data) ? [...slow.source.data.keys(), slow.source.data.length] : [0];
  expect(records.map((i) => offsetOf(fast.source, [i]))).toEqual(records.map((i) => offsetOf(slow.source, [i])));
  expect(fast.diagnostics).toEqual(slow.diagnostics);
  // deepEquals(strict) tells -0 from 0 and NaN from text; toEqual shows where they differ.
  if (!Bun.deepEquals(fast.source.data, slow.source.data, true)) expect(fast.source.data).toEqual(slow.source.data);
  expect(Bun.deepEquals(fast.source.data, slow.source.data, true)).toBe(true);
  expect([...fast.source.places]).toEqual([...slow.source.places]);
  expect(fast.source.lineStarts).toEqual(slow.source.lineStarts);
  return { fast: readFlatYaml(text.startsWith("\uFEFF") ? text.slice(1) : text) !== undefined, data: fast.source.data };
}

describe("fast path: the data files' subset read without yaml, with the same result", () => {
  // yaml warns on process (not in diagnostics) when a mutated file has a collection as a key; keep the output readable.
  const emitWarning = process.emitWarning;
  beforeAll(() => {
    process.emitWarning = () => {};
  });
  afterAll(() => {
    process.emitWarning = emitWarning;
  });

  test("the repository's data files and every fixture read the same; the base fixture and generated flags take the fast path", () => {
    const yamlFiles = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => join(dir, f));
    const all = [...yamlFiles(join(REPO, "data")), ...yamlFiles(join(REPO, "test/fixtures"))];
    expect(all.length).toBeGreaterThanOrEqual(40);
    for (const file of all) expectSameBothWays(readFileSync(file, "utf8"));
    // Records as the guide writes them stay on the fast path (a file outside it is only slower).
    for (const file of yamlFiles(join(REPO, "test/fixtures/base/data")))
      expect({ file, ...expectSameBothWays(readFileSync(file, "utf8")) }).toMatchObject({ file, fast: true });
    // The records bench/check.ts and bench/parse.ts measure.
    const big = expectSameBothWays(scaleFlagsFile(0, 200, 200));
    expect(big.fast).toBe(true);
    expect((big.data as unknown[]).length).toBe(200);
  }, 30_000);

  test("scalars read by the YAML 1.2 core schema, as yaml reads them, where YAML 1.1 or a looser parser would not", () => {
    const text = [
      "- a: yes",
      "  b: no",
      "  c: on",
      "  d: off",
      "  e: y",
      "  f: 2024-01-01",
      "  g: 010",
      "  h: 0o17",
      "  i: 0x1F",
      "  j: 1:20",
      "  k: .inf",
      "  l: -.inf",
      "  m: .NaN",
      "  n: ~",
      "  o: null",
      "  p: Null",
      "  q: -0",
      "  r: +12",
      "  s: 1e3",
      "  t: 1.",
      "  u: .5",
      "  v: 1.10",
      "  w: 12345678901234567890",
      "  x: 1_000",
      "  y: 0b101",
      "  z: TRUE",
      "  A: nULL",
      "  B: True story",
      '  C: "\\x41\\u00e9\\U0001F680\\t\\"\\\\\\/\\N\\_"',
      "  D: 'it''s'",
      "  E: b#c",
      "  F: a, b",
      "  G: http://x.y/z?a=b#f",
      "  H: [1, ~, true, '2', \"3\", x y, a:b]",
      "  I: []",
      "  J: {}",
      "  K:",
      "  L: # comment",
      '  M: ""',
      "  N: a  b   # trailing comment",
      '  "true": quoted key',
    ].join("\n");
    const { fast, data } = expectSameBothWays(`${text}\n`);
    expect(fast).toBe(true);
    expect(data).toMatchObject([
      {
        a: "yes",
        c: "on",
        e: "y",
        f: "2024-01-01",
        g: 10,
        h: 15,
        i: 31,
        j: "1:20",
        k: Infinity,
        l: -Infinity,
        n: null,
        r: 12,
        s: 1000,
        v: 1.1,
        x: "1_000",
        y: "0b101",
        z: true,
        A: "nULL",
      },
    ]);
    const record = (data as Record<string, unknown>[])[0]!;
    expect(Object.is(record.q, -0)).toBe(true);
    expect(record.m).toBeNaN();
    expect(record.C).toBe('Aé🚀\t"\\/\u0085\u00a0');
    expect(record.H).toEqual([1, null, true, "2", "3", "x y", "a:b"]);
    expect(record).toMatchObject({ K: null, L: null, M: "", N: "a  b", true: "quoted key" });
  });

  test("layouts: nested lists and maps, a list at its key's column, CRLF, a BOM, comments, blank lines, empty files", () => {
    const fastOnes = [
      "- name: A\n  steps:\n    - one\n    - two\n  limits:\n    max: 3\n    min:\n",
      "steps:\n- one\n- two\nnext: 1\n",
      "-\n  name: A\n-   name: B\n    tier: Gold\n- plain\n-\n",
      "\uFEFF- name: A\r\n  tier: Gold\r\n\r\n- name: B\r\n",
      "# head\n\n  # indented comment\n- a: 1 # c\n\n# tail",
      "",
      "# only a comment\n",
      "- a: x\n  b:\n    # a comment before the nested list\n    - y\n",
      "- \"quoted key\": 1\n  'single': [ x , 'y' ]\n",
      "- a: 🚀 x\n  b: é\n",
      // A key JS orders first (an array index), as yaml's object has it; a lone surrogate escape, as yaml reads it.
      "- a: x\n  '1': y\n",
      '- a: "\\ud83d"\n',
    ];
    for (const text of fastOnes) expect({ text, fast: expectSameBothWays(text).fast }).toEqual({ text, fast: true });
  });

  test("places the fast path builds on first read behave as a Map: read, spread, cloned, serialized, replaced", () => {
    const text = "- name: A\n  tier: Gold\n- name: B\n";
    const slow = [...parseYamlSource("f.yaml", text, { fast: false }).source.places];
    const { source } = parseYamlSource("f.yaml", text);
    expect(position(source, offsetOf(source, [1]))).toEqual({ line: 3, col: 3 }); // answered from the scan
    expect([...{ ...source }.places]).toEqual(slow);
    expect([...structuredClone(source).places]).toEqual(slow);
    expect(JSON.parse(JSON.stringify(source, (_k, v: unknown) => (v instanceof Map ? [...v] : v))).places).toEqual(slow);
    expect(Object.keys(source)).toEqual(["file", "text", "lineStarts", "places", "data"]);
    source.places = new Map([["", { value: 5 }]]);
    expect(offsetOf(source, [1])).toBe(5); // the replacement, not the scan
  });

  test("everything else is yaml's, with the same diagnostics and data as before", () => {
    const slowOnes = [
      "- a: &x 1\n  b: *x\n",
      "- a: !!str 1\n",
      "- !tag a: 1\n",
      "- <<: {a: 1}\n",
      '- "<<": 1\n',
      "- __proto__: 1\n",
      "%YAML 1.1\n---\n- a: yes\n",
      "- a: 1\n---\n- b: 2\n",
      "- a: 1\n...\n",
      "- a: 1\n  a: 2\n",
      "- a: 1\n  'a': 1\n",
      "- 1: a\n",
      "- true: a\n",
      "- null: a\n",
      "- ~: a\n",
      "- a: multi\n    line\n",
      "- a: |\n    block\n",
      "- a: >-\n    folded\n",
      "- a: {b: 1}\n",
      "- a: [b, [c]]\n",
      "- a: [b,\n    c]\n",
      "- a: [b,]\n",
      '- a: "multi\n    line"\n',
      '- a: "\\q"\n',
      "- a: 'open\n",
      "-\ta: 1\n",
      "- a:\t1\n",
      "- a: 1\r- b: 2\n",
      "- a: \u0007\n",
      "- a: x\u2028y\n",
      "- a: \u0085\n",
      "- a: \uFEFF\n",
      "root scalar\n",
      "  - indented: root\n",
      "[a, b]\n",
      "- - nested\n",
      "- a: - b\n",
      "- a: b: c\n",
      "- a: 1\n - b: 2\n",
      "- a: 1\n   b: 2\n",
      "- a: 1\n  - b\n",
      "key #c: 1\n",
      "a:b: 1\n",
      "[a]: 1\n",
      "- ? a\n  : b\n",
      "- a: @x\n",
      "- a: `x\n",
      "- a: %x\n",
      '- a: "x" y\n',
      "- a: [x]y\n",
      "- a: x\n  b: y\nc: z\n",
      `- k${"x".repeat(1100)}: 1\n`,
      // A lone "-" item in a flow list is a block indicator, refused by yaml and Bun.YAML alike.
      "- a: [-]\n",
      "- a: [a, -]\n",
      "- a: [-, b]\n",
      "- a: [ - ]\n",
      "- a: [a, -, b]\n",
    ];
    for (const text of slowOnes) expect({ text, fast: expectSameBothWays(text).fast }).toEqual({ text, fast: false });
  });

  test('a lone "-" in a flow list is refused as yaml refuses it, at yaml\'s position, as Bun.YAML refuses it', () => {
    for (const text of ["- a: [-]\n", "- a: [a, -]\n", "- a: [-, b]\n"]) {
      const fast = parseYamlSource("f.yaml", text);
      expect({ text, rules: fast.diagnostics.map((d) => d.rule) }).toEqual({ text, rules: ["yaml-syntax"] });
      expect(fast.diagnostics).toEqual(parseYamlSource("f.yaml", text, { fast: false }).diagnostics);
      expect(() => Bun.YAML.parse(text)).toThrow();
    }
    // "-" starting a longer plain item is text to both.
    expect(expectSameBothWays("- a: [-1, -b, a-]\n")).toEqual({ fast: true, data: [{ a: [-1, "-b", "a-"] }] });
  });

  test("a generated corpus and its mutations read the same with and without the fast path", () => {
    let seed = 20260101;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    // Mostly what records hold, and one in eight from what only yaml reads.
    const niceKeys = ["name", "type", "scope", "tier", "owner", "x y", '"q k"', "'s k'", "é", "k-1", "k/v", "constructor", "yes"];
    const oddKeys = ["1", "true", "<<", "a#b", "__proto__", "&a k", "? k", "k\tv"];
    const niceValues = [
      "Platform Lead",
      "yes",
      "010",
      "0x1F",
      "1:20",
      ".inf",
      "~",
      "true",
      "1.10",
      "-0",
      "2024-01-01",
      '"2026-01-01"',
      "'it''s'",
      '"a \\"b\\" \\u00e9"',
      "[a, 'b', \"c\", 1, ~]",
      "[]",
      "{}",
      "http://x",
      "b#c",
      "a, b",
      "",
      "x # c",
    ];
    const oddValues = [
      "&a x",
      "*a",
      "!t x",
      "|",
      "{a: 1}",
      "[a, [b]]",
      '"open',
      "a: b",
      "- x",
      "[a,]",
      '"\\q"',
      "@x",
      "[-]",
      "[a, -]",
      "[-, b]",
    ];
    const key = () => (rnd() < 0.125 ? pick(oddKeys) : pick(niceKeys));
    const value = () => (rnd() < 0.125 ? pick(oddValues) : pick(niceValues));
    const record = (col: number, depth: number): string =>
      Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => {
        const head = `${i === 0 ? "" : " ".repeat(col)}${key()}:`;
        if (depth < 2 && rnd() < 0.12)
          return `${head}\n${Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => `${" ".repeat(col + 2)}- ${value()}`).join("\n")}`;
        if (depth < 2 && rnd() < 0.08) return `${head}\n${" ".repeat(col + 2)}${record(col + 2, depth + 1)}`;
        return `${head} ${value()}`;
      }).join("\n");
    const mutate = (text: string): string => {
      const at = Math.floor(rnd() * (text.length + 1));
      const piece = pick([..." -:#[]{},'\"\n&*!|>%@`\t\r~.0", "\n  ", "- ", ": ", "---\n"]);
      return rnd() < 0.5 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    };
    let fast = 0;
    for (let i = 0; i < 150; i++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `- ${record(2, 0)}\n`).join(rnd() < 0.3 ? "\n" : "");
      if (expectSameBothWays(text).fast) fast++;
      expectSameBothWays(mutate(text));
    }
    // The corpus must exercise the fast path, not only the fallback.
    expect(fast).toBeGreaterThan(20);
  }, 30_000);
});

describe("nesting limit", () => {
  test("the first place deeper than 64 levels, counted before any parser recurses", () => {
    // The line's own indentation level counts: 63 dashes fit, the 64th goes one deeper than 64.
    expect(nestingOverflow(`${"- ".repeat(63)}x\n`)).toBeUndefined();
    expect(nestingOverflow(`${"- ".repeat(64)}x\n`)).toBe(126);
    expect(nestingOverflow(`- name: ${"[".repeat(100)}\n`)).toBe(71);
    expect(nestingOverflow(`- name: "${"[".repeat(100)}"\n`)).toBeUndefined();
    // Indentation alone is left to the parsers (yaml reads 1,400 levels, the most 1 MiB holds); the fast path stops at 64.
    const indented = Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
    expect(nestingOverflow(indented)).toBeUndefined();
    expect(readFlatYaml(indented)).toBeUndefined();
    expect(parseYamlSource("f.yaml", indented).diagnostics).toEqual([]);
    const deep = parseYamlSource("f.yaml", `- a: ${"[".repeat(70)}\n`);
    expect(deep.diagnostics.map((d) => [d.rule, d.line, d.col])).toEqual([["yaml-too-deep", 1, 69]]);
  });
});
