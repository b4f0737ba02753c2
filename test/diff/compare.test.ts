/**
 * The comparison and --fail-on on snapshots made by hand: the cases a fixture repository would need
 * minutes of proving for (a claim losing its proof), renames at the similarity threshold, and hostile
 * record text in the Markdown a pull-request comment shows.
 */
import { describe, expect, test } from "bun:test";
import { compareSnapshots, DEFAULT_MIN_CHANGE, RENAME_SIMILARITY } from "../../src/diff/compare.ts";
import { failures, parseByteCount, parseFailOn } from "../../src/diff/fail-on.ts";
import { renderMarkdown } from "../../src/diff/render-markdown.ts";
import { renderTerminal } from "../../src/diff/render-terminal.ts";
import type { Snapshot } from "../../src/diff/snapshot.ts";

const META = { base: { ref: "main", commit: "a".repeat(40) }, head: { ref: "working tree", commit: "b".repeat(40) }, notes: [] };

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    records: [],
    verified: true,
    variants: [
      { name: "prod", features: ["A"], budget: 2000, sizes: { raw: 1000, gzip: 400, brotli: 300 }, sha256: "bundle-1", shape: "shape-1" },
    ],
    flags: [{ name: "A", leaveOneOut: [{ variant: "prod", raw: 100, gzip: 40 }], addOne: [], dead: false, sites: [], code: "code-A" }],
    claims: [],
    diagnostics: [],
    proofs: { source: "fresh", fingerprint: "f", stale: 0 },
    builds: 0,
    cachedFlagSets: 0,
    ...over,
  };
}

const control = (state: "proven" | "failing" | "unproven" | "unknown", reason = "x"): Snapshot["claims"][number] => ({
  kind: "security",
  name: "Rate Limiting",
  status: "Done",
  evidence: { state, reason },
});

describe("claims", () => {
  test("proven → failing is a lost proof, and --fail-on unproven fails on it", () => {
    const report = compareSnapshots(
      snapshot({ claims: [control("proven")] }),
      snapshot({ claims: [control("failing", "2 of 5 tests failed")] }),
      META,
    );
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
    const renamed = compareSnapshots(
      snapshot({ records: [flag("OLD", fields)] }),
      snapshot({ records: [flag("NEW", { ...fields, status: "Done", tier: "Pro" })] }),
      META,
    );
    expect(renamed.records[0]!.renamed).toEqual([
      {
        from: "OLD",
        to: "NEW",
        changes: [
          { field: "status", before: "Beta", after: "Done" },
          { field: "tier", before: "Free", after: "Pro" },
        ],
      },
    ]);
    const distinct = compareSnapshots(
      snapshot({ records: [flag("OLD", fields)] }),
      snapshot({ records: [flag("NEW", { ...fields, status: "Done", tier: "Pro", scope: "x" })] }),
      META,
    );
    expect(distinct.records[0]!.renamed).toEqual([]);
    expect(distinct.records[0]!.added).toEqual(["NEW"]);
    expect(distinct.records[0]!.removed).toEqual(["OLD"]);
  });
});

