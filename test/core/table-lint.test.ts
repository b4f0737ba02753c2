/**
 * Hand-written tables against the records they name, one diagnostic per mistake, and the fixes with one
 * right answer. The records are the base fixture's (DEBUG: Diagnostic, Operations, Development, Internal,
 * In Progress; ENTERPRISE: Permission, Platform, Enterprise, Enterprise, Beta).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCheck, tableLintContext } from "../../src/core/check.ts";
import type { LintCache, LintEntry } from "../../src/core/cache/lint-cache.ts";
import { fixMarkdown, lintContent, lintMarkdown } from "../../src/core/lint/lint-tables.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { makeProject, removeProject, REPO } from "../helpers/project.ts";

const ctx = tableLintContext(loadModel(join(REPO, "test/fixtures/base")).model);
const F = "content/page.md";
const lint = (text: string) => lintMarkdown(F, text, ctx);
const found = (text: string) => lint(text).map((d) => `${d.line}:${d.col} ${d.rule}`);

const HEADER = "| Name | Type | Domain | Scope | Tier | Release/Status |\n| --- | --- | --- | --- | --- | --- |\n";
const DEBUG = "| DEBUG | Diagnostic | Operations | Development | Internal | ⏳ In Progress |\n";
const ENTERPRISE = "| ENTERPRISE | Permission | Platform | Enterprise | Enterprise | 🧪 Beta |\n";

describe("cells against the records their rows name", () => {
  test("a table that agrees with its records is clean, status icons and scope order aside", () => {
    expect(found(HEADER + DEBUG + ENTERPRISE)).toEqual([]);
    expect(found(`${HEADER}| DEBUG | Diagnostic | Operations | Development | Internal | In Progress |\n`)).toEqual([]);
  });

  test("a cell the record contradicts is one table-record at the cell, the record's value and place in the hint", () => {
    const [d, ...rest] = lint(HEADER + DEBUG.replace("⏳ In Progress", "🧪 Beta"));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      rule: "table-record",
      line: 3,
      col: 62,
      message: `this row shows DEBUG's Release/Status as "🧪 Beta"; its record says In Progress`,
    });
    expect(d!.hint).toBe(
      'write "⏳ In Progress" as the feature flag\'s record at data/features.yaml:9 says (npm run check -- --fix writes it), or change the record',
    );
  });

  test("every master column is compared: type, domain, scope, tier, and an allowed value the record does not have", () => {
    expect(found(`${HEADER}| DEBUG | Ops | Platform | Public | Free | ⏳ In Progress |\n`)).toEqual([
      "3:11 table-record",
      "3:17 table-record",
      "3:28 table-record",
      "3:37 table-record",
    ]);
  });

  test("a value no column allows in a row naming a record is one table-record, not also a table-value", () => {
    expect(found(HEADER + DEBUG.replace("Internal", "Gold"))).toEqual(["3:51 table-record"]);
  });

  test("rows naming no record are held to the allowed values only", () => {
    expect(found(`${HEADER}| OTHER | Release | Build | all | Gold | Done |\n`)).toEqual(["3:35 table-value"]);
  });
});

describe("one diagnostic per structural error", () => {
  test("one missing cell is one table-cell-count at the place it went missing, not three", () => {
    const d = lint(`${HEADER}| DEBUG | Diagnostic | Development | Internal | ⏳ In Progress |\n`);
    expect(d.map((x) => `${x.line}:${x.col} ${x.rule}`)).toEqual(["3:24 table-cell-count"]);
    expect(d[0]!.message).toBe("this row has 5 cells; the header has 6: the Domain cell (column 3) seems to be missing");
  });

  test("two columns swapped in the header and every row are one table-order, not one per column between", () => {
    const text =
      "| Release/Status | Type | Domain | Scope | Tier | Name |\n| --- | --- | --- | --- | --- | --- |\n| ⏳ In Progress | Diagnostic | Operations | Development | Internal | DEBUG |\n";
    const d = lint(text);
    expect(d.map((x) => `${x.line}:${x.col} ${x.rule}`)).toEqual(["1:3 table-order"]);
    expect(d[0]!.message).toStartWith('"Release/Status" and "Name" are swapped');
  });

  test("two swaps are two findings; a column moved is one", () => {
    expect(
      found(
        "| Type | Name | Domain | Scope | Release/Status | Tier |\n| --- | --- | --- | --- | --- | --- |\n| Diagnostic | DEBUG | Operations | Development | In Progress | Internal |\n",
      ),
    ).toEqual(["1:3 table-order", "1:34 table-order"]);
    expect(
      found(
        "| Type | Domain | Scope | Tier | Release/Status | Name |\n| --- | --- | --- | --- | --- | --- |\n| Diagnostic | Operations | Development | Internal | In Progress | DEBUG |\n",
      ),
    ).toEqual(["1:51 table-order"]);
  });

  test("two cells swapped in every row are one table-swapped-cells, not two per row", () => {
    const text = `${HEADER}| DEBUG | Operations | Diagnostic | Development | Internal | ⏳ In Progress |\n| ENTERPRISE | Platform | Permission | Enterprise | Enterprise | 🧪 Beta |\n`;
    const d = lint(text);
    expect(d.map((x) => `${x.line}:${x.col} ${x.rule}`)).toEqual(["3:11 table-swapped-cells"]);
    expect(d[0]!.message).toBe("the Type and Domain cells of 2 rows (the first here) hold each other's values");
  });

  test("two labels swapped over cells in master order are one finding", () => {
    const text = `| Name | Domain | Type | Scope | Tier | Release/Status |\n| --- | --- | --- | --- | --- | --- |\n${DEBUG}${ENTERPRISE}`;
    const d = lint(text);
    expect(d.map((x) => `${x.line}:${x.col} ${x.rule}`)).toEqual(["1:10 table-order"]);
    expect(d[0]!.message).toStartWith('the labels "Domain" and "Type" are swapped');
  });

  test("a row with outer pipes other than the page's first table is one table-pipe-style per row", () => {
    expect(
      found(
        `${HEADER}| DEBUG | Diagnostic | Operations | Development | Internal | ⏳ In Progress\nENTERPRISE | Permission | Platform | Enterprise | Enterprise | 🧪 Beta\n`,
      ),
    ).toEqual(["3:75 table-pipe-style", "4:1 table-pipe-style"]);
  });

  test("a delimiter row with fewer cells than its header is one table-delimiter, tables or not", () => {
    expect(
      found(
        "| Name | Type | Domain | Scope | Tier | Release/Status | Why |\n| --- | --- | --- | --- |\n| DEBUG | Diagnostic | Operations | Development | Internal | ⏳ In Progress | x |\n",
      ),
    ).toEqual(["2:1 table-delimiter"]);
    expect(found("| Key | Meaning |\n| --- |\n")).toEqual(["2:1 table-delimiter"]);
    expect(found("```\n| Key | Meaning |\n| --- |\n```\n")).toEqual([]);
  });

  test("tables without master labels are held to their cell counts", () => {
    expect(found("| Key | Meaning |\n| --- | --- |\n| a |\n")).toEqual(["3:3 table-cell-count"]);
  });
});

describe("fixes with one right answer", () => {
  const fix = (text: string) => fixMarkdown(F, text, ctx);

  test("labels, column order and record cells are rewritten; the page then lints clean", () => {
    const text =
      "# T\n\n| Name | Domain | Status | Type | Scope | Tier | Why |\n|------|--------|--------|------|-------|------|-----|\n| DEBUG | Operations | ✅ Done | Diagnostic | Development | Internal | traces |\n| ENTERPRISE | Platform | Beta | Permission | Enterprise, Internal | Enterprise | keys |\n";
    const fixed = fix(text);
    expect(fixed.text).toBe(
      "# T\n\n| Name | Type | Domain | Scope | Tier | Release/Status | Why |\n|------|------|--------|-------|------|--------|-----|\n| DEBUG | Diagnostic | Operations | Development | Internal | ⏳ In Progress | traces |\n| ENTERPRISE | Permission | Platform | Enterprise | Enterprise | Beta | keys |\n",
    );
    expect(fixed.changes.map((c) => c.line)).toEqual([3, 3, 5, 6]);
    expect(lint(fixed.text)).toEqual([]);
  });

  test("swapped cells, swapped labels, outer pipes and a short delimiter row are fixed", () => {
    expect(fix(`${HEADER}| DEBUG | Operations | Diagnostic | Development | Internal | ⏳ In Progress |\n`).text).toBe(HEADER + DEBUG);
    expect(fix(`| Name | Domain | Type | Scope | Tier | Release/Status |\n| --- | --- | --- | --- | --- | --- |\n${DEBUG}`).text).toBe(
      HEADER + DEBUG,
    );
    expect(fix(`${HEADER}DEBUG | Diagnostic | Operations | Development | Internal | ⏳ In Progress\n`).text).toBe(HEADER + DEBUG);
    expect(fix("| Key | Meaning | Since |\n| --- |\n| a | b | c |\n").text).toBe(
      "| Key | Meaning | Since |\n| --- | --- | --- |\n| a | b | c |\n",
    );
    // A cell lost from a row naming a record, where exactly one place for it makes the row agree.
    expect(fix(`${HEADER}| DEBUG | Diagnostic | Development | Internal | ⏳ In Progress |\n`).text).toBe(HEADER + DEBUG);
    expect(fix(`${HEADER}| DEBUG | Diagnostic | Operations | Development | Internal |\n`).text).toBe(HEADER + DEBUG);
  });

  test("what has no one right answer is left as it is", () => {
    const unfixable = [
      `${HEADER}| OTHER | Release | Build | all | Gold | Done |\n`, // a value no record decides
      `${HEADER}| OTHER | Release | all | Free | Done |\n`, // no record says what the missing cell held
      "| Name | Type | Domain | Scope | Release/Status |\n| --- | --- | --- | --- | --- |\n| DEBUG | Diagnostic | Operations | Development | In Progress |\n", // a missing column
      "| Key | Meaning |\n| --- | --- | --- |\n| a | b |\n", // a delimiter cell too many: the header may be short
    ];
    for (const text of unfixable) {
      expect(lint(text).length).toBeGreaterThan(0);
      expect(fix(text)).toEqual({ text, changes: [] });
    }
  });
});

describe("remembered lint results follow the records", () => {
  test("a page linted clean and remembered is linted again when a record it names changes", () => {
    const project = makeProject();
    try {
      const lintOf = () =>
        runCheck(project, { cache: true, freshness: false })
          .diagnostics.filter((d) => d.file.startsWith("content/"))
          .map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}`);
      expect(lintOf()).toEqual([]);
      expect(lintOf()).toEqual([]); // from the lint cache
      const data = join(project, "data/features.yaml");
      writeFileSync(data, readFileSync(data, "utf8").replace("  status: In Progress\n", "  status: Done\n"));
      expect(lintOf()).toEqual(["content/guide.md:5:62 table-record"]);
    } finally {
      removeProject(project);
    }
  });

  test("editing a record re-lints only the pages whose rows name it", () => {
    const project = makeProject();
    try {
      writeFileSync(
        join(project, "content/other.md"),
        `# Other\n\n| Name | Type | Domain | Scope | Tier | Release/Status |\n| --- | --- | --- | --- | --- | --- |\n${ENTERPRISE}`,
      );
      const stored = new Map<string, LintEntry>();
      const linted: string[] = [];
      const cache: LintCache = {
        get: (rel) => stored.get(rel),
        set: (rel, _bytes, _context, entry) => {
          linted.push(rel);
          stored.set(rel, entry);
        },
      };
      const lint = (edit?: (s: string) => string) => {
        const data = join(project, "data/features.yaml");
        if (edit) writeFileSync(data, edit(readFileSync(data, "utf8")));
        linted.length = 0;
        const { model } = loadModel(project);
        return lintContent(project, tableLintContext(model), "content", cache).diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`);
      };
      expect(lint()).toEqual([]);
      expect(linted).toEqual(["content/guide.md", "content/other.md"]);
      expect(lint()).toEqual([]);
      expect(linted).toEqual([]);
      // ENTERPRISE's tier changes: only the page naming it is linted again, and now disagrees.
      expect(lint((s) => s.replace("tier: Enterprise", "tier: Pro"))).toEqual(["content/other.md:5 table-record"]);
      expect(linted).toEqual(["content/other.md"]);
    } finally {
      removeProject(project);
    }
  });
});
