/** The repository itself: its records check clean (the type-check is `npm run typecheck`, run by .ci/run). */
import { expect, test } from "bun:test";
import { REPO, runMain } from "../helpers/project.ts";

test("npm run check passes on the repository", async () => {
  const run = await runMain("check", REPO, ["--no-cache"]);
  expect(run.stderr).toMatch(/^check: \d+ records, generated files fresh, tables lint clean/m);
  expect(run.exitCode).toBe(0);
});

// Type-checking the whole program is `npm run typecheck`: .ci/run runs it on the fresh clone before the
// tests, where it proves more (no .astro/ yet) and costs no test worker 20-45 s of CPU.
