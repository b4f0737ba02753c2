/**
 * The data behind the compare pages and the flags' code references, without a
 * browser: which flags each side has, what they cost, the size difference; every code reference at a real
 * line of the repository, linked there; unproven (with the reason) when results are missing, predate call
 * sites, or a source changed since; the Call sites column; the compare URLs the server and the form accept.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Entry } from "../../src/core/model/records.ts";
import { siteConfig } from "../../src/site/config.ts";
import { comparePairOf, comparePairPath, VARIANT_SEGMENT } from "../../src/site/compare-url.ts";
import { comparePairs, compareVariants, percentChange } from "../../src/site/compare.ts";
import { createSite, type Site } from "../../src/site/data.ts";
import { callSiteCount, flagSitesView } from "../../src/site/flag-sites-view.ts";
import { BADGE } from "../../src/site/format.ts";
import { buildTable, DEFAULT_EXTRAS } from "../../src/site/table.ts";
import { RESULTS_PATH, type VerifyResults } from "../../src/verify/results-file.ts";
import { VARIANT_NAME_PATTERN } from "../../src/core/schema/fields.ts";
import { KIND_INFO } from "../../src/core/schema/kinds.ts";
import { schemaComment } from "../../src/core/load/load-records.ts";
import { FIXTURE_FLAG, REPO, writeFixtureData, writeFixtureResults } from "./fixture.ts";

setDefaultTimeout(60_000);

const WORK = join(REPO, "test", ".work", "compare-and-sites-view");
const REPO_URL = "https://example.test/takeoff";
let dataDir: string;
let results: VerifyResults;

/** A site over the fixture data with these results (or none). */
function siteWith(r: VerifyResults | undefined, name: string): Site {
  const dir = join(WORK, name);
  mkdirSync(join(dir, ".cache", "verify"), { recursive: true });
  if (r) writeFileSync(join(dir, RESULTS_PATH), JSON.stringify(r));
  return createSite(
    siteConfig({
      SITE_ROOT: REPO,
      SITE_DATA_DIR: dataDir,
      SITE_RESULTS_ROOT: dir,
      SITE_REPO_URL: REPO_URL,
      SITE_REPO_BRANCH: "main",
      SITE_BUILD_DATE: "2026-02-01",
    }),
  );
}

beforeAll(() => {
  dataDir = writeFixtureData(WORK);
  writeFixtureResults(WORK, dataDir);
  results = JSON.parse(readFileSync(join(WORK, RESULTS_PATH), "utf8")) as VerifyResults;
});

const variant = (site: Site, name: string) => site.entries("variants").find((v) => v.record.name === name)! as Entry<"variants">;

