/**
 * scripts/build-site.ts (src/site/build.ts) when killed, when pointed at someone else's folder, and with a hostile
 * SITE_REPO_URL.
 *
 * - Killed after every step of the swap (SIGKILL from the build's injected `after` hook), in both
 *   swap modes: with the atomic exchange the output is a complete site with its variants/ at every
 *   instant; with the two-rename fallback the one gap (between the renames) is repaired by the next run.
 *   The next run also removes every stale stage/old folder.
 * - The states the review found (site stranded in *.old, dist/ gone or without variants/) are repaired.
 * - `--out` refuses a non-empty folder without the marker, a link, the repository or a parent of it.
 * - SITE_REPO_URL=javascript:… is refused by the build and by `astro dev` (one shared check).
 * - One real build killed right after its swap leaves the new site serving, variants included.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoUrl, siteConfig } from "../../src/site/config.ts";
import { caseDirs } from "../helpers/case-dirs.ts";

setDefaultTimeout(60_000);

const REPO = join(import.meta.dir, "..", "..");
const BUILD_SITE = join(REPO, "scripts", "build-site.ts");
/** The output's steps (planOutput, publishSite, …): the module behind the build's swap. */
const SITE_PUBLISH = join(REPO, "src", "site", "publish-site.ts");
/** The build as the script runs it, killing itself right after a named step (through the build's hooks). */
const BUILD_KILLED = join(REPO, "test", "helpers", "build-site-killed.ts");
const caseDir = caseDirs("takeoff-site-build");

/** A site an earlier build wrote: marker, a page, and the bundles `npm run verify` put under variants/. */
function writeOldSite(out: string, page = "old"): void {
  mkdirSync(join(out, "variants", "prod"), { recursive: true });
  writeFileSync(join(out, ".takeoff-site"), `{"build":"${page}"}\n`);
  writeFileSync(join(out, "index.html"), page);
  writeFileSync(join(out, "variants", "prod", "main.js"), "bundle");
}

function read(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

/** What a reader of `out` sees: the page, the bundles, the marker. */
function state(out: string) {
  return {
    page: read(join(out, "index.html")),
    bundle: read(join(out, "variants", "prod", "main.js")),
    marked: existsSync(join(out, ".takeoff-site")),
  };
}

/** Entries of the stage base that belong to site builds (stage, old). */
function stageLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.stage-\d+/.test(n));
}

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

async function run(cmd: string[], env: Record<string, string | undefined> = {}, timeout = 60_000): Promise<Run> {
  const proc = Bun.spawn(cmd, { cwd: REPO, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeout);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  return { code: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode), stdout, stderr };
}

/** The build CLI (quiet). */
const buildSite = (out: string, env: Record<string, string | undefined> = {}, timeout?: number) =>
  run([process.execPath, BUILD_SITE, "--out", out, "--quiet"], env, timeout);

/** The build killed right after `step`, e.g. "recovered": the next build's recovery, then stop. */
const buildKilled = (out: string, step: string, env: Record<string, string | undefined> = {}, timeout?: number) =>
  run([process.execPath, BUILD_KILLED, REPO, out, step], env, timeout);

/**
 * The swap as the build runs it (recover, stage a complete marked site, publish), in a child that SIGKILLs
 * itself right after the step named by its third argument (through the injected hooks; the fourth, "rename",
 * forces the two-rename swap). Prints the swap mode used.
 */
function swapScript(dir: string): string {
  const file = join(dir, "swap.ts");
  writeFileSync(
    file,
    `import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planOutput, publishSite, recoverOutput, writeMarker } from ${JSON.stringify(SITE_PUBLISH)};
const [root, out, step, mode] = process.argv.slice(2);
const plan = planOutput(root, out);
recoverOutput(plan);
mkdirSync(plan.stage, { recursive: true });
writeFileSync(join(plan.stage, "index.html"), "new");
writeMarker(plan.stage, "new");
const after = (s: string) => {
  if (s === step) process.kill(process.pid, "SIGKILL");
};
process.stdout.write(publishSite(plan, (s) => process.stderr.write(s), { after, exchange: mode === "rename" ? false : undefined }));
`,
  );
  return file;
}

