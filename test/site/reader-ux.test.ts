/**
 * What readers of the best docs sites expect, in Chromium at 1280×800 and 390×844: master tables that scroll
 * with the page under a sticky header, whole names, the variants that ship each flag (and a filter by them), an
 * Overdue filter with Target in view and the hub counting every overdue item, Size/Impact with its unit and
 * one number, heading anchors, copy buttons, previous/next links and search excerpts without page chrome.
 * Expected values come from the fixture records, never from counts written here.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { loadModel, type Model } from "../../src/core/model/model.ts";
import { isOverdue } from "../../src/site/format.ts";
import { axe, BROWSER_SUITES, BUILD_DATE, errorsOf, openSite, WORK, type SiteSession } from "./harness.ts";
import { report } from "./a11y.ts";

setDefaultTimeout(60_000);

const SIZES = [
  { name: "1280×800", viewport: { width: 1280, height: 800 } },
  { name: "390×844", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
] as const;

describe.skipIf(!BROWSER_SUITES)("reader experience", () => {
  let site: SiteSession;
  let model: Model;
  const pages: Page[] = [];
  const open = async (size: (typeof SIZES)[number], extra: Parameters<SiteSession["page"]>[0] = {}) => {
    const { name: _name, ...options } = size;
    const p = await site.page({ ...options, ...extra });
    pages.push(p);
    return p;
  };
  beforeAll(async () => {
    site = await openSite();
    model = loadModel(WORK, "data").model;
  }, 180_000);
  afterAll(async () => {
    for (const p of pages) expect(errorsOf(p)).toEqual([]);
    await site?.close();
  });

  /** Geometry of the first master table on the page, with the page scrolled so the table's middle is in view. */
  const tableGeometry = (page: Page, id: string) =>
    page.evaluate(async (id) => {
      const root = document.querySelector<HTMLElement>(`[data-mt="${id}"]`)!;
      const box = root.querySelector<HTMLElement>(".mt-scroll")!;
      const table = box.querySelector("table")!;
      const r0 = table.getBoundingClientRect();
      window.scrollTo(0, window.scrollY + r0.top + r0.height / 2 - innerHeight / 2);
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      const header = document.querySelector("header.top")!.getBoundingClientRect().bottom;
      const heads = [...table.querySelectorAll("thead th")].map((th) => th.getBoundingClientRect());
      const names = [...table.querySelectorAll("tbody th a")].map((a) => ({
        text: a.textContent!,
        lines: new Set([...a.getClientRects()].map((r) => Math.round(r.top))).size,
      }));
      return {
        tableTopAbove: table.getBoundingClientRect().top < header,
        headTop: heads[0]!.top,
        header,
        boxScrollsVertically: box.scrollHeight > box.clientHeight + 1,
        boxScrollsSideways: box.scrollWidth > box.clientWidth + 1,
        pageScrollsSideways: document.documentElement.scrollWidth > innerWidth,
        lastHeadRight: heads.at(-1)!.right,
        boxRight: box.getBoundingClientRect().right,
        names,
      };
    }, id);

  for (const size of SIZES) {
    describe(size.name, () => {
      test("master tables scroll with the page under a sticky header; sideways only when wider than the page; names whole", async () => {
        const page = await open(size);
        for (const [path, id] of [
          ["/features/", "features"],
          ["/roadmap/", "roadmap"],
        ] as const) {
          await page.goto(`${site.base}${path}`);
          const g = await tableGeometry(page, id);
          expect({ path, inner: g.boxScrollsVertically }).toEqual({ path, inner: false });
          expect(g.tableTopAbove).toBe(true);
          // The header row stays just under the page header while the page scrolls through the table.
          expect(Math.abs(g.headTop - g.header)).toBeLessThanOrEqual(2);
          expect(g.pageScrollsSideways).toBe(false);
          if (size.viewport.width >= 1280) {
            // Wide screen: the whole table fits; the last column is never cut off.
            expect({ path, sideways: g.boxScrollsSideways }).toEqual({ path, sideways: false });
            expect(g.lastHeadRight).toBeLessThanOrEqual(g.boxRight + 1);
          }
          expect(g.names.length).toBeGreaterThan(3);
          // Flag names are one word each: never broken (RETENTION_ / POLICY).
          if (id === "features") expect(g.names.filter((n) => n.lines > 1)).toEqual([]);
        }
      });

      test("/features/ has a Variants column and a Variant filter: does AUDIT_LOG ship in prod?", async () => {
        const page = await open(size);
        await page.goto(`${site.base}/features/`);
        const col = await page.$$eval("[data-mt=features] thead th", (ths) =>
          ths.findIndex((th) => th.getAttribute("data-col") === "shippedIn"),
        );
        expect(col).toBeGreaterThan(0);
        const shown = await page.$$eval(
          "[data-mt=features] tbody tr",
          (trs, col) =>
            Object.fromEntries(
              (trs as HTMLTableRowElement[]).map((tr) => [tr.cells[0]!.textContent!.trim(), tr.cells[col]!.textContent!.trim()]),
            ),
          col,
        );
        for (const f of model.records.features) {
          const names = model.variantsWith(f.record.name).map((v) => v.record.name);
          expect(shown[f.record.name]).toBe(names.length ? names.join(", ") : "none");
        }
        // "Does AUDIT_LOG ship in prod?": the Variants cell answers it without scrolling sideways on the wide screen.
        expect(shown.AUDIT_LOG!.split(", ").includes("prod")).toBe(model.variantsWith("AUDIT_LOG").some((v) => v.record.name === "prod"));
        await page.selectOption('[data-mt=features] select[name="variant"]', "prod");
        await page.waitForURL(/variant=prod/);
        const visible = await page.$$eval("[data-mt=features] tbody tr:not([hidden]) th", (ths) => ths.map((th) => th.textContent!.trim()));
        const inProd = model.records.features
          .filter((f) => model.variantsWith(f.record.name).some((v) => v.record.name === "prod"))
          .map((f) => f.record.name);
        expect(visible).toEqual(inProd);
        expect(visible).not.toContain("AUDIT_LOG");
        expect(await page.textContent("[data-mt=features] [data-count]")).toBe(
          `Showing ${inProd.length} of ${model.records.features.length} feature flags`,
        );
        // The filtered view is an address to share.
        await page.goto(`${site.base}/features/?variant=prod`);
        expect(await page.$$eval("[data-mt=features] tbody tr:not([hidden])", (trs) => trs.length)).toBe(inProd.length);
        // The flag's own page says it under its name, before any scrolling.
        await page.goto(`${site.base}/features/AUDIT_LOG/`);
        const ships = await page.$$eval("[data-ships] a", (as) => as.map((a) => a.textContent));
        expect(ships).toEqual(model.variantsWith("AUDIT_LOG").map((v) => v.record.name));
        expect(await page.evaluate(() => document.querySelector("[data-ships]")!.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
      });

      test("the roadmap filters Overdue items and shows Target in view; the hub counts every overdue item", async () => {
        const page = await open(size);
        const overdue = model.records.roadmap.filter((e) => isOverdue(e, BUILD_DATE)).map((e) => e.record.name);
        expect(overdue.length).toBeGreaterThan(0);
        await page.goto(`${site.base}/roadmap/`);
        // Target is in view without scrolling the table sideways.
        const target = await page.evaluate(() => {
          const th = document.querySelector<HTMLElement>('[data-mt=roadmap] thead th[data-col="target"]')!;
          const box = th.closest(".mt-scroll")!.getBoundingClientRect();
          const r = th.getBoundingClientRect();
          return r.left >= box.left - 1 && r.right <= Math.min(box.right, innerWidth) + 1;
        });
        expect(target).toBe(true);
        // Dates and badges in it are whole: never 2026-01- / 20, never ⚠ / Overdue.
        const broken = await page.$$eval("[data-mt=roadmap] tbody td:nth-child(2) :is(.nw, .badge)", (els) =>
          els
            .filter(
              (el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size > 1 || el.getBoundingClientRect().height > 24,
            )
            .map((el) => el.textContent),
        );
        expect(broken).toEqual([]);
        await page.check('[data-mt=roadmap] input[name="overdue"]');
        await page.waitForURL(/overdue=1/);
        const visible = await page.$$eval("[data-mt=roadmap] tbody tr:not([hidden]) th", (ths) => ths.map((th) => th.textContent!.trim()));
        expect(visible).toEqual(overdue);
        const all = await page.$$eval("[data-mt=roadmap] tbody tr:not([hidden]) td", (tds) => tds.map((td) => td.textContent));
        expect(all.filter((t) => t?.includes("Overdue")).length).toBe(overdue.length);
        await page.goto(`${site.base}/roadmap/?overdue=1`);
        expect(await page.$$eval("[data-mt=roadmap] tbody tr:not([hidden])", (trs) => trs.length)).toBe(overdue.length);
        // The hub: the count and its table hold every overdue item, not only those in progress.
        await page.goto(`${site.base}/`);
        expect(await page.textContent("#overdue + p")).toContain(`${overdue.length} roadmap items`);
        const hub = await page.$$eval("[data-mt=overdue] tbody th", (ths) => ths.map((th) => th.textContent!.trim()));
        expect(hub).toEqual(overdue);
      });

      test("Size/Impact names its unit and meaning, one number on the table and on the flag's page", async () => {
        const page = await open(size);
        await page.goto(`${site.base}/features/`);
        const col = await page.$$eval("[data-mt=features] thead th", (ths) =>
          ths.findIndex((th) => th.getAttribute("data-col") === "impact"),
        );
        const cells = await page.$$eval(
          "[data-mt=features] tbody tr",
          (trs, col) =>
            (trs as HTMLTableRowElement[]).map((tr) => ({
              name: tr.cells[0]!.textContent!.trim(),
              text: tr.cells[col]!.textContent!.trim(),
              title: tr.cells[col]!.getAttribute("title"),
            })),
          col,
        );
        const note = await page.textContent("[data-mt=features] .mt-note");
        expect(note).toMatch(/gzip/);
        for (const name of ["DEBUG", "AUDIT_LOG", "ENTERPRISE"]) {
          const cell = cells.find((c) => c.name === name)!;
          const m = /\(([+−][\d.]+\u00a0k?B) gzip\)$/.exec(cell.text);
          expect({ name, text: cell.text, unit: !!m }).toEqual({ name, text: cell.text, unit: true });
          expect(cell.title).toMatch(/gzip/);
          await page.goto(`${site.base}/features/${name}/`);
          const onPage = (await page.textContent('[data-field="impact"]'))!;
          expect(onPage).toContain(cell.text);
          expect(onPage).toMatch(/minified, gzipped bundle/);
          // The same number is the largest in the page's own per-variant table.
          const perVariant = await page.$$eval("#variants + table tbody td[data-bytes]", (tds) => tds.map((td) => td.textContent!.trim()));
          expect(perVariant).toContain(m![1]!);
          await page.goto(`${site.base}/features/`);
        }
      });

      test("headings have anchor links, code blocks a keyboard copy button that announces success, pages previous/next links", async () => {
        const page = await open(size);
        await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.base });
        await page.goto(`${site.base}/developer-guide/`);
        const heads = await page.$$eval(".prose :is(h2, h3)[id]", (hs) =>
          hs.map((h) => ({
            id: h.id,
            text: h.firstChild?.textContent?.trim() ?? "",
            href: h.querySelector("a.anchor")?.getAttribute("href"),
            name: h.querySelector("a.anchor")?.textContent,
          })),
        );
        expect(heads.length).toBeGreaterThan(3);
        for (const h of heads) {
          expect(h.href).toBe(`#${h.id}`);
          expect(h.name).toContain(`Section titled “`);
        }
        await page.click(`.prose h2[id="${heads[0]!.id}"] a.anchor`);
        expect(new URL(page.url()).hash).toBe(`#${heads[0]!.id}`);

        // Copy buttons: one per code block, reached with the keyboard, copying the block's text.
        await page.goto(`${site.base}/features/DEBUG/`);
        const blocks = await page.$$eval("main pre", (ps) => ps.length);
        expect(blocks).toBeGreaterThan(0);
        expect(await page.$$eval("main .code > button.copy", (bs) => bs.length)).toBe(blocks);
        // A code frame of several lines: copied as lines of code, without the gutter of line numbers.
        const n = await page.$$eval("main pre", (ps) => ps.findIndex((p) => p.querySelectorAll(".fl").length > 1));
        expect(n).toBeGreaterThanOrEqual(0);
        await page.focus(`main .code >> nth=${n} >> button.copy`);
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          () => document.querySelector('[role="status"].sr-only')?.textContent === "Copied to clipboard",
          undefined,
          { timeout: 10_000 },
        );
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        const lines = await page.$$eval(`main pre >> nth=${n}`, ([p]) =>
          [...p!.querySelectorAll(".fl:not([data-no-copy])")].map((l) =>
            [...l.childNodes]
              .filter((c) => !(c instanceof HTMLElement && c.classList.contains("ln")))
              .map((c) => c.textContent)
              .join(""),
          ),
        );
        expect(lines.length).toBeGreaterThan(1);
        expect(copied).toBe(lines.join("\n"));
        expect(copied).not.toContain("│");
        expect(await page.textContent(`main .code >> nth=${n} >> button.copy > span:not(.sr-only)`)).toBe("Copied");

        // Previous/next follow the sidebar from its first page to its last.
        const order = await page.$$eval("#sidebar a", (as) => as.map((a) => a.getAttribute("href")!));
        await page.goto(`${site.base}${order[0]}`);
        expect(await page.$('a[rel="prev"]')).toBeNull();
        const walked = [order[0]];
        for (let i = 1; i < order.length; i++) {
          const next = await page.getAttribute('.pager a[rel="next"]', "href");
          expect(next).toBe(order[i]!);
          await page.goto(`${site.base}${next}`);
          expect(await page.getAttribute('.pager a[rel="prev"]', "href")).toBe(walked.at(-1)!);
          walked.push(next!);
        }
        expect(await page.$('.pager a[rel="next"]')).toBeNull();
        // A record page: its neighbours in the records' order.
        const flags = model.records.features.map((f) => f.record.name);
        await page.goto(`${site.base}/features/${flags[1]}/`);
        expect(await page.getAttribute('.pager a[rel="prev"]', "href")).toBe(`/features/${flags[0]}/`);
        expect(await page.getAttribute('.pager a[rel="next"]', "href")).toBe(`/features/${flags[2]}/`);
      });

      test("axe: no violations with the filters set, a code block copied and a heading link focused", async () => {
        const page = await open(size);
        await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.base });
        for (const path of ["/features/?variant=prod", "/roadmap/?overdue=1", "/"]) {
          await page.goto(`${site.base}${path}`);
          await page.evaluate(() => window.scrollTo(0, document.querySelector(".mt-scroll")!.getBoundingClientRect().top + scrollY + 300));
          expect({ path, axe: report(await axe(page)) }).toEqual({ path, axe: "" });
        }
        await page.goto(`${site.base}/features/DEBUG/`);
        await page.click("main .code >> nth=0 >> button.copy");
        await page.focus("main h2 a.anchor >> nth=0");
        expect(report(await axe(page))).toBe("");
      });
    });
  }

  test("search excerpts come from content only: no edit link, heading anchor, pager or other page chrome", async () => {
    const page = await open(SIZES[0]);
    await page.goto(`${site.base}/`);
    const texts = await page.evaluate(async () => {
      const url = "/pagefind/pagefind.js";
      const pf = (await import(url)) as {
        search(q: string): Promise<{ results: { data(): Promise<{ url: string; content: string; excerpt: string }> }[] }>;
      };
      const out: { url: string; content: string; excerpt: string }[] = [];
      for (const q of ["DEBUG", "AUDIT_LOG", "record", "edit", "flag guide"]) {
        const r = await pf.search(q);
        for (const hit of r.results.slice(0, 12)) out.push(await hit.data());
      }
      return out;
    });
    expect(texts.length).toBeGreaterThan(10);
    for (const chrome of ["Edit this record", "Edit this page", "Edit these records", "Section titled", "Last updated", "On this page"]) {
      expect({ chrome, pages: texts.filter((t) => t.content.includes(chrome)).map((t) => t.url) }).toEqual({ chrome, pages: [] });
    }
  });
});
