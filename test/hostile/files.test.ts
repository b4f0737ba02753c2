/**
 * Files as an attacker commits them: links that leave the repository, FIFOs, devices, folders
 * where files belong, hostile cache entries and nesting meant to exhaust the parser. Each is refused with a
 * diagnostic at its path; nothing hangs, crashes, or prints what lies outside the repository.
 */
import { describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataFileCache } from "../../src/core/cache/data-file-cache.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { runCheck } from "../../src/core/check.ts";
import { makeProject, removeProject, REPO, runMain, runScript } from "../helpers/project.ts";

async function withProject(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = makeProject();
  try {
    await fn(dir);
  } finally {
    removeProject(dir);
  }
}

const SECRET = "hostile-secret-value-42";
const rules = (dir: string) => runCheck(dir, { freshness: false }).diagnostics.map((d) => `${d.file} ${d.rule}`);

describe("files that are not what they seem", () => {
  test("A data file linked to /proc/self/environ or /etc/passwd is refused without printing a byte of it", () =>
    withProject((dir) => {
      for (const target of ["/proc/self/environ", "/etc/passwd"]) {
        rmSync(join(dir, "data/features.yaml"));
        symlinkSync(target, join(dir, "data/features.yaml"));
        // A child process: what must not leak is the checking process's own environment.
        const run = runScript("check.ts", dir, ["--no-cache"], { TAKEOFF_TEST_SECRET: SECRET });
        expect(run.exitCode).toBe(1);
        expect(run.stderr).toContain("data/features.yaml:1:1: error outside-repository");
        expect(run.stderr + run.stdout).not.toContain(SECRET);
        expect(run.stderr + run.stdout).not.toContain("root:");
        // The kind is unreadable, so its absence does not cascade into reference errors.
        expect(run.stderr).not.toContain("unknown-reference");
      }
    }));

  test("A FIFO or a link to /dev/zero as a data file answers at once instead of hanging", () =>
    withProject((dir) => {
      rmSync(join(dir, "data/features.yaml"));
      Bun.spawnSync(["mkfifo", join(dir, "data/features.yaml")]);
      const fifo = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../scripts/check.ts"), "--no-cache"], {
        cwd: dir,
        timeout: 20_000,
        stderr: "pipe",
      });
      expect(fifo.exitCode).toBe(1);
      expect(fifo.stderr.toString()).toContain(
        "data/features.yaml:1:1: error not-a-file: data/features.yaml is a named pipe, not a regular file",
      );
      rmSync(join(dir, "data/features.yaml"));
      symlinkSync("/dev/zero", join(dir, "data/features.yaml"));
      expect(rules(dir)).toContain("data/features.yaml outside-repository");
    }));

  test("A data file that grows past the limit while being read is cut at the limit", () =>
    withProject((dir) => {
      // A regular file larger than the limit is refused from the open file's size.
      writeFileSync(join(dir, "data/team.yaml"), `# big\n${"#".repeat(1024 * 1024 + 10)}\n`);
      expect(rules(dir)).toContain("data/team.yaml file-too-large");
    }));

  test("A data folder linked outside the repository is refused, so a cached clean verdict can never hide an edit there", async () => {
    const outside = mkdtempSync(join(tmpdir(), "takeoff-outside-"));
    const dir = makeProject();
    try {
      mkdirSync(join(outside, "roadmap"));
      renameSync(join(dir, "data/roadmap.yaml"), join(outside, "roadmap/items.yaml"));
      symlinkSync(join(outside, "roadmap"), join(dir, "data/roadmap"));
      const first = await runMain("check", dir);
      expect(first.exitCode).toBe(1);
      expect(first.stderr).toContain("data/roadmap:1:1: error outside-repository");
    } finally {
      removeProject(dir);
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("An edit through a link inside the repository changes the fingerprint, so the cached verdict is not reused", () =>
    withProject(async (dir) => {
      mkdirSync(join(dir, "records/roadmap"), { recursive: true });
      const schema = "# yaml-language-server: $schema=../../src/generated/schema/roadmap.schema.json\n";
      const body = readFileSync(join(dir, "data/roadmap.yaml"), "utf8").split("\n").slice(1).join("\n");
      rmSync(join(dir, "data/roadmap.yaml"));
      writeFileSync(join(dir, "records/roadmap/items.yaml"), schema + body);
      symlinkSync("../records/roadmap", join(dir, "data/roadmap"));
      const clean = await runMain("check", dir);
      expect(clean.exitCode).toBe(0);
      writeFileSync(join(dir, "records/roadmap/items.yaml"), schema + body.replace(/status: \w+/, "status: Finished"));
      const second = await runMain("check", dir);
      expect(second.stderr).not.toContain("unchanged since the last clean check");
      expect(second.stderr).toContain("invalid-enum");
      expect(second.exitCode).toBe(1);
    }));

  test("Data/ as a file, results.json as a folder: diagnostics, never stack traces", () =>
    withProject(async (dir) => {
      rmSync(join(dir, "data"), { recursive: true });
      writeFileSync(join(dir, "data"), "not a folder");
      const run = await runMain("check", dir, ["--no-cache"]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("data:1:1: error not-a-file: data is a file, not a folder");
      expect(run.stderr).not.toMatch(/ENOTDIR|at \w+ \(/);
    }));

  test("A parse-cache entry with a valid key but a forged body is a miss, not data", () =>
    withProject((dir) => {
      const cacheDir = join(dir, "cache");
      const clean = loadModel(dir).diagnostics.length;
      loadModel(dir, "data", "cache"); // fills the cache
      const entries = readdirSync(cacheDir);
      expect(entries.length).toBeGreaterThan(0);
      for (const forge of [
        (e: { value: unknown }) => ({ ...e, value: {} }),
        (e: { value: { source: object } }) => ({ ...e, value: { ...e.value, source: { ...e.value.source, data: [] } } }),
      ]) {
        for (const name of entries) {
          const path = join(cacheDir, name);
          const original = JSON.parse(readFileSync(path, "utf8"));
          writeFileSync(path, JSON.stringify(forge(original)));
        }
        expect(loadModel(dir, "data", "cache").diagnostics.length).toBe(clean);
        expect(loadModel(dir, "data", "cache").model.records.features.length).toBeGreaterThan(0);
      }
      expect(openDataFileCache(dir, cacheDir).get("data/nothing.yaml", new Uint8Array())).toBeUndefined();
    }));

  test("Nesting 100,000 levels deep is one yaml-too-deep at the place it goes too deep", () =>
    withProject(async (dir) => {
      writeFileSync(
        join(dir, "data/team.yaml"),
        `# yaml-language-server: $schema=../src/generated/schema/team.schema.json\n- name: ${"[".repeat(100_000)}\n`,
      );
      const run = await runMain("check", dir, ["--no-cache"]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr.slice(0, 200)).toContain("data/team.yaml:2:72: error yaml-too-deep");
      expect(run.stderr).not.toContain("Maximum call stack");
    }));

  test("A tab in indentation is named as such, with the fix", () =>
    withProject(async (dir) => {
      const file = join(dir, "data/team.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("\n  type:", "\n\ttype:"));
      const run = await runMain("check", dir, ["--no-cache"]);
      expect(run.stderr).toMatch(
        /data\/team\.yaml:3:1: error yaml-syntax: this line is indented with a tab; YAML indents with spaces only/,
      );
      expect(run.stderr).toContain("hint: indent with spaces, not tabs");
    }));

  test("Data/features.yaml as a folder is one error, not a cascade", () =>
    withProject((dir) => {
      rmSync(join(dir, "data/features.yaml"));
      mkdirSync(join(dir, "data/features.yaml"));
      const found = rules(dir);
      expect(found).toEqual(["data/features.yaml not-a-file"]);
    }));

  test("content: a page linked outside the repository is refused, not read", () =>
    withProject((dir) => {
      symlinkSync("/etc/passwd", join(dir, "content/leak.md"));
      symlinkSync("/etc", join(dir, "content/etc"));
      const found = rules(dir);
      expect(found).toContain("content/leak.md outside-repository");
      expect(found).toContain("content/etc outside-repository");
    }));
});

test("Verify with .cache/verify/results.json as a folder reports output-not-writable, no stack trace", async () => {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
  try {
    cpSync(join(REPO, "test/fixtures/verify/base"), dir, { recursive: true });
    mkdirSync(join(dir, ".cache/verify/results.json"), { recursive: true });
    const run = await runMain("verify", dir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(".cache/verify/results.json:1:1: error output-not-writable");
    expect(run.stderr).not.toMatch(/EISDIR:|at \w+ \(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
