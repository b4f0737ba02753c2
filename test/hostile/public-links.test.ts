/**
 * public/ is copied into the site and served: before Astro runs, every entry must be a
 * regular file or folder whose real path stays inside the repository. A link to /etc/passwd or out of the
 * repository, a link into .git/ (CI's checkout token), a FIFO: the build fails with a diagnostic naming the
 * path, and the output is untouched. `astro build` run directly refuses the same.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { formatHeadline } from "../../src/core/report/diagnostics.ts";
import { checkPublicFiles } from "../../src/site/safe.ts";

setDefaultTimeout(60_000);

const REPO = join(import.meta.dir, "..", "..");
const TMP = mkdtempSync(join(tmpdir(), "takeoff-public-"));
// Inside the repository (the check is about the repository's real paths), under the ignored test/.work/.
const WORK = join(REPO, "test", ".work", `hostile-public-${process.pid}`);
afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
  rmSync(WORK, { recursive: true, force: true });
});

function mkfifo(path: string): void {
  const r = Bun.spawnSync(["mkfifo", path]);
  if (r.exitCode !== 0) throw new Error(`mkfifo ${path}: ${r.stderr.toString()}`);
}

/**
 * A public folder with every kind of entry, fine ones and hostile ones; `root` plays the repository and
 * `secret` is a hidden file inside it (like .git/config or .env) that `public/token` links to.
 */
function hostilePublic(root: string, rel: string, secret: string): void {
  const pub = join(root, rel);
  mkdirSync(join(pub, "sub"), { recursive: true });
  mkdirSync(join(root, secret, ".."), { recursive: true });
  writeFileSync(join(root, secret), "[http] extraheader = AUTHORIZATION: basic c2VjcmV0\n");
  writeFileSync(join(pub, "ok.txt"), "fine\n");
  writeFileSync(join(pub, "sub", "ok.css"), "p{}\n");
  symlinkSync("/etc/passwd", join(pub, "leak.txt"));
  symlinkSync("/etc", join(pub, "sub", "etc"));
  symlinkSync(relative(pub, join(root, secret)), join(pub, "token"));
  symlinkSync("ok.txt", join(pub, "same.txt")); // a link inside public/: fine
  mkfifo(join(pub, "pipe"));
}

describe("checkPublicFiles", () => {
  test("refuses links out of the repository, links into hidden paths and FIFOs, one diagnostic each", () => {
    const root = join(TMP, "repo");
    hostilePublic(root, "public", ".git/config");
    const found = checkPublicFiles(root, "public");
    expect(found.map((d) => [d.file, d.rule])).toEqual([
      ["public/leak.txt", "outside-repository"],
      ["public/pipe", "not-a-file"],
      ["public/sub/etc", "outside-repository"],
      ["public/token", "outside-repository"],
    ]);
    expect(formatHeadline(found[0]!)).toBe(
      "public/leak.txt:1:1: error outside-repository: public/leak.txt is a link that leads outside the repository; it is not read",
    );
    expect(found[3]!.message).toContain(".git/config");
    expect(found[3]!.message).toContain("hidden");
    expect(checkPublicFiles(join(TMP, "nothing-here"), "public")).toEqual([]);
    // public/ itself a link into .git/.
    const linked = join(TMP, "linked");
    mkdirSync(join(linked, ".git"), { recursive: true });
    writeFileSync(join(linked, ".git", "config"), "secret\n");
    symlinkSync(".git", join(linked, "public"));
    expect(checkPublicFiles(linked, "public").map((d) => [d.file, d.rule])).toEqual([["public", "outside-repository"]]);
  });
});

describe("the site build", () => {
  test("fails on a hostile public/ before Astro runs, naming each path, with the output untouched", async () => {
    const pubRel = relative(REPO, join(WORK, "public"));
    hostilePublic(REPO, pubRel, relative(REPO, join(WORK, ".env")));
    const out = join(TMP, "out");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, ".takeoff-site"), "{}\n");
    writeFileSync(join(out, "index.html"), "previous build");
    const proc = Bun.spawn([process.execPath, "scripts/build-site.ts", "--out", out, "--quiet"], {
      cwd: REPO,
      env: { ...process.env, SITE_PUBLIC_DIR: pubRel },
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 50_000);
    const stderr = await new Response(proc.stderr).text();
    await proc.exited;
    clearTimeout(timer);
    expect(proc.exitCode).toBe(1);
    expect(stderr).toContain(
      `${pubRel}/leak.txt:1:1: error outside-repository: ${pubRel}/leak.txt is a link that leads outside the repository`,
    );
    expect(stderr).toContain(`${pubRel}/pipe:1:1: error not-a-file:`);
    expect(stderr).toContain(`${pubRel}/sub/etc:1:1: error outside-repository:`);
    expect(stderr).toContain(`${pubRel}/token:1:1: error outside-repository:`);
    expect(stderr).not.toContain("root:x:0:0");
    expect(stderr).toContain("left as it was");
    expect(readFileSync(join(out, "index.html"), "utf8")).toBe("previous build");
    expect(readdirSync(TMP).filter((n) => n.includes("stage"))).toEqual([]);
  });

  test("astro build run directly refuses it too", async () => {
    const pubRel = relative(REPO, join(WORK, "public"));
    if (!existsSync(join(WORK, "public"))) hostilePublic(REPO, pubRel, relative(REPO, join(WORK, ".env")));
    const outDir = join(TMP, "astro-out");
    const proc = Bun.spawn([process.execPath, "--bun", join(REPO, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", outDir], {
      cwd: REPO,
      env: { ...process.env, SITE_PUBLIC_DIR: pubRel, ASTRO_TELEMETRY_DISABLED: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 90_000);
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    await proc.exited;
    clearTimeout(timer);
    expect(proc.signalCode).toBeNull();
    expect(proc.exitCode).not.toBe(0);
    expect(stdout + stderr).toContain(`${pubRel}/leak.txt:1:1: error outside-repository:`);
    expect(existsSync(join(outDir, "leak.txt"))).toBe(false);
  }, 120_000);
});