describe("sizes", () => {
  const grown = snapshot({
    variants: [
      { name: "prod", features: ["A"], budget: 2000, sizes: { raw: 1060, gzip: 410, brotli: 305 }, sha256: "bundle-2", shape: "shape-2" },
    ],
  });

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

describe("only what changed", () => {
  const variant = (sizes: { raw: number; gzip: number; brotli: number }, sha256: string, name = "prod", shape = `shape-of-${sha256}`) => ({
    name,
    features: ["A"],
    budget: 2000,
    sizes,
    sha256,
    shape,
  });
  const flagA = (raw: number, code: string) => ({
    name: "A",
    leaveOneOut: [{ variant: "prod", raw, gzip: 40 }],
    addOne: [],
    dead: false,
    sites: [],
    code,
  });

  test("a variant whose bytes are identical shows no size change, whatever gzip and brotli measured", () => {
    const report = compareSnapshots(snapshot(), snapshot({ variants: [variant({ raw: 1000, gzip: 404, brotli: 253 }, "bundle-1")] }), META);
    expect(report.variants![0]).toMatchObject({ change: "unchanged", delta: { raw: 0, gzip: 0, brotli: 0 } });
    const md = renderMarkdown(report);
    expect(md).toContain("no variant changed size");
    expect(md.split("\n").find((l) => l.startsWith("| `prod`"))).not.toContain("→");
    expect(renderTerminal(report, { colour: false })).not.toMatch(/prod.*→/);
    // Other bytes of the same length are a change.
    const same = compareSnapshots(snapshot(), snapshot({ variants: [variant({ raw: 1000, gzip: 430, brotli: 320 }, "bundle-2")] }), META);
    expect(same.variants![0]).toMatchObject({ change: "changed", delta: { raw: 0, gzip: 30, brotli: 20 } });
  });

  test("other bytes but the same code (the minifier renamed locals) is summarised, not a size change", () => {
    const base = snapshot({
      variants: [
        variant({ raw: 1000, gzip: 400, brotli: 300 }, "p1", "prod", "same-code"),
        variant({ raw: 500, gzip: 200, brotli: 150 }, "l1", "lite", "lite-code"),
      ],
    });
    const head = snapshot({
      variants: [
        variant({ raw: 1000, gzip: 412, brotli: 253 }, "p2", "prod", "same-code"),
        variant({ raw: 500, gzip: 230, brotli: 170 }, "l2", "lite", "lite-code-2"),
      ],
    });
    const report = compareSnapshots(base, head, META);
    expect(report.renamed).toEqual({ variants: ["prod"], largest: 47 });
    expect(report.variants![0]).toMatchObject({ name: "prod", renamed: true, delta: { raw: 0, gzip: 12, brotli: -47 } });
    // Same length but other code is a change.
    expect(report.variants![1]).toMatchObject({ name: "lite", change: "changed", delta: { raw: 0, gzip: 30, brotli: 20 } });
    expect(report.variants![1]!.renamed).toBeUndefined();
    const md = renderMarkdown(report);
    expect(md.split("\n").find((l) => l.startsWith("| `prod`"))).toBe("| `prod` | 1,000 | 412 | 253 | — |");
    expect(md).toContain(
      "1 variant is the same code with local names renamed by the minifier (same raw size; gzip and brotli moved by at most 47 B), not listed: `prod`.",
    );
    expect(renderTerminal(report, { colour: false })).toContain("not listed: prod");
  });

  test("a flag shows a byte change only when its own code changed", () => {
    const moved = compareSnapshots(snapshot(), snapshot({ flags: [flagA(101, "code-A")] }), META);
    expect(moved.flags).toEqual([]);
    expect(renderMarkdown(moved)).not.toContain("### Flags");
    const edited = compareSnapshots(snapshot(), snapshot({ flags: [flagA(160, "code-A2")] }), META);
    expect(edited.flags!.map((f) => f.bytes)).toEqual([[{ variant: "prod", before: 100, after: 160 }]]);
    // Shipped in a new variant: shown whatever its code did.
    const shipped = compareSnapshots(
      snapshot(),
      snapshot({
        flags: [
          {
            ...flagA(100, "code-A"),
            leaveOneOut: [
              { variant: "prod", raw: 100, gzip: 40 },
              { variant: "dev", raw: 90, gzip: 35 },
            ],
          },
        ],
      }),
      META,
    );
    expect(shipped.flags!.map((f) => f.bytes)).toEqual([[{ variant: "dev", before: null, after: 90 }]]);
  });

  test("a mapping whose keys were written in another order is no change, and still counts as equal for a rename", () => {
    const control = (name: string, limits: unknown[]) => ({
      kind: "security" as const,
      name,
      fields: { type: "Input", status: "Done", scope: "all", limits },
    });
    const before = [{ name: "Ingest body", value: 65536, unit: "bytes" }];
    const after = [{ unit: "bytes", value: 65536, name: "Ingest body" }];
    const reordered = compareSnapshots(
      snapshot({ records: [control("Input Sanitization", before)] }),
      snapshot({ records: [control("Input Sanitization", after)] }),
      META,
    );
    expect(reordered.records).toEqual([]);
    const renamed = compareSnapshots(
      snapshot({ records: [control("Input Sanitisation", before)] }),
      snapshot({ records: [control("Input Sanitization", after)] }),
      META,
    );
    expect(renamed.records[0]!.renamed).toEqual([{ from: "Input Sanitisation", to: "Input Sanitization", changes: [] }]);
    // Another value is still a change.
    const changed = compareSnapshots(
      snapshot({ records: [control("Input Sanitization", before)] }),
      snapshot({ records: [control("Input Sanitization", [{ ...after[0], value: 1024 }])] }),
      META,
    );
    expect(changed.records[0]!.changed.map((c) => c.changes.map((f) => f.field))).toEqual([["limits"]]);
  });

  test("call sites and diagnostics are compared as multisets: a second equal one is added, one of two gone is removed", () => {
    const site = (line: number) => ({ file: "src/app/a.ts", line, fn: "f", guard: { kind: "if" as const, condition: 'feature("A")' } });
    const withSites = (lines: number[]) => snapshot({ flags: [{ ...flagA(100, "code-A"), sites: lines.map(site) }] });
    const twice = compareSnapshots(withSites([3]), withSites([3, 9]), META);
    expect(twice.flags!.map((f) => [f.sitesAdded.map((s) => s.line), f.sitesRemoved.map((s) => s.line)])).toEqual([[[9], []]]);
    const once = compareSnapshots(withSites([3, 9]), withSites([5]), META);
    expect(once.flags!.map((f) => [f.sitesAdded.map((s) => s.line), f.sitesRemoved.map((s) => s.line)])).toEqual([[[], [9]]]);
    const diag = (line: number) => ({
      rule: "proof-stale",
      severity: "warning" as const,
      file: "data/security.yaml",
      line,
      col: 3,
      message: "stale",
    });
    const diagnostics = compareSnapshots(
      snapshot({ diagnostics: [diag(1), diag(2)] }),
      snapshot({ diagnostics: [diag(7), diag(8), diag(9)] }),
      META,
    ).diagnostics;
    expect([diagnostics.new.map((d) => d.line), diagnostics.resolved]).toEqual([[9], 0]);
  });

  test("an added or removed record shows its claims: status, approval, scope, owner", () => {
    const fields = {
      type: "Release",
      scope: "all",
      tier: "Free",
      impact: "Low",
      status: "Planned",
      approval: "Pending",
      description: "CSV export.",
      owner: "Platform Lead",
      introduced: "2026-12-01",
    };
    const claim = { kind: "features" as const, name: "CSV_EXPORT_V2", status: "Planned", approval: "Pending" };
    const added = compareSnapshots(
      snapshot(),
      snapshot({ records: [{ kind: "features", name: "CSV_EXPORT_V2", fields }], claims: [claim] }),
      META,
    );
    expect(added.claims).toEqual([
      {
        kind: "features",
        name: "CSV_EXPORT_V2",
        status: { after: "Planned" },
        approval: { after: "Pending" },
        lostProof: false,
        record: "added",
      },
    ]);
    const md = renderMarkdown(added);
    expect(md).toContain(
      "- added feature flag `CSV_EXPORT_V2`: Type `Release`; Release/Status `Planned`; Approval `Pending`; Scope `all`; Tier `Free`; Size/Impact `Low`; Owner `Platform Lead`",
    );
    expect(md).toContain("| `CSV_EXPORT_V2` (new feature flag) | status — → Planned; approval — → Pending | — |");
    expect(renderTerminal(added, { colour: false })).toContain(
      "+ CSV_EXPORT_V2 (new feature flag): Type Release; Release/Status Planned; Approval Pending; Scope all",
    );
    const removed = compareSnapshots(
      snapshot({ records: [{ kind: "features", name: "CSV_EXPORT_V2", fields }], claims: [claim] }),
      snapshot(),
      META,
    );
    expect(removed.claims).toEqual([
      {
        kind: "features",
        name: "CSV_EXPORT_V2",
        status: { before: "Planned" },
        approval: { before: "Pending" },
        lostProof: false,
        record: "removed",
      },
    ]);
    expect(renderMarkdown(removed)).toContain("- removed feature flag `CSV_EXPORT_V2`: Type `Release`; Release/Status `Planned`");
  });

  test(`size changes below the threshold (default ${DEFAULT_MIN_CHANGE} B) are summarised in one line, not listed`, () => {
    const base = snapshot({
      variants: [variant({ raw: 1000, gzip: 400, brotli: 300 }, "p1"), variant({ raw: 2000, gzip: 800, brotli: 600 }, "l1", "lite")],
    });
    const head = snapshot({
      variants: [variant({ raw: 1003, gzip: 401, brotli: 299 }, "p2"), variant({ raw: 2100, gzip: 830, brotli: 620 }, "l2", "lite")],
      flags: [flagA(103, "code-A2")],
    });
    const report = compareSnapshots(base, head, META);
    expect(report.small).toEqual({ threshold: DEFAULT_MIN_CHANGE, variants: ["prod"], flagRows: 1 });
    const md = renderMarkdown(report);
    expect(md).toContain("1 variant changed size (largest: `lite` +100 B, +5.0%)");
    expect(md.split("\n").find((l) => l.startsWith("| `prod`"))).toBe("| `prod` | 1,003 | 401 | 299 | — |");
    expect(md).toContain("1 variant changed by less than 10 B (raw, gzip and brotli), not listed: `prod`.");
    expect(md).toContain("1 flag cost moved by less than 10 B, not listed.");
    expect(renderTerminal(report, { colour: false })).toContain(
      "1 variant changed by less than 10 B (raw, gzip and brotli), not listed: prod",
    );
    // --fail-on still sees every byte.
    const rules = parseFailOn("size:+0.1%");
    expect(Array.isArray(rules) && failures(report, rules)).toEqual([
      "size:+0.1%: prod 1,000 → 1,003 B (+3 B, +0.3%); lite 2,000 → 2,100 B (+100 B, +5.0%)",
    ]);
    // A threshold of 0 lists every byte.
    const all = compareSnapshots(base, head, META, { minChange: 0 });
    expect(all.small).toEqual({ threshold: 0, variants: [], flagRows: 0 });
    expect(renderMarkdown(all)).toContain("| `prod` | 1,000 → 1,003 (+3, +0.3%)");
    expect(all.flags!.map((f) => f.bytes)).toEqual([[{ variant: "prod", before: 100, after: 103 }]]);
  });

  test("--min-change takes byte counts", () => {
    expect(["10", "10B", "1kB", "2KiB", "0"].map(parseByteCount)).toEqual([10, 10, 1000, 2048, 0]);
    expect(["-1", "ten", "10%"].map(parseByteCount)).toEqual([undefined, undefined, undefined]);
  });
});

describe("hostile record text", () => {
  const evil = "X`|<img src=x onerror=alert(1)>@octocat [link](https://e.invalid)\u001b]52;c;AAAA\u0007\u202e";
  const report = compareSnapshots(
    snapshot({ records: [{ kind: "features", name: "A", fields: { description: "plain" } }] }),
    snapshot({
      records: [
        { kind: "features", name: "A", fields: { description: evil } },
        { kind: "features", name: evil, fields: {} },
      ],
      variants: [
        {
          name: "prod",
          features: ["A", evil],
          budget: 2000,
          sizes: { raw: 1000, gzip: 400, brotli: 300 },
          sha256: "bundle-1",
          shape: "shape-1",
        },
      ],
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
    expect(
      md
        .split("\n")
        .filter((l) => l.startsWith("| `prod`"))[0]!
        .split(/(?<!\\)\|/).length,
    ).toBe(7);
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
