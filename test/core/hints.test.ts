/**
 * Every hint names the fix: what may stand there, which file to edit (with its extension), which way to
 * move a date. Each test makes one mistake in a copy of the base fixture and reads the diagnostic check gives.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCheck } from "../../src/core/check.ts";
import type { Diagnostic } from "../../src/core/report/diagnostics.ts";
import { REPO } from "../helpers/project.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function check(file: string, edit: (old: string) => string): Diagnostic[] {
  const dir = mkdtempSync(join(tmpdir(), "hints-"));
  dirs.push(dir);
  cpSync(join(REPO, "test/fixtures/base"), dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), "utf8")));
  return runCheck(dir, { freshness: false }).diagnostics;
}

const F = "data/features.yaml";

describe("hints name the fix", () => {
  test("a missing enum key lists the allowed values", () => {
    const [d, ...rest] = check(F, (s) => s.replace("  tier: Internal\n", ""));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ rule: "missing-key", line: 2, message: 'feature flag "DEBUG" is missing the required key "tier"' });
    expect(d!.hint).toBe('add a line "tier: …" to this record with one of "Free", "Pro", "Enterprise" or "Internal"');
  });

  test("a missing key that is not an enum keeps the plain hint", () => {
    const [d] = check(F, (s) => s.replace("  description: Diagnostics.\n", ""));
    expect(d).toMatchObject({ rule: "missing-key", hint: 'add a line "description: …" to this record' });
  });

  test("an unknown owner role lists the roles of data/team.yaml, and names the file with its extension", () => {
    const [d, ...rest] = check(F, (s) => s.replace("owner: Platform Lead", "owner: Release Manager"));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ rule: "unknown-reference", line: 12, col: 10 });
    expect(d!.message).toBe('owner names team role "Release Manager", which is not defined in data/team.yaml');
    expect(d!.hint).toBe('use one of them, or define it in data/team.yaml: the team roles in data/team.yaml are "Platform Lead"');
  });

  test("a near miss says which one it means and still lists the rest", () => {
    const [d] = check(F, (s) => s.replace("owner: Platform Lead", "owner: Platform Led"));
    expect(d!.hint).toBe('did you mean "Platform Lead"? The team roles in data/team.yaml are "Platform Lead"');
  });

  test('an unknown scope lists the scopes and "all"', () => {
    const [d] = check(F, (s) => s.replace("scope: [Development]", "scope: [Nowhere]"));
    expect(d!.message).toEndWith("which is not defined in data/scopes.yaml");
    expect(d!.hint).toBe(
      'use one of them, or define it in data/scopes.yaml: the scopes in data/scopes.yaml are "Public", "Enterprise", "Development" and "all"',
    );
  });

  test("a flag expiring on or before its introduction is told to pick a later expiry date", () => {
    const [d, ...rest] = check(F, (s) => s.replace('introduced: "2025-09-01"', 'introduced: "2025-09-01"\n  expires: "2025-08-01"'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ rule: "invalid-date", line: 14, col: 12 });
    expect(d!.hint).toBe("pick an expiry date later than 2025-09-01, or correct introduced if that is the wrong one");
  });
});
