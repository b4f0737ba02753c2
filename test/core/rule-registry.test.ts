/**
 * The rule registry (src/core/report/rules.ts) is the one list of rules: every rule in it has a test or a
 * fixture that triggers it and asserts its id, the one diagnostic factory fills the registry's hint and
 * severity, and the README and the site show exactly the registry.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnostic, fileStart, formatGithub, formatHeadline, isError, summaryLine } from "../../src/core/report/diagnostics.ts";
import { isRuleId, RULE_IDS, RULES, RULES_BEGIN, RULES_END, STAGES, withRulesTable, type RuleId } from "../../src/core/report/rules.ts";
import { MDX_COMPONENTS } from "../../src/core/lint/mdx-policy.ts";
import { REPO } from "../helpers/project.ts";

const expected = (name: string) => `test/fixtures/check/${name}/expected.txt`;
const RULES_TEST = "test/core/rules.test.ts";
const TABLE_TEST = "test/core/table-lint.test.ts";
const VERIFY_FIXTURES = "test/verify/fixtures.test.ts";
const PROVE_TEST = "test/cli/prove.test.ts";
const FAULTS_TEST = "test/cli/prove-faults.test.ts";

/**
 * Where each rule is triggered and asserted: a check fixture's expected output (test/cli), or a test that
 * runs a check or verify on a planted mistake and names the rule. A new rule does not compile without an
 * entry here.
 */
const TRIGGERS: Record<RuleId, string> = {
  // files
  "outside-repository": "test/hostile/files.test.ts",
  "not-a-file": "test/hostile/files.test.ts",
  "file-too-large": RULES_TEST,
  "unreadable-file": RULES_TEST,
  "invalid-encoding": RULES_TEST,
  // load
  "yaml-syntax": expected("yaml-syntax"),
  "duplicate-key": expected("duplicate-key"),
  "yaml-anchor": expected("yaml-anchor-alias"),
  "yaml-alias": expected("yaml-anchor-alias"),
  "yaml-merge-key": expected("yaml-merge-key"),
  "yaml-tag": expected("yaml-tag"),
  "yaml-version": expected("yaml-version"),
  "yaml-too-deep": "test/hostile/files.test.ts",
  "yaml-multiple-documents": expected("yaml-multiple-documents"),
  "not-a-list": expected("not-a-list"),
  "unknown-data-file": expected("unknown-data-file"),
  "missing-data": RULES_TEST,
  "schema-comment": expected("schema-comment"),
  // schema
  "unknown-key": expected("unknown-key"),
  "missing-key": expected("missing-key"),
  "invalid-type": expected("invalid-type"),
  "invalid-enum": expected("invalid-enum"),
  "invalid-value": expected("invalid-value"),
  "invalid-flag-name": expected("invalid-flag-name"),
  "invalid-date": expected("invalid-date"),
  "control-character": "test/hostile/records.test.ts",
  "reserved-name": "test/hostile/records.test.ts",
  "invalid-variant-name": "test/hostile/records.test.ts",
  "invalid-path": "test/hostile/records.test.ts",
  // model
  "duplicate-name": expected("duplicate-name"),
  "duplicate-script": RULES_TEST,
  "duplicate-entry": RULES_TEST,
  "unknown-reference": expected("unknown-reference"),
  "dependency-cycle": expected("dependency-cycle"),
  "requirement-limit": expected("requirement-limit"),
  "typed-limit": expected("typed-limit"),
  "phase-status": RULES_TEST,
  "scope-leak": expected("scope-leak"),
  "flag-without-proof": RULES_TEST,
  // generated
  "stale-generated": expected("stale-generated"),
  // lint
  "table-label": expected("table-lint"),
  "table-order": expected("table-lint"),
  "table-missing-column": expected("table-lint"),
  "table-duplicate-column": RULES_TEST,
  "table-cell-count": expected("table-lint"),
  "table-value": expected("table-lint"),
  "table-record": expected("table-record"),
  "table-swapped-cells": TABLE_TEST,
  "table-delimiter": expected("table-lint"),
  "table-pipe-style": TABLE_TEST,
  "mdx-syntax": RULES_TEST,
  "mdx-code": expected("table-lint"),
  // verify
  "bun-version": "test/verify/cli.test.ts",
  "missing-entry": VERIFY_FIXTURES,
  "build-failed": VERIFY_FIXTURES,
  "bun-bundle-import": VERIFY_FIXTURES,
  "bun-bundle-require": "test/app/source-rules.test.ts",
  "bun-bundle-dynamic-import": "test/app/source-rules.test.ts",
  "bun-bundle-reexport": VERIFY_FIXTURES,
  "feature-wrapper": VERIFY_FIXTURES,
  "flag-name-literal": VERIFY_FIXTURES,
  "undeclared-flag": VERIFY_FIXTURES,
  "feature-position": VERIFY_FIXTURES,
  "owned-module-side-effect": VERIFY_FIXTURES,
  "stale-flag": VERIFY_FIXTURES,
  "expired-flag": VERIFY_FIXTURES,
  "owned-glob-unmatched": VERIFY_FIXTURES,
  "owned-module-leak": VERIFY_FIXTURES,
  "replaced-module-leak": VERIFY_FIXTURES,
  "probe-mismatch": VERIFY_FIXTURES,
  leftover: VERIFY_FIXTURES,
  "over-budget": VERIFY_FIXTURES,
  "dead-flag": VERIFY_FIXTURES,
  "output-not-writable": "test/hostile/files.test.ts",
  "macro-import": "test/verify/macro-imports.test.ts",
  // proof
  "proof-missing-file": expected("proof-missing-file"),
  "proof-matched-none": PROVE_TEST,
  "proof-failed": PROVE_TEST,
  "proof-variant-unproven": PROVE_TEST,
  "proof-stale": "test/cli/proof-freshness.test.ts",
  "tracked-results": "test/cli/proof-freshness.test.ts",
  "proof-without-faults": FAULTS_TEST,
  "proof-fault-missed": FAULTS_TEST,
  "proof-fault-stale": FAULTS_TEST,
  "unproven-claim": PROVE_TEST,
  "missing-location": RULES_TEST,
  "status-behind-evidence": PROVE_TEST,
  "unapproved-in-production": expected("unapproved-in-production"),
};