describe("compare variants", () => {
  test("flags only in A, only in B and in both, each with its leave-one-out bytes; sizes and B − A", () => {
    const site = siteWith(results, "fresh");
    const prod = variant(site, "prod");
    const enterprise = variant(site, "enterprise");
    const c = compareVariants(site, prod, enterprise);
    const names = (l: { name: string }[]) => l.map((f) => f.name);
    expect(names(c.onlyA)).toEqual(prod.record.features.filter((f) => !enterprise.record.features.includes(f)));
    expect(names(c.onlyB)).toEqual(enterprise.record.features.filter((f) => !prod.record.features.includes(f)));
    expect(names(c.both)).toEqual(prod.record.features.filter((f) => enterprise.record.features.includes(f)));
    expect(c.onlyB.length).toBeGreaterThan(0);
    const leave = (flag: string, v: string) => results.flags.find((f) => f.name === flag)!.leaveOneOut.find((d) => d.variant === v)!;
    for (const f of c.onlyB) {
      expect(f.inA).toBeUndefined();
      expect(f.inB).toEqual({ raw: leave(f.name, "enterprise").raw, gzip: leave(f.name, "enterprise").gzip });
      expect(f.href).toBe(`/features/${f.name}/`);
    }
    for (const f of c.both) expect([f.inA?.gzip, f.inB?.gzip]).toEqual([leave(f.name, "prod").gzip, leave(f.name, "enterprise").gzip]);
    const size = (v: string) => results.variants.find((x) => x.name === v)!.bytes;
    expect(c.diff).toEqual({
      raw: size("enterprise").raw - size("prod").raw,
      gzip: size("enterprise").gzip - size("prod").gzip,
      brotli: size("enterprise").brotli - size("prod").brotli,
    });
    expect(c.measured).toBe(true);
    expect(c.swapHref).toBe("/build-variants/compare/enterprise/prod/");
  });

  test("one page per ordered pair; without results nothing is measured and the flags still come from the records", () => {
    const site = siteWith(undefined, "none");
    const n = site.entries("variants").length;
    const pairs = comparePairs(site);
    expect(pairs.length).toBe(n * (n - 1));
    expect(new Set(pairs.map((p) => p.href)).size).toBe(pairs.length);
    expect(pairs.every((p) => p.href === comparePairPath(p.a.record.name, p.b.record.name))).toBe(true);
    const c = compareVariants(site, variant(site, "prod"), variant(site, "dev"));
    expect(c.measured).toBe(false);
    expect([c.a.bytes, c.b.bytes, c.diff]).toEqual([undefined, undefined, undefined]);
    expect([...c.onlyA, ...c.onlyB, ...c.both].every((f) => f.inA === undefined && f.inB === undefined)).toBe(true);
    expect(c.onlyA.length + c.onlyB.length + c.both.length).toBeGreaterThan(0);
  });

  test("a variant named compare gets another slug: /build-variants/compare/ stays the compare page", () => {
    const dir = join(WORK, "named-compare");
    const data = writeFixtureData(dir);
    const prod = readFileSync(join(data, "variants.yaml"), "utf8").split("\n- name: ")[1]!.split("\n\n")[0]!;
    mkdirSync(join(data, "variants"), { recursive: true });
    const body = `- name: ${prod.replace(/^prod\n/, "compare\n").replace("script: build:prod", "script: build:compare")}\n`;
    writeFileSync(join(data, "variants", "extra.yaml"), `${schemaComment("variants", "data/variants/extra.yaml")}\n${body}`);
    const named = createSite(
      siteConfig({ SITE_ROOT: REPO, SITE_DATA_DIR: data, SITE_RESULTS_ROOT: join(dir, "none"), SITE_BUILD_DATE: "2026-02-01" }),
    );
    const v = variant(named, "compare");
    expect(named.urlOf(v)).toBe("/build-variants/compare-2/");
    expect(comparePairs(named).every((p) => p.href !== "/build-variants/compare/")).toBe(true);
  });

  test("compare URLs: ?a=&b= names a pair only when both are distinct variant names, given once", () => {
    const q = (s: string) => comparePairOf(new URLSearchParams(s));
    expect(q("a=prod&b=enterprise")).toEqual({ a: "prod", b: "enterprise" });
    for (const bad of [
      "",
      "a=prod",
      "a=prod&b=prod",
      "a=prod&b=lite&a=dev",
      "a=Prod&b=lite",
      "a=prod&b=../x",
      "a=prod&b=a%2Fb",
      "a=prod&b=%0d%0a",
      `a=prod&b=x${"a".repeat(63)}`,
      "a=1x&b=lite",
    ]) {
      expect({ bad, pair: q(bad) }).toEqual({ bad, pair: undefined });
    }
    expect(VARIANT_SEGMENT.source).toBe(VARIANT_NAME_PATTERN.source);
    expect(comparePairPath("prod", "lite").startsWith(`/${KIND_INFO.variants.path}/compare/`)).toBe(true);
    expect([percentChange(50, 1000), percentChange(-25, 1000), percentChange(0, 1000), percentChange(5, 0)]).toEqual([
      "+5.0%",
      "−2.5%",
      "0.0%",
      "",
    ]);
  });
});

