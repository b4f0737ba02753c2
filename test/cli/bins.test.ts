/**
 * The bins in scripts/ as processes, where the process boundary is the point: exit codes reach the shell,
 * output survives a reader that goes away (EPIPE), and the check bin's bytecode bundle (src/cli/bundle.ts)
 * answers exactly like the sources and is rebuilt when an input changes. Everything else about the commands
 * runs in-process (test/cli/commands.test.ts, check-fixtures.test.ts).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, bundleDir, freshBundle, loadBundled } from "../../src/cli/bundle.ts";
import { BUN, cleanEnv, makeProject, removeProject, REPO, runMain, runScript } from "../helpers/project.ts";

// Processes and builds on a loaded 2-core machine: seconds, not the default 5.
setDefaultTimeout(60_000);

const TMP = mkdtempSync(join(tmpdir(), "takeoff-bins-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("bins", () => {
  test("each bin passes its command's exit code to the process: usage error 2", () => {
    for (const bin of ["check", "generate", "verify", "build-site", "serve", "check-links", "start"]) {
      const r = runScript(`${bin}.ts`, TMP, ["--frobnicate"]);
      expect({ bin, ...r }).toEqual({ bin, exitCode: 2, stdout: "", stderr: 'unknown option "--frobnicate"\n' });
    }
  });

  test("check: exit 0 clean, 1 on an error, and the bundled checker prints what the sources print", async () => {
    const dir = makeProject();
    try {
      expect(runScript("check.ts", dir, ["--no-cache"]).exitCode).toBe(0);
      const features = join(dir, "data/features.yaml");
      writeFileSync(features, readFileSync(features, "utf8").replace("tier: Internal", "tier: Gold"));
      const bundled = runScript("check.ts", dir, ["--no-cache"]);
      expect(bundled.exitCode).toBe(1);
      expect(bundled.stderr).toContain("invalid-enum");
      const sources = runScript("check.ts", dir, ["--no-cache"], { TAKEOFF_BUNDLE: "0" });
      const inProcess = await runMain("check", dir, ["--no-cache"]);
      expect(bundled).toEqual(sources);
      expect(inProcess).toEqual(sources);
    } finally {
      removeProject(dir);
    }
  });

  test("a reader that goes away (check | head) ends the output quietly; the exit code stays the command's", async () => {
    const dir = makeProject();
    try {
      const parts: string[] = [];
      for (let i = 0; i < 2_000; i++) parts.push(`\n- name: BAD_${i}\n  type: Release\n  category: Core\n  domain: Platform\n  scope: [Enterprise]\n  tier: Free\n  impact: Low\n  status: Planned\n  approval: Pending\n  description: x\n  owner: Nobody ${i}\n  introduced: "2026-01-01"\n`);
      writeFileSync(join(dir, "data/features.yaml"), readFileSync(join(dir, "data/features.yaml"), "utf8") + parts.join(""));
      const p = Bun.spawn([BUN, join(REPO, "scripts/check.ts"), "--no-cache", "--format", "json"], { cwd: dir, env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
      const reader = p.stdout.getReader();
      await reader.read(); // the first chunk, then hang up
      await reader.cancel();
      const [code, stderr] = await Promise.all([p.exited, new Response(p.stderr).text()]);
      expect(stderr).toBe("");
      expect(code).toBe(1);
    } finally {
      removeProject(dir);
    }
  }, 60_000);
});

describe("the checker's bundle", () => {
  // Inside the code's node_modules, as real bundles are (their manifest may only be written there).
  const dir = join(bundleDir("check"), "..", `test-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is fresh until one of its inputs changes, then rebuilt; it keeps each module's own URL", async () => {
    const src = join(TMP, "bundle-src");
    mkdirSync(src, { recursive: true });
    const entry = join(src, "entry.ts");
    const dep = join(src, "dep.ts");
    writeFileSync(entry, 'import { value } from "./dep.ts";\nexport const answer = () => `${value} ${import.meta.url}`;\n');
    writeFileSync(dep, "export const value = 1;\n");
    const old = new Date(Date.now() - 10_000);
    utimesSync(entry, old, old);
    utimesSync(dep, old, old);
    expect(freshBundle(dir, entry)).toBeUndefined();
    const file = await buildBundle(dir, entry);
    expect(freshBundle(dir, entry)).toBe(file);
    expect((require(file) as { answer: () => string }).answer()).toBe(`1 file://${entry}`);
    // An edit to an import makes it stale; the next build has the new value.
    writeFileSync(dep, "export const value = 2;\n");
    utimesSync(dep, old, new Date(Date.now() - 5_000));
    expect(freshBundle(dir, entry)).toBeUndefined();
    const again = await buildBundle(dir, entry);
    expect(again).not.toBe(file);
    expect((require(again) as { answer: () => string }).answer()).toBe(`2 file://${entry}`);
  });

  test("an input edited during the build is never recorded as fresh", async () => {
    const entry = join(TMP, "bundle-src", "young.ts");
    writeFileSync(entry, "export const young = true;\n");
    await expect(buildBundle(dir, entry)).rejects.toThrow("changed during the build");
    expect(freshBundle(dir, entry)).toBeUndefined();
  });

  test("TAKEOFF_BUNDLE=0 or a failing build loads the sources", async () => {
    const fromSource = async () => ({ source: true });
    expect(await loadBundled("x", new URL(`file://${join(TMP, "missing.ts")}`), fromSource, {})).toEqual({ source: true });
    expect(await loadBundled("check", new URL("../../src/core/check.ts", import.meta.url), fromSource, { TAKEOFF_BUNDLE: "0" })).toEqual({ source: true });
  });
});
