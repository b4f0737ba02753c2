/**
 * Shared setup of the browser tests: builds the site once from fixture data (cached on disk by a hash of
 * every input), serves it on a free port, and launches Debian's Chromium through playwright-core.
 *
 * Without /usr/bin/chromium the browser suites skip with a message, unless CI is set: then they fail.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { serveSite } from "../../src/site/serve.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { provedEntries } from "../../src/core/model/proof.ts";
import { proofInputsNow } from "../../src/prove/prove.ts";
import { CHROME_ARGS, CHROMIUM } from "../../src/site/chromium.ts";
import { REPO, writeFixtureData, writeFixtureResults } from "./fixture.ts";

export { CHROME_ARGS, CHROMIUM };
export const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
export const HAS_BROWSER = existsSync(CHROMIUM);
/** Run the browser suites? False only when Chromium is missing outside CI. */
export const BROWSER_SUITES = HAS_BROWSER || IN_CI;
if (!BROWSER_SUITES) {
  console.warn(
    `test/site: SKIPPING browser tests: ${CHROMIUM} is missing (install it with: apt-get install -y chromium). Under CI=true this is a failure.`,
  );
}

export const WORK = join(REPO, "test", ".work", "site");
export const DIST = join(WORK, "dist");
export const BUILD_DATE = "2026-02-01";
export const REPO_URL = "https://example.test/takeoff";

function inputsHash(): string {
  const hasher = new Bun.CryptoHasher("sha256");
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) walk(join(p, n));
    } else {
      hasher.update(p);
      hasher.update(readFileSync(p));
    }
  };
  for (const p of ["astro.config.mjs", "src", "content", "data", "public", "scripts/build-site.ts", "test/site/fixture.ts", "package.json"])
    walk(join(REPO, p));
  // The fixture's prove results are fresh only for the proof inputs of this moment (the tests records name).
  const model = loadModel(REPO).model;
  const { digests } = proofInputsNow(
    REPO,
    model,
    provedEntries(model).filter((e) => e.record.proof),
  );
  for (const [input, digest] of Object.entries(digests).sort()) hasher.update(`${input}\0${digest}\0`);
  return hasher.digest("hex");
}

let built: Promise<void> | undefined;

const pageErrors = new WeakMap<Page, string[]>();
/** Uncaught script errors seen on a page so far. */
export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** Builds test/.work/site/dist from fixture data unless an identical build is already there. */
export function buildFixtureSite(): Promise<void> {
  built ??= (async () => {
    const hash = inputsHash();
    const stamp = join(WORK, "stamp");
    const fresh = () => existsSync(join(DIST, "index.html")) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
    if (fresh()) return;
    // Test files run in parallel worker processes: one builds, the others wait for its stamp.
    const release = await lock(join(REPO, "test", ".work", "site.lock"));
    try {
      if (!fresh()) await buildNow(hash, stamp);
    } finally {
      release();
    }
  })();
  return built;
}

/** A lock across processes: mkdir is atomic. A lock left by a dead process (older than 5 minutes) is taken over. */
async function lock(path: string): Promise<() => void> {
  mkdirSync(join(path, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > 300_000) rmSync(path, { recursive: true, force: true });
      } catch {}
      await Bun.sleep(200);
    }
  }
}

async function buildNow(hash: string, stamp: string): Promise<void> {
  {
    // build-site replaces only a folder it marked as its own: a fixture site from before markers is thrown away.
    if (existsSync(DIST) && !existsSync(join(DIST, ".takeoff-site"))) rmSync(DIST, { recursive: true, force: true });
    const dataDir = writeFixtureData(WORK);
    writeFixtureResults(WORK, dataDir);
    const proc = Bun.spawn([process.execPath, "scripts/build-site.ts", "--out", DIST, "--quiet"], {
      cwd: REPO,
      env: {
        ...process.env,
        SITE_DATA_DIR: dataDir,
        SITE_RESULTS_ROOT: WORK,
        SITE_BUILD_DATE: BUILD_DATE,
        SITE_REPO_URL: REPO_URL,
        SITE_REPO_BRANCH: "main",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`fixture site build failed (${code}):\n${err}`);
    writeFileSync(stamp, hash);
  }
}

export interface SiteSession {
  base: string;
  browser: Browser;
  /** A page in a context of its own; `withAxe` loads axe-core into every document it opens. */
  page(options?: BrowserContextOptions, withAxe?: boolean): Promise<Page>;
  close(): Promise<void>;
}

/** Build (if needed), serve on a free port, launch Chromium. One per test file. */
export async function openSite(): Promise<SiteSession> {
  await buildFixtureSite();
  const server = serveSite({ dir: DIST, port: 0, hostname: "127.0.0.1" });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS, headless: true });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    browser,
    async page(options = {}, withAxe = false) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light", ...options });
      if (withAxe) await context.addInitScript(AXE_SOURCE);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
      pageErrors.set(page, errors);
      return page;
    },
    async close() {
      await browser.close();
      server.stop(true);
    },
  };
}

/** axe-core from node_modules, injected into the page. */
export const AXE_SOURCE = readFileSync(join(REPO, "node_modules", "axe-core", "axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

export async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: an injected <script> element would be (rightly) blocked by the
  // server's Content-Security-Policy. A context opened with `withAxe` has it already (compiled at document start,
  // which costs about half of evaluating it afterwards).
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
    }));
  });
}
