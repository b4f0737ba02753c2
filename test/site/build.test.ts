/**
 * The build pipeline without a browser: a record error fails the build with check's diagnostics and
 * leaves the output untouched; the link checker finds broken links, anchors and unsafe schemes; the
 * server answers with the right types and a 404 page; the table model and example splitter.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatText, isError } from "../../src/core/report/diagnostics.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { checkLinks } from "../../src/site/check-links.ts";
import { siteConfig } from "../../src/site/config.ts";
import { createSite, slugify } from "../../src/site/data.ts";
import { splitExamples } from "../../src/site/examples.ts";
import { buildTable } from "../../src/site/table.ts";
import { MASTER_LABELS } from "../../src/core/schema/columns.ts";
import { serveSite } from "../../src/site/serve.ts";
import { REPO, writeFixtureData } from "./fixture.ts";

setDefaultTimeout(30_000);
const TMP = join(REPO, "test", ".work", "site-build");
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("site build", () => {
  test("a record error fails the build with check's diagnostics and leaves the output as it was", async () => {
    const dir = join(TMP, "bad");
    const data = writeFixtureData(dir);
    const file = join(data, "features.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("  tier: Internal\n", "  tier: internal\n"));
    const out = join(dir, "out");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "index.html"), "previous build");
    writeFileSync(join(out, ".takeoff-site"), "{}\n"); // written by an earlier site build
    const proc = Bun.spawnSync([process.execPath, "scripts/build-site.ts", "--out", out, "--quiet"], {
      cwd: REPO,
      env: { ...process.env, SITE_DATA_DIR: data },
    });
    const stderr = proc.stderr.toString();
    expect(proc.exitCode).toBe(1);
    const { diagnostics, sources } = loadModel(dir, "data");
    const expected = formatText(diagnostics.filter(isError), (f) => sources.get(f)?.text);
    expect(expected).toContain("error invalid-enum");
    expect(stderr).toContain(expected);
    expect(stderr).toContain("left as it was");
    expect(readFileSync(join(out, "index.html"), "utf8")).toBe("previous build");
  });

  test("the link checker reports broken pages, missing anchors and unsafe schemes", async () => {
    const site = join(TMP, "links");
    rmSync(site, { recursive: true, force: true });
    mkdirSync(join(site, "a"), { recursive: true });
    writeFileSync(join(site, "style.css"), "");
    writeFileSync(
      join(site, "index.html"),
      `<!doctype html><link rel="stylesheet" href="/style.css"><h2 id="top-part">x</h2>
       <a href="/a/">ok</a> <a href="/a/#here">ok anchor</a> <a href="#top-part">ok local</a> <a href="a/">ok relative</a>
       <a href="https://example.com/nope">external</a> <a href="mailto:x@example.com">mail</a>
       <a href="/missing/">broken</a> <a href="/a/#nowhere">bad anchor</a> <a href="#gone">bad local</a>
       <a href="javascript:alert(1)">unsafe</a> <img src="/img.png" alt="">`,
    );
    writeFileSync(
      join(site, "a", "index.html"),
      `<!doctype html><p id="here">here</p><a href="../">up</a><a href="/?q=1#top-part">query</a>`,
    );
    const r = await checkLinks(site);
    expect(r.pages).toBe(2);
    expect(r.problems.map((p) => `${p.page} ${p.url}`).sort()).toEqual(
      [
        "index.html #gone",
        "index.html /a/#nowhere",
        "index.html /img.png",
        "index.html /missing/",
        "index.html javascript:alert(1)",
      ].sort(),
    );
  });

  test("serve: content types, folder redirects, 404 page, no escaping the folder", async () => {
    const dir = join(TMP, "serve");
    mkdirSync(join(dir, "x"), { recursive: true });
    writeFileSync(join(dir, "x", "index.html"), "<p>x</p>");
    writeFileSync(join(dir, "404.html"), "<p>missing</p>");
    writeFileSync(join(dir, "a.js"), "1");
    writeFileSync(join(dir, "a.css"), "p{}");
    writeFileSync(join(dir, "a.svg"), "<svg/>");
    const server = serveSite({ dir, port: 0, hostname: "127.0.0.1" });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const type = async (p: string) => (await fetch(base + p)).headers.get("content-type");
      expect(await type("/x/")).toBe("text/html; charset=utf-8");
      expect(await type("/a.js")).toBe("text/javascript; charset=utf-8");
      expect(await type("/a.css")).toBe("text/css; charset=utf-8");
      expect(await type("/a.svg")).toBe("image/svg+xml");
      const redirect = await fetch(`${base}/x?y=1`, { redirect: "manual" });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get("location")).toBe("/x/?y=1"); // a path, never an origin (test/hostile/serve.test.ts)
      const missing = await fetch(`${base}/nope/`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe("<p>missing</p>");
      expect((await fetch(`${base}/%2e%2e/%2e%2e/package.json`)).status).not.toBe(200);
    } finally {
      server.stop(true);
    }
  });
});

describe("site data", () => {
  const site = createSite(siteConfig({ SITE_ROOT: REPO, SITE_RESULTS_ROOT: join(TMP, "no-results") }));

  test("the flag table has the nine master columns; sizes read 'not measured' without results", () => {
    const t = buildTable(site, "features");
    expect(t.columns.map((c) => c.label)).toEqual([...MASTER_LABELS]);
    expect(t.rows.length).toBe(site.entries("features").length);
    const variants = buildTable(site, "variants");
    const size = variants.columns.findIndex((c) => c.id === "impact");
    expect(variants.rows.every((r) => r.cells[size]!.text.includes("not measured"))).toBe(true);
    const ent = buildTable(site, "features", { filter: { scope: "Enterprise" } });
    expect(ent.rows.every((r) => r.filters.scope.includes("Enterprise"))).toBe(true);
    expect(ent.rows.length).toBeLessThan(t.rows.length);
  });

  test("record URLs: flags keep their names, other names become unique lower-case slugs", () => {
    expect(site.urlOf(site.model.flag("DEBUG")!)).toBe("/features/DEBUG/");
    expect(slugify("Phase 2: Security")).toBe("phase-2-security");
    expect(slugify("DevOps/SRE")).toBe("devops-sre");
    expect(slugify("<>")).toBe("record");
    const urls = new Set<string>();
    for (const kind of Object.keys(site.model.records) as (keyof typeof site.model.records)[])
      for (const e of site.entries(kind)) urls.add(site.urlOf(e));
    expect(urls.size).toBe(Object.values(site.model.records).reduce((n, l) => n + l.length, 0));
  });

  test("examples are split at their numbered markers", () => {
    const src = `/** header */\nimport x from "y";\n\n// (1) first: one\nconst a = 1;\n\n// (2) second.\nconst b = 2;\n`;
    const { preamble, examples } = splitExamples(src);
    expect(preamble?.code).toBe(`/** header */\nimport x from "y";`);
    expect(examples.map((e) => [e.index, e.title, e.line])).toEqual([
      [1, "first: one", 4],
      [2, "second", 7],
    ]);
    expect(splitExamples("const a = 1;\n").examples.map((e) => e.title)).toEqual(["The whole file"]);
  });
});
