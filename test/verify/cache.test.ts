/**
 * The content-hash caches (source analysis, toggle sizes, compressed sizes) must never change an answer:
 * a warm run reports exactly what a cold run does, and any edit to an input is seen.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runVerify, type VerifyRun } from "../../src/verify/run-verify.ts";
import { fixtureProject, removeProject } from "../helpers/project.ts";

const TODAY = "2026-06-01";
const made: string[] = [];
afterAll(() => made.forEach(removeProject));

function project(name?: string): string {
  const dir = fixtureProject(name);
  made.push(dir);
  return dir;
}

/** Everything a run reports, without timings. */
const answer = (r: VerifyRun) => ({
  diagnostics: r.diagnostics,
  variants: r.variants,
  impacts: r.impacts,
});

describe("verify caches", () => {
  test("a warm run answers exactly like a cold one, building only variants and probes", async () => {
    const dir = project();
    const cold = await runVerify(dir, { today: TODAY });
    expect(cold.cached).toEqual({ analysis: false, flagSets: 0 });
    const warm = await runVerify(dir, { today: TODAY });
    expect(warm.cached.analysis).toBe(true);
    expect(warm.cached.flagSets).toBeGreaterThan(0);
    expect(warm.builds).toBe(6);
    expect(answer(warm)).toEqual(answer(cold));
  });

  test("a leak found with a cached analysis is still located at its line", async () => {
    const dir = project("side-effect-module");
    const first = await runVerify(dir, { today: TODAY });
    const second = await runVerify(dir, { today: TODAY });
    expect(second.cached.analysis).toBe(true);
    expect(answer(second)).toEqual(answer(first));
    expect(second.diagnostics.some((d) => d.rule === "owned-module-leak" && d.file === "src/app/main.ts" && d.line === 2)).toBe(true);
  });

  test("an edited source invalidates the analysis and the sizes that read it", async () => {
    const dir = project();
    await runVerify(dir, { today: TODAY });
    const debug = join(dir, "src/app/features/debug.ts");
    writeFileSync(
      debug,
      readFileSync(debug, "utf8").replace(
        "return `[debug]",
        'if (values.length > 1e6) throw new Error("too many values to report");\n  return `[debug]',
      ),
    );
    const warm = await runVerify(dir, { today: TODAY });
    const cold = await runVerify(dir, { today: TODAY, cache: false, write: false });
    expect(warm.cached.analysis).toBe(false);
    expect(answer(warm)).toEqual(answer(cold));
    // The edit made DEBUG heavier: its leave-one-out in dev grew compared with the unedited base.
    const base = await runVerify(project(), { today: TODAY, cache: false, write: false });
    const loo = (r: VerifyRun) => r.impacts.find((i) => i.name === "DEBUG")!.leaveOneOut[0]!.raw;
    expect(loo(warm)).toBeGreaterThan(loo(base));
  });

  test("a new file where an import pointed nowhere is analysed, not served from the cache", async () => {
    const dir = project();
    const main = join(dir, "src/app/main.ts");
    // First run: the import is broken, the build fails, and the analysis is cached.
    writeFileSync(main, `import "./extra.ts";\n${readFileSync(main, "utf8")}`);
    const broken = await runVerify(dir, { today: TODAY });
    expect(broken.diagnostics.some((d) => d.rule === "build-failed")).toBe(true);
    // The file appears, with a namespace import the rules must catch.
    writeFileSync(join(dir, "src/app/extra.ts"), 'import * as b from "bun:bundle";\nif (b.feature("DEBUG")) console.log("extra");\n');
    const fixed = await runVerify(dir, { today: TODAY });
    expect(fixed.cached.analysis).toBe(false);
    expect(fixed.diagnostics.some((d) => d.rule === "bun-bundle-import" && d.file === "src/app/extra.ts" && d.line === 1)).toBe(true);
  });
});
