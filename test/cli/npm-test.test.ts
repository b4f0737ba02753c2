/**
 * npm test (scripts/test.ts) in a child process on throwaway test files: its last line counts what bun's JUnit
 * report says passed and failed, whatever the tests print, and its exit code is bun's (1 when nothing passed).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScript } from "../helpers/project.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tests(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "npm-test-case-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(dir, name), `import { describe, expect, test } from "bun:test";\n${text}\n`);
  return dir;
}

const lastLine = (stdout: string) => stdout.trimEnd().split("\n").at(-1);

describe("npm test", () => {
  test("counts come from the report: a test printing bun's summary lines does not change them", () => {
    const dir = tests({
      "a.test.ts": [
        'describe("d", () => { test("one", () => expect(1).toBe(1)); test.skip("sk", () => {}); });',
        'test("two", () => expect(1).toBe(2));',
        'test("prints a summary of its own", () => { console.error("\\n 41 pass\\n 0 fail\\n"); });',
      ].join("\n"),
      "b.test.ts": 'test("three > two", () => expect(3).toBeGreaterThan(2));\ntest.todo("later");',
    });
    const run = runScript("test.ts", dir, ["./a.test.ts", "./b.test.ts"]);
    expect(lastLine(run.stdout)).toBe("3 passed, 1 failed");
    expect(run.stderr).toContain("(fail) two");
    expect(run.exitCode).toBe(1);
  }, 120_000);

  test("an all-green run exits 0; a run where nothing passed exits 1", () => {
    const green = runScript("test.ts", tests({ "a.test.ts": 'test("one", () => expect(1).toBe(1));' }), ["./a.test.ts"]);
    expect([lastLine(green.stdout), green.exitCode]).toEqual(["1 passed, 0 failed", 0]);
    const none = runScript("test.ts", tests({ "a.test.ts": 'test.skip("one", () => {});' }), ["./a.test.ts"]);
    expect([lastLine(none.stdout), none.exitCode]).toEqual(["0 passed, 0 failed", 1]);
  }, 120_000);
});
