/**
 * Tables and record pages read labels and roles from the schema's field metadata, not from lists of their
 * own: extra columns, code cells, numbers, the Overdue badge, the filter box's search text, record fields,
 * the lead sentence. No browser: the page data the components render.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { labelOf } from "../../src/core/schema/columns.ts";
import { siteConfig } from "../../src/site/config.ts";
import { createSite } from "../../src/site/data.ts";
import { BADGE } from "../../src/site/format.ts";
import { leadText, recordFields } from "../../src/site/record-view.ts";
import { buildTable, DEFAULT_EXTRAS, FILTER_LABELS } from "../../src/site/table.ts";
import { REPO } from "./fixture.ts";

setDefaultTimeout(60_000);

const NO_RESULTS = join(REPO, "test", ".work", "schema-view-no-results");
const siteAt = (buildDate: string) =>
  createSite(siteConfig({ SITE_ROOT: REPO, SITE_RESULTS_ROOT: NO_RESULTS, SITE_BUILD_DATE: buildDate }));

describe("tables from the schema", () => {
  const site = siteAt("2000-01-01");

  test("extra columns: labels and formats from the field metadata", () => {
    const t = buildTable(site, "roadmap", { extra: ["phase", "estimate", "target", "owner"] });
    expect(t.columns.slice(-4)).toEqual([
      { id: "phase", label: "Phase", numeric: true },
      { id: "estimate", label: "Estimate", numeric: true },
      { id: "target", label: "Target" },
      { id: "owner", label: "Owner" },
    ]);
    const withEstimate = t.rows.find((r) => r.cells.at(-3)!.sort !== -1)!;
    expect(withEstimate.cells.at(-3)!.text).toMatch(/^\d+(\.\d+)? days?$/);
    const c = buildTable(site, "components", { extra: DEFAULT_EXTRAS.components });
    expect(c.columns.slice(-2).map((x) => x.label)).toEqual(["Location", "Production ready"]);
    expect(c.rows.every((r) => r.cells.at(-2)!.code === true)).toBe(true);
    expect(buildTable(site, "security", { extra: ["requirement"] }).columns.at(-1)!.label).toBe("Requirement");
    expect(() => buildTable(site, "security", { extra: ["nonsense"] })).toThrow(/unknown extra column "nonsense"/);
  });

  test("the filter box searches prose and code fields; filter labels are the columns' short labels", () => {
    const t = buildTable(site, "security");
    const row = t.rows.find((r) => r.key === site.slugOf(site.entries("security")[0]!))!;
    const control = site.entries("security")[0]!.record;
    expect(row.search).toContain(control.requirement.toLowerCase().replace(/\s+/g, " "));
    expect(row.search).toContain(control.threat.toLowerCase().replace(/\s+/g, " "));
    expect(FILTER_LABELS).toEqual({ scope: "Scope", tier: "Tier", status: "Status", domain: "Domain", variant: "Variant" });
    expect(t.columns.find((c) => c.id === "status")!.label).toBe(labelOf("status"));
  });

  test("Overdue comes from the field with the due role, against the build date", () => {
    const before = buildTable(site, "security", { extra: ["target"] });
    expect(before.rows.some((r) => r.cells.at(-1)!.badge)).toBe(false);
    const later = buildTable(siteAt("2999-01-01"), "security", { extra: ["target"] });
    const open = later.rows.filter((r) => r.filters.status.some((s) => s !== "Done" && s !== "Deprecated"));
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((r) => r.cells.at(-1)!.badge === BADGE.overdue)).toBe(true);
  });
});

describe("record pages from the schema", () => {
  const site = siteAt("2000-01-01");

  test("fields in schema order with their labels, code and links by role", () => {
    const debug = site.model.flag("DEBUG")!;
    const fields = recordFields(site, debug);
    expect(fields.slice(0, 3).map((f) => f.label)).toEqual(["Name", "Type", "Category"]);
    expect(fields.find((f) => f.key === "status")).toMatchObject({
      label: "Release/Status",
      master: true,
      value: { type: "status", status: "Done" },
    });
    expect(fields.find((f) => f.key === "modules")).toMatchObject({
      label: "Modules",
      master: false,
      value: { type: "list", items: [{ type: "code" }] },
    });
    expect(fields.find((f) => f.key === "owner")!.value).toMatchObject({ type: "link", text: "Platform Lead" });
    const task = site.entries("roadmap").find((e) => e.record.dependsOn?.length)!;
    expect(recordFields(site, task).find((f) => f.key === "dependsOn")).toMatchObject({ label: "Depends on", value: { type: "list" } });
    const limited = site.entries("security").find((e) => e.record.limits?.length)!;
    expect(recordFields(site, limited).find((f) => f.key === "limits")!.value).toEqual({ type: "limits", rows: limited.record.limits! });
  });

  test("the lead sentence is the field marked lead", () => {
    const control = site.entries("security")[0]!;
    expect(leadText(control)).toBe(control.record.threat);
    expect(leadText(site.entries("components")[0]!)).toBe(site.entries("components")[0]!.record.purpose);
    const criterion = site.entries("criteria")[0]!;
    expect(leadText(criterion)).toBe(criterion.record.description);
  });
});
