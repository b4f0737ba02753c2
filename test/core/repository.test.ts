/** The repository itself: its records check clean and the whole TypeScript program type-checks. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO, runMain } from "../helpers/project.ts";

test("npm run check passes on the repository", async () => {
  const run = await runMain("check", REPO, ["--no-cache"]);
  expect(run.stderr).toMatch(/^check: \d+ records, generated files fresh, tables lint clean/m);
  expect(run.exitCode).toBe(0);
});

test("the whole program type-checks (tsc --noEmit, strict)", () => {
  const tsc = Bun.spawnSync([process.execPath, join(REPO, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", REPO], { cwd: REPO, stdout: "pipe" });
  expect(tsc.stdout.toString()).toBe("");
  expect(tsc.exitCode).toBe(0);
}, 60000);
