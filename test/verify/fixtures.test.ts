/**
 * One fixture application per planted fault (test/fixtures/verify/<case>/ on top of base/): verify must
 * fail with the right rule at the right file and line, and the clean base must pass.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { Diagnostic } from "../../src/core/report/diagnostics.ts";
import { runVerify } from "../../src/verify/run-verify.ts";
import { fixtureProject, VERIFY_FIXTURES as FIXTURES, removeProject } from "../helpers/project.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_JSON } from "../../src/core/emit/emit-build-scripts.ts";
import { WORKFLOW_PATH } from "../../src/core/emit/emit-workflow.ts";
import { generatedFiles } from "../../src/core/emit/generated-files.ts";
import { loadModel } from "../../src/core/model/model.ts";

const TODAY = "2026-06-01";
const made: string[] = [];
afterAll(() => made.forEach(removeProject));

async function verifyCase(name?: string) {
  const dir = fixtureProject(name);
  made.push(dir);
  return runVerify(dir, { today: TODAY, write: false });
}

interface Expected {
  rule: string;
  file: string;
  line: number;
  col?: number;
  /** Words the message must contain: the variant, the flag, the module… */
  mentions?: string[];
}

const CASES: Record<string, Expected[]> = {
  "undeclared-flag": [{ rule: "undeclared-flag", file: "src/app/main.ts", line: 18, col: 13, mentions: ["DEBUGG"] }],
  "namespace-import": [
    { rule: "bun-bundle-import", file: "src/app/main.ts", line: 1, col: 8, mentions: ["namespace import"] },
    // The proof layers catch it too: both arms ship, and the unfolded calls are left in the output.
    { rule: "probe-mismatch", file: "src/app/main.ts", line: 18, mentions: ["then arm", "ships", "DEBUG off"] },
    { rule: "leftover", file: "data/variants.yaml", line: 2, mentions: ['"prod"', "unfolded feature( call (3 times)"] },
  ],
  "reexport-wrapper": [
    { rule: "bun-bundle-reexport", file: "src/app/flags.ts", line: 2, col: 1 },
    { rule: "feature-wrapper", file: "src/app/main.ts", line: 1, col: 10, mentions: ["./flags.ts"] },
  ],
  "non-literal-name": [{ rule: "flag-name-literal", file: "src/app/main.ts", line: 19, col: 13, mentions: ["debugFlag"] }],
  "feature-position": [
    { rule: "feature-position", file: "src/app/main.ts", line: 16, col: 20 },
    { rule: "build-failed", file: "src/app/main.ts", line: 16 },
  ],
  "scope-leak": [{ rule: "scope-leak", file: "data/variants.yaml", line: 14, col: 29, mentions: ['"prod"', "DEBUG"] }],
  "owned-module-leak": [
    {
      rule: "owned-module-leak",
      file: "src/app/main.ts",
      line: 17,
      col: 37,
      mentions: ["src/app/features/debug.ts", "DEBUG", '"prod"', '"enterprise"', "src/app/main.ts → src/app/features/debug.ts"],
    },
  ],
  "replaced-module-leak": [
    {
      rule: "replaced-module-leak",
      file: "src/app/main.ts",
      line: 17,
      col: 37,
      mentions: ["src/app/features/legacy.ts", "V2_SERIALIZER", '"prod"'],
    },
  ],
  "side-effect-module": [
    { rule: "owned-module-side-effect", file: "src/app/features/debug.ts", line: 2, col: 1 },
    // Its top-level code ships although every use is guarded: the leak points at the import.
    { rule: "owned-module-leak", file: "src/app/main.ts", line: 2, mentions: ["src/app/features/debug.ts"] },
  ],
  "over-budget": [{ rule: "over-budget", file: "data/variants.yaml", line: 13, mentions: ['"prod"', "over its budget of 100 B"] }],
  "stale-flag": [{ rule: "stale-flag", file: "data/features.yaml", line: 46, col: 9, mentions: ["TRACING"] }],
  "expired-flag": [
    { rule: "expired-flag", file: "data/features.yaml", line: 14, mentions: ["DEBUG", "2026-01-01", TODAY, "src/app/main.ts"] },
  ],
  "owned-glob-unmatched": [
    {
      rule: "owned-glob-unmatched",
      file: "data/features.yaml",
      line: 28,
      col: 45,
      mentions: ["src/app/features/tenants/*.ts", "ENTERPRISE"],
    },
  ],
};

