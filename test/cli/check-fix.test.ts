/**
 * `npm run check -- --fix` on the table-fix fixture: the page it writes is the one kept in fixed/, it
 * says file:line per change, a second run finds nothing left to fix, and it writes nothing but regular
 * files of content/ reached without a link: a page linked from outside content/, a folder of content/
 * that is a link to another folder of the repository, and a link between two pages all stay untouched.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

setDefaultTimeout(60_000);

const CASE = join(REPO, "test/fixtures/check/table-fix");
const BROKEN = readFileSync(join(CASE, "content/guide.md"), "utf8");
const FIXED = readFileSync(join(CASE, "fixed/content/guide.md"), "utf8");

describe("check --fix", () => {
  test("rewrites what has one right answer, says where, leaves the rest, and is done after one run", async () => {
    const project = makeProject(CASE);
    try {
      const first = await runMain("check", project, ["--fix"]);
      expect(readFileSync(join(project, "content/guide.md"), "utf8")).toBe(FIXED);
      expect(first.stderr.split("\n").filter((l) => l.startsWith("fixed "))).toHaveLength(7);
      expect(first.stderr).toContain("fixed content/guide.md:7: DEBUG's Release/Status");
      expect(first.exitCode).toBe(1); // the unfixable two remain
      expect(readdirSync(join(project, "content"))).toEqual(["guide.md"]); // no temp file left behind

      const second = await runMain("check", project, ["--fix"]);
      expect(second.stderr).toContain("check --fix: 0 changes");
      expect(second.stderr).not.toContain("fixed ");
      expect(readFileSync(join(project, "content/guide.md"), "utf8")).toBe(FIXED);
    } finally {
      removeProject(project);
    }
  });

  test("without --fix nothing is written", async () => {
    const project = makeProject(CASE);
    try {
      expect((await runMain("check", project)).exitCode).toBe(1);
      expect(readFileSync(join(project, "content/guide.md"), "utf8")).toBe(BROKEN);
    } finally {
      removeProject(project);
    }
  });

  test("never writes through a link, nor outside content/", async () => {
    const project = makeProject();
    const outside = mkdtempSync(join(tmpdir(), "takeoff-outside-"));
    try {
      // A page outside the repository, linked in; a folder of the repository outside content/, linked in;
      // a page of content/ linked from another name.
      writeFileSync(join(outside, "evil.md"), BROKEN);
      symlinkSync(join(outside, "evil.md"), join(project, "content/evil.md"));
      mkdirSync(join(project, "src/pages"), { recursive: true });
      writeFileSync(join(project, "src/pages/page.md"), BROKEN);
      symlinkSync(join(project, "src/pages"), join(project, "content/pages"));
      writeFileSync(join(project, "content/real.md"), BROKEN);
      symlinkSync("real.md", join(project, "content/alias.md"));

      const run = await runMain("check", project, ["--fix"]);
      expect(readFileSync(join(outside, "evil.md"), "utf8")).toBe(BROKEN);
      expect(readFileSync(join(project, "src/pages/page.md"), "utf8")).toBe(BROKEN);
      expect(lstatSync(join(project, "content/alias.md")).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(project, "content/pages")).isSymbolicLink()).toBe(true);
      expect(run.stderr).toContain("not fixed content/pages/page.md: it is reached through a symbolic link");
      expect(run.stderr).toContain("not fixed content/alias.md: it is reached through a symbolic link");
      expect(run.stderr).not.toContain("fixed content/evil.md");
      expect(run.stderr).toContain("content/evil.md:1:1: error outside-repository");
      // The page that is a regular file of content/ is fixed.
      expect(readFileSync(join(project, "content/real.md"), "utf8")).toBe(FIXED);
      expect(run.exitCode).toBe(1);
    } finally {
      removeProject(project);
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
