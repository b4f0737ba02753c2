/**
 * The package.json build scripts and the build-variants workflow are generated files: `generate` merges the
 * `build:<variant>` scripts into package.json (nothing else moves) and writes the workflow, and `check`
 * reports either as stale-generated when it drifts (test/fixtures/check/stale-build-scripts, stale-workflow).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCommand, buildScripts, emitPackageJson } from "../../src/core/emit/emit-build-scripts.ts";
import { emitWorkflow, WORKFLOW_PATH } from "../../src/core/emit/emit-workflow.ts";
import { generatedFiles } from "../../src/core/emit/generated-files.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { projectView } from "../../src/core/model/record-view.ts";
import { makeProject, removeProject, REPO, runScript } from "../helpers/project.ts";

const model = projectView(loadModel(join(REPO, "test/fixtures/base")).model, "build");
const prod = buildCommand(model.variants[0]!);
const enterprise = buildCommand(model.variants[1]!);

/** CLI tests spawn generate and check several times each: room for a loaded 2-core machine. */
const SPAWNING = 30_000;
const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));

describe("package.json build scripts", () => {
  test("only the variants' scripts change: replaced in place, stale ones removed, missing ones appended", () => {
    const current = `${JSON.stringify(
      {
        name: "x",
        scripts: {
          check: "bun scripts/check.ts",
          "build:prod": "bun build src/app/main.ts --outdir=dist/variants/prod",
          "build:legacy": "bun build src/app/main.ts --outdir=dist/variants/legacy",
          clean: "rm -rf dist",
          "build:site": "bun scripts/build-site.ts",
        },
        devDependencies: { bun: "1.4.5" },
        allowScripts: { bun: true },
      },
      null,
      2,
    )}\n`;
    const merged = emitPackageJson(model, current)!;
    expect(merged.endsWith("}\n")).toBe(true);
    const pkg = JSON.parse(merged);
    expect(Object.keys(pkg)).toEqual(["name", "scripts", "devDependencies", "allowScripts"]);
    expect(Object.entries(pkg.scripts)).toEqual([
      ["check", "bun scripts/check.ts"],
      ["build:prod", prod],
      ["clean", "rm -rf dist"],
      ["build:site", "bun scripts/build-site.ts"],
      ["build:enterprise", enterprise],
    ]);
    expect(merged).toBe(`${JSON.stringify(pkg, null, 2)}\n`);
    // Generating again changes nothing.
    expect(emitPackageJson(model, merged)).toBe(merged);
  });

  test("a missing package.json gets one with the scripts; one that is not a JSON object is left alone", () => {
    expect(JSON.parse(emitPackageJson(model, undefined)!)).toEqual({ scripts: Object.fromEntries(buildScripts(model)) });
    for (const text of ["{ not json", "[1, 2]", '{"scripts": ["build"]}', "null"]) expect(emitPackageJson(model, text)).toBeUndefined();
    const kept = '{\n  "scripts": {\n    "__proto__": "echo kept"\n  }\n}\n';
    expect(Object.entries(JSON.parse(emitPackageJson(model, kept)!).scripts)[0]).toEqual(["__proto__", "echo kept"]);
  });

  test(
    "generate merges into the project's package.json; check is clean afterwards",
    () => {
      const dir = makeProject(join(REPO, "test/fixtures/check/stale-build-scripts"));
      projects.push(dir);
      const before = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const gen = runScript("generate.ts", dir);
      expect(gen.stderr).toContain("generate: wrote package.json\n");
      const after = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      expect(after).toEqual({ ...before, scripts: { check: "bun scripts/check.ts", "build:prod": prod, "build:enterprise": enterprise } });
      expect(runScript("check.ts", dir).exitCode).toBe(0);
    },
    SPAWNING,
  );

  test(
    "an unreadable package.json is neither reported stale nor overwritten",
    () => {
      const dir = makeProject();
      projects.push(dir);
      writeFileSync(join(dir, "package.json"), "{ broken\n");
      expect(generatedFiles(loadModel(dir).model, dir).has("package.json")).toBe(false);
      expect(runScript("generate.ts", dir).exitCode).toBe(0);
      expect(readFileSync(join(dir, "package.json"), "utf8")).toBe("{ broken\n");
      expect(runScript("check.ts", dir).exitCode).toBe(0);
    },
    SPAWNING,
  );
});

describe("build-variants workflow", () => {
  test(
    "is generated: one matrix entry per variant, and check sees a hand edit",
    () => {
      const dir = makeProject();
      projects.push(dir);
      expect(readFileSync(join(dir, WORKFLOW_PATH), "utf8")).toBe(emitWorkflow(model));
      writeFileSync(join(dir, WORKFLOW_PATH), emitWorkflow(model).replace('variant: "enterprise"', 'variant: "enterprise-edition"'));
      const run = runScript("check.ts", dir);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(`${WORKFLOW_PATH}:1:1: error stale-generated`);
      expect(runScript("generate.ts", dir).stderr).toContain(`generate: wrote ${WORKFLOW_PATH}\n`);
      expect(runScript("check.ts", dir).exitCode).toBe(0);
    },
    SPAWNING,
  );
});
