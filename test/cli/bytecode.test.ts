/**
 * The bytecode bundle of check: named by the code fingerprint, used only under that name, and saying exactly
 * what the sources say.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildBundle, covered } from "../../src/cli/bytecode-build.ts";
import { codeFingerprint } from "../../src/core/cache/code-fingerprint.ts";
import { makeProject, REPO, removeProject } from "../helpers/project.ts";

setDefaultTimeout(120_000);
const TMP = mkdtempSync(join(tmpdir(), "bytecode-"));
const projects: string[] = [];
afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
  for (const p of projects) removeProject(p);
});
/** A checked project (the base fixture with its generated files). */
const project = () => {
  const dir = makeProject();
  projects.push(dir);
  return dir;
};

/** check run through the launcher in `cwd`, with bundles from `bundles`. */
function launch(cwd: string, bundles: string, env: Record<string, string> = {}) {
  const script = `import { runCommand } from ${JSON.stringify(join(REPO, "src/cli/bytecode.ts"))};
process.exitCode = await runCommand("check", ["--no-cache"], { bundles: ${JSON.stringify(bundles)} });`;
  const p = Bun.spawnSync([process.execPath, "-e", script], { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  // Timings differ between runs; the rest must not.
  const words = (s: string) => s.replace(/\(\d+ ms[^)]*\)/g, "(… ms)");
  return { code: p.exitCode, stdout: words(p.stdout.toString()), stderr: words(p.stderr.toString()) };
}

test("a bundle built for this code says what the sources say, on a clean project and on one with errors", async () => {
  const bundles = join(TMP, "built");
  expect(await buildBundle("check", codeFingerprint(), bundles)).toBeUndefined();
  expect(readdirSync(bundles)).toEqual([`check-${codeFingerprint()}`]);
  expect(readdirSync(join(bundles, `check-${codeFingerprint()}`)).sort()).toEqual(["bundle.js", "bundle.js.jsc"]);
  const clean = project();
  const broken = project();
  writeFileSync(join(broken, "data/scopes.yaml"), "- name: [unclosed\n");
  for (const dir of [clean, broken]) {
    const bundled = launch(dir, bundles);
    expect(bundled).toEqual(launch(dir, bundles, { TAKEOFF_BYTECODE: "0" }));
    expect(bundled.stderr).toContain(dir === clean ? "tables lint clean" : "data/scopes.yaml:2:1: error yaml-syntax");
  }
});

test("the launcher loads the bundle named by this code's fingerprint, and no other", () => {
  const plant = (bundles: string, print: string, says: string) => {
    mkdirSync(join(bundles, `check-${print}`), { recursive: true });
    writeFileSync(
      join(bundles, `check-${print}`, "bundle.js"),
      `exports.run = async () => { process.stderr.write(${JSON.stringify(says)}); return 3; };\n`,
    );
    return bundles;
  };
  const dir = project();
  const fromSources = launch(dir, join(TMP, "none"), { TAKEOFF_BYTECODE: "0" });
  expect(fromSources.code).toBe(0);
  // A bundle of other code only: the sources answer (and a build for this code starts there, detached).
  expect(launch(dir, plant(join(TMP, "other"), "0".repeat(64), "a bundle of other code\n"))).toEqual(fromSources);
  const own = plant(join(TMP, "own"), codeFingerprint(), "this code's bundle\n");
  expect(launch(dir, own)).toEqual({ code: 3, stdout: "", stderr: "this code's bundle\n" });
  expect(launch(dir, own, { TAKEOFF_BYTECODE: "0" })).toEqual(fromSources);
});

test("only installed packages and the fingerprinted code may be in a bundle", () => {
  expect(covered("src/core/check.ts")).toBe(true);
  expect(covered("node_modules/zod/v4/index.js")).toBe(true);
  expect(covered("src/site/data.ts")).toBe(false);
  expect(covered("src/generated/registry.ts")).toBe(false);
  expect(covered("data/features.yaml")).toBe(false);
  expect(covered("../outside.ts")).toBe(false);
  // The build names its inputs relative to the working folder, wherever that is.
  const cwd = process.cwd();
  try {
    process.chdir(tmpdir());
    expect(covered(relative(tmpdir(), join(REPO, "src/core/check.ts")))).toBe(true);
    expect(covered("src/core/check.ts")).toBe(false);
  } finally {
    process.chdir(cwd);
  }
  expect(existsSync(join(REPO, "src/cli/check.ts"))).toBe(true);
});
