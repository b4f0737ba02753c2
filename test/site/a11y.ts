/**
 * Shared by the a11y-*.test.ts files (split so two test workers can run them side by side): axe-core (from node_modules) on every page type, in light and dark, on a phone, and with the search
 * dialog open. Zero violations allowed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { axe, BROWSER_SUITES, openSite, type SiteSession } from "./harness.ts";


/**
 * Every page template and every component a page can embed, once: the prose pages chosen so that each MDX component
 * appears on one of them (flag-guide and developer-guide hold only a MasterTable, as index.mdx does; takeoff has Clearance), and
 * the kind indexes whose extra columns differ. A page added here costs about 3 s of a test worker on a 2-core machine.
 */
export const PAGES = [
  "/",
  "/table-format/",
  "/build-optimization/",
  "/security-matrix/",
  "/bun-patterns/",
  "/checklist/",
  "/takeoff/",
  "/rules/",
  "/features/",
  "/build-variants/",
  "/controls/",
  "/roadmap/",
  "/scopes/enterprise/",
  "/features/DEBUG/",
  "/features/XSS_FIXTURE/",
  "/build-variants/prod/",
  "/build-variants/compare/",
  "/build-variants/compare/prod/enterprise/",
  "/controls/input-sanitization/",
  "/roadmap/phase-2-security/",
  "/components/feature-flags/",
  "/criteria/typescript-compilation/",
  "/team/security-team/",
  "/no-such-page/",
];

export const report = (v: Awaited<ReturnType<typeof axe>>) => v.map((x) => `${x.id} (${x.impact}): ${x.help}\n    ${x.nodes.map((n) => n.html).join("\n    ")}`).join("\n");

/** Each check opens one page in its own context: a slow page on a loaded machine fails alone, with its own timeout. */
export async function violations(site: SiteSession, path: string, options: Parameters<SiteSession["page"]>[0] = {}): Promise<string> {
  const page = await site.page(options, true);
  try {
    await page.goto(`${site.base}${path}`);
    return report(await axe(page));
  } finally {
    await page.context().close();
  }
}

export const DARK = ["/", "/checklist/", "/features/DEBUG/", "/build-optimization/"];


/** One suite: its own server and browser (opened once), skipped without Chromium; `define` adds the tests. */
export function axeSuite(define: (site: () => SiteSession) => void): void {
  describe.skipIf(!BROWSER_SUITES)("axe-core finds no violations", () => {
    let site: SiteSession;
    beforeAll(async () => {
      site = await openSite();
    }, 180_000);
    afterAll(async () => {
      await site?.close();
    });
    define(() => site);
  });
}

/** A light-theme test per page of `pages`. */
export function lightPages(pages: readonly string[]): void {
  axeSuite((site) => {
    for (const path of pages) {
      test(`light theme, 1280 px: ${path}`, async () => {
        expect(await violations(site(), path)).toBe("");
      });
    }
  });
}
