import { afterAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel } from "../../src/core/model/model.ts";
import { REPO } from "../helpers/project.ts";

const dir = mkdtempSync(join(tmpdir(), "parse-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(join(REPO, "test/fixtures/base"), dir, { recursive: true });
const CACHE = ".cache/store";
const view = (r: ReturnType<typeof loadModel>) => ({
  diagnostics: r.diagnostics,
  records: Object.fromEntries(Object.entries(r.model.records).map(([k, list]) => [k, list.map((e) => ({ record: e.record, at: e.at }))])),
});

test("cached parses give exactly the uncached answer, and an edited file is parsed again", () => {
  const fresh = view(loadModel(dir));
  expect(view(loadModel(dir, "data", CACHE))).toEqual(fresh); // fills the cache
  expect(readdirSync(join(dir, CACHE)).length).toBe(8);
  // One entry per data file holds its validation too.
  for (const name of readdirSync(join(dir, CACHE)))
    expect(JSON.parse(readFileSync(join(dir, CACHE, name), "utf8")).value.validated.names.length).toBeGreaterThan(0);
  expect(view(loadModel(dir, "data", CACHE))).toEqual(fresh); // served from it

  const features = join(dir, "data/features.yaml");
  writeFileSync(features, readFileSync(features, "utf8").replace("tier: Internal", "tier: Gold"));
  const edited = loadModel(dir, "data", CACHE);
  expect(edited.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}`)).toEqual(["data/features.yaml:7:9 invalid-enum"]);
  expect(view(edited)).toEqual(view(loadModel(dir)));
});

test("a corrupt cache entry is ignored", () => {
  for (const name of readdirSync(join(dir, CACHE))) writeFileSync(join(dir, CACHE, name), "{not json");
  expect(view(loadModel(dir, "data", CACHE))).toEqual(view(loadModel(dir)));
});
