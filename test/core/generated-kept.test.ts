/**
 * check remembers the emitted workflow by the build view it is made of: the same view gives the same file
 * from the store, and any change to a field of the view gives the file emitted afresh.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/core/cache/store.ts";
import { generatedFiles } from "../../src/core/emit/generated-files.ts";
import { WORKFLOW_PATH } from "../../src/core/emit/emit-workflow.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { makeProject, removeProject } from "../helpers/project.ts";

const dir = makeProject();
afterAll(() => removeProject(dir));

test("the workflow comes from the store only for the build view it was emitted from", () => {
  const store = openStore(dir);
  const fresh = () => generatedFiles(loadModel(dir).model, dir).get(WORKFLOW_PATH);
  const kept = () => generatedFiles(loadModel(dir).model, dir, store).get(WORKFLOW_PATH);
  expect(kept()).toBe(fresh());
  expect(kept()).toBe(fresh());
  const variants = join(dir, "data/variants.yaml");
  const text = readFileSync(variants, "utf8");
  const script = /script: (\S+)/.exec(text)![1]!;
  writeFileSync(variants, text.replace(`script: ${script}`, `script: ${script}-renamed`));
  expect(fresh()).toContain(`${script}-renamed`);
  expect(kept()).toBe(fresh());
});
