/**
 * What "Documentation complete", "Security framework documented" and the documentation components claim,
 * proven on the built site (test/.work/site/dist, built by the harness from the repository's content/ and a
 * copy of data/ with hostile records added) and on check's lint of content/:
 *
 * - every record kind has its index page with a master table holding exactly its records, and every record
 *   has its page; the flag guide holds every flag, the developer guide a master table;
 * - every hand-written table in content/ passes check's table lint (labels, order, values, cell counts, and
 *   the comparison of named records cell by cell, once src/core/lint compares them: the test asserts whatever
 *   check's lint stage reports, so a new lint rule is covered here without a change);
 * - the security page renders the control × variant matrix and every control's requirement with its numbers.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCheck } from "../../src/core/check.ts";
import { loadModel, type Model } from "../../src/core/model/model.ts";
import { fieldText } from "../../src/core/model/limit-text.ts";
import { RULES } from "../../src/core/report/rules.ts";
import { KIND_INFO, KINDS } from "../../src/core/schema/kinds.ts";
import { siteConfig } from "../../src/site/config.ts";
import { createSite, type Site } from "../../src/site/data.ts";
import { BUILD_DATE, buildFixtureSite, DIST, REPO_URL, WORK } from "./harness.ts";
import { REPO } from "./fixture.ts";

// The site build (Astro, Pagefind, links) on a loaded 2-core machine.
setDefaultTimeout(240_000);

let site: Site;
/** The records the site was built from, read by the loader itself (not through the site's code under test). */
let model: Model;
beforeAll(async () => {
  await buildFixtureSite();
  model = loadModel(WORK, "data").model;
  site = createSite(
    siteConfig({
      SITE_ROOT: REPO,
      SITE_DATA_DIR: join(WORK, "data"),
      SITE_RESULTS_ROOT: WORK,
      SITE_REPO_URL: REPO_URL,
      SITE_REPO_BRANCH: "main",
      SITE_BUILD_DATE: BUILD_DATE,
    }),
  );
}, 240_000);

const page = (path: string) => readFileSync(join(DIST, path, "index.html"), "utf8");
/** The master table of `kind` on a page: the markup from its data-mt wrapper to the end of its table. */
function masterTable(html: string, kind: string): string | undefined {
  const start = html.indexOf(`data-mt="${kind}"`);
  if (start < 0) return undefined;
  const end = html.indexOf("</table>", start);
  return end < 0 ? undefined : html.slice(start, end);
}
const rowsOf = (table: string) =>
  table
    .split(/<tr\s/)
    .slice(1)
    .filter((r) => /^[^>]*\bdata-scope[\s=>]/.test(r));
/** Text of some markup, tags removed, the entities Astro writes decoded, spaces collapsed. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();

describe("documentation complete", () => {
  test("every record kind has its page with a master table of exactly its records, and every record its page", () => {
    for (const kind of KINDS) {
      const table = masterTable(page(KIND_INFO[kind].path), kind);
      expect({ kind, table: table !== undefined }).toEqual({ kind, table: true });
      const rows = rowsOf(table!);
      const entries = model.records[kind];
      expect({ kind, rows: rows.length }).toEqual({ kind, rows: entries.length });
      entries.forEach((e, i) => {
        expect({ kind, row: i, links: rows[i]!.includes(`href="${site.urlOf(e)}"`) }).toEqual({ kind, row: i, links: true });
        expect({ page: site.urlOf(e), exists: existsSync(join(DIST, decodeURIComponent(site.urlOf(e)), "index.html")) }).toEqual({
          page: site.urlOf(e),
          exists: true,
        });
      });
    }
  });

  test("the flag guide holds every flag in one master table; the developer guide has a master table", () => {
    const guide = masterTable(page("flag-guide"), "features");
    expect(guide).toBeDefined();
    const rows = rowsOf(guide!);
    expect(rows.length).toBe(model.records.features.length);
    for (const f of model.records.features) expect(rows.some((r) => r.includes(`href="${site.urlOf(f)}"`))).toBe(true);
    expect(page("developer-guide")).toMatch(/data-mt="[a-z]+"/);
  });

  test("every hand-written table in content/ passes check's table lint (check's core API, every lint rule)", () => {
    const lint = runCheck(REPO).diagnostics.filter((d) => RULES[d.rule].stage === "lint" && d.file.startsWith("content/"));
    expect(lint.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`)).toEqual([]);
  });
});

describe("security framework documented", () => {
  test("the security page renders the control × variant matrix: a row per control, a cell per variant", () => {
    const html = page("security-matrix");
    const start = html.indexOf("data-control-matrix");
    expect(start).toBeGreaterThan(-1);
    const matrix = html.slice(start, html.indexOf("</table>", start));
    const variants = model.records.variants;
    const controls = model.records.security;
    const rows = matrix.split("<tr").slice(2); // the head row, then one per control
    expect(rows.length).toBe(controls.length);
    controls.forEach((c, i) => {
      expect(rows[i]).toContain(`href="${site.urlOf(c)}#proof"`);
      expect([...rows[i]!.matchAll(/data-variant="([^"]+)"/g)].map((m) => m[1])).toEqual(variants.map((v) => v.record.name));
    });
  });

  test("and every control's requirement, with each limit's number filled in from the record", () => {
    const html = page("security-matrix");
    const start = html.indexOf('id="cr-caption"');
    expect(start).toBeGreaterThan(-1);
    const table = html.slice(start, html.indexOf("</table>", start));
    const rows = table.split("<tr").slice(2);
    const controls = model.records.security;
    expect(rows.length).toBe(controls.length);
    controls.forEach((c, i) => {
      const row = text(rows[i]!);
      const requirement = (fieldText(c, "requirement") ?? "").replace(/`/g, "").replace(/\s+/g, " ");
      expect({ control: c.record.name, requirement: row.includes(requirement) }).toEqual({ control: c.record.name, requirement: true });
      for (const l of c.record.limits ?? []) expect(row).toContain(`${l.name}: ${l.value} ${l.unit}`);
    });
  });
});
