/**
 * In Chromium: the compare pages (right flags for a pair against the fixture
 * records, sizes from the fixture results, the GET form with and without JavaScript, ?a=&b= answered by the
 * server, linked from every variant page) and the flags' code references (each link at the repository's
 * file and line, checked against the real source; combined flags named; a flag no code reads marked, in
 * its page and in the Feature flags table).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { loadModel } from "../../src/core/model/model.ts";
import { MASTER_LABELS } from "../../src/core/schema/columns.ts";
import { formatBytes } from "../../src/site/format.ts";
import { RESULTS_PATH, type VerifyResults } from "../../src/verify/results-file.ts";
import { FIXTURE_FLAG, REPO } from "./fixture.ts";
import { BROWSER_SUITES, errorsOf, openSite, REPO_URL, WORK, type SiteSession } from "./harness.ts";

setDefaultTimeout(60_000);

describe.skipIf(!BROWSER_SUITES)("compare pages and code references", () => {
  let site: SiteSession;
  let results: VerifyResults;
  let variants: Map<string, string[]>;

  beforeAll(async () => {
    site = await openSite();
    results = JSON.parse(readFileSync(join(WORK, RESULTS_PATH), "utf8")) as VerifyResults;
    variants = new Map(loadModel(WORK, "data").model.records.variants.map((v) => [v.record.name, [...v.record.features]]));
  }, 300_000);
  afterAll(async () => {
    await site?.close();
  });

  /** One page per test, in its own context, closed after; no script errors allowed. */
  async function withPage(fn: (page: Page) => Promise<void>, options: Parameters<SiteSession["page"]>[0] = {}): Promise<void> {
    const page = await site.page(options);
    try {
      await fn(page);
      expect(errorsOf(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  }

  const rowsOf = (page: Page, section: string) =>
    page.$$eval(`table[data-flags=${section}] tbody tr`, (trs) => trs.map((tr) => tr.getAttribute("data-flag")!));

  test("a pair's page lists the flags only in A, only in B and in both, with sizes and the difference", async () => {
    await withPage(async (page) => {
      const res = await page.goto(`${site.base}/build-variants/compare/prod/enterprise/`);
      expect(res?.status()).toBe(200);
      expect(await page.textContent("h1")).toBe("Compare prod and enterprise");
      const prod = variants.get("prod")!;
      const ent = variants.get("enterprise")!;
      const onlyA = prod.filter((f) => !ent.includes(f));
      const onlyB = ent.filter((f) => !prod.includes(f));
      const both = prod.filter((f) => ent.includes(f));
      expect(onlyB.length).toBeGreaterThan(0);
      for (const [section, want] of [
        ["only-a", onlyA],
        ["only-b", onlyB],
        ["in-both", both],
      ] as const) {
        if (want.length) expect(await rowsOf(page, section)).toEqual(want);
        else expect(await page.textContent(`p[data-flags=${section}]`)).toBe("None.");
        expect(await page.textContent(`h2#${section}`)).toContain(`(${want.length})`);
      }
      // Each flag's bytes: its leave-one-out cost in the variant that has it.
      const flag = onlyB[0]!;
      const cost = results.flags.find((f) => f.name === flag)!.leaveOneOut.find((d) => d.variant === "enterprise")!;
      const cells = await page.$$eval(`tr[data-flag=${flag}] td`, (tds) => tds.map((td) => td.textContent!.trim()));
      expect(cells).toEqual(["not in it", `+${formatBytes(cost.gzip)} gzip (+${formatBytes(cost.raw)} min.)`]);
      // Sizes of both and B − A.
      const size = (v: string) => results.variants.find((x) => x.name === v)!.bytes;
      const gzip = await page.$$eval("tr[data-size=gzip] td", (tds) => tds.map((td) => td.textContent!.trim()));
      const diff = size("enterprise").gzip - size("prod").gzip;
      expect(gzip[0]).toBe(formatBytes(size("prod").gzip));
      expect(gzip[1]).toBe(formatBytes(size("enterprise").gzip));
      expect(gzip[2]).toStartWith(diff > 0 ? `+${formatBytes(diff)}` : diff < 0 ? `−${formatBytes(-diff)}` : "0 B");
      // Every flag link and the swap link lead to real pages.
      const hrefs = await page.$$eval("table[data-flags] a, [data-compare-pair] a", (as) => as.map((a) => a.getAttribute("href")!));
      expect(hrefs).toContain("/build-variants/compare/enterprise/prod/");
      for (const href of new Set(hrefs))
        expect({ href, status: (await page.request.get(`${site.base}${href}`)).status() }).toEqual({ href, status: 200 });
      // The form shows the pair preselected.
      expect([await page.inputValue("select[name=a]"), await page.inputValue("select[name=b]")]).toEqual(["prod", "enterprise"]);
    });
  });

  test("without JavaScript the form submits ?a=&b= and the server answers with the pair's page", async () => {
    await withPage(
      async (page) => {
        await page.goto(`${site.base}/build-variants/compare/`);
        expect(await page.textContent("h1")).toBe("Compare build variants");
        await page.selectOption("select[name=a]", "lite");
        await page.selectOption("select[name=b]", "dev");
        await Promise.all([
          page.waitForURL("**/build-variants/compare/lite/dev/"),
          page.click("form[data-compare-form] button[type=submit]"),
        ]);
        expect(await page.textContent("h1")).toBe("Compare lite and dev");
        // Typed by hand: a valid pair redirects, anything else shows the form.
        const r = await page.goto(`${site.base}/build-variants/compare/?a=dev&b=prod`);
        expect(r?.status()).toBe(200);
        expect(new URL(page.url()).pathname).toBe("/build-variants/compare/dev/prod/");
        for (const q of ["?a=dev&b=dev", "?a=dev&b=nope", "?a=%3Cscript%3E&b=dev", "?a=dev"]) {
          await page.goto(`${site.base}/build-variants/compare/${q}`);
          expect({ q, path: new URL(page.url()).pathname, h1: await page.textContent("h1") }).toEqual({
            q,
            path: "/build-variants/compare/",
            h1: "Compare build variants",
          });
        }
        // Every pair is also one link away.
        const n = variants.size;
        expect(await page.$$eval("[data-pairs] a[href^='/build-variants/compare/']", (as) => as.length)).toBe(n * (n - 1));
      },
      { javaScriptEnabled: false },
    );
  });

  test("with JavaScript the form goes straight to the pair, and says so when A and B are the same", async () => {
    await withPage(async (page) => {
      await page.goto(`${site.base}/build-variants/compare/`);
      await page.selectOption("select[name=a]", "staging");
      await page.selectOption("select[name=b]", "staging");
      await page.click("form[data-compare-form] button[type=submit]");
      expect(await page.textContent("[data-compare-error]")).toBe("Choose two different variants.");
      expect(new URL(page.url()).pathname).toBe("/build-variants/compare/");
      await page.selectOption("select[name=b]", "canary");
      await Promise.all([
        page.waitForURL("**/build-variants/compare/staging/canary/"),
        page.click("form[data-compare-form] button[type=submit]"),
      ]);
      expect(await page.textContent("h1")).toBe("Compare staging and canary");
    });
  });

  test("every variant page links to its comparison with each other variant", async () => {
    await withPage(async (page) => {
      for (const name of variants.keys()) {
        await page.goto(`${site.base}/build-variants/${name}/`);
        const hrefs = await page.$$eval("[data-compare-links] a", (as) => as.map((a) => a.getAttribute("href")));
        expect({ name, hrefs }).toEqual({
          name,
          hrefs: [...variants.keys()].filter((o) => o !== name).map((o) => `/build-variants/compare/${name}/${o}/`),
        });
      }
    });
  });

  test("a flag's code references link to the repository at the right file and line, with the guarded code", async () => {
    await withPage(async (page) => {
      const flag = "ENTERPRISE";
      await page.goto(`${site.base}/features/${flag}/`);
      expect(await page.getAttribute("[data-code-refs]", "data-code-refs")).toBe("proven");
      const refs = await page.$$eval("ol.code-refs > li", (lis) =>
        lis.map((li) => ({
          file: li.getAttribute("data-file")!,
          line: Number(li.getAttribute("data-line")),
          href: li.querySelector("a[data-ref-link]")!.getAttribute("href")!,
          label: li.querySelector("a[data-ref-link]")!.textContent!.trim(),
          call: li.querySelector(".frame .call")?.textContent ?? "",
        })),
      );
      const recorded = results.callSites!.sites.filter((s) => s.flag === flag);
      expect(refs.length).toBe(recorded.length);
      expect(recorded.filter((s) => s.bundled).length).toBeGreaterThan(1);
      for (const r of refs) {
        expect(r.href).toBe(`${REPO_URL}/blob/main/${r.file}#L${r.line}`);
        expect(r.label).toBe(`${r.file}:${r.line}`);
        const source = readFileSync(join(REPO, r.file), "utf8").split("\n")[r.line - 1]!;
        expect({ at: r.label, source }).toEqual({ at: r.label, source: expect.stringContaining(`feature("${flag}")`) });
        // The marked frame line is that source line, after its line number.
        expect(r.call.slice(r.call.indexOf("│ ") + 2)).toBe(source.length > 160 ? `${source.slice(0, 159)}…` : source);
      }
      const bundledCount = recorded.filter((s) => s.bundled).length;
      expect(await page.textContent("[data-code-refs]")).toContain(`${bundledCount} places`);
      // The Feature flags table counts the same places, outside the master columns.
      await page.goto(`${site.base}/features/`);
      const heads = await page.$$eval("[data-mt=features] thead th", (ths) => ths.map((t) => t.textContent!.trim()));
      expect(heads).toEqual([...MASTER_LABELS, "Variants", "Call sites"]);
      const cell = await page.$eval(`[data-mt=features] tbody tr:has(th a[href="/features/${flag}/"]) td:last-child`, (td) =>
        td.textContent!.trim(),
      );
      expect(cell).toBe(String(bundledCount));
    });
  });

  test("flags combined in the same condition are named and linked", async () => {
    await withPage(async (page) => {
      await page.goto(`${site.base}/features/MOCK_API/`);
      const combined = results.callSites!.sites.find((s) => s.flag === "MOCK_API" && s.with.includes("ENTERPRISE"))!;
      const item = page.locator(`ol.code-refs > li[data-file="${combined.file}"][data-line="${combined.line}"]`);
      expect(await item.locator("[data-with]").textContent()).toBe("Combined in the same condition with ENTERPRISE.");
      expect(await item.locator("[data-with] a").getAttribute("href")).toBe("/features/ENTERPRISE/");
      const source = readFileSync(join(REPO, combined.file), "utf8").split("\n")[combined.line - 1]!;
      expect(source).toContain('feature("ENTERPRISE") && feature("MOCK_API")');
    });
  });

  test("a flag no code reads is marked on its page and in the table, for screen readers too", async () => {
    await withPage(async (page) => {
      await page.goto(`${site.base}/features/${FIXTURE_FLAG}/`);
      expect(await page.getAttribute("[data-code-refs]", "data-code-refs")).toBe("none");
      expect(await page.textContent("[data-code-refs] .badge")).toContain("not in code");
      expect(await page.$$eval("ol.code-refs", (l) => l.length)).toBe(0);
      await page.goto(`${site.base}/features/`);
      const td = page.locator(`[data-mt=features] tbody tr:has(th a[href="/features/${FIXTURE_FLAG}/"]) td:last-child`);
      expect((await td.textContent())!.replace(/\s+/g, " ").trim()).toBe("0 ⚠ not in code");
      // The warning sign is hidden from assistive technology: "0 not in code" is what a screen reader says.
      expect(await td.locator("[aria-hidden=true]").textContent()).toBe("⚠");
      expect(await td.locator(".badge").getAttribute("title")).toContain("stale-flag");
    });
  });
});
