/**
 * Call sites, shown on each flag's page as its code references: every feature() call with its line and column, the function around it,
 * the guarded statement (kind, condition, line range, code frame) and the other flags in the same
 * condition; what the results file accepts and refuses.
 */
import { describe, expect, test } from "bun:test";
import { callSitesOf, MAX_FRAME_LINES, sourceHash } from "../../src/verify/call-sites.ts";
import { CallSitesSchema } from "../../src/verify/results-file.ts";
import { sourceGraphOf } from "../../src/verify/source-graph.ts";

const APP = `import { feature } from "bun:bundle";

export function route(path: string) {
  if (feature("A") && !feature("B")) {
    return 1;
  } else if (feature("C")) {
    return 2;
  }
  return feature("A") ? 3 : 4;
}

class Store {
  add() {
    if (feature("B")) {
      console.log("b");
    }
  }
}

const handlers = {
  list: () => (feature("C") ? [] : null),
};

export const onStart = () => {
  [1].forEach(() => {
    if (feature("A")) console.log("a");
  });
};

if (feature("D")) {
${Array.from({ length: 20 }, (_, i) => `  console.log(${i});`).join("\n")}
}
`;

describe("call sites", () => {
  const graph = sourceGraphOf([{ path: "src/app.ts", text: APP }]);
  const { files, sites } = callSitesOf(graph);
  const at = (flag: string, line: number) => sites.find((s) => s.flag === flag && s.line === line)!;

  test("each call with its place, function and guard; sorted by flag, file, line", () => {
    expect(files).toEqual([{ path: "src/app.ts", sha256: sourceHash(APP) }]);
    expect(sites.map((s) => `${s.flag}@${s.line}:${s.col}`)).toEqual([
      "A@4:7",
      "A@9:10",
      "A@26:9",
      "B@4:24",
      "B@14:9",
      "C@6:14",
      "C@21:16",
      "D@30:5",
    ]);
    const a = at("A", 4);
    expect(a).toMatchObject({
      file: "src/app.ts",
      fn: "route",
      bundled: true,
      with: ["B"],
      guard: { kind: "if", condition: 'feature("A") && !feature("B")', start: 4, end: 8 },
      frameStart: 4,
    });
    expect(a.frame[0]).toBe('  if (feature("A") && !feature("B")) {');
    expect(a.frame).toHaveLength(5);
    expect(at("B", 4).with).toEqual(["A"]);
    // An else-if is its own statement, starting at its own if.
    expect(at("C", 6).guard).toMatchObject({ kind: "if", condition: 'feature("C")', start: 6, end: 8 });
    expect(at("A", 9).guard).toMatchObject({ kind: "ternary", start: 9, end: 9 });
    expect(at("A", 9).frame).toEqual(['  return feature("A") ? 3 : 4;']);
  });

  test("functions are named as a reader would: methods by class, arrows by what holds them, top level as null", () => {
    expect(at("B", 14).fn).toBe("Store.add");
    expect(at("C", 21).fn).toBe("handlers.list");
    expect(at("A", 26).fn).toBe("arrow function in onStart");
    expect(at("D", 30).fn).toBeNull();
  });

  test("a long guarded statement shows its first lines only; the results schema accepts what verify writes", () => {
    const d = at("D", 30);
    expect(d.guard).toMatchObject({ start: 30, end: 51 });
    expect(d.frame).toHaveLength(MAX_FRAME_LINES);
    expect(CallSitesSchema.parse({ files, sites })).toEqual({ files, sites });
  });

  test("the results schema refuses paths that leave the repository and oversized frames", () => {
    const good = sites[0]!;
    for (const file of ["/etc/passwd", "../x.ts", "src/../../x.ts", "a\\b.ts", ""]) {
      expect(CallSitesSchema.safeParse({ files: [], sites: [{ ...good, file }] }).success).toBe(false);
    }
    expect(CallSitesSchema.safeParse({ files: [], sites: [{ ...good, frame: Array(MAX_FRAME_LINES + 1).fill("x") }] }).success).toBe(false);
    expect(CallSitesSchema.safeParse({ files: [{ path: "src/app.ts", sha256: "nothex" }], sites: [] }).success).toBe(false);
    expect(CallSitesSchema.safeParse({ files: [], sites: [{ ...good, extra: 1 }] }).success).toBe(false);
  });

  test("a call outside a condition is still a call site, without a guard; files of extra roots are not bundled", () => {
    const g = sourceGraphOf([{ path: "src/x.ts", text: 'import { feature } from "bun:bundle";\nconst on = feature("A");\n' }]);
    g.bundled.clear();
    const [s] = callSitesOf(g).sites;
    expect(s).toMatchObject({
      flag: "A",
      line: 2,
      col: 12,
      guard: null,
      with: [],
      bundled: false,
      frameStart: 2,
      frame: ['const on = feature("A");'],
    });
  });
});
