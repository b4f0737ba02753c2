/**
 * One unit test per check rule, called in-process on a copy of the base fixture: each asserts the exact
 * rule id, file, line and column a writer would be sent to.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCheck } from "../../src/core/check.ts";
import { MAX_DATA_FILE_BYTES } from "../../src/core/load/yaml-source.ts";
import { REPO } from "../helpers/project.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Base fixture with `edits` applied (file → new text, or a function of the old text); generated files skipped. */
async function check(edits: Record<string, string | ((old: string) => string | Buffer)>, prepare?: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "rules-"));
  dirs.push(dir);
  cpSync(join(REPO, "test/fixtures/base"), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    let old = "";
    try {
      old = readFileSync(path, "utf8");
    } catch {}
    writeFileSync(path, typeof edit === "string" ? edit : edit(old));
  }
  prepare?.(dir);
  return runCheck(dir, { freshness: false }).diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}`);
}

const F = "data/features.yaml";
const V = "data/variants.yaml";

describe("record rules", () => {
  test("the base fixture has no errors", async () => expect(await check({})).toEqual([]));
  test("missing-location: a component not where it says, at its location, whatever its status", async () => {
    expect(await check({ "data/components.yaml": (t) => t.replace("location: tsconfig.json", "location: docs/GONE.md") })).toEqual([
      "data/components.yaml:9:13 missing-location",
    ]);
    expect(
      await check({
        "data/components.yaml": (t) =>
          t.replace("location: tsconfig.json", "location: docs/GONE.md").replace("status: Beta", "status: Planned"),
      }),
    ).toEqual(["data/components.yaml:9:13 missing-location"]);
  });
  test("a location that exists does not back a Done: a component's Done needs its proof", async () => {
    const { statusEvidence } = await import("../../src/core/model/evidence.ts");
    const { loadModel } = await import("../../src/core/model/model.ts");
    const { model } = loadModel(join(REPO, "test/fixtures/base"));
    const base = model.records.components[0]!;
    const c = { ...base, record: { ...base.record, status: "Done" as const } };
    expect(base.record.location).toBe("tsconfig.json"); // a file of the fixture
    expect(statusEvidence(c, { root: join(REPO, "test/fixtures/base"), model, results: undefined, proofs: undefined })).toEqual({
      state: "unproven",
      reason: "it names no tests as proof",
    });
  });
  test("scopes and team roles have no status: a status on one is an unknown key", async () => {
    expect(await check({ "data/scopes.yaml": (t) => t.replace("  tier: Free\n", "  tier: Free\n  status: Done\n") })).toEqual([
      "data/scopes.yaml:5:3 unknown-key",
    ]);
  });
  test("phase-status: a phase whose written status is not what its tasks give, at its status", async () => {
    const R = "data/roadmap.yaml";
    const task = "\n- name: Ship it\n  type: Task\n  category: Core\n  domain: Platform\n  scope: all\n  status: In Progress\n  phase: 1\n";
    expect(await check({ [R]: (t) => t + task })).toEqual([`${R}:7:11 phase-status`]);
    expect(await check({ [R]: (t) => t.replace("  status: Planned\n  phase: 1", "  status: In Progress\n  phase: 1") + task })).toEqual([]);
  });
  test("unproven-claim: a Done phase without tasks, a Done task naming nothing it delivers or delivering what is not Done", async () => {
    const R = "data/roadmap.yaml";
    expect(await check({})).toEqual([]);
    const done = (t: string) => t.replace("  status: In Progress\n  phase: 2", "  status: Done\n  phase: 2");
    // Phase 1 has no tasks; the phase-2 task delivers Scope Isolation, which is In Progress.
    expect(await check({ [R]: (t) => t.replace("  status: Planned\n  phase: 1", "  status: Done\n  phase: 1") })).toEqual([
      `${R}:7:11 unproven-claim`,
    ]);
    expect(await check({ [R]: done })).toEqual([`${R}:17:11 unproven-claim`]);
    expect(await check({ [R]: (t) => done(t).replace("  controls: [Scope Isolation]\n", "") })).toEqual([`${R}:17:11 unproven-claim`]);
    expect(await check({ [R]: done, "data/security.yaml": (t) => t.replace("status: In Progress", "status: Done") })).toEqual([]);
  });
  test("yaml-syntax", async () =>
    expect(await check({ [F]: (s) => s.replace('introduced: "2025-09-01"', 'introduced: "2025-09-01') })).toContain(
      `${F}:13:15 yaml-syntax`,
    ));
  test("duplicate-key", async () =>
    expect(await check({ [F]: (s) => s.replace("  impact: Low\n", "  impact: Low\n  impact: High\n") })).toEqual([
      `${F}:9:3 duplicate-key`,
    ]));
  test("yaml-anchor", async () =>
    expect(await check({ [F]: (s) => s.replace("domain: Operations", "domain: &d Operations") })).toEqual([`${F}:5:11 yaml-anchor`]));
  test("yaml-alias", async () =>
    expect(
      await check({ [F]: (s) => s.replace("domain: Operations", "domain: &d Operations").replace("domain: Platform", "domain: *d") }),
    ).toEqual([`${F}:5:11 yaml-anchor`, `${F}:18:11 yaml-alias`]));
  test("yaml-merge-key", async () =>
    expect(await check({ [F]: (s) => s.replace("  impact: Low\n", "  impact: Low\n  <<: {x: 1}\n") })).toEqual([
      `${F}:9:3 yaml-merge-key`,
    ]));
  test("yaml-tag", async () =>
    expect(await check({ [F]: (s) => s.replace("impact: Low", "impact: !!str Low") })).toEqual([`${F}:8:11 yaml-tag`]));
  test("yaml-tag (custom tag)", async () =>
    expect(await check({ [F]: (s) => s.replace("impact: Low", "impact: !include other.yaml") })).toEqual([`${F}:8:11 yaml-tag`]));
  test("yaml-version", async () =>
    expect(await check({ [F]: (s) => `${s.split("\n")[0]}\n%YAML 1.1\n---\n${s.split("\n").slice(1).join("\n")}` })).toContain(
      `${F}:2:1 yaml-version`,
    ));
  test("file-too-large", async () =>
    expect(await check({ [F]: (s) => `${s}# ${"x".repeat(MAX_DATA_FILE_BYTES)}\n` })).toEqual([`${F}:1:1 file-too-large`]));
  test("invalid-encoding", async () => {
    const latin1 = (s: string) => Buffer.from(s.replace("description: Diagnostics.", "description: Diagnostics für Entwickler."), "latin1");
    expect(await check({ [F]: latin1 })).toEqual([`${F}:11:29 invalid-encoding`]);
  });
  test("unreadable-file (a dangling link)", async () => {
    const out = await check({ [F]: (s) => s }, (dir) => {
      rmSync(join(dir, F));
      symlinkSync(join(dir, "nowhere.yaml"), join(dir, F));
    });
    expect(out).toEqual([`${F}:1:1 unreadable-file`]);
  });
  test("not-a-list", async () =>
    expect(await check({ [F]: (s) => `${s.split("\n")[0]}\nname: DEBUG\n` })).toEqual([`${F}:2:1 not-a-list`]));
  test("invalid-type (record is not a mapping)", async () =>
    expect(await check({ [F]: (s) => `${s.split("\n")[0]}\n- just text\n` })).toContain(`${F}:2:3 invalid-type`));
  test("invalid-type (field)", async () =>
    expect(await check({ [V]: (s) => s.replace("budget: 50000", "budget: [1]") })).toEqual([`${V}:13:11 invalid-type`]));
  test("invalid-type (integer budget)", async () =>
    expect(await check({ [V]: (s) => s.replace("budget: 50000", "budget: 500.5") })).toEqual([`${V}:13:11 invalid-type`]));
  test("unknown-key points at the key", async () =>
    expect(await check({ [F]: (s) => s.replace("  impact: Low\n", "  impact: Low\n  colour: red\n") })).toEqual([`${F}:9:3 unknown-key`]));
  test("missing-key points at the record", async () =>
    expect(await check({ [F]: (s) => s.replace("  impact: Low\n", "") })).toEqual([`${F}:2:3 missing-key`]));
  test("invalid-enum", async () =>
    expect(await check({ [F]: (s) => s.replace("tier: Internal", "tier: Gold") })).toEqual([`${F}:7:9 invalid-enum`]));
  test("invalid-enum (type per kind)", async () =>
    expect(await check({ [F]: (s) => s.replace("type: Diagnostic", "type: Production") })).toEqual([`${F}:3:9 invalid-enum`]));
  test("duplicate-name", async () =>
    expect(await check({ [F]: (s) => s.replace("name: ENTERPRISE", "name: DEBUG") })).toContain(`${F}:15:9 duplicate-name`));
  test("unknown-reference (variant → flag)", async () =>
    expect(await check({ [V]: (s) => s.replace("[ENTERPRISE]", "[ENTERPRISE, TYPO]") })).toEqual([`${V}:28:26 unknown-reference`]));
  test("unknown-reference (roadmap → control)", async () =>
    expect(await check({ "data/roadmap.yaml": (s) => s.replace("controls: [Scope Isolation]", "controls: [Scope Isolaton]") })).toEqual([
      "data/roadmap.yaml:23:14 unknown-reference",
    ]));
  test("unknown-reference (scope)", async () =>
    expect(await check({ [F]: (s) => s.replace("scope: [Development]", "scope: [Devel]") })).toEqual([`${F}:6:11 unknown-reference`]));
  test("duplicate-script", async () =>
    expect(await check({ [V]: (s) => s.replace("script: build:enterprise", "script: build:prod") })).toEqual([
      `${V}:26:11 duplicate-script`,
    ]));
  test("duplicate-entry", async () =>
    expect(await check({ [V]: (s) => s.replace("[ENTERPRISE]", "[ENTERPRISE, ENTERPRISE]") })).toEqual([`${V}:28:26 duplicate-entry`]));
  test("invalid-flag-name", async () =>
    expect(await check({ [F]: (s) => s.replace("name: DEBUG", "name: Debug") })).toContain(`${F}:2:9 invalid-flag-name`));
  test("invalid-date (impossible)", async () =>
    expect(await check({ [F]: (s) => s.replace('"2025-09-01"', '"2025-02-29"') })).toEqual([`${F}:13:15 invalid-date`]));
  test("invalid-date (not a date)", async () =>
    expect(await check({ [F]: (s) => s.replace('"2025-09-01"', "September") })).toEqual([`${F}:13:15 invalid-date`]));
  test("invalid-date (expires before introduced)", async () =>
    expect(await check({ [F]: (s) => s.replace('introduced: "2025-09-01"', 'introduced: "2025-09-01"\n  expires: "2025-08-01"') })).toEqual(
      [`${F}:14:12 invalid-date`],
    ));
  test("flag-without-proof: a Beta or Done flag names no behaviour proof, at its status", async () => {
    // The guide's table shows DEBUG's status too: it follows the record, so only the rule under test fires.
    for (const [status, icon] of [
      ["Beta", "🧪 Beta"],
      ["Done", "✅ Done"],
    ] as const) {
      const guide = { "content/guide.md": (s: string) => s.replace("⏳ In Progress", icon) };
      const to = (s: string) =>
        s.replace(
          "  status: In Progress\n  approval: Approved\n  description: Diagnostics.",
          `  status: ${status}\n  approval: Approved\n  description: Diagnostics.`,
        );
      expect(await check({ [F]: to, ...guide })).toEqual([`${F}:9:11 flag-without-proof`]);
      // Named: the rule is satisfied (whether the proof passes is npm run prove's business).
      const named = (s: string) =>
        to(s).replace(
          "  description: Diagnostics.",
          '  description: Diagnostics.\n  proof:\n    tests: [flags.test.ts]\n    name: "flag: DEBUG"\n    faults:\n      - { id: quiet, what: traces off, file: src/app/main.ts, find: "x", replace: "y" }',
        );
      expect(await check({ [F]: named, "flags.test.ts": "", ...guide })).toEqual([]);
    }
    // In Progress claims nothing the bundles or tests must show.
    expect(await check({})).toEqual([]);
  });

  test("scope-leak", async () =>
    expect(await check({ [V]: (s) => s.replace("features: []", "features: [DEBUG]") })).toEqual([`${V}:14:14 scope-leak`]));
  test("dependency-cycle", async () =>
    expect(
      await check({
        "data/roadmap.yaml": (s) =>
          s.replace("  owner: Platform Lead\n\n", "  owner: Platform Lead\n  dependsOn: [Scope Isolation Enforcement]\n\n"),
      }),
    ).toEqual(["data/roadmap.yaml:11:14 dependency-cycle"]));
  test("schema-comment", async () =>
    expect(await check({ [F]: (s) => s.split("\n").slice(1).join("\n") })).toEqual([`${F}:1:1 schema-comment`]));
  test("unknown-data-file", async () =>
    expect(await check({ "data/features.yml": "- name: X\n" })).toEqual(["data/features.yml:1:1 unknown-data-file"]));
  test("missing-data (no records of a kind)", async () =>
    expect(await check({}, (dir) => rmSync(join(dir, "data/team.yaml")))).toContain("data/team.yaml:1:1 missing-data"));
  test("missing-data (no data folder)", async () =>
    expect(await check({}, (dir) => rmSync(join(dir, "data"), { recursive: true }))).toContain("data:1:1 missing-data"));
  test("invalid-value (empty text)", async () =>
    expect(await check({ [F]: (s) => s.replace("description: Diagnostics.", 'description: ""') })).toEqual([`${F}:11:16 invalid-value`]));
  test("invalid-value (all with other scopes)", async () =>
    expect(await check({ [F]: (s) => s.replace("scope: [Enterprise]", "scope: [all, Enterprise]") })).toEqual([
      `${F}:19:11 invalid-value`,
    ]));
  test("all kinds of error are reported in one run, sorted", async () => {
    const out = await check({
      [F]: (s) => s.replace("tier: Enterprise", "tier: Gold"),
      [V]: (s) => s.replace("features: []", "features: [DEBUG]"),
    });
    expect(out).toEqual([`${F}:20:9 invalid-enum`, `${V}:14:14 scope-leak`]);
  });
});

