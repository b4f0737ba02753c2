/**
 * `npm run dev` with a bad record: Astro's error overlay points at the record's file:line:col (not at the
 * site module that threw) and shows check's own message. (That the site's git calls go through the one
 * wrapper is test/core/git.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { BROWSER_SUITES, CHROME_ARGS, CHROMIUM } from "./harness.ts";
import { REPO, writeFixtureData } from "./fixture.ts";
import { siteConfig } from "../../src/site/config.ts";
import { checkRecords, RecordErrors } from "../../src/site/data.ts";

setDefaultTimeout(120_000);
const TMP = join(REPO, "test", ".work", "site-dev-overlay");

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

describe.skipIf(!BROWSER_SUITES)("dev overlay", () => {
  let dev: ReturnType<typeof Bun.spawn> | undefined;
  let browser: Browser | undefined;
  let base = "";
  let log = "";

  beforeAll(async () => {
    const data = writeFixtureData(TMP);
    const file = join(data, "features.yaml");
    // The first flag's tier, line 8 column 9 of the copy (the same lines as data/features.yaml).
    writeFileSync(file, readFileSync(file, "utf8").replace("  tier: Internal\n", "  tier: internal\n"));
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    // --ignore-lock: runs beside a developer's own `npm run dev` (Astro refuses a second tracked server) and never
    // detaches into the background.
    dev = Bun.spawn(
      [
        join(REPO, "node_modules", ".bin", "bun"),
        "--bun",
        "node_modules/.bin/astro",
        "dev",
        "--ignore-lock",
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
      ],
      {
        cwd: REPO,
        env: { ...process.env, SITE_DATA_DIR: data, ASTRO_TELEMETRY_DISABLED: "1", SITE_BUILD_DATE: "2026-02-01" },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    // Ready when it answers (500: the page failed, which is the point); deadline 90 s on a loaded machine.
    void new Response(dev.stdout as ReadableStream).text().then((t) => (log += t));
    void new Response(dev.stderr as ReadableStream).text().then((t) => (log += t));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await fetch(`${base}/features/`).catch(() => undefined);
      if (res) break;
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`astro dev did not start:\n${log}`);
      await Bun.sleep(250);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (dev && dev.exitCode === null) {
      dev.kill();
      await dev.exited;
    }
    rmSync(TMP, { recursive: true, force: true });
  });

  test("a bad record: the overlay names the YAML file:line:col and check's message, not a site module", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/features/`);
    const overlay = page.locator("vite-error-overlay");
    await overlay.waitFor({ state: "attached", timeout: 60_000 });
    // The overlay fills in the location once its payload is rendered.
    await page.waitForFunction(
      () => document.querySelector("vite-error-overlay")?.shadowRoot?.querySelector("#code h2")?.textContent,
      undefined,
      { timeout: 30_000 },
    );
    const shown = await overlay.evaluate((el) => {
      const root = el.shadowRoot!;
      const h2 = root.querySelector("#code h2")!;
      return {
        where: h2.textContent,
        title: h2.getAttribute("title"),
        message: root.querySelector("#message-content")?.textContent ?? "",
        line: root.querySelector(".error-line")?.textContent ?? "",
      };
    });
    expect(shown.where).toBe("data/features.yaml:8:9");
    expect(shown.title).toBe(`${join(TMP, "data", "features.yaml")}:8:9`);
    expect(shown.message).toContain('data/features.yaml:8:9: error invalid-enum: the text "internal" is not an allowed tier');
    expect(shown.line).toContain("tier: internal");
    await page.close();
  });
});

describe("record errors for the overlay", () => {
  const dir = join(TMP, "unit");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const thrown = (data: string) => {
    try {
      checkRecords(siteConfig({ SITE_ROOT: REPO, SITE_DATA_DIR: data }));
    } catch (err) {
      return err;
    }
    throw new Error("no error");
  };

  test("carry the first error's absolute file, line and column, and the text check read", () => {
    const data = writeFixtureData(dir);
    const file = join(data, "features.yaml");
    const text = readFileSync(file, "utf8").replace("  tier: Internal\n", "  tier: internal\n");
    writeFileSync(file, text);
    const err = thrown(data) as RecordErrors;
    expect(err).toBeInstanceOf(RecordErrors);
    expect(err.loc).toEqual({ file, line: 8, column: 9 });
    expect(err.fullCode).toBe(text);
    expect(err.frame).toContain("data/features.yaml:8:9: error invalid-enum");
  });

  test("a data file that links out of the repository is never shown: no location, no source", () => {
    const data = writeFixtureData(dir);
    const away = mkdtempSync(join(tmpdir(), "takeoff-overlay-"));
    try {
      const outside = join(away, "secret.yaml");
      writeFileSync(outside, "- name: SECRET_TOKEN_VALUE\n");
      rmSync(join(data, "features.yaml"));
      symlinkSync(outside, join(data, "features.yaml"));
      const err = thrown(data) as RecordErrors;
      expect(err).toBeInstanceOf(RecordErrors);
      expect(err.text).toContain("outside-repository");
      expect(err.loc?.file ?? "").not.toContain("features.yaml");
      expect(`${err.fullCode ?? ""}${err.frame ?? ""}${err.message}`).not.toContain("SECRET_TOKEN_VALUE");
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });
});