describe("code references", () => {
  test("every reference is a feature() call at that line and column of the repository, linked to it", () => {
    const site = siteWith(results, "fresh");
    let total = 0;
    for (const flag of site.entries("features")) {
      const view = flagSitesView(site, flag.record.name);
      if (!view.proven) throw new Error(`${flag.record.name}: ${view.reason}`);
      expect(callSiteCount(site, flag.record.name)).toBe(view.bundled.length);
      for (const r of [...view.bundled, ...view.examples]) {
        total++;
        const line = readFileSync(join(REPO, r.file), "utf8").split("\n")[r.line - 1]!;
        expect({ at: r.label, code: line.slice(r.col - 1, r.col - 1 + 11 + flag.record.name.length) }).toEqual({
          at: r.label,
          code: `feature("${flag.record.name}")`,
        });
        expect(r.href).toBe(`${REPO_URL}/blob/main/${r.file}#L${r.line}`);
        // The frame shows the call's line as it is (a long line cut at 160 characters).
        expect(r.frame.find((l) => l.call)?.text).toBe(line.length > 160 ? `${line.slice(0, 159)}…` : line);
        if (r.guard)
          expect(r.guard.href).toBe(
            `${REPO_URL}/blob/main/${r.file}#L${r.guard.start}${r.guard.end > r.guard.start ? `-L${r.guard.end}` : ""}`,
          );
      }
    }
    expect(total).toBeGreaterThan(50);
  });

  test("combined flags are named; a flag no bundled code reads counts 0 and carries the marker in the table", () => {
    const site = siteWith(results, "fresh");
    const mock = flagSitesView(site, "MOCK_API");
    if (!mock.proven) throw new Error(mock.reason);
    const combined = mock.examples.find((r) => r.with.some((w) => w.name === "ENTERPRISE"))!;
    expect(combined.with).toEqual([{ name: "ENTERPRISE", href: "/features/ENTERPRISE/" }]);
    expect(combined.guard?.condition).toBe('feature("ENTERPRISE") && feature("MOCK_API")');
    const fixture = flagSitesView(site, FIXTURE_FLAG);
    expect(fixture.proven && fixture.bundled.length).toBe(0);
    expect(DEFAULT_EXTRAS.features).toContain("callSites");
    const t = buildTable(site, "features", { extra: ["callSites"] });
    expect(t.columns.at(-1)).toEqual({ id: "callSites", label: "Call sites", numeric: true });
    const cell = (name: string) => t.rows.find((r) => r.key === name)!.cells.at(-1)!;
    expect(cell(FIXTURE_FLAG)).toMatchObject({ text: "0", sort: 0, badge: BADGE.unused });
    expect(cell("ENTERPRISE")).toEqual({ text: String(callSiteCount(site, "ENTERPRISE")), sort: callSiteCount(site, "ENTERPRISE")! });
  });

  test("unproven, with the reason, when results are missing, predate call sites, or a source changed since (then sizes are unproven too)", () => {
    const none = flagSitesView(siteWith(undefined, "none"), "DEBUG");
    expect(none).toEqual({ proven: false, reason: expect.stringContaining("no results of npm run verify") });
    const { callSites: _omit, ...old } = results;
    const before = siteWith(old as VerifyResults, "old");
    expect(flagSitesView(before, "DEBUG")).toEqual({ proven: false, reason: expect.stringContaining("predate source fingerprints") });
    expect(callSiteCount(before, "DEBUG")).toBeUndefined();
    expect(buildTable(before, "features", { extra: ["callSites"] }).rows[0]!.cells.at(-1)!.text).toBe("unproven");
    const changed = structuredClone(results);
    changed.callSites!.files[0]!.sha256 = "0".repeat(64);
    expect(flagSitesView(siteWith(changed, "changed"), "DEBUG")).toEqual({
      proven: false,
      reason: `${changed.callSites!.files[0]!.path} changed since npm run verify ran`,
    });
    // Bundle results are fresh only for the exact sources they were built from: a changed file makes the sizes unproven as well.
    const stale = siteWith(changed, "changed-sizes");
    expect(stale.results).toBeUndefined();
    expect(stale.resultsStale).toBe(`${changed.callSites!.files[0]!.path} changed since npm run verify ran`);
    expect(siteWith(results, "fresh").results?.variants.length).toBeGreaterThan(0);
  });

  test("frame text keeps control and bidi characters visible as escapes; markup stays text for the page to escape", () => {
    const hostile = structuredClone(results);
    const site0 = hostile.callSites!.sites.find((s) => s.flag === "DEBUG")!;
    site0.frame = site0.frame.map((l, i) => (site0.frameStart + i === site0.line ? `${l} // \u202e<script>x</script>\u001b[31m` : l));
    const view = flagSitesView(siteWith(hostile, "hostile"), "DEBUG");
    if (!view.proven) throw new Error(view.reason);
    const line = view.bundled.find((r) => r.line === site0.line && r.file === site0.file)!.frame.find((l) => l.call)!.text;
    expect(line).toContain("\\u202e<script>x</script>\\x1b[31m");
    expect(line).not.toMatch(/[\u202e\u001b]/);
  });
});