describe("table rules", () => {
  const C = "content/guide.md";
  const table = (header: string, row: string) => `# T\n\n${header}\n${header.replace(/[^|]+/g, "---")}\n${row}\n`;
  test("table-label", async () =>
    expect(
      await check({ [C]: table("| Name | Type | Domain | Scope | Tier | Status |", "| A | Ops | Build | all | Free | Done |") }),
    ).toEqual([`${C}:3:41 table-label`]));
  test("table-order", async () =>
    expect(
      await check({ [C]: table("| Type | Name | Domain | Scope | Tier | Release/Status |", "| Ops | A | Build | all | Free | Done |") }),
    ).toEqual([`${C}:3:3 table-order`]));
  test("table-missing-column", async () =>
    expect(await check({ [C]: table("| Name | Type | Domain | Scope | Release/Status |", "| A | Ops | Build | all | Done |") })).toEqual([
      `${C}:3:3 table-missing-column`,
    ]));
  test("table-cell-count", async () =>
    expect(
      await check({ [C]: table("| Name | Type | Domain | Scope | Tier | Release/Status |", "| A | Ops | Build | all | Free |") }),
    ).toEqual([`${C}:5:33 table-cell-count`]));
  test("table-value", async () =>
    expect(
      await check({ [C]: table("| Name | Type | Domain | Scope | Tier | Release/Status |", "| A | Ops | Build | all | Gold | Done |") }),
    ).toEqual([`${C}:5:27 table-value`]));
  test("table-duplicate-column", async () =>
    expect(
      await check({
        [C]: table("| Name | Type | Domain | Scope | Tier | Tier | Release/Status |", "| A | Ops | Build | all | Free | Free | Done |"),
      }),
    ).toEqual([`${C}:3:41 table-duplicate-column`]));
  test("escaped pipes and code spans do not split cells", async () =>
    expect(
      await check({
        [C]: table("| Name | Type | Domain | Scope | Tier | Release/Status |", "| `a\\|b` | Ops | Build | all | Free | ✅ Done |"),
      }),
    ).toEqual([]));
  test("tables without master labels are left alone", async () =>
    expect(await check({ [C]: table("| Key | Meaning |", "| a | b |") })).toEqual([]));
  test("mdx-syntax", async () =>
    expect(await check({ "content/page.mdx": "# T\n\n{oops\n" })).toEqual(["content/page.mdx:4:1 mdx-syntax"]));
});
