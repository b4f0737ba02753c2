/**
 * One fixture tree per kind of mistake: each case overlays a few files on the base fixture, runs the check
 * command in it (its `main`, in this process: the bin adds only a process start, tested in
 * test/cli/bins.test.ts), and compares exit code and output with the `expected.txt` kept beside it.
 * UPDATE_SNAPSHOTS=1 rewrites the expected files (review the diff before committing).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

// Processes and builds on a loaded 2-core machine: seconds, not the default 5.
setDefaultTimeout(60_000);

const CASES = join(REPO, "test/fixtures/check");

function render(run: { exitCode: number; stdout: string; stderr: string }): string {
  const norm = (s: string) => s.replace(/\(\d+ ms\)/g, "(N ms)").trimEnd();
  return `exit: ${run.exitCode}\n--- stdout\n${norm(run.stdout)}\n--- stderr\n${norm(run.stderr)}\n`;
}

describe("check CLI fixtures", () => {
  for (const name of readdirSync(CASES).sort()) {
    test(name, async () => {
      const dir = join(CASES, name);
      const args = existsSync(join(dir, "args.json")) ? (JSON.parse(readFileSync(join(dir, "args.json"), "utf8")) as string[]) : [];
      const env = existsSync(join(dir, "env.json"))
        ? (JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as Record<string, string>)
        : {};
      const project = makeProject(dir);
      try {
        const actual = render(await runMain("check", project, args, env));
        const expectedPath = join(dir, "expected.txt");
        if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(expectedPath)) writeFileSync(expectedPath, actual);
        expect(actual).toBe(readFileSync(expectedPath, "utf8"));
        expect(actual.startsWith("exit: 1\n")).toBe(true);
      } finally {
        removeProject(project);
      }
    }, 30_000); // two child processes (generate, check) per case: room for a loaded machine
  }

  test("the base fixture itself is clean", async () => {
    const project = makeProject();
    try {
      const run = await runMain("check", project);
      expect(run.stderr).toContain("check: 13 records");
      expect(run.exitCode).toBe(0);
    } finally {
      removeProject(project);
    }
  });
});