describe("a site build killed at any step", () => {
  const modes = {
    exchange: ["variants", "swap", "old-removed", ""],
    rename: ["variants", "rename-out", "rename-stage", "old-removed", ""],
  } as const;
  for (const [mode, steps] of Object.entries(modes)) {
    test(`${mode} swap: killed after each step, the output serves a complete site with variants/ (at once, or after the next run's recovery)`, async () => {
      for (const step of steps) {
        const dir = caseDir();
        const out = join(dir, "out");
        writeOldSite(out);
        const r = await run([process.execPath, swapScript(dir), REPO, out, step || "none", mode]);
        if (step) expect({ step, signal: r.signal }).toEqual({ step, signal: "SIGKILL" });
        else expect({ step, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ step, code: 0, stdout: mode, stderr: "" });
        const now = state(out);
        if (mode === "rename" && step === "rename-out") {
          // The one gap of the fallback: the old site is aside, in the stage folder.
          expect(now.page).toBeUndefined();
        } else {
          expect({ step, ...now }).toEqual({
            step,
            page: ["variants", "rename-out"].includes(step) ? "old" : "new",
            bundle: "bundle",
            marked: true,
          });
        }
        // The next build recovers before anything else (and here stops right after).
        const next = await buildKilled(out, "recovered");
        expect({ step, signal: next.signal }).toEqual({ step, signal: "SIGKILL" });
        expect({ step, ...state(out) }).toEqual({
          step,
          page: step === "variants" || step === "rename-out" ? "old" : "new",
          bundle: "bundle",
          marked: true,
        });
        expect({ step, left: stageLeftovers(dir) }).toEqual({ step, left: [] });
      }
    }, 120_000);
  }

  test("the states the review found are repaired: a site stranded in *.old with dist/ gone, variants/ stranded, stale stages", async () => {
    // dist/ gone, the old site (with variants) in a stage folder named by the earlier build-site, plus junk.
    const dead = Bun.spawnSync(["true"]).pid;
    const dir = caseDir();
    const out = join(dir, "out");
    writeOldSite(join(dir, `.out.stage-${dead}.old`));
    rmSync(join(dir, `.out.stage-${dead}.old`, ".takeoff-site"));
    mkdirSync(join(dir, `.out.stage-${dead}`, "_astro"), { recursive: true });
    writeFileSync(join(dir, `.out.stage-${dead}`, "_astro", "junk.js"), "x".repeat(1 << 20));
    const r = await buildKilled(out, "recovered");
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toContain("restored");
    expect(state(out)).toEqual({ page: "old", bundle: "bundle", marked: true });
    expect(stageLeftovers(dir)).toEqual([]);

    // The next build succeeded without variants/: they are carried over from the stranded old site.
    const dir2 = caseDir();
    const out2 = join(dir2, "out");
    writeOldSite(out2, "new");
    rmSync(join(out2, "variants"), { recursive: true });
    writeOldSite(join(dir2, `.out.stage-${dead}.old`));
    const r2 = await buildKilled(out2, "recovered");
    expect(r2.signal).toBe("SIGKILL");
    expect(state(out2)).toEqual({ page: "new", bundle: "bundle", marked: true });
    expect(stageLeftovers(dir2)).toEqual([]);
  });

  test("a running build's stage folder is left alone", async () => {
    const dir = caseDir();
    const out = join(dir, "out");
    writeOldSite(out);
    const live = join(dir, `.out.stage-${process.pid}`);
    mkdirSync(live);
    const r = await buildKilled(out, "recovered");
    expect(r.signal).toBe("SIGKILL");
    expect(existsSync(live)).toBe(true);
  });
});

