/**
 * The table lint against markdownlint's own table rules (MD055 table-pipe-style, MD056 table-column-count,
 * run through markdownlint's library API): over every table fixture of the project, each row markdownlint
 * flags, check flags too, on the same line and for the same reason. check also finds what markdownlint
 * cannot see: a delimiter row whose cell count differs from its header makes no table for either parser.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lint } from "markdownlint/sync";
import { lintMarkdown } from "../../src/core/lint/lint-tables.ts";
import { REPO } from "../helpers/project.ts";

const ctx = { scopeNames: ["Public", "Enterprise", "Development"] };

/** Markdown pages of the table fixtures, the check fixtures and the site. */
function pages(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (/\.mdx?$/.test(e.name)) out.push(rel);
    }
  };
  for (const dir of ["test/fixtures/tables", "test/fixtures/check", "test/fixtures/base", "content"]) walk(dir);
  return out.sort();
}

const OURS: Record<string, string> = { MD055: "table-pipe-style", MD056: "table-cell-count" };

describe("every table markdownlint flags, check flags too", () => {
  const files = pages();
  let flagged = 0;

  for (const file of files) {
    test(file, () => {
      const text = readFileSync(join(REPO, file), "utf8");
      const theirs = lint({ strings: { [file]: text }, config: { default: false, MD055: true, MD056: true } })[file]!;
      const ours = lintMarkdown(file, text, ctx);
      const missed = theirs
        .filter((e) => !ours.some((d) => d.line === e.lineNumber && d.rule === OURS[e.ruleNames[0]!]))
        .map((e) => `${file}:${e.lineNumber} ${e.ruleNames.join("/")}: ${e.errorDetail}`);
      expect(missed).toEqual([]);
      flagged += theirs.length;
    });
  }

  test("the fixtures give markdownlint something to flag, of both rules", () => {
    const rules = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(REPO, file), "utf8");
      for (const e of lint({ strings: { [file]: text }, config: { default: false, MD055: true, MD056: true } })[file]!)
        rules.add(e.ruleNames[0]!);
    }
    expect([...rules].sort()).toEqual(["MD055", "MD056"]);
    expect(flagged).toBeGreaterThanOrEqual(15);
  });

  test("a delimiter row of 4 cells under a 7-column header is no table to markdownlint or remark; check reports it at the delimiter row", () => {
    const file = "test/fixtures/tables/delimiter.md";
    const text = readFileSync(join(REPO, file), "utf8");
    expect(lint({ strings: { [file]: text }, config: { default: false, MD055: true, MD056: true } })[file]).toEqual([]);
    expect(lintMarkdown(file, text, ctx).map((d) => `${d.line}:${d.col} ${d.rule}`)).toEqual([
      "6:1 table-delimiter",
      "12:1 table-delimiter",
      "18:1 table-delimiter",
    ]);
  });
});
