/** axe-core on every other page type, light theme (1 of 2). Zero violations allowed; see a11y.ts. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { PAGES, violations } from "./a11y.ts";
import { BROWSER_SUITES, openSite, type SiteSession } from "./harness.ts";

setDefaultTimeout(60_000);

describe.skipIf(!BROWSER_SUITES)("axe-core finds no violations", () => {
  let site: SiteSession;
  beforeAll(async () => {
    site = await openSite();
  }, 180_000);
  afterAll(async () => {
    await site?.close();
  });

  for (const path of PAGES.filter((_, i) => i % 2 === 0)) {
    test(`light theme, 1280 px: ${path}`, async () => {
      expect(await violations(site, path)).toBe("");
    });
  }
});
