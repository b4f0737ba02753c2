/**
 * The master table in Chromium: server-rendered rows, sorting, filtering, URL state, the announced count,
 * sticky header, nine visible columns at 1280 px, and sideways scrolling with a pinned Name on a phone.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { MASTER_LABELS, TIERS } from "../../src/core/schema/columns.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { REPO } from "../helpers/project.ts";
import { BROWSER_SUITES, CHROMIUM, errorsOf, HAS_BROWSER, IN_CI, openSite, type SiteSession } from "./harness.ts";

const names = (page: Page) => page.$$eval("[data-mt=features] tbody tr:not([hidden]) th", (ths) => ths.map((t) => t.textContent!.trim()));
const column = (page: Page, i: number) =>
  page.$$eval(
    "[data-mt=features] tbody tr:not([hidden])",
    (rows, i) => rows.map((r) => (r as HTMLTableRowElement).cells[i]!.textContent!.trim()),
    i,
  );

setDefaultTimeout(30_000);

test.if(IN_CI)(`Chromium is installed at ${CHROMIUM} (required under CI)`, () => {
  expect(HAS_BROWSER).toBe(true);
});

describe.skipIf(!BROWSER_SUITES)("master table", () => {
  let site: SiteSession;
  let page: Page;
  let total: number;
  beforeAll(async () => {
    site = await openSite();
    page = await site.page();
    await page.goto(`${site.base}/flag-guide/`);
    total = await page.$$eval("[data-mt=features] tbody tr", (r) => r.length);
  }, 120_000);
  afterAll(async () => {
    expect(errorsOf(page)).toEqual([]);
    await site?.close();
  });

  test("renders every flag with the nine master headers, th scope and a row header per record", async () => {
    expect(total).toBeGreaterThan(loadModel(REPO).model.records.features.length); // the records' flags plus the fixture's
    const heads = await page.$$eval("[data-mt=features] thead th", (ths) =>
      ths.map((t) => [t.textContent!.trim(), t.getAttribute("scope")]),
    );
    expect(heads.map((h) => h[0])).toEqual([...MASTER_LABELS]);
    expect(heads.every((h) => h[1] === "col")).toBe(true);
    expect(await page.$$eval("[data-mt=features] tbody th[scope=row]", (r) => r.length)).toBe(total);
    expect(await page.textContent("[data-count]")).toBe(`${total} feature flags`);
    expect(await page.getAttribute("[data-count]", "aria-live")).toBe("polite");
  });

  test("works with JavaScript off: full table, no dead controls", async () => {
    const p = await site.page({ javaScriptEnabled: false });
    await p.goto(`${site.base}/flag-guide/?scope=Enterprise`);
    expect(await p.$$eval("[data-mt=features] tbody tr", (r) => r.filter((x) => !(x as HTMLElement).hidden).length)).toBe(total);
    expect(await p.isVisible("[data-mt=features] form")).toBe(false);
    await p.context().close();
  });

  test("sorts by name ascending, descending, then back to data order, with aria-sort", async () => {
    const original = await names(page);
    const nameHead = page.locator("[data-mt=features] thead th[data-col=name]");
    await nameHead.locator("button").click();
    expect(await nameHead.getAttribute("aria-sort")).toBe("ascending");
    const asc = await names(page);
    expect(asc).toEqual([...original].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" })));
    await nameHead.locator("button").click();
    expect(await nameHead.getAttribute("aria-sort")).toBe("descending");
    expect(await names(page)).toEqual([...asc].reverse());
    expect(new URL(page.url()).searchParams.get("sort")).toBe("-name");
    await nameHead.locator("button").click();
    expect(await nameHead.getAttribute("aria-sort")).toBeNull();
    expect(await names(page)).toEqual(original);
    expect(new URL(page.url()).searchParams.has("sort")).toBe(false);
  });

  test("sorts ordered columns by rank, not alphabet (Tier: Free, Pro, Enterprise, Internal)", async () => {
    await page.click("[data-mt=features] th[data-col=tier] button");
    const tiers = await column(page, 5);
    const ranks = tiers.map((t) => TIERS.indexOf(t as (typeof TIERS)[number]));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(await page.getAttribute("[data-mt=features] th[data-col=tier]", "aria-sort")).toBe("ascending");
    expect(await page.$$eval("[data-mt=features] th[aria-sort]", (t) => t.length)).toBe(1);
    await page.click("[data-mt=features] th[data-col=tier] button");
    await page.click("[data-mt=features] th[data-col=tier] button");
  });

  test("filters by scope, tier, status and domain, announces the count, and keeps the filters in the URL", async () => {
    await page.selectOption("[data-mt=features] select[name=scope]", "Enterprise");
    const scopes = await column(page, 4);
    expect(scopes.length).toBeGreaterThan(0);
    expect(scopes.length).toBeLessThan(total);
    expect(scopes.every((s) => s === "all" || s.split(", ").includes("Enterprise"))).toBe(true);
    expect(await page.textContent("[data-count]")).toBe(`Showing ${scopes.length} of ${total} feature flags`);

    await page.selectOption("[data-mt=features] select[name=tier]", "Enterprise");
    const tiers = await column(page, 5);
    expect(tiers.length).toBeGreaterThan(0);
    expect(tiers.every((t) => t === "Enterprise")).toBe(true);

    await page.selectOption("[data-mt=features] select[name=status]", "Planned");
    expect((await column(page, 7)).every((s) => s.endsWith("Planned"))).toBe(true);
    const u = new URL(page.url()).searchParams;
    expect([u.get("scope"), u.get("tier"), u.get("status")]).toEqual(["Enterprise", "Enterprise", "Planned"]);

    await page.click("[data-mt=features] button[type=reset]");
    await page.waitForFunction(() => !location.search);
    expect((await names(page)).length).toBe(total);
    expect(await page.textContent("[data-count]")).toBe(`${total} feature flags`);

    await page.selectOption("[data-mt=features] select[name=domain]", "Access Control");
    expect((await column(page, 3)).every((d) => d === "Access Control")).toBe(true);
    await page.click("[data-mt=features] button[type=reset]");
  });

  test("the text box matches words of any column and of the description", async () => {
    await page.fill("[data-mt=features] input[name=q]", "timing traces");
    expect(await names(page)).toEqual(["DEBUG"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("timing traces");
    await page.fill("[data-mt=features] input[name=q]", "no such words anywhere");
    expect(await names(page)).toEqual([]);
    expect(await page.textContent("[data-count]")).toBe(`Showing 0 of ${total} feature flags`);
    await page.fill("[data-mt=features] input[name=q]", "");
  });

  test("a shared URL restores filters and sort", async () => {
    const p = await site.page();
    await p.goto(`${site.base}/flag-guide/?tier=Free&domain=Access+Control&sort=-name`);
    expect(await p.inputValue("[data-mt=features] select[name=tier]")).toBe("Free");
    expect(await p.inputValue("[data-mt=features] select[name=domain]")).toBe("Access Control");
    expect(await p.getAttribute("[data-mt=features] th[data-col=name]", "aria-sort")).toBe("descending");
    const shown = await names(p);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).toEqual([...shown].sort((a, b) => b.localeCompare(a, undefined, { numeric: true, sensitivity: "base" })));
    expect((await column(p, 5)).every((t) => t === "Free")).toBe(true);
    // A value the table does not offer is ignored rather than hiding every row.
    await p.goto(`${site.base}/flag-guide/?tier=Platinum`);
    expect((await names(p)).length).toBe(total);
    await p.context().close();
  });

  test("at 1280 px all nine columns are visible without horizontal scrolling, and the header sticks", async () => {
    await page.goto(`${site.base}/flag-guide/`);
    const m = await page.evaluate(() => {
      const ths = [...document.querySelectorAll("[data-mt=features] thead th")];
      const box = document.querySelector("[data-mt=features] .mt-scroll")!;
      return {
        rights: ths.map((t) => t.getBoundingClientRect().right),
        doc: document.documentElement.scrollWidth,
        inner: innerWidth,
        table: box.querySelector("table")!.getBoundingClientRect().right,
        box: box.getBoundingClientRect().right,
      };
    });
    expect(m.rights.length).toBe(9);
    expect(Math.max(...m.rights)).toBeLessThanOrEqual(m.inner);
    expect(m.doc).toBeLessThanOrEqual(m.inner);
    expect(m.table).toBeLessThanOrEqual(m.box + 1);
    await page.evaluate(() =>
      scrollTo(0, document.querySelector("[data-mt=features] tbody tr:nth-child(20)")!.getBoundingClientRect().top + scrollY),
    );
    const top = await page.evaluate(() => document.querySelector("[data-mt=features] thead th")!.getBoundingClientRect().top);
    const header = await page.evaluate(() => document.querySelector("header.top")!.getBoundingClientRect().bottom);
    expect(Math.abs(top - header)).toBeLessThanOrEqual(2);
  });

  test("on a phone the table scrolls sideways with the Name column pinned", async () => {
    const p = await site.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await p.goto(`${site.base}/flag-guide/`);
    const before = await p.evaluate(() => {
      const box = document.querySelector<HTMLElement>("[data-mt=features] .mt-scroll")!;
      const name = document.querySelector("[data-mt=features] tbody th")!;
      return {
        scrollable: box.scrollWidth > box.clientWidth,
        nameLeft: name.getBoundingClientRect().left,
        doc: document.documentElement.scrollWidth,
        inner: innerWidth,
      };
    });
    expect(before.scrollable).toBe(true);
    expect(before.doc).toBeLessThanOrEqual(before.inner);
    const after = await p.evaluate(() => {
      const box = document.querySelector<HTMLElement>("[data-mt=features] .mt-scroll")!;
      box.scrollLeft = 400;
      const name = document.querySelector("[data-mt=features] tbody th")!;
      const tier = document.querySelector<HTMLTableRowElement>("[data-mt=features] tbody tr")!.cells[5]!;
      return { scrolled: box.scrollLeft, nameLeft: name.getBoundingClientRect().left, tierLeft: tier.getBoundingClientRect().left };
    });
    expect(after.scrolled).toBeGreaterThan(0);
    expect(Math.abs(after.nameLeft - before.nameLeft)).toBeLessThanOrEqual(1);
    await p.context().close();
  });
});
