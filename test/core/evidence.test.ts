import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { statusEvidence, type EvidenceContext } from "../../src/core/model/evidence.ts";
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
const ctx = (r?: VerifyResults, passed: string[] = []): EvidenceContext => ({ root: REPO, results: r, passedCommands: new Set(passed) });

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
    expect(statusEvidence(criterion, ctx(undefined, ["bunx tsc --noEmit"]))).toEqual({ backed: false, reason: "it names no tests as proof" });
    const named: Entry<"criteria"> = { ...criterion, record: { ...criterion.record, proof: { tests: ["test/proof/pass.test.ts"] } } };
    expect(statusEvidence(named, ctx(undefined, ["bunx tsc --noEmit"]))).toEqual({ backed: false, reason: "no fresh results of npm run prove for these records" });
    const proof = { kind: "criteria" as const, name: criterion.record.name, tests: ["test/proof/pass.test.ts"], matched: 2, passed: 2, failed: 0, skipped: 0, duration: 0.01, variants: [], failures: [] };
    const proofs = (over: Partial<typeof proof> = {}) => ({ version: 1, generatedAt: "2026-11-26T00:00:00Z", bunVersion: "1.4.5", fingerprint: "x", records: [{ ...proof, ...over }] });
    expect(statusEvidence(named, { ...ctx(), proofs: proofs() })?.backed).toBe(true);
    expect(statusEvidence(named, { ...ctx(), proofs: proofs({ failed: 1 }) })).toEqual({ backed: false, reason: "npm run prove: 1 failed, 2 passed of 2 tests" });
  });

  test("statuses other than Done and planning records claim nothing checkable", () => {
    const planned: Entry<"features"> = { ...flag, record: { ...flag.record, status: "Planned" } };
    expect(statusEvidence(planned, ctx())).toBeUndefined();
    expect(statusEvidence(model.records.roadmap[0]!, ctx())).toBeUndefined();
  });
});