describe("--out", () => {
  test("refuses a non-empty folder that no site build marked, and deletes nothing", async () => {
    const dir = caseDir();
    const out = join(dir, "mine");
    mkdirSync(out);
    writeFileSync(join(out, "precious"), "keep me");
    writeFileSync(join(out, "index.html"), "my own page");
    const r = await buildSite(out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not written by a site build");
    expect(r.stderr).toContain("precious");
    expect(read(join(out, "precious"))).toBe("keep me");
    expect(read(join(out, "index.html"))).toBe("my own page");
    expect(readdirSync(dir).sort()).toEqual(["mine"]);
  });

  test("refuses a link, the repository, a parent of it and the file system root", async () => {
    const dir = caseDir();
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "precious"), "keep me");
    symlinkSync(join(dir, "real"), join(dir, "link"));
    for (const out of [join(dir, "link"), REPO, join(REPO, ".."), "/", "."]) {
      const r = await buildSite(out);
      expect({ out, code: r.code }).toEqual({ out, code: 1 });
      expect(r.stderr).toMatch(/refusing|symbolic link|not written by a site build/);
    }
    expect(read(join(dir, "real", "precious"))).toBe("keep me");
  });

  test("accepts an empty folder, a marked site, and a folder holding only variants/", async () => {
    for (const prepare of [
      (o: string) => mkdirSync(o),
      (o: string) => writeOldSite(o),
      (o: string) => mkdirSync(join(o, "variants", "prod"), { recursive: true }),
    ]) {
      const dir = caseDir();
      const out = join(dir, "out");
      prepare(out);
      // Stop right after the public/ check, i.e. past the output check.
      const r = await buildKilled(out, "public");
      expect({ out, signal: r.signal, stderr: r.stderr }).toEqual({ out, signal: "SIGKILL", stderr: "" });
    }
  });
});

describe("SITE_REPO_URL", () => {
  const hostile = [
    "javascript:alert(document.domain)//",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,x",
    "//evil.test/x",
    "https://user:pw@evil.test/x",
    "https://x.test/a b",
    'https://x.test/"onmouseover=alert(1)',
    "ftp://x.test/r",
    "x.test/repo",
  ];

  test("one check: only an absolute http(s) URL with a host", () => {
    expect(repoUrl("https://github.com/takeoff-docs/takeoff-docs/")).toBe("https://github.com/takeoff-docs/takeoff-docs");
    expect(repoUrl("http://gitea.local:3000/team/repo")).toBe("http://gitea.local:3000/team/repo");
    for (const url of hostile) expect(() => repoUrl(url)).toThrow("SITE_REPO_URL");
    for (const url of hostile) expect(() => siteConfig({ SITE_ROOT: REPO, SITE_REPO_URL: url })).toThrow("SITE_REPO_URL");
  });

  test("the build refuses a javascript: URL before Astro runs, the output untouched", async () => {
    const dir = caseDir();
    const out = join(dir, "out");
    writeOldSite(out);
    const r = await buildSite(out, { SITE_REPO_URL: "javascript:alert(document.domain)//" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SITE_REPO_URL="javascript:alert(document.domain)//"');
    expect(state(out)).toEqual({ page: "old", bundle: "bundle", marked: true });
  });

  test("npm run dev (astro dev) refuses it too, instead of serving a live javascript: edit link", async () => {
    const r = await run(
      [process.execPath, "--bun", join(REPO, "node_modules/astro/bin/astro.mjs"), "dev", "--port", "0", "--host", "127.0.0.1"],
      { SITE_REPO_URL: "javascript:alert(document.domain)//", ASTRO_TELEMETRY_DISABLED: "1" },
      90_000,
    );
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('SITE_REPO_URL="javascript:alert(document.domain)//"');
  }, 120_000);
});

describe("a real build killed right after its swap", () => {
  test("the new site serves with variants/, and the next run removes the old one", async () => {
    const dir = caseDir();
    const out = join(dir, "out");
    writeOldSite(out);
    const r = await buildKilled(out, "swap", { SITE_BUILD_DATE: "2026-02-01" }, 300_000);
    expect({ signal: r.signal, stderr: r.stderr.slice(-2000) }).toEqual({ signal: "SIGKILL", stderr: expect.any(String) });
    expect(read(join(out, "index.html"))).toContain("<!DOCTYPE html>");
    expect(existsSync(join(out, "pagefind", "pagefind.js"))).toBe(true);
    expect(state(out)).toEqual({ page: expect.stringContaining("<!DOCTYPE html>"), bundle: "bundle", marked: true });
    // The old site is still in the stage folder (it was being removed when the build died).
    expect(stageLeftovers(dir).length).toBe(1);
    const next = await buildKilled(out, "recovered");
    expect(next.signal).toBe("SIGKILL");
    expect(stageLeftovers(dir)).toEqual([]);
    expect(state(out).bundle).toBe("bundle");
  }, 320_000);
});
