/** The repository itself verifies clean: every variant builds, every proof passes, every flag pays its way. */
import { describe, expect, test } from "bun:test";
import { runVerify } from "../../src/verify/run-verify.ts";
import { REPO } from "../helpers/project.ts";

describe("repository", () => {
  test("verifies clean without writing anything", async () => {
    const run = await runVerify(REPO, { write: false });
    expect(run.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`)).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.written).toEqual([]);
    expect(run.variants.length).toBe(8);
    for (const v of run.variants) {
      expect({ name: v.name, proofs: v.proofs, problems: v.problems }).toEqual({ name: v.name, proofs: { markers: "pass", ownedModules: "pass", leftovers: "pass" }, problems: [] });
      // Budgets carry about 10% headroom over the measured size: catch growth, not noise.
      expect(v.sizes!.raw).toBeLessThanOrEqual(v.budget);
      expect(v.sizes!.raw).toBeGreaterThan(v.budget * 0.8);
      expect(v.sizes!.gzip).toBeLessThan(v.sizes!.raw);
      expect(v.sizes!.brotli).toBeLessThan(v.sizes!.gzip);
    }
    expect(run.results!.flags.length).toBe(27);
    for (const f of run.results!.flags) {
      expect({ name: f.name, dead: f.dead, eliminated: f.eliminated }).toEqual({ name: f.name, dead: false, eliminated: true });
      expect(f.addOne.length + f.leaveOneOut.length).toBeGreaterThan(0);
    }
    // Every variant but debug (which keeps the legacy serializer path) has V2_SERIALIZER.
    const v2 = run.results!.flags.find((f) => f.name === "V2_SERIALIZER")!;
    expect(v2.leaveOneOut.map((d) => d.variant)).toEqual(["prod", "lite", "enterprise", "dev", "test", "staging", "canary"]);
    expect(v2.addOne.map((d) => d.variant)).toEqual(["debug"]);
    // DEBUG is allowed in Development and Internal scopes only: never added to a Public or Enterprise build.
    const debug = run.results!.flags.find((f) => f.name === "DEBUG")!;
    expect([...debug.addOne, ...debug.leaveOneOut].map((d) => d.variant).sort()).toEqual(["canary", "debug", "dev", "staging", "test"]);
  }, 30_000);
});
