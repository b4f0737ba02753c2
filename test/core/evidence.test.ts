import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { statusEvidence, type EvidenceContext } from "../../src/core/model/evidence.ts";
import type { ProveResults } from "../../src/core/model/proof.ts";
import type { Entry } from "../../src/core/model/records.ts";
import { loadModel } from "../../src/core/model/model.ts";
import type { VerifyResults } from "../../src/verify/results-file.ts";
import { REPO } from "../helpers/project.ts";

const { model } = loadModel(join(REPO, "test/fixtures/base"));
const baseFlag = model.flag("ENTERPRISE")!;
/** ENTERPRISE said Done, with a behaviour proof named. */
const flag: Entry<"features"> = {
  ...baseFlag,
  record: { ...baseFlag.record, status: "Done", proof: { tests: ["test/proof/a.test.ts"], name: "flag: ENTERPRISE" } },
};
const variant = model.records.variants.find((v) => v.record.name === "enterprise")!;
const component: Entry<"components"> = {
  ...model.records.components[0]!,
  record: { ...model.records.components[0]!.record, status: "Done" },
};
const criterion = model.records.criteria[0]!;

const pass = { markers: "pass", ownedModules: "pass", leftovers: "pass" } as const;
function results(over: { dead?: boolean; eliminated?: boolean; markers?: "pass" | "fail"; raw?: number } = {}): VerifyResults {
  return {
    generatedAt: "2026-11-26T00:00:00Z",
    bunVersion: "1.4.5",
    recordsHash: "x",
    ok: true,
    variants: [
      {
        name: "prod",
        features: [],
        bytes: { raw: 100, gzip: 50, brotli: 40 },
        budget: 50000,
        withinBudget: true,
        proofs: pass,
        problems: [],
      },
      {
        name: "enterprise",
        features: ["ENTERPRISE"],
        bytes: { raw: over.raw ?? 200, gzip: 90, brotli: 80 },
        budget: 60000,
        withinBudget: (over.raw ?? 200) <= 60000,
        proofs: { ...pass, markers: over.markers ?? "pass" },
        problems: [],
      },
    ],
    flags: [
      {
        name: "ENTERPRISE",
        addOne: [],
        leaveOneOut: [{ variant: "enterprise", raw: 100, gzip: 40 }],
        dead: over.dead ?? false,
        eliminated: over.eliminated ?? true,
      },
    ],
  };
}
const ctx = (r?: VerifyResults, proofs?: ProveResults): EvidenceContext => ({ root: REPO, model, results: r, proofs });
type Proof = ProveResults["records"][number];
const stamp = { provedAt: "2026-11-26T00:00:00Z", spec: "x", inputs: [], fingerprint: "x" };
const proofResults = (...records: Proof[]): ProveResults => ({
  version: 3,
  generatedAt: "2026-11-26T00:00:00Z",
  bunVersion: "1.4.5",
  inputs: {},
  records,
});
const passing = (c: Proof["cases"][number]["variant"]) => ({
  name: `variant ${c}: works`,
  status: "passed" as const,
  duration: 0.01,
  ...(c ? { variant: c } : {}),
});
const enterpriseProof: Proof = {
  kind: "features",
  name: "ENTERPRISE",
  tests: ["test/proof/a.test.ts"],
  testName: "flag: ENTERPRISE",
  matched: 1,
  passed: 1,
  failed: 0,
  skipped: 0,
  duration: 0.01,
  variants: ["enterprise"],
  failures: [],
  cases: [passing("enterprise")],
  ...stamp,
};

