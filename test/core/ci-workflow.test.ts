/**
 * "CI/CD configured" and the GitHub Actions component, proven on this repository: the workflow GitHub runs
 * (.github/workflows/build-variants.yml) is exactly what the generator makes of the current records, builds
 * every variant with its generated script, and is a valid workflow by GitHub's own parser
 * (@actions/workflow-parser: the schema and expression checks of the Actions language service; actionlint
 * is a Go binary and is not installed here). It reads the records through the `build` view only (each
 * variant's name, entry, flags and script), so a status, date or prose edit leaves its proof fresh.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { emitWorkflow, WORKFLOW_PATH } from "../../src/core/emit/emit-workflow.ts";
import { buildCommand } from "../../src/core/emit/emit-build-scripts.ts";
import { loadBuildView } from "../../src/core/model/views/build.ts";

// Not test/helpers/project.ts: its command runner reaches the record loader, which would make every record an input.
const REPO = join(import.meta.dir, "../..");

/** Every error GitHub's parser reports for a workflow: syntax, schema, expressions. */
export async function workflowErrors(content: string, name = "build-variants.yml"): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  } else errors.push(`${name}: no workflow`);
  return errors;
}

describe("ci workflow", () => {
  const view = loadBuildView(REPO);
  const committed = readFileSync(join(REPO, WORKFLOW_PATH), "utf8");

  test("the workflow CI runs is the generator's output for the current records", () => {
    expect(view.variants.length).toBeGreaterThan(0);
    expect(committed).toBe(emitWorkflow(view));
  });

  test("it builds every variant with the script package.json has for it", () => {
    const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const v of view.variants) {
      expect(committed).toContain(`variant: "${v.name}"\n            script: "${v.script}"`);
      expect({ variant: v.name, script: scripts[v.script] }).toEqual({
        variant: v.name,
        script: buildCommand(v),
      });
    }
  });

  test("it is a valid GitHub Actions workflow (GitHub's workflow parser finds no error)", async () => {
    expect(await workflowErrors(committed)).toEqual([]);
  });

  test("the parser refuses what GitHub would: a misspelt key, a missing runs-on, an unknown expression name", async () => {
    expect((await workflowErrors(committed.replace("runs-on:", "run-on:"))).join("\n")).toContain("Required property is missing: runs-on");
    expect((await workflowErrors(committed.replace("${{ matrix.variant }}", "${{ matrx.variant }}"))).join("\n")).toContain(
      "Unrecognized named-value: 'matrx'",
    );
    expect((await workflowErrors("on: push\njobs: [1]\n")).length).toBeGreaterThan(0);
  });
});
