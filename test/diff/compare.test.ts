/**
 * The comparison and --fail-on on snapshots made by hand: the cases a fixture repository would need
 * minutes of proving for (a claim losing its proof), renames at the similarity threshold, and hostile
 * record text in the Markdown a pull-request comment shows.
 */
import { describe, expect, test } from "bun:test";
import { compareSnapshots, RENAME_SIMILARITY } from "../../src/diff/compare.ts";
import { failures, parseFailOn } from "../../src/diff/fail-on.ts";
import { renderMarkdown } from "../../src/diff/render-markdown.ts";
import { renderTerminal } from "../../src/diff/render-terminal.ts";
import type { Snapshot } from "../../src/diff/snapshot.ts";

const META = { base: { ref: "main", commit: "a".repeat(40) }, head: { ref: "working tree", commit: "b".repeat(40) }, notes: [] };

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    records: [],
    verified: true,
    variants: [{ name: "prod", features: ["A"], budget: 2000, sizes: { raw: 1000, gzip: 400, brotli: 300 } }],
    flags: [{ name: "A", leaveOneOut: [{ variant: "prod", raw: 100, gzip: 40 }], addOne: [], dead: false, sites: [] }],
    claims: [],
    diagnostics: [],
    proofs: { source: "fresh", fingerprint: "f", stale: 0 },
    builds: 0,
    cachedFlagSets: 0,
    ...over,
  };
}

const control = (state: "proven" | "failing" | "unproven" | "unknown", reason = "x"): Snapshot["claims"][number] => ({ kind: "security", name: "Rate Limiting", status: "Done", evidence: { state, reason } });

describe("claims", () => {
  test("proven → failing is a lost proof, and --fail-on unproven fails on it", () => {
    const report = compareSnapshots(snapshot({ claims: [control("proven")] }), snapshot({ claims: [control("failing", "2 of 5 tests failed")] }), META);
    expect(report.claims).toHaveLength(1);
    expect(report.claims[0]!.lostProof).toBe(true);
    const rules = parseFailOn("unproven");
    expect(Array.isArray(rules) && failures(report, rules)).toEqual(["unproven: Rate Limiting (proven → failing: 2 of 5 tests failed)"]);
    expect(renderMarkdown(report)).toContain("⚠️ `proven` → `failing: 2 of 5 tests failed`");
  });

  test("failing → proven is a change but no lost proof; proven → not computed does not fail the gate either", () => {
    const back = compareSnapshots(snapshot({ claims: [control("failing")] }), snapshot({ claims: [control("proven")] }), META);
    expect(back.claims[0]!.lostProof).toBe(false);
    const unknown = compareSnapshots(snapshot({ claims: [control("proven")] }), snapshot({ claims: [control("unknown")] }), META);
    expect(unknown.claims[0]!.lostProof).toBe(false);
    expect(renderMarkdown(unknown)).toContain("`not proven in head (run npm run prove, or diff --prove)`");
    const rules = parseFailOn("unproven");
    expect(Array.isArray(rules) && failures(unknown, rules)).toEqual([]);
  });
});

describe("renames", () => {
  const flag = (name: string, fields: Record<string, unknown>) => ({ kind: "features" as const, name, fields });
  const fields = { type: "Release", status: "Beta", scope: "all", tier: "Free", description: "d" };

  test(`a removal and an addition with ${RENAME_SIMILARITY * 100}% of fields equal are a rename; with fewer they are not`, () => {
    const renamed = compareSnapshots(snapshot({ records: [flag("OLD", fields)] }), snapshot({ records: [flag("NEW", { ...fields, status: "Done", tier: "Pro" })] }), META);
    expect(renamed.records[0]!.renamed).toEqual([{ from: "OLD", to: "NEW", changes: [{ field: "status", before: "Beta", after: "Done" }, { field: "tier", before: "Free", after: "Pro" }] }]);
    const distinct = compareSnapshots(snapshot({ records: [flag("OLD", fields)] }), snapshot({ records: [flag("NEW", { ...fields, status: "Done", tier: "Pro", scope: "x" })] }), META);
    expect(distinct.records[0]!.renamed).toEqual([]);
    expect(distinct.records[0]!.added).toEqual(["NEW"]);
    expect(distinct.records[0]!.removed).toEqual(["OLD"]);
  });
});

describe("sizes", () => {
  const grown = snapshot({ variants: [{ name: "prod", features: ["A"], budget: 2000, sizes: { raw: 1060, gzip: 410, brotli: 305 } }] });

  test("--fail-on size thresholds: percent and bytes, raw by default, gzip and brotli on request", () => {
    const report = compareSnapshots(snapshot(), grown, META);
    const check = (spec: string) => {
      const rules = parseFailOn(spec);
      if (!Array.isArray(rules)) throw new Error(rules.problem);
      return failures(report, rules);
    };
    expect(check("size:+5%")).toEqual(["size:+5%: prod 1,000 → 1,060 B (+60 B, +6.0%)"]);
    expect(check("size:+6%")).toEqual([]);
    expect(check("size:+59B")).toHaveLength(1);
    expect(check("size:+0.06kB")).toEqual([]);
    expect(check("gzip:+2%")).toHaveLength(1);
    expect(check("brotli:+2%")).toEqual([]);
  });

  test("bad --fail-on values are usage errors", () => {
    for (const bad of ["size:5", "size:+5", "sizes:+5%", "unproven,", "size:+-5%"]) expect(parseFailOn(bad)).toHaveProperty("problem");
  });

  test("sizes that could not be measured on one side fail a size gate instead of passing it", () => {
    const report = compareSnapshots(snapshot(), snapshot({ verified: false, variants: [], flags: [] }), META);
    expect(report.variants).toBeNull();
    const rules = parseFailOn("size:+5%");
    expect(Array.isArray(rules) && failures(report, rules)[0]).toContain("not measured on both sides");
  });
});

describe("hostile record text", () => {
  const evil = "X`|<img src=x onerror=alert(1)>@octocat [link](https://e.invalid)\u001b]52;c;AAAA\u0007\u202e";
  const report = compareSnapshots(
    snapshot({ records: [{ kind: "features", name: "A", fields: { description: "plain" } }] }),
    snapshot({
      records: [{ kind: "features", name: "A", fields: { description: evil } }, { kind: "features", name: evil, fields: {} }],
      variants: [{ name: "prod", features: ["A", evil], budget: 2000, sizes: { raw: 1000, gzip: 400, brotli: 300 } }],
    }),
    META,
  );

  test("stays inside code spans in Markdown: no HTML, link, mention or broken table", () => {
    const md = renderMarkdown(report);
    const lines = md.split("\n").filter((l) => l.includes("<img"));
    expect(lines.length).toBe(3);
    for (const line of lines) {
      // Every occurrence sits between backtick fences longer than any backtick run inside.
      expect(line).toMatch(/``[^`].*<img.*[^`]``/);
      // In a table row the | is escaped, so it cannot end the cell.
      if (line.startsWith("|")) expect(line).toContain("X`\\|<img");
    }
    expect(md.split("\n").filter((l) => l.startsWith("| `prod`"))[0]!.split(/(?<!\\)\|/).length).toBe(7);
    expect(md).not.toContain("\u001b");
    expect(md).not.toContain("\u202e");
  });

  test("reaches a terminal with its control characters escaped", () => {
    const text = renderTerminal(report, { colour: true });
    expect(text).not.toContain("\u001b]52");
    expect(text).not.toContain("\u0007");
    expect(text).toContain("\\x1b]52");
  });
});