function matches(d: Diagnostic, e: Expected): boolean {
  return (
    d.rule === e.rule &&
    d.file === e.file &&
    d.line === e.line &&
    (e.col === undefined || d.col === e.col) &&
    (e.mentions ?? []).every((m) => d.message.includes(m))
  );
}

describe("verify fixtures", () => {
  test("the base fixture verifies clean", async () => {
    const run = await verifyCase();
    expect(run.diagnostics).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.variants.map((v) => [v.name, v.proofs])).toEqual([
      ["prod", { markers: "pass", ownedModules: "pass", leftovers: "pass" }],
      ["enterprise", { markers: "pass", ownedModules: "pass", leftovers: "pass" }],
      ["dev", { markers: "pass", ownedModules: "pass", leftovers: "pass" }],
    ]);
  });

  test("the base fixture's build scripts and workflow are what npm run generate makes", () => {
    const base = join(FIXTURES, "base");
    const files = generatedFiles(loadModel(base).model, base);
    for (const path of [PACKAGE_JSON, WORKFLOW_PATH])
      expect({ path, text: readFileSync(join(base, path), "utf8") }).toEqual({ path, text: files.get(path)! });
  });

  for (const [name, expected] of Object.entries(CASES)) {
    test(`${name}: caught at the right place`, async () => {
      const run = await verifyCase(name);
      expect(run.ok).toBe(false);
      for (const e of expected) {
        const found = run.diagnostics.find((d) => matches(d, e));
        // Show every diagnostic when the expected one is missing, so the failure explains itself.
        expect({
          expected: e,
          found: found ? "yes" : run.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`),
        }).toEqual({ expected: e, found: "yes" });
      }
    });
  }

  test("per-variant status names the failed proof", async () => {
    const leak = await verifyCase("owned-module-leak");
    const prod = leak.variants.find((v) => v.name === "prod")!;
    expect(prod.proofs.ownedModules).toBe("fail");
    expect(prod.problems.join("\n")).toContain("src/app/features/debug.ts (owned by DEBUG, off)");
    expect(leak.variants.find((v) => v.name === "dev")!.proofs.ownedModules).toBe("pass");

    const ns = await verifyCase("namespace-import");
    expect(ns.variants.map((v) => [v.proofs.markers, v.proofs.leftovers])).toEqual([
      ["fail", "fail"],
      ["fail", "fail"],
      ["fail", "fail"],
    ]);
  });

  test("flag impact is measured per variant, negative where a flag retires code", async () => {
    const run = await verifyCase();
    const v2 = run.impacts.find((i) => i.name === "V2_SERIALIZER")!;
    // prod and enterprise have it (leave-one-out), dev lacks it (add-one); the legacy path is bigger.
    expect(v2.leaveOneOut.map((d) => d.variant)).toEqual(["prod", "enterprise"]);
    expect(v2.addOne.map((d) => d.variant)).toEqual(["dev"]);
    for (const d of [...v2.leaveOneOut, ...v2.addOne]) expect(d.raw).toBeLessThan(0);
    // DEBUG is allowed only in Development scope: no add-one is measured for prod or enterprise.
    const debug = run.impacts.find((i) => i.name === "DEBUG")!;
    expect(debug.addOne).toEqual([]);
    expect(debug.leaveOneOut.map((d) => d.variant)).toEqual(["dev"]);
    expect(debug.leaveOneOut[0]!.raw).toBeGreaterThan(0);
    expect(run.impacts.every((i) => !i.dead)).toBe(true);
  });

  test("a syntax error is one build-failed naming every variant; a missing entry is missing-entry without echoes", async () => {
    const dir = fixtureProject();
    made.push(dir);
    await Bun.write(
      `${dir}/src/app/features/v2.ts`,
      "export function v2Serialize(values: number[]): string {\n  return `${values.length`;\n}\n",
    );
    const broken = await runVerify(dir, { today: TODAY, write: false });
    const failures = broken.diagnostics.filter((d) => d.rule === "build-failed");
    expect(failures.map((d) => [d.file, d.line])).toEqual([["src/app/features/v2.ts", 2]]);
    expect(failures[0]!.message).toContain('variants "prod", "enterprise", "dev" do not build');

    const other = fixtureProject();
    made.push(other);
    const variants = `${other}/data/variants.yaml`;
    await Bun.write(variants, (await Bun.file(variants).text()).replace("entry: src/app/main.ts", "entry: src/app/mian.ts"));
    const missing = await runVerify(other, { today: TODAY, write: false });
    expect(missing.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`)).toEqual(["data/variants.yaml:11 missing-entry"]);
  });

  test("comparisons with true/false and a parenthesised feature fold like plain calls: no finding", async () => {
    const dir = fixtureProject();
    made.push(dir);
    const main = `${dir}/src/app/main.ts`;
    const text = await Bun.file(main).text();
    const edited = text
      .replace('if (feature("DEBUG"))', 'if (feature("DEBUG") === true)')
      .replace('if (!feature("V2_SERIALIZER"))', 'if ((feature)("V2_SERIALIZER") === false)');
    expect(edited).not.toBe(text);
    await Bun.write(main, edited);
    const run = await runVerify(dir, { today: TODAY, write: false });
    expect(run.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`)).toEqual([]);
    expect(run.variants.map((v) => v.proofs.markers)).toEqual(["pass", "pass", "pass"]);
  });

  test("a flag whose branches do nothing is dead", async () => {
    const dir = fixtureProject();
    made.push(dir);
    const main = `${dir}/src/app/main.ts`;
    const text = await Bun.file(main).text();
    // The DEBUG branch now does exactly what the code after it does anyway, so it folds to nothing new.
    await Bun.write(
      main,
      text.replace(/if \(feature\("DEBUG"\)\) \{\n {2}console\.error\(debugReport\(values\)\);\n\}/, 'if (feature("DEBUG")) {\n}'),
    );
    // Beta, not Done: a Done on a dead flag is a claim of its own (next test).
    const features = `${dir}/data/features.yaml`;
    await Bun.write(features, (await Bun.file(features).text()).replace("  status: Done\n", "  status: Beta\n"));
    const run = await runVerify(dir, { today: TODAY, write: false });
    const dead = run.diagnostics.find((d) => d.rule === "dead-flag");
    expect(dead && { file: dead.file, line: dead.line }).toEqual({ file: "data/features.yaml", line: 2 });
    // A warning: printed, but it does not fail verify …
    expect(dead?.severity).toBe("warning");
    expect(run.ok).toBe(true);
    expect(run.impacts.find((i) => i.name === "DEBUG")!.dead).toBe(true);
  });

  test("a flag that says Done must be backed by the bundles: a dead one is an unproven claim at its status", async () => {
    const dir = fixtureProject();
    made.push(dir);
    const main = `${dir}/src/app/main.ts`;
    await Bun.write(
      main,
      (await Bun.file(main).text()).replace(
        /if \(feature\("DEBUG"\)\) \{\n {2}console\.error\(debugReport\(values\)\);\n\}/,
        'if (feature("DEBUG")) {\n}',
      ),
    );
    // DEBUG says Done in the fixture (data/features.yaml, its first record).
    expect(await Bun.file(`${dir}/data/features.yaml`).text()).toStartWith(
      "# yaml-language-server: $schema=../src/generated/schema/features.schema.json\n- name: DEBUG\n",
    );
    const run = await runVerify(dir, { today: TODAY, write: false });
    const claim = run.diagnostics.find((d) => d.rule === "unproven-claim");
    expect(claim && `${claim.file}:${claim.line} ${claim.message}`).toMatch(
      /^data\/features\.yaml:\d+ DEBUG says Done, but switching this flag changes no byte in any variant: it is dead code$/,
    );
    expect(run.ok).toBe(false);
  });
});
