/**
 * Shared by the a11y-*.test.ts files (light; dark, phone and search, so two test workers can run them side by side):
 * axe-core (from node_modules) on every page type, in light and dark, on a phone, and with the search dialog open.
 * Zero violations allowed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { axe, BROWSER_SUITES, openSite, type SiteSession } from "./harness.ts";

/**
 * Every page template and every component a page can embed, once: the prose pages chosen so that each MDX component
 * appears on one of them (flag-guide and developer-guide hold only a MasterTable, as index.mdx does; takeoff has Clearance), and
 * the kind indexes whose extra columns differ. A page added here costs about 1 s of a test worker on a 2-core machine.
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

export const report = (v: Awaited<ReturnType<typeof axe>>) =>
  v.map((x) => `${x.id} (${x.impact}): ${x.help}\n    ${x.nodes.map((n) => n.html).join("\n    ")}`).join("\n");

/** Pages waiting for the next check of a session, by the context options they were opened with. */
const idle = new WeakMap<SiteSession, Map<string, Page>>();

/**
 * One check: one document, loaded fresh, under the test's own timeout. The page it ran on is handed to the next
 * check with the same options: a page of its own per check costs a renderer process and a fresh compile of axe,
 * more than half of each check (measured: 12 pages in 7.2 s reused against 15.6 s each in a context of its own).
 * A check that throws closes its page, and one that times out never hands it on, so the next check opens a new
 * page: a slow or broken page fails alone.
 */
export async function violations(site: SiteSession, path: string, options: Parameters<SiteSession["page"]>[0] = {}): Promise<string> {
  const key = JSON.stringify(options);
  const waiting = idle.get(site) ?? new Map<string, Page>();
  idle.set(site, waiting);
  const held = waiting.get(key);
  waiting.delete(key);
  const page = held && !held.isClosed() ? held : await site.page(options, true);
  let handOn = false;
  try {
    await page.goto(`${site.base}${path}`);
    const found = report(await axe(page));
    handOn = !waiting.has(key);
    return found;
  } finally {
    if (handOn) waiting.set(key, page);
    else await page.context().close();
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
