/**
 * A proof's inputs come from Bun's reading of its tests' imports, and reading them runs nothing: a Bun macro
 * (`import … with { type: "macro" }`) in a test's import graph would run inside the fingerprinting process
 * if the graph were taken with Bun.build or Bun.Transpiler#scan.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadModel, type Model } from "../../src/core/model/model.ts";
import { inputDigest, ModuleGraph, proofInputs, recordInputs } from "../../src/core/model/proof-inputs.ts";
import { Proof } from "../../src/core/schema/fields.ts";
import type { BuildVariant } from "../../src/core/emit/emit-build-scripts.ts";
import { judgeProofs, provedEntries, type ProvedEntry } from "../../src/core/model/proof.ts";
import { proofInputsNow } from "../../src/prove/prove.ts";
import { makeProject, removeProject } from "../helpers/project.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), "graph-"))): string {
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** A macro that leaves a mark when it runs. */
const stamp = (mark: string) =>
  `import { appendFileSync } from "node:fs";\nexport function stamp() { appendFileSync(${JSON.stringify(mark)}, "ran\\n"); return "x"; }\n`;

describe("the module graph of a proof", () => {
  test("static, re-exported, dynamic and required imports, a #! line, and every module a template import may name; packages and built-ins left out", () => {
    const outside = tree({ "secret.ts": "export const s = 1;\n" });
    const dir = tree({
      "test/a.test.ts": `#!/usr/bin/env bun\nimport { h } from "./helper.ts";\nimport "bun:test";\nimport { join } from "node:path";\nimport { z } from "zod";\nexport * from "../src/re.ts";\nconst d = await import("../src/dyn.ts");\nrequire("../src/req.ts");\nconst name = "x";\nawait import(\`../src/cli/\${name}.ts\`);\nimport { s } from "./out/secret.ts";\n`,
      "test/helper.ts": `import type { T } from "../src/types.ts";\nexport { deep } from "../src/deep/a.ts";\nexport const h = 1;\n`,
      "src/re.ts": "export const r = 1;\n",
      "src/dyn.ts": "export const d = 1;\n",
      "src/req.ts": "module.exports = 1;\n",
      "src/deep/a.ts": `import "./b.ts";\nexport const deep = 1;\n`,
      "src/deep/b.ts": "export {};\n",
      "src/cli/check.ts": "export {};\n",
      "src/cli/diff.ts": "export {};\n",
      "src/cli/notes.md": "not a module\n",
      "src/types.ts": "export type T = 1;\n",
    });
    symlinkSync(outside, join(dir, "test/out"));
    expect(new ModuleGraph(dir).reach(["test/a.test.ts"])).toEqual([
      "src/cli/check.ts",
      "src/cli/diff.ts",
      "src/deep/a.ts",
      "src/deep/b.ts",
      "src/dyn.ts",
      "src/re.ts",
      "src/req.ts",
      "test/a.test.ts",
      "test/helper.ts",
    ]);
  });

  test("a macro in a test's import graph never runs while the inputs are read (prove) or judged (check)", () => {
    const dir = makeProject();
    dirs.push(dir);
    const mark = join(dir, "macro-ran.txt");
    writeFileSync(
      join(dir, "data/criteria.yaml"),
      `${readFileSync(join(dir, "data/criteria.yaml"), "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/m.test.ts]\n`,
    );
    tree(
      {
        "test/proof/m.test.ts": `import { test } from "bun:test";\nimport { stamp } from "../../src/stamp.ts" with { type: "macro" };\nimport { v } from "../../src/app/main.ts";\ntest("m", () => void stamp() + v);\n`,
        "src/stamp.ts": stamp(mark),
        "src/app/main.ts": `import { stamp } from "../stamp.ts" with { type: "macro" };\nexport const v = stamp();\n`,
      },
      dir,
    );
    // The test can see a macro run: Bun.Transpiler#scan (unlike scanImports) runs it.
    new Bun.Transpiler({ loader: "ts" }).scan(
      readFileSync(join(dir, "src/app/main.ts"), "utf8").replace("../stamp.ts", join(dir, "src/stamp.ts")),
    );
    expect(existsSync(mark)).toBe(true);
    rmSync(mark);

    const { model } = loadModel(dir);
    const entries = provedEntries(model).filter((e) => e.record.proof);
    const { inputs } = proofInputsNow(dir, model, entries);
    expect(inputs.get(entries[0]!)).toEqual(expect.arrayContaining(["test/proof/m.test.ts", "src/stamp.ts", "src/app/main.ts"]));
    judgeProofs(dir, dir, model);
    expect(existsSync(mark)).toBe(false);
    removeProject(dir);
  });

  test("the records a proof reads: all of data/ through the loader, only the views it loads through their modules, none without either", () => {
    const dir = tree({
      "data/features.yaml": "- name: A\n",
      "data/variants.yaml": "- name: prod\n",
      "src/core/load/load-records.ts": "export const load = () => 1;\n",
      "src/core/model/record-view.ts": `import { load } from "../load/load-records.ts";\nexport const view = (name: string) => [name, load()];\n`,
      "src/core/model/views/behaviour.ts": `import { view } from "../record-view.ts";\nexport const behaviour = () => view("behaviour");\n`,
      "src/core/model/views/build.ts": `import { view } from "../record-view.ts";\nexport const build = () => view("build");\n`,
      "test/helpers/records.ts": `export { load } from "../../src/core/load/load-records.ts";\n`,
      "test/view.test.ts": `import { behaviour } from "../src/core/model/views/behaviour.ts";\n`,
      "test/build.test.ts": `import { build } from "../src/core/model/views/build.ts";\n`,
      "test/both.test.ts": `import { build } from "../src/core/model/views/build.ts";\nimport { behaviour } from "../src/core/model/views/behaviour.ts";\n`,
      "test/generic.test.ts": `import { view } from "../src/core/model/record-view.ts";\n`,
      "test/loader.test.ts": `import { behaviour } from "../src/core/model/views/behaviour.ts";\nimport { load } from "./helpers/records.ts";\n`,
      "test/none.test.ts": `import { test } from "bun:test";\n`,
    });
    const graph = new ModuleGraph(dir);
    const allData = ["data/", "data/features.yaml", "data/variants.yaml"];
    expect(recordInputs(dir, graph, ["test/view.test.ts"])).toEqual(["records:behaviour"]);
    expect(recordInputs(dir, graph, ["test/build.test.ts"])).toEqual(["records:build"]);
    expect(recordInputs(dir, graph, ["test/both.test.ts"])).toEqual(["records:behaviour", "records:build"]);
    // The generic loader can load any view, so it counts as the loader itself.
    expect(recordInputs(dir, graph, ["test/generic.test.ts"])).toEqual(allData);
    expect(recordInputs(dir, graph, ["test/loader.test.ts"])).toEqual(allData);
    expect(recordInputs(dir, graph, ["test/none.test.ts"])).toEqual([]);
    // A view module's own code is an input all the same, like any module a test loads.
    expect(graph.reach(["test/view.test.ts"])).toContain("src/core/load/load-records.ts");
  });

  test("what a proof only reads (reads:) is an input, file by file and through its imports, but brings no record in; the same folder under inputs: does", () => {
    const dir = tree({
      "data/features.yaml": "- name: A\n",
      "src/core/load/load-records.ts": `import { x } from "../../../lib/outside-src.ts";\nexport const load = () => x;\n`,
      "src/tool.ts": `import { load } from "./core/load/load-records.ts";\nexport const t = load();\n`,
      "lib/outside-src.ts": "export const x = 1;\n",
      "src/core/model/views/build.ts": "export const build = () => [];\n",
      "test/tsc.test.ts": `import { test } from "bun:test";\n`,
      "test/view.test.ts": `import { build } from "../src/core/model/views/build.ts";\n`,
    });
    const model = { records: { variants: [] } } as unknown as Model;
    const entry = (proof: Record<string, unknown>) =>
      ({ record: { name: "P", proof: { tests: ["test/tsc.test.ts"], ...proof } } }) as unknown as ProvedEntry;
    const read = proofInputs(dir, model, entry({ reads: ["src/"] }));
    expect(read).toEqual(
      expect.arrayContaining([
        "src/",
        "src/tool.ts",
        "src/core/load/load-records.ts",
        "lib/outside-src.ts",
        "test/tsc.test.ts",
        "package.json",
      ]),
    );
    expect(read.filter((i) => i.startsWith("data/") || i.startsWith("records:"))).toEqual([]);
    // A module named to run (inputs:) is a root of what runs: the loader it reaches makes every record an input.
    expect(proofInputs(dir, model, entry({ inputs: ["src/"] }))).toEqual(
      expect.arrayContaining(["data/", "data/features.yaml", "src/tool.ts"]),
    );
    expect(proofInputs(dir, model, entry({ reads: ["src/"], inputs: ["src/tool.ts"] }))).toContain("data/features.yaml");
    // A proof whose tests read records anyway (a view) gets what the old rule gives: its read modules count as run.
    const viewEntry = { record: { name: "V", proof: { tests: ["test/view.test.ts"], reads: ["src/"] } } } as unknown as ProvedEntry;
    expect(proofInputs(dir, model, viewEntry)).toContain("data/features.yaml");
    // What the tests import runs, whatever reads: says.
    tree({ "test/tsc.test.ts": `import { t } from "../src/tool.ts";\n` }, dir);
    expect(proofInputs(dir, model, entry({ reads: ["src/"] }), new ModuleGraph(dir))).toContain("data/features.yaml");
  });

  /** A project to edit, and the digest of one record view of it as it stands. */
  const viewProject = (input: string) => {
    const dir = makeProject();
    dirs.push(dir);
    const digest = () => inputDigest(dir, input, loadModel(dir).model);
    const edit = (file: string, from: string, to: string) => {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text).toContain(from);
      writeFileSync(join(dir, file), text.replace(from, to));
    };
    return { dir, digest, edit };
  };

  test("a record view's digest follows the fields it projects: a status or prose edit keeps it, a limit or a variant's flags change it", () => {
    const { dir, digest, edit } = viewProject("records:behaviour");
    const before = digest();
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    edit("data/features.yaml", "status: In Progress", "status: Planned");
    edit("data/features.yaml", "description: Diagnostics.", "description: Diagnostics, reworded.");
    expect(digest()).toBe(before);
    edit("data/security.yaml", "value: 10", "value: 11");
    const limit = digest();
    expect(limit).not.toBe(before);
    edit("data/variants.yaml", "features: []", "features: [DEBUG]");
    expect(digest()).not.toBe(limit);
    expect(inputDigest(dir, "records:nope", loadModel(dir).model)).toBe("absent");
    expect(inputDigest(dir, "records:behaviour")).toBe("unknown");
  });

  test("the build view's digest follows what the build files are made of: a variant's script or flags change it; prose, status, a budget or a limit do not", () => {
    const { digest, edit } = viewProject("records:build");
    const before = digest();
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    edit("data/variants.yaml", "description: Production.", "description: Production, reworded.");
    edit("data/variants.yaml", "budget: 50000", "budget: 50001");
    edit("data/features.yaml", "status: In Progress", "status: Planned");
    edit("data/security.yaml", "value: 10", "value: 11");
    expect(digest()).toBe(before);
    edit("data/variants.yaml", "script: build:prod", "script: build:production");
    const script = digest();
    expect(script).not.toBe(before);
    edit("data/variants.yaml", "features: []", "features: [DEBUG]");
    expect(digest()).not.toBe(script);
  });

  test("on this repository: the type-check proofs read no record, the CI workflow's reads the build view only", () => {
    const repo = join(import.meta.dir, "../..");
    const { model } = loadModel(repo);
    const entries = provedEntries(model).filter((e) => e.record.proof);
    const { inputs } = proofInputsNow(repo, model, entries);
    const records = (test: string) => [
      ...new Set(
        entries
          .filter((e) => e.record.proof!.tests.includes(test))
          .flatMap((e) => inputs.get(e)!.filter((i) => i === "data/" || i.startsWith("records:"))),
      ),
    ];
    expect(records("test/core/typecheck.test.ts")).toEqual([]);
    expect(records("test/core/ci-workflow.test.ts")).toEqual(["records:build"]);
    // The emitters take the build view, so reading a field it does not hold does not compile.
    // @ts-expect-error the build view holds no status
    const status = (v: BuildVariant) => v.status;
    expect(status).toBeFunction();
  });

  test("a folder input's digest changes with a file added or removed, not with hidden scratch folders inside it", () => {
    const dir = tree({ "src/a.ts": "export {};\n" });
    const before = inputDigest(dir, "src/");
    tree({ "src/.work/build/out.js": "x\n" }, dir);
    expect(inputDigest(dir, "src/")).toBe(before);
    tree({ "src/b.ts": "export {};\n" }, dir);
    expect(inputDigest(dir, "src/")).not.toBe(before);
    expect(inputDigest(dir, "src/gone.ts")).toBe("absent");
  });

  test("declared inputs and reads are repository paths: never outside, never .git, .cache or node_modules", () => {
    for (const bad of [
      "../x",
      "/etc/passwd",
      ".git/",
      "a/../b",
      ".cache/prove/results.json",
      "node_modules/",
      "src/node_modules/x",
      "",
      "a b",
    ]) {
      for (const key of ["inputs", "reads"]) {
        const r = Proof.safeParse({ tests: ["test/a.test.ts"], [key]: [bad] });
        expect(r.success, `${key}: ${bad}`).toBe(false);
        expect(r.error?.issues[0]?.message, bad).toContain("a proof input must be a file or folder/ inside the repository");
      }
    }
    expect(
      Proof.safeParse({
        tests: ["test/a.test.ts"],
        inputs: ["src/", "tsconfig.json", ".github/workflows/build-variants.yml"],
        reads: ["test/", "astro.config.mjs"],
      }).success,
    ).toBe(true);
  });
});
