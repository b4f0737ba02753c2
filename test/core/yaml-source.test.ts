import { describe, expect, test } from "bun:test";
import { keyOffset, offsetOf, parseYamlSource, position } from "../../src/core/load/yaml-source.ts";

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