const read = (rel: string) => readFileSync(join(REPO, rel), "utf8");
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");

/** Whether a trigger file asserts `id`: a printed headline or JSON field in a fixture's output, the id as a whole word in a test. */
function asserts(file: string, id: RuleId): boolean {
  const text = read(file);
  if (file.endsWith(".txt"))
    return new RegExp(`: (error|warning) ${escapeRegExp(id)}: |"rule": "${escapeRegExp(id)}"|title=${escapeRegExp(id)}::`).test(text);
  return new RegExp(`(?<![\\w-])${escapeRegExp(id)}(?![\\w-])`).test(text);
}

describe("rule registry", () => {
  test("every rule has a trigger that asserts it", () => {
    const missing: string[] = [];
    for (const id of RULE_IDS) {
      const file = TRIGGERS[id];
      if (!file) missing.push(`${id}: no trigger listed`);
      else if (!existsSync(join(REPO, file))) missing.push(`${id}: ${file} does not exist`);
      else if (!asserts(file, id)) missing.push(`${id}: ${file} does not assert it`);
    }
    expect(missing).toEqual([]);
    expect(Object.keys(TRIGGERS).filter((id) => !isRuleId(id))).toEqual([]);
  });

  test("every rule a check fixture prints is in the registry", () => {
    const printed = new Set<string>();
    for (const name of readdirSync(join(REPO, "test/fixtures/check"))) {
      const file = expected(name);
      if (!existsSync(join(REPO, file))) continue;
      for (const m of read(file).matchAll(/:\d+:\d+: (?:error|warning) ([a-z0-9-]+): |"rule": "([a-z0-9-]+)"/g)) printed.add(m[1] ?? m[2]!);
    }
    expect(printed.size).toBeGreaterThan(20);
    expect([...printed].filter((id) => !isRuleId(id))).toEqual([]);
  });

  test("entries are complete: a kebab-case id, a known stage, a one-line summary and a hint", () => {
    for (const id of RULE_IDS) {
      const r = RULES[id];
      expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(Object.keys(STAGES)).toContain(r.stage);
      expect(r.summary).toMatch(/^\S.*\.$/);
      expect(r.summary).not.toContain("\n");
      expect(r.hint.length).toBeGreaterThan(5);
      expect(r.hint).not.toContain("\n");
    }
  });
});

