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
  "/rules/",
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

/** Each check opens one page in its own context: a slow page on a loaded machine fails alone, with its own timeout. */
async function violations(site: SiteSession, path: string, options: Parameters<SiteSession["page"]>[0] = {}): Promise<string> {
  const page = await site.page(options);
  try {
    await page.goto(`${site.base}${path}`);
    return report(await axe(page));
  } finally {
    await page.context().close();
  }
}

const DARK = ["/", "/flag-guide/", "/bun-patterns/", "/checklist/", "/features/DEBUG/", "/build-optimization/"];

describe.skipIf(!BROWSER_SUITES)("axe-core finds no violations", () => {
  let site: SiteSession;
  beforeAll(async () => {
    site = await openSite();
  }, 180_000);
  afterAll(async () => {
    await site?.close();
  });

  for (const path of PAGES) {
    test(`light theme, 1280 px: ${path}`, async () => {
      expect(await violations(site, path)).toBe("");
    });
  }

  for (const path of DARK) {
    test(`dark theme: ${path}`, async () => {
      expect(await violations(site, path, { colorScheme: "dark" })).toBe("");
    });
  }

  test("phone viewport with the menu open", async () => {
    const phone = await site.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${site.base}/flag-guide/`);
      expect(report(await axe(phone))).toBe("");
      await phone.click("[data-menu]");
      expect(report(await axe(phone))).toBe("");
    } finally {
      await phone.context().close();
    }
  });

  test("the search dialog with results", async () => {
    const page = await site.page();
    try {
      await page.goto(`${site.base}/flag-guide/?scope=Enterprise&sort=-tier`);
      await page.click("[data-search-open]");
      await page.fill("dialog.search input", "export");
      await page.waitForSelector("dialog.search .search-results li");
      expect(report(await axe(page))).toBe("");
    } finally {
      await page.context().close();
    }
  });
});
