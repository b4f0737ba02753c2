/**
 * Record text is data, never markup: hostile fixture records (script tags, onerror attributes, quotes,
 * javascript: links) must render as inert text on every page that shows them. Plus the helpers that
 * enforce it, tested directly.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { inlineMarkdown, isSafeUrl, jsonForScript } from "../../src/site/safe.ts";
import { BROWSER_SUITES, errorsOf, openSite, type SiteSession } from "./harness.ts";
import { FIXTURE_FLAG, HOSTILE } from "./fixture.ts";

setDefaultTimeout(30_000);

describe("safe rendering helpers", () => {
  test("inline Markdown escapes raw HTML and drops unsafe links", () => {
    const html = inlineMarkdown(HOSTILE.description);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('<a href="https://example.com/docs" rel="nofollow noopener noreferrer">good link</a>');
    expect(html).toContain("<code>&lt;code&gt;</code>");
    expect(inlineMarkdown(HOSTILE.purpose)).not.toMatch(/href="(javascript|java|data)/i);
    expect(inlineMarkdown("![x](https://example.com/a.png)")).not.toContain("<img");
    expect(inlineMarkdown("[rel](/features/DEBUG/) [mail](mailto:a@example.com)")).toBe(
      '<a href="/features/DEBUG/">rel</a> <a href="mailto:a@example.com" rel="nofollow noopener noreferrer">mail</a>',
    );
  });

  test("only http(s), mailto and relative URLs are safe", () => {
    for (const u of ["https://x.test/", "http://x.test", "mailto:a@b.c", "/a/b/", "../x", "#frag", "?q=1", "page.html"])
      expect(isSafeUrl(u)).toBe(true);
    for (const u of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "data:text/html,x",
      "vbscript:x",
      "//evil.test/x",
      "file:///etc/passwd",
      "a:b",
    ]) {
      expect(isSafeUrl(u)).toBe(false);
    }
  });

  test("JSON for a script element cannot close the element", () => {
    const s = jsonForScript({ a: "</script><script>alert(1)</script>", b: "\u2028&" });
    expect(s).not.toContain("<");
    expect(s).not.toContain("\u2028");
    expect(JSON.parse(s)).toEqual({ a: "</script><script>alert(1)</script>", b: "\u2028&" });
  });
});

describe.skipIf(!BROWSER_SUITES)("hostile records render inert", () => {
  let site: SiteSession;
  beforeAll(async () => {
    site = await openSite();
  }, 120_000);
  afterAll(async () => {
    await site?.close();
  });

  test("no payload runs, no element or link is injected, and the text shows literally", async () => {
    const page = await site.page();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const paths = [
      "/features/XSS_FIXTURE/",
      "/flag-guide/",
      "/features/",
      "/team/",
      "/components/",
      "/takeoff/",
      "/scopes/internal/",
      "/build-optimization/",
    ];
    const team = await (async () => {
      await page.goto(`${site.base}/team/`);
      return page.$$eval("[data-mt=team] tbody th a", (as) => as.map((a) => a.getAttribute("href")!).filter((h) => h.includes("eve")));
    })();
    expect(team.length).toBe(1);
    await page.goto(`${site.base}/components/`);
    const component = await page.$$eval("[data-mt=components] tbody th a", (as) =>
      as.map((a) => a.getAttribute("href")!).filter((h) => h.includes("widget")),
    );
    expect(component.length).toBe(1);
    for (const path of [...paths, ...team, ...component]) {
      await page.goto(`${site.base}${path}`, { waitUntil: "load" });
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: string }).__xss,
        handlers: [...document.querySelectorAll("*")]
          .filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name)))
          .map((el) => el.outerHTML.slice(0, 80)),
        badLinks: [...document.querySelectorAll("[href],[src]")]
          .map((el) => el.getAttribute("href") ?? el.getAttribute("src")!)
          .filter((u) => /^\s*(javascript|vbscript|data):/i.test(u) || /java\s*script/i.test(u)),
        injected: [
          ...document.querySelectorAll(
            'main img, main svg:not([aria-hidden]):not([role=img]), main iframe, main object, main embed, main script[src]:not([src^="/_astro/"])',
          ),
        ].map((el) => el.outerHTML.slice(0, 80)),
        scripts: [...document.scripts].filter((s) => s.textContent!.includes("__xss")).length,
      }));
      expect({ path, ...state }).toEqual({ path, xss: undefined, handlers: [], badLinks: [], injected: [], scripts: 0 });
    }
    expect(dialogs).toEqual([]);

    await page.goto(`${site.base}/features/${FIXTURE_FLAG}/`);
    const text = (await page.textContent("main"))!;
    expect(text).toContain(`<script>window.__xss='script'</script>`);
    expect(text).toContain(`"double" and 'single' quotes`);
    expect(text).toContain(HOSTILE.module);
    expect(text).toContain(HOSTILE.teamName);
    // The bad link is plain text, the good one a real link.
    expect(text).toContain("[bad link](javascript:window.__xss='link')");
    expect(await page.getAttribute('main a:text("good link")', "href")).toBe("https://example.com/docs");
    expect(errorsOf(page)).toEqual([]);
    await page.context().close();
  });

  test("search results show hostile text as text", async () => {
    const page = await site.page();
    await page.goto(`${site.base}/`);
    await page.click("[data-search-open]");
    await page.fill("dialog.search input", "fixture script xss");
    await page.waitForSelector('dialog.search .search-results a[href="/features/XSS_FIXTURE/"]');
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: string }).__xss,
      elements: [...document.querySelectorAll("dialog.search .search-results *")].map((e) => e.tagName.toLowerCase()),
      text: document.querySelector("dialog.search .search-results")!.textContent,
    }));
    expect(state.xss).toBeUndefined();
    expect(new Set(state.elements)).toEqual(new Set(["li", "a", "p", "mark"]));
    expect(state.text).toContain("<script>");
    await page.context().close();
  });
});
