/**
 * `npm run build` refuses what `npm run check` refuses, with check's own diagnostics, before Astro starts:
 * a stale generated file (src/generated/limits.ts still holding an old number) and a hand-written table
 * check's lint refuses. Run in a throwaway project (the check fixture), never in this repository.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite } from "../../src/site/build.ts";
import { runCheck } from "../../src/core/check.ts";
import { formatText, isError } from "../../src/core/report/diagnostics.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { cleanEnv, makeProject, removeProject } from "../helpers/project.ts";

const made: string[] = [];
afterAll(() => made.forEach(removeProject));

/** The build of `root`, with none of the SITE_* folders a test or bench may point elsewhere. */
async function build(root: string) {
  const env = cleanEnv();
  for (const k of Object.keys(env)) if (k.startsWith("SITE_")) delete env[k];
  const io = memoryIo({ cwd: root, env });
  const code = await buildSite({ root, out: "dist", quiet: true }, io);
  return { code, err: io.err };
}

/** What `npm run check` prints for the errors of `root`. */
function checkText(root: string): string {
  const r = runCheck(root);
  return formatText(r.diagnostics.filter(isError), (f) => r.texts.get(f));
}

describe("the site build runs check", () => {
  test("a stale src/generated/limits.ts fails the build with check's stale-generated diagnostics, before Astro", async () => {
    const root = makeProject();
    made.push(root);
    const file = join(root, "src/generated/limits.ts");
    const text = readFileSync(file, "utf8");
    const stale = text.replace(/^(export const [A-Z0-9_]+ = )(\d+);$/m, (_, head: string, n: string) => `${head}${Number(n) + 1};`);
    expect(stale).not.toBe(text);
    writeFileSync(file, stale);
    const expected = checkText(root);
    expect(expected).toMatch(/src\/generated\/limits\.ts:1:1: error stale-generated/);
    const { code, err } = await build(root);
    expect(code).toBe(1);
    expect(err).toContain(expected);
    expect(err).toContain("left as it was");
    expect(err).not.toContain("astro build exited");
  });

  test("a table check's lint refuses fails the build with the same diagnostic", async () => {
    const root = makeProject();
    made.push(root);
    writeFileSync(
      join(root, "content/broken-table.md"),
      "# Broken\n\n| Name | Type | Domain | Scope | Tier | Release/Status |\n| --- | --- | --- | --- | --- | --- |\n| X | Release | Platform | all | Free | Shipped |\n",
    );
    const expected = checkText(root);
    expect(expected).toContain("content/broken-table.md:5:");
    const { code, err } = await build(root);
    expect(code).toBe(1);
    expect(err).toContain(expected);
  });
});