describe("status evidence", () => {
  test("a Done flag needs fresh bundle results: measured, not dead, eliminated where off, proven in every variant", () => {
    const proofs = proofResults(enterpriseProof);
    expect(statusEvidence(flag, ctx(undefined, proofs))).toEqual({
      state: "unproven",
      reason: "no bundle results for these records: run `npm run verify`",
    });
    expect(statusEvidence(flag, ctx(results(), proofs))?.state).toBe("proven");
    expect(statusEvidence(flag, ctx(results({ dead: true }), proofs))?.reason).toContain("dead code");
    expect(statusEvidence(flag, ctx(results({ eliminated: false }), proofs))?.state).toBe("unproven");
    expect(statusEvidence(flag, ctx(results({ markers: "fail" }), proofs))?.reason).toBe("a proof failed in enterprise");
  });

  test("a Done variant must be built, proven and within budget", () => {
    expect(statusEvidence(variant, ctx(results()))?.state).toBe("proven");
    expect(statusEvidence(variant, ctx(results({ raw: 70000 })))?.reason).toBe("over its budget: 70000 of 60000 bytes");
  });

  test("a Done component needs its proof: that its location exists backs the location, never the Done", () => {
    expect(statusEvidence(component, ctx())).toEqual({ state: "unproven", reason: "it names no tests as proof" });
    const named: Entry<"components"> = { ...component, record: { ...component.record, proof: { tests: ["test/proof/pass.test.ts"] } } };
    const proof: Proof = {
      kind: "components",
      name: component.record.name,
      tests: ["test/proof/pass.test.ts"],
      matched: 1,
      passed: 1,
      failed: 0,
      skipped: 0,
      duration: 0.01,
      variants: [],
      failures: [],
      cases: [passing(undefined)],
      ...stamp,
    };
    expect(statusEvidence(named, ctx(undefined, proofResults(proof)))?.state).toBe("proven");
    expect(statusEvidence(named, ctx(undefined, proofResults({ ...proof, passed: 0, failed: 1 })))?.state).toBe("failing");
  });

  test("a Done roadmap task is backed when everything it delivers is proven Done; a phase when all its tasks are", () => {
    const [phase1, task] = [model.records.roadmap[0]!, model.records.roadmap[1]!];
    const control: Entry<"security"> = {
      ...model.records.security[0]!,
      record: { ...model.records.security[0]!.record, status: "Done", proof: { tests: ["test/proof/a.test.ts"] } },
    };
    const records = {
      ...model.records,
      security: [control],
      roadmap: [
        { ...phase1, record: { ...phase1.record, phase: 2, status: "Done" as const } },
        { ...task, record: { ...task.record, status: "Done" as const } },
      ],
    };
    const m = { ...model, records };
    const c = (proofs?: ProveResults): EvidenceContext => ({ root: REPO, model: m, results: undefined, proofs });
    const [phase, done] = [records.roadmap[0]!, records.roadmap[1]!];
    expect(statusEvidence(done, c())).toEqual({
      state: "unproven",
      reason: "Scope Isolation says Done, but no fresh results of npm run prove for these records",
    });
    const proof: Proof = {
      kind: "security",
      name: control.record.name,
      tests: ["test/proof/a.test.ts"],
      matched: 2,
      passed: 2,
      failed: 0,
      skipped: 0,
      duration: 0.01,
      variants: ["prod", "enterprise"],
      failures: [],
      cases: [passing("prod"), passing("enterprise")],
      ...stamp,
    };
    expect(statusEvidence(done, c(proofResults(proof)))).toEqual({
      state: "proven",
      reason: "everything it delivers is proven Done: Scope Isolation",
    });
    expect(statusEvidence(phase, c(proofResults(proof)))).toEqual({
      state: "proven",
      reason: "all its tasks are proven Done: Scope Isolation Enforcement",
    });
    const nothing = { ...done, record: { ...done.record, controls: undefined } };
    expect(statusEvidence(nothing, c(proofResults(proof)))?.reason).toBe(
      "it names nothing it delivers (controls, components, criteria or flags)",
    );
  });

  test("a Done criterion is backed only by fresh prove results in which its tests passed, never by a command", () => {
    expect(statusEvidence(criterion, ctx())).toEqual({ state: "unproven", reason: "it names no tests as proof" });
    const named: Entry<"criteria"> = { ...criterion, record: { ...criterion.record, proof: { tests: ["test/proof/pass.test.ts"] } } };
    expect(statusEvidence(named, ctx())).toEqual({ state: "unknown", reason: "no fresh results of npm run prove for these records" });
    const proof: Proof = {
      kind: "criteria",
      name: criterion.record.name,
      tests: ["test/proof/pass.test.ts"],
      matched: 2,
      passed: 2,
      failed: 0,
      skipped: 0,
      duration: 0.01,
      variants: [],
      failures: [],
      cases: [passing(undefined), passing(undefined)],
      ...stamp,
    };
    expect(statusEvidence(named, ctx(undefined, proofResults(proof)))?.state).toBe("proven");
    expect(statusEvidence(named, ctx(undefined, proofResults({ ...proof, failed: 1 })))).toEqual({
      state: "failing",
      reason: "1 of its 2 tests failed",
    });
  });

  test("a Done control needs passing tests in every variant that ships its flags", () => {
    const control: Entry<"security"> = {
      ...model.records.security[0]!,
      record: { ...model.records.security[0]!.record, status: "Done", flags: ["ENTERPRISE"], proof: { tests: ["test/proof/a.test.ts"] } },
    };
    const proof: Proof = {
      kind: "security",
      name: control.record.name,
      tests: ["test/proof/a.test.ts"],
      matched: 1,
      passed: 1,
      failed: 0,
      skipped: 0,
      duration: 0.01,
      variants: ["prod"],
      failures: [],
      cases: [passing("prod")],
      ...stamp,
    };
    // Only enterprise ships ENTERPRISE: a test against prod proves nothing about it.
    expect(statusEvidence(control, ctx(undefined, proofResults(proof)))).toEqual({
      state: "unproven",
      reason: "no test proves it in enterprise, which ships it",
    });
    const there = { ...proof, variants: ["enterprise"], cases: [passing("enterprise")] };
    expect(statusEvidence(control, ctx(undefined, proofResults(there)))).toEqual({
      state: "proven",
      reason: "proven by npm run prove: 1 test passed in test/proof/a.test.ts against enterprise",
    });
  });

  test("a Done flag needs a passing behaviour proof in every variant that ships it, beside its bundle evidence", () => {
    const unnamed: Entry<"features"> = { ...flag, record: { ...flag.record, proof: undefined } };
    // Bytes alone never back a flag's Done any more: they show where its code ships, not what it does.
    expect(statusEvidence(unnamed, ctx(results()))).toEqual({ state: "unproven", reason: "it names no tests as proof" });
    expect(statusEvidence(flag, ctx(results()))).toEqual({
      state: "unknown",
      reason: "no fresh results of npm run prove for these records",
    });
    expect(statusEvidence(flag, ctx(results(), proofResults(enterpriseProof)))).toEqual({
      state: "proven",
      reason:
        "proven by npm run verify: eliminated where off, shipped in enterprise; proven by npm run prove: 1 test passed in test/proof/a.test.ts against enterprise",
    });
    // Only enterprise ships ENTERPRISE: a test against prod proves nothing about it.
    const elsewhere = { ...enterpriseProof, variants: ["prod"], cases: [passing("prod")] };
    expect(statusEvidence(flag, ctx(results(), proofResults(elsewhere)))).toEqual({
      state: "unproven",
      reason: "no test proves it in enterprise, which ships it",
    });
    const failing: Proof = {
      ...enterpriseProof,
      passed: 0,
      failed: 1,
      failures: ["flag: ENTERPRISE › variant enterprise: works"],
      cases: [{ ...passing("enterprise"), status: "failed" }],
    };
    expect(statusEvidence(flag, ctx(results(), proofResults(failing)))).toEqual({ state: "failing", reason: "1 of its 1 tests failed" });
    // And the proof never stands in for the bundles.
    expect(statusEvidence(flag, ctx(undefined, proofResults(enterpriseProof)))?.state).toBe("unproven");
  });

  test("statuses other than Done and planning records claim nothing checkable", () => {
    const planned: Entry<"features"> = { ...flag, record: { ...flag.record, status: "Planned" } };
    expect(statusEvidence(planned, ctx())).toBeUndefined();
    expect(statusEvidence(model.records.roadmap[0]!, ctx())).toBeUndefined(); // Planned
    expect(statusEvidence(model.records.scopes[0]!, ctx())).toBeUndefined(); // scopes have no status
  });
});