describe("the diagnostic factory", () => {
  test("fills the registry's hint and severity; a hint from the check wins", () => {
    expect(diagnostic("missing-key", { file: "data/a.yaml", line: 2, col: 3 }, "m")).toEqual({
      file: "data/a.yaml",
      line: 2,
      col: 3,
      rule: "missing-key",
      message: "m",
      hint: RULES["missing-key"].hint,
      severity: "error",
    });
    expect(diagnostic("missing-key", fileStart("data/a.yaml"), "m", "add owner").hint).toBe("add owner");
    // A place may be any object with file, line and col (another diagnostic): nothing else is copied.
    const from = { ...diagnostic("yaml-syntax", fileStart("package.json"), "bad"), extra: 1 };
    expect(Object.keys(diagnostic("bun-version", from, "m"))).toEqual(["file", "line", "col", "rule", "message", "hint", "severity"]);
  });

  test("a warning is printed as one and does not count as an error", () => {
    const warning = diagnostic("dead-flag", fileStart("data/features.yaml"), "toggling X changes no byte");
    expect(RULES["dead-flag"].severity).toBe("warning");
    expect(isError(warning)).toBe(false);
    expect(formatHeadline(warning)).toBe("data/features.yaml:1:1: warning dead-flag: toggling X changes no byte");
    expect(formatGithub([warning])).toStartWith("::warning file=data/features.yaml,line=1,col=1,title=dead-flag::");
    expect(summaryLine([warning, diagnostic("stale-flag", fileStart("data/features.yaml"), "m")])).toBe("1 error, 1 warning in 1 file");
  });
});

describe("generated from the registry", () => {
  test("the README's rule table is the registry's (npm run generate writes it)", () => {
    const readme = read("README.md");
    expect(readme).toContain(RULES_BEGIN);
    expect(readme).toContain(RULES_END);
    expect(withRulesTable(readme)).toBe(readme);
    for (const id of RULE_IDS) expect(readme).toContain(`| \`${id}\` |`);
  });

  test("the block between the markers is replaced, the rest kept byte for byte", () => {
    const text = `# T\n\nbefore\n${RULES_BEGIN}\nold table\n${RULES_END}\nafter\n`;
    const out = withRulesTable(text)!;
    expect(out.startsWith(`# T\n\nbefore\n${RULES_BEGIN}\n`)).toBe(true);
    expect(out.endsWith(`\n${RULES_END}\nafter\n`)).toBe(true);
    expect(out).not.toContain("old table");
    expect(withRulesTable(out)).toBe(out);
    expect(withRulesTable("no markers")).toBeUndefined();
    expect(withRulesTable(`${RULES_END}\n${RULES_BEGIN}\n`)).toBeUndefined();
  });

  test("the site's rules page renders the registry with a component content pages may use", () => {
    expect(MDX_COMPONENTS).toContain("RuleTable");
    expect(read("content/rules.mdx")).toContain("<RuleTable />");
    expect(read("src/components/RuleTable.astro")).toContain("RULE_IDS");
  });
});
