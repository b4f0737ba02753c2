/**
 * Reader features in Chromium: search (lazy, finds a flag by words of its description), record deep links
 * and edit links, theme toggle, phone layout, TOC, last-updated, 404.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page, Request } from "playwright-core";
import { BROWSER_SUITES, BUILD_DATE, errorsOf, openSite, REPO_URL, type SiteSession } from "./harness.ts";

setDefaultTimeout(30_000);

describe.skipIf(!BROWSER_SUITES)("reader features", () => {
  let site: SiteSession;
  const pages: Page[] = [];
  const open = async (...args: Parameters<SiteSession["page"]>) => {
    const p = await site.page(...args);
    pages.push(p);
    return p;
  };
  beforeAll(async () => {
    site = await openSite();
  }, 120_000);
  afterAll(async () => {
    for (const p of pages) expect(errorsOf(p)).toEqual([]);
    await site?.close();
  });

  test("search assets load only when search opens, then search finds a flag by words of its description", async () => {
    const page = await open();
    const requests: string[] = [];
    page.on("request", (r: Request) => requests.push(new URL(r.url()).pathname));
    await page.goto(`${site.base}/flag-guide/`, { waitUntil: "networkidle" });
    expect(requests.filter((r) => r.startsWith("/pagefind/"))).toEqual([]);
    const before = requests.length;
    await page.click("[data-search-open]");
    await page.waitForSelector("dialog.search[open] input:focus");
    await page.fill("dialog.search input", "timing traces pipeline");
    const hit = page.locator('dialog.search .search-results a[href="/features/DEBUG/"]');
    await hit.waitFor({ timeout: 10_000 });
    expect(requests.slice(before).some((r) => r.startsWith("/pagefind/pagefind.js"))).toBe(true);
    expect(await page.textContent("dialog.search [role=status]")).toMatch(/result/);
    await hit.click();
    await page.waitForURL(`${site.base}/features/DEBUG/`);
  });

  test("search covers other record kinds and prose pages; Escape closes it, Ctrl+K reopens it", async () => {
    const page = await open();
    await page.goto(`${site.base}/`);
    await page.keyboard.press("/");
    await page.waitForSelector("dialog.search[open]");
    await page.fill("dialog.search input", "validateMetricScope");
    await page.locator('dialog.search .search-results a[href="/controls/scope-isolation/"]').waitFor({ timeout: 10_000 });
    await page.fill("dialog.search input", "dead-code elimination");
    await page.locator('dialog.search .search-results a[href="/build-optimization/"]').waitFor({ timeout: 10_000 });
    await page.keyboard.press("Escape");
    expect(await page.$("dialog.search[open]")).toBeNull();
    // The dialog's close event (which returns focus) is a task queued after close(): wait for it, do not race it.
    await page.waitForFunction(() => document.activeElement?.matches("[data-search-open]"), undefined, { timeout: 10_000 });
    await page.keyboard.press("Control+k");
    await page.waitForSelector("dialog.search[open] input:focus");
  });

  test("a record page: deep link to a section, every field, variants, and an edit link to its YAML line", async () => {
    const page = await open();
    await page.goto(`${site.base}/features/DEBUG/#variants`);
    expect(await page.textContent("h1")).toBe("DEBUG");
    const inView = await page.evaluate(() => {
      const r = document.getElementById("variants")!.getBoundingClientRect();
      return r.top >= 0 && r.top < innerHeight;
    });
    expect(inView).toBe(true);
    const edit = await page.getAttribute("[data-edit-record]", "href");
    expect(edit).toBe(`${REPO_URL}/blob/main/data/features.yaml#L3`);
    const text = (await page.textContent("main"))!;
    for (const s of [
      "Diagnostic",
      "Developer Experience",
      "Operations",
      "Internal",
      "Approved",
      "Platform Lead",
      "2025-09-01",
      "src/app/features/debug.ts",
    ]) {
      expect(text).toContain(s);
    }
    const variants = await page.$$eval("#variants + table tbody th a", (as) => as.map((a) => a.textContent));
    expect(variants).toContain("dev");
    expect(variants).toContain("debug");
    // Measured sizes from the fixture results file.
    expect(await page.textContent("#variants + table tbody td[data-bytes]")).toMatch(/^\+\d/);
    // The name links from the flag guide land here.
    await page.goto(`${site.base}/flag-guide/`);
    await page.click('[data-mt=features] a[href="/features/DEBUG/"]');
    await page.waitForURL(`${site.base}/features/DEBUG/`);
  });

  test("the on-page table of contents links to headings on the page; last-updated date is shown", async () => {
    const page = await open();
    await page.goto(`${site.base}/developer-guide/`);
    const links = await page.$$eval(".toc a", (as) => as.map((a) => a.getAttribute("href")!));
    expect(links.length).toBeGreaterThan(3);
    for (const href of links) expect(await page.$(`[id="${decodeURIComponent(href.slice(1))}"]`)).not.toBeNull();
    expect(await page.getAttribute(".page-foot time", "datetime")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("theme: follows the OS, a toggle overrides it and persists, Auto returns to the OS", async () => {
    const page = await open({ colorScheme: "dark" });
    await page.goto(`${site.base}/`);
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const dark = await bg();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    await page.selectOption("[data-theme-select]", "light");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    const light = await bg();
    expect(light).not.toBe(dark);
    expect(light).toBe("rgb(255, 255, 255)");
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    expect(await page.inputValue("[data-theme-select]")).toBe("light");
    expect(await bg()).toBe(light);
    await page.selectOption("[data-theme-select]", "auto");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect(await bg()).toBe(dark);
    await page.selectOption("[data-theme-select]", "dark");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await bg()).toBe(dark);
  });

  test("phone layout: menu button opens the sidebar, no sideways scrolling of the page", async () => {
    const page = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${site.base}/checklist/`);
    expect(await page.isVisible("#sidebar")).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await page.click("[data-menu]");
    expect(await page.getAttribute("[data-menu]", "aria-expanded")).toBe("true");
    expect(await page.isVisible('#sidebar a[href="/flag-guide/"]')).toBe(true);
    await page.click('#sidebar a[href="/flag-guide/"]');
    await page.waitForURL(`${site.base}/flag-guide/`);
    expect(await page.isVisible("#sidebar")).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  });

  test("Overdue badges are computed from the build date", async () => {
    const page = await open();
    await page.goto(`${site.base}/checklist/`);
    expect(await page.textContent("main")).toContain(BUILD_DATE);
    // Phase 2 targets 2026-01-20 and is not done: overdue on 2026-02-01. Phase 4 (2026-04-01) is not.
    expect(await page.textContent("#phase-2 + dl")).toContain("Overdue");
    expect(await page.textContent("#phase-4 + dl")).not.toContain("Overdue");
  });

  test("unknown addresses get the 404 page with status 404", async () => {
    const page = await open();
    const res = await page.goto(`${site.base}/features/NO_SUCH_FLAG/`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("Page not found");
    const folder = await page.goto(`${site.base}/flag-guide`);
    expect(folder?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/flag-guide/");
  });
});
