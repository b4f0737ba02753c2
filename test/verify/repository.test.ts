/** The repository itself verifies clean: every variant builds, every proof passes, every flag pays its way. */
import { describe, expect, test } from "bun:test";
import { loadModel } from "../../src/core/model/model.ts";
import { runVerify } from "../../src/verify/run-verify.ts";
import { REPO } from "../helpers/project.ts";

// Counts and lists come from the records, never typed here: adding a flag or a variant keeps this test true.
const { model } = loadModel(REPO);
const variantNames = model.records.variants.map((v) => v.record.name);
/** The variants a flag's add-one and leave-one-out builds measure: those that have it, and those whose scope allows it. */
function measured(flag: string): { has: string[]; lacks: string[] } {
  const entry = model.flag(flag)!;
  const has = model.variantsWith(flag).map((v) => v.record.name);
  const lacks = model.records.variants
    .filter((v) => !has.includes(v.record.name) && model.scopesOf(entry).includes(v.record.scope as string))
    .map((v) => v.record.name);
  return { has, lacks };
}

describe("repository", () => {
  test("verifies clean without writing anything", async () => {
    const run = await runVerify(REPO, { write: false });
    expect(run.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`)).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.written).toEqual([]);
    expect(run.variants.map((v) => v.name)).toEqual(variantNames);
    for (const v of run.variants) {
      expect({ name: v.name, proofs: v.proofs, problems: v.problems }).toEqual({
        name: v.name,
        proofs: { markers: "pass", ownedModules: "pass", leftovers: "pass" },
        problems: [],
      });
      // Budgets carry about 10% headroom over the measured size: catch growth, not noise.
      expect(v.sizes!.raw).toBeLessThanOrEqual(v.budget);
      expect(v.sizes!.raw).toBeGreaterThan(v.budget * 0.8);
      expect(v.sizes!.gzip).toBeLessThan(v.sizes!.raw);
      expect(v.sizes!.brotli).toBeLessThan(v.sizes!.gzip);
    }
    expect(run.results!.flags.map((f) => f.name).sort()).toEqual(model.records.features.map((f) => f.record.name).sort());
    for (const f of run.results!.flags) {
      // Eliminated: every module it owns is proven absent with it off; a flag that owns none (modules is optional) has nothing to prove.
      const owns = (model.flag(f.name)!.record.modules ?? []).length > 0;
      expect({ name: f.name, dead: f.dead, eliminated: f.eliminated }).toEqual({ name: f.name, dead: false, eliminated: owns });
      expect(f.addOne.length + f.leaveOneOut.length).toBeGreaterThan(0);
    }
    // Each flag is left out of every variant that has it and added to every other variant its scope allows
    // (V2_SERIALIZER: added where the legacy serializer path ships); a flag is never added where its scope forbids it
    // (DEBUG, allowed in Development and Internal scopes only, is never added to a Public or Enterprise build).
    for (const f of run.results!.flags) {
      const { has, lacks } = measured(f.name);
      expect({ name: f.name, leaveOneOut: f.leaveOneOut.map((d) => d.variant), addOne: f.addOne.map((d) => d.variant) }).toEqual({
        name: f.name,
        leaveOneOut: has,
        addOne: lacks,
      });
    }
    expect(measured("V2_SERIALIZER").lacks.length).toBeGreaterThan(0);
    expect(measured("DEBUG").has.length + measured("DEBUG").lacks.length).toBeLessThan(variantNames.length);
  }, 30_000);
});
