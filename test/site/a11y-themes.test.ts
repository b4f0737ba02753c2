/** axe-core on dark theme, phone with the menu open, and the search dialog. Zero violations allowed; see a11y.ts. */
import { expect, setDefaultTimeout, test } from "bun:test";
import { axeSuite, DARK, report, violations } from "./a11y.ts";
import { axe } from "./harness.ts";

setDefaultTimeout(60_000);

axeSuite((site) => {
  for (const path of DARK) {
    test(`dark theme: ${path}`, async () => {
      expect(await violations(site(), path, { colorScheme: "dark" })).toBe("");
    });
  }

  test("phone viewport with the menu open", async () => {
    const phone = await site().page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${site().base}/flag-guide/`);
      expect(report(await axe(phone))).toBe("");
      await phone.click("[data-menu]");
      expect(report(await axe(phone))).toBe("");
    } finally {
      await phone.context().close();
    }
  });

  test("the search dialog with results", async () => {
    const page = await site().page();
    try {
      await page.goto(`${site().base}/flag-guide/?scope=Enterprise&sort=-tier`);
      await page.click("[data-search-open]");
      await page.fill("dialog.search input", "export");
      await page.waitForSelector("dialog.search .search-results li");
      expect(report(await axe(page))).toBe("");
    } finally {
      await page.context().close();
    }
  });
});
