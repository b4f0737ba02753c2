/**
 * axe-core (from node_modules) on every page type, in light and dark, on a phone, and with the search
 * dialog open. Zero violations allowed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { axe, BROWSER_SUITES, openSite, type SiteSession } from "./harness.ts";

setDefaultTimeout(60_000);

const PAGES = [
  "/",
  "/table-format/",
  "/flag-guide/",
  "/developer-guide/",
  "/build-optimization/",
  "/security-matrix/",
  "/bun-patterns/",
  "/checklist/",
  "/takeoff/",
  "/scopes/",
  "/features/",
  "/build-variants/",
  "/controls/",
  "/roadmap/",
  "/components/",
  "/criteria/",
  "/team/",
  "/scopes/enterprise/",
  "/features/DEBUG/",
  "/features/XSS_FIXTURE/",
  "/build-variants/prod/",
  "/controls/input-sanitization/",
  "/roadmap/phase-2-security/",
  "/components/feature-flags/",
  "/criteria/typescript-compilation/",
  "/team/security-team/",
  "/no-such-page/",
];

const report = (v: Awaited<ReturnType<typeof axe>>) => v.map((x) => `${x.id} (${x.impact}): ${x.help}\n    ${x.nodes.map((n) => n.html).join("\n    ")}`).join("\n");

describe.skipIf(!BROWSER_SUITES)("axe-core finds no violations", () => {
  let site: SiteSession;
  beforeAll(async () => {
    site = await openSite();
  }, 120_000);
  afterAll(async () => {
    await site?.close();
  });

  test("every page type, light theme, 1280 px", async () => {
    const page = await site.page();
    const failures: string[] = [];
    for (const path of PAGES) {
      await page.goto(`${site.base}${path}`);
      const v = await axe(page);
      if (v.length) failures.push(`${path}\n  ${report(v)}`);
    }
    expect(failures.join("\n")).toBe("");
    await page.context().close();
  });

  test("dark theme", async () => {
    const page = await site.page({ colorScheme: "dark" });
    const failures: string[] = [];
    for (const path of ["/", "/flag-guide/", "/bun-patterns/", "/checklist/", "/features/DEBUG/", "/build-optimization/"]) {
      await page.goto(`${site.base}${path}`);
      const v = await axe(page);
      if (v.length) failures.push(`${path}\n  ${report(v)}`);
    }
    expect(failures.join("\n")).toBe("");
    await page.context().close();
  });

  test("phone viewport with the menu open, and the search dialog with results", async () => {
    const phone = await site.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${site.base}/flag-guide/`);
    expect(report(await axe(phone))).toBe("");
    await phone.click("[data-menu]");
    expect(report(await axe(phone))).toBe("");
    await phone.context().close();

    const page = await site.page();
    await page.goto(`${site.base}/flag-guide/?scope=Enterprise&sort=-tier`);
    await page.click("[data-search-open]");
    await page.fill("dialog.search input", "export");
    await page.waitForSelector("dialog.search .search-results li");
    expect(report(await axe(page))).toBe("");
    await page.context().close();
  });
});
