/**
 * The verify command end to end on fixture copies (its `main`, in this process): what it prints (like
 * `npm run check`), the GitHub annotations and step summary, what it writes (dist, results) and what it
 * must leave untouched.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadModel, recordsHash } from "../../src/core/model/model.ts";
import { readVerifyResults, RESULTS_PATH } from "../../src/verify/results-file.ts";
import { BUN, cleanEnv, fixtureProject, removeProject, runMain } from "../helpers/project.ts";

const made: string[] = [];
afterAll(() => made.forEach(removeProject));

function project(name?: string): string {
  const dir = fixtureProject(name);
  made.push(dir);
  return dir;
}

function verify(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  return runMain("verify", cwd, ["--today", "2026-06-01", ...args], env);
}

describe("npm run verify", () => {
  test("clean project: progress per variant, dist and results written, exit 0", async () => {
    const dir = project();
    const r = await verify(dir);
    expect(r.stderr).toMatch(/✓ prod\s+\d+ B\s+gzip\s+\d+\s+br\s+\d+\s+budget\s+1,000\s+markers pass, owned pass, leftovers pass/);
    expect(r.stderr).toContain("✓ enterprise");
    expect(r.stderr).toContain("✓ dev");
    expect(r.stderr).toContain("all proofs pass");
    expect(r.exitCode).toBe(0);
    for (const v of ["prod", "enterprise", "dev"]) {
      expect(existsSync(join(dir, "dist/variants", v, "main.js"))).toBe(true);
      expect(existsSync(join(dir, "dist/variants", v, "metafile.json"))).toBe(true);
    }
    const info = JSON.parse(readFileSync(join(dir, "dist/variants/enterprise/variant.json"), "utf8"));
    expect(info.features).toEqual(["V2_SERIALIZER", "ENTERPRISE"]);
    // The site accepts the file: valid against the contract and computed from these records.
    const results = readVerifyResults(dir, recordsHash(loadModel(dir).model));
    expect(results?.ok).toBe(true);
    expect(results?.variants.map((v) => v.name)).toEqual(["prod", "enterprise", "dev"]);
    expect(results?.variants[0]?.bytes.raw).toBe(readFileSync(join(dir, "dist/variants/prod/main.js")).byteLength);
    // Where the code reads each flag, for the site's code references: at the call's real line.
    const debug = results?.callSites?.sites.find((s) => s.flag === "DEBUG");
    expect(debug).toMatchObject({ file: "src/app/main.ts", bundled: true, with: [], guard: { kind: "if", condition: 'feature("DEBUG")' } });
    expect(readFileSync(join(dir, debug!.file), "utf8").split("\n")[debug!.line - 1]).toContain('feature("DEBUG")');
    expect(results?.callSites?.files.map((f) => f.path)).toContain("src/app/main.ts");
  });

  test("the npm script builds byte-identical output to verify", async () => {
    const dir = project();
    expect((await verify(dir)).exitCode).toBe(0);
    const fromVerify = readFileSync(join(dir, "dist/variants/enterprise/main.js"));
    const script = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts["build:enterprise"] as string;
    const p = Bun.spawnSync(["sh", "-c", script.replace(/^BUN_OPTIONS= bun /, `BUN_OPTIONS= ${BUN} `)], {
      cwd: dir,
      env: cleanEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(p.exitCode).toBe(0);
    expect(readFileSync(join(dir, "dist/variants/enterprise/main.js")).equals(fromVerify)).toBe(true);
  });

  test("a leak: diagnostics with code frame, ::error annotations, Markdown summary, exit 1", async () => {
    const dir = project("owned-module-leak");
    const summary = join(dir, "summary.md");
    const r = await verify(dir, ["--summary", summary], { GITHUB_ACTIONS: "true" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      "src/app/main.ts:17:37: error owned-module-leak: src/app/features/debug.ts (owned by DEBUG, which is off) ships in variant",
    );
    expect(r.stderr).toContain("> 17 | console.log(key, serialize(values), debugReport(values).length);");
    expect(r.stderr).toContain('hint: use it only inside if (feature("DEBUG"))');
    expect(r.stderr).toMatch(/✗ prod .* owned fail/);
    expect(r.stdout).toContain("::error file=src/app/main.ts,line=17,col=37,title=owned-module-leak::");
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("## Variant verification ❌ failed");
    expect(md).toMatch(/\| prod \| 1 \| [\d,]+ \| [\d,]+ \| [\d,]+ \| 1,000 \| ✅ \d+% \| ✅ \| ❌ \| ✅ \|/);
    expect(md).toContain("owned-module-leak");
    // Results are still written, with the failure recorded for the site.
    const results = readVerifyResults(dir);
    expect(results?.ok).toBe(false);
    expect(results?.variants[0]?.proofs.ownedModules).toBe("fail");
  });

  test("GITHUB_STEP_SUMMARY is appended to", async () => {
    const dir = project();
    const file = join(dir, "step-summary.md");
    writeFileSync(file, "earlier step\n");
    expect((await verify(dir, [], { GITHUB_STEP_SUMMARY: file })).exitCode).toBe(0);
    const md = readFileSync(file, "utf8");
    expect(md.startsWith("earlier step\n## Variant verification ✅ passed")).toBe(true);
    expect(md).toContain("| V2_SERIALIZER |");
  });

  test("--json prints the diagnostics for tools", async () => {
    const dir = project("stale-flag");
    const r = await verify(dir, ["--json"]);
    expect(r.exitCode).toBe(1);
    const list = JSON.parse(r.stdout) as { rule: string; file: string; line: number }[];
    expect(list.map((d) => [d.rule, d.file, d.line])).toEqual([["stale-flag", "data/features.yaml", 46]]);
  });

  test("bad input: reported, exit 1, nothing written and earlier outputs untouched", async () => {
    const dir = project();
    mkdirSync(join(dir, "dist/variants/prod"), { recursive: true });
    writeFileSync(join(dir, "dist/variants/prod/main.js"), "earlier build\n");
    writeFileSync(join(dir, "data/features.yaml"), "- name: DEBUG\n  scope: [Development\n");
    const r = await verify(dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/data\/features\.yaml:\d+:\d+: error yaml-syntax/);
    expect(readFileSync(join(dir, "dist/variants/prod/main.js"), "utf8")).toBe("earlier build\n");
    expect(existsSync(join(dir, RESULTS_PATH))).toBe(false);
  });

  test("a Bun other than the pinned one is refused before building", async () => {
    const dir = project();
    const pkg = readFileSync(join(dir, "package.json"), "utf8").replace('"bun": "1.4.5"', '"bun": "1.0.0"');
    writeFileSync(join(dir, "package.json"), pkg);
    const r = await verify(dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/package\.json:\d+:\d+: error bun-version: verify runs on Bun 1\.4\.5 but package\.json pins "1\.0\.0"/);
    expect(existsSync(join(dir, "dist"))).toBe(false);
  });

  test("unknown options are usage errors", async () => {
    const r = await verify(project(), ["--frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown option "--frobnicate"');
  });
});
