/**
 * Site budgets (a script, not a test): `bun bench/site.ts [--runs 3] [--skip-1000]`
 *
 *  - weight of the feature flag guide: gzip of the HTML, CSS and JS (and anything else) the page fetches
 *    before the reader interacts, measured in Chromium (≤ 20 KB in all, ≤ 5 KB of JS);
 *  - that no search asset (/pagefind/, the search UI chunk) is fetched until search is opened;
 *  - build time of this repository's site, and of "the same content" as the Starlight peer figure
 *    (30 MDX pages with a 30×9 table each), both including Pagefind and the link check;
 *  - a build with 1,000 synthetic flags (1,000 more record pages) under 60 s.
 *
 * Outputs go to bench/.work/ (never dist/). Peer figures: ../shared/notes/peers.md.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveSite } from "../src/site/serve.ts";
import { CHROME_ARGS, CHROMIUM } from "../src/site/chromium.ts";
import { dataWithSyntheticFlags } from "./synthetic.ts";

const REPO = join(import.meta.dir, "..");
const WORK = join(REPO, "bench", ".work", "site");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 3) || 3;
const skip1000 = args.includes("--skip-1000");
const KB = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const gz = (b: Uint8Array) => Bun.gzipSync(new Uint8Array(b), { level: 9 }).length;

function countPages(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== "pagefind" && name !== "_astro") n += countPages(full);
    } else if (name.endsWith(".html")) n++;
  }
  return n;
}

function build(out: string, env: Record<string, string> = {}): { ms: number; pages: number; summary: string } {
  const t = performance.now();
  const r = Bun.spawnSync([process.execPath, "scripts/build-site.ts", "--out", out, "--quiet"], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const ms = performance.now() - t;
  const err = r.stderr.toString();
  if (r.exitCode !== 0) throw new Error(`build failed:\n${err}`);
  return { ms, pages: countPages(out), summary: err.trim().split("\n").pop() ?? "" };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

mkdirSync(WORK, { recursive: true });
const rows: [string, string, string][] = [];

// 1. This repository's site.
const dist = join(WORK, "dist");
const times: number[] = [];
let pages = 0;
for (let i = 0; i < runs; i++) {
  const b = build(dist);
  times.push(b.ms);
  pages = b.pages;
  process.stderr.write(`repo site run ${i + 1}: ${(b.ms / 1000).toFixed(2)} s: ${b.summary}\n`);
}
rows.push([
  `site build, this repo (${pages} pages; astro + pagefind + link check)`,
  `${(median(times) / 1000).toFixed(2)} s (median of ${runs})`,
  "Starlight: 2.4–3.5 s for 30 pages",
]);

// 2. Flag guide weight in Chromium.
if (existsSync(CHROMIUM)) {
  const server = serveSite({ dir: dist, port: 0, hostname: "127.0.0.1" });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const got: { url: string; type: string; gzip: number; raw: number }[] = [];
    const pending: Promise<void>[] = [];
    page.on("response", (res) => {
      pending.push(
        (async () => {
          if (res.status() >= 300 && res.status() < 400) return;
          const body = await res.body().catch(() => Buffer.alloc(0));
          got.push({ url: new URL(res.url()).pathname, type: res.request().resourceType(), gzip: gz(body), raw: body.length });
        })(),
      );
    });
    await page.goto(`http://127.0.0.1:${server.port}/flag-guide/`, { waitUntil: "networkidle" });
    await page.waitForTimeout(1500); // idle-time fetches (Starlight loads its search UI here) would show now
    await Promise.all(pending);
    const before = [...got];
    const flags = await page.$$eval("[data-mt=features] tbody tr", (r) => r.length);
    const sum = (t: string[]) => before.filter((r) => t.includes(r.type)).reduce((s, r) => s + r.gzip, 0);
    const html = sum(["document"]);
    const css = sum(["stylesheet"]);
    const js = sum(["script"]);
    const all = before.reduce((s, r) => s + r.gzip, 0);
    const raw = before.reduce((s, r) => s + r.raw, 0);
    const searchBefore = before.filter((r) => r.url.startsWith("/pagefind/") || /search/i.test(r.url));
    rows.push([
      `flag guide (${flags} flags): everything fetched before interaction, gzip`,
      `${KB(all)} (HTML+inline CSS ${KB(html)}, CSS files ${KB(css)}, JS ${KB(js)}, other ${KB(all - html - css - js)}); ${KB(raw)} uncompressed; ${before.length} requests`,
      `budget ≤ 20 KB; Starlight 22 KB (108 KB uncompressed)`,
    ]);
    rows.push(["  of which JavaScript, gzip", KB(js), "budget ≤ 5 KB; Starlight 4.0 KB"]);
    rows.push([
      "search assets fetched before search is opened",
      `${searchBefore.length} requests`,
      "must be 0; Starlight fetches 26 KB gzip on idle",
    ]);
    got.length = 0;
    await page.click("[data-search-open]");
    await page.fill("dialog.search input", "export");
    await page.waitForSelector("dialog.search .search-results li", { timeout: 15_000 });
    await page.waitForTimeout(300);
    await Promise.all(pending);
    const onOpen = got.reduce((s, r) => s + r.gzip, 0);
    rows.push(["fetched on opening search and one query", `${KB(onOpen)} gzip in ${got.length} requests`, "loaded only on demand"]);
    if (all > 20 * 1024 || js > 5 * 1024 || searchBefore.length) process.exitCode = 1;
  } finally {
    await browser.close();
    server.stop(true);
  }
} else {
  rows.push(["flag guide weight", `not measured: ${CHROMIUM} missing (apt-get install -y chromium)`, "budget ≤ 20 KB, JS ≤ 5 KB"]);
}

// 3. The peer's content: 30 MDX pages with a 30×9 master table each.
{
  const dir = join(WORK, "content-30");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const row = (i: number) => `| FLAG_${i} | Release | Core | Platform | all | Free | Low | ✅ Done | Approved |`;
  const table = [
    "| Name | Type | Category | Domain | Scope | Tier | Size/Impact | Release/Status | Approval |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...Array.from({ length: 30 }, (_, i) => row(i)),
  ].join("\n");
  for (let p = 0; p < 30; p++) {
    writeFileSync(
      join(dir, `${p === 0 ? "index" : `page-${p}`}.mdx`),
      `---\ntitle: Page ${p}\ndescription: Synthetic page ${p} with a 30 by 9 master table.\norder: ${p}\n---\n## Section one\n\nSome prose for page ${p}.\n\n${table}\n\n## Section two\n\nMore prose.\n`,
    );
  }
  const out = join(WORK, "dist-30");
  const t: number[] = [];
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const b = build(out, { SITE_CONTENT_DIR: dir });
    t.push(b.ms);
    n = b.pages;
  }
  rows.push([
    `same content as the Starlight figure: 30 MDX pages × 30×9 table (+ record pages: ${n} pages)`,
    `${(median(t) / 1000).toFixed(2)} s (median of ${runs})`,
    "Starlight: 2.4–3.5 s",
  ]);
}

// 4. 1,000 synthetic flags.
if (!skip1000) {
  const dir = join(WORK, "flags-1000");
  const data = dataWithSyntheticFlags(dir, 1000);
  const out = join(WORK, "dist-1000");
  const b = build(out, { SITE_DATA_DIR: data, SITE_RESULTS_ROOT: dir });
  rows.push([`1,000 synthetic flags (${b.pages} pages)`, `${(b.ms / 1000).toFixed(2)} s`, "budget < 60 s"]);
  if (b.ms > 60_000) process.exitCode = 1;
  process.stderr.write(`1,000 flags: ${b.summary}\n`);
}

const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length), (["measure", "figure", "budget / peer"][i] ?? "").length));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`;
console.log(line(["measure", "figure", "budget / peer"]));
console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
