import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { statusEvidence, type EvidenceContext } from "../../src/core/model/evidence.ts";
import type { ProveResults } from "../../src/core/model/proof.ts";
import type { Entry } from "../../src/core/model/records.ts";
import { loadModel } from "../../src/core/model/model.ts";
import type { VerifyResults } from "../../src/verify/results-file.ts";
import { REPO } from "../helpers/project.ts";

const { model } = loadModel(join(REPO, "test/fixtures/base"));
const flag = model.flag("ENTERPRISE")!;
const variant = model.records.variants.find((v) => v.record.name === "enterprise")!;
const component = model.records.components[0]!;
const criterion = model.records.criteria[0]!;

const pass = { markers: "pass", ownedModules: "pass", leftovers: "pass" } as const;
function results(over: { dead?: boolean; eliminated?: boolean; markers?: "pass" | "fail"; raw?: number } = {}): VerifyResults {
  return {
    generatedAt: "2026-11-26T00:00:00Z",
    bunVersion: "1.4.5",
    recordsHash: "x",
    ok: true,
    variants: [
      { name: "prod", features: [], bytes: { raw: 100, gzip: 50, brotli: 40 }, budget: 50000, withinBudget: true, proofs: pass, problems: [] },
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
    flags: [{ name: "ENTERPRISE", addOne: [], leaveOneOut: [{ variant: "enterprise", raw: 100, gzip: 40 }], dead: over.dead ?? false, eliminated: over.eliminated ?? true }],
  };
}
const ctx = (r?: VerifyResults, proofs?: ProveResults): EvidenceContext => ({ root: REPO, model, results: r, proofs });
type Proof = ProveResults["records"][number];
const stamp = { provedAt: "2026-11-26T00:00:00Z", spec: "x", inputs: [], fingerprint: "x" };
const proofResults = (...records: Proof[]): ProveResults => ({ version: 3, generatedAt: "2026-11-26T00:00:00Z", bunVersion: "1.4.5", inputs: {}, records });
const passing = (c: Proof["cases"][number]["variant"]) => ({ name: `variant ${c}: works`, status: "passed" as const, duration: 0.01, ...(c ? { variant: c } : {}) });

describe("status evidence", () => {
  test("a Done flag is proven only by fresh bundle results", () => {
    expect(statusEvidence(flag, ctx())).toEqual({ backed: false, reason: "no bundle results for these records: run `npm run verify`" });
    expect(statusEvidence(flag, ctx(results()))?.backed).toBe(true);
    expect(statusEvidence(flag, ctx(results({ dead: true })))?.reason).toContain("dead code");
    expect(statusEvidence(flag, ctx(results({ eliminated: false })))?.backed).toBe(false);
    expect(statusEvidence(flag, ctx(results({ markers: "fail" })))?.reason).toBe("a proof failed in enterprise");
  });

  test("a Done variant must be built, proven and within budget", () => {
    expect(statusEvidence(variant, ctx(results()))?.backed).toBe(true);
    expect(statusEvidence(variant, ctx(results({ raw: 70000 })))?.reason).toBe("over its budget: 70000 of 60000 bytes");
  });

  test("a Done component must exist where it says", () => {
    expect(statusEvidence(component, ctx())).toEqual({ backed: true, reason: "tsconfig.json exists in this repository" });
    const moved: Entry<"components"> = { ...component, record: { ...component.record, location: "docs/GONE.md" } };
    expect(statusEvidence(moved, ctx())).toEqual({ backed: false, reason: "docs/GONE.md is not in this repository" });
  });

  test("a Done criterion is backed only by fresh prove results in which its tests passed, never by a command", () => {
    expect(statusEvidence(criterion, ctx())).toEqual({ backed: false, reason: "it names no tests as proof" });
    const named: Entry<"criteria"> = { ...criterion, record: { ...criterion.record, proof: { tests: ["test/proof/pass.test.ts"] } } };
    expect(statusEvidence(named, ctx())).toEqual({ backed: false, reason: "no fresh results of npm run prove for these records" });
    const proof: Proof = { kind: "criteria", name: criterion.record.name, tests: ["test/proof/pass.test.ts"], matched: 2, passed: 2, failed: 0, skipped: 0, duration: 0.01, variants: [], failures: [], cases: [passing(undefined), passing(undefined)], ...stamp };
    expect(statusEvidence(named, ctx(undefined, proofResults(proof)))?.backed).toBe(true);
    expect(statusEvidence(named, ctx(undefined, proofResults({ ...proof, failed: 1 })))).toEqual({ backed: false, reason: "npm run prove: 1 of its 2 tests failed" });
  });

  test("a Done control needs passing tests in every variant that ships its flags", () => {
    const control: Entry<"security"> = { ...model.records.security[0]!, record: { ...model.records.security[0]!.record, status: "Done", flags: ["ENTERPRISE"], proof: { tests: ["test/proof/a.test.ts"] } } };
    const proof: Proof = { kind: "security", name: control.record.name, tests: ["test/proof/a.test.ts"], matched: 1, passed: 1, failed: 0, skipped: 0, duration: 0.01, variants: ["prod"], failures: [], cases: [passing("prod")], ...stamp };
    // Only enterprise ships ENTERPRISE: a test against prod proves nothing about it.
    expect(statusEvidence(control, ctx(undefined, proofResults(proof)))).toEqual({ backed: false, reason: "npm run prove: no test proves it in enterprise, which ships it" });
    const there = { ...proof, variants: ["enterprise"], cases: [passing("enterprise")] };
    expect(statusEvidence(control, ctx(undefined, proofResults(there)))).toEqual({ backed: true, reason: "proven by npm run prove: 1 test passed in test/proof/a.test.ts against enterprise" });
  });

  test("a Done flag that names a proof needs its bundle evidence and its proof", () => {
    const named: Entry<"features"> = { ...flag, record: { ...flag.record, proof: { tests: ["test/proof/a.test.ts"] } } };
    expect(statusEvidence(named, ctx(results()))).toEqual({ backed: false, reason: "no fresh results of npm run prove for these records" });
    const proof: Proof = { kind: "features", name: "ENTERPRISE", tests: ["test/proof/a.test.ts"], matched: 1, passed: 1, failed: 0, skipped: 0, duration: 0.01, variants: ["enterprise"], failures: [], cases: [passing("enterprise")], ...stamp };
    expect(statusEvidence(named, ctx(results(), proofResults(proof)))?.backed).toBe(true);
    expect(statusEvidence(named, ctx(undefined, proofResults(proof)))?.backed).toBe(false);
  });

  test("statuses other than Done and planning records claim nothing checkable", () => {
    const planned: Entry<"features"> = { ...flag, record: { ...flag.record, status: "Planned" } };
    expect(statusEvidence(planned, ctx())).toBeUndefined();
    expect(statusEvidence(model.records.roadmap[0]!, ctx())).toBeUndefined();
  });
});
