/**
 * The bins in scripts/ as processes, where the process boundary is the point: exit codes reach the shell,
 * output survives a reader that goes away (EPIPE), and the check bin answers exactly like the command run
 * in-process. Everything else about the commands runs in-process (test/cli/commands.test.ts, check-fixtures.test.ts).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  test("check: exit 0 clean, 1 on an error, and the bin prints what the command prints in-process", async () => {
    const dir = makeProject();
    try {
      expect(runScript("check.ts", dir, ["--no-cache"]).exitCode).toBe(0);
      const features = join(dir, "data/features.yaml");
      writeFileSync(features, readFileSync(features, "utf8").replace("tier: Internal", "tier: Gold"));
      const bin = runScript("check.ts", dir, ["--no-cache"]);
      expect(bin.exitCode).toBe(1);
      expect(bin.stderr).toContain("invalid-enum");
      const inProcess = await runMain("check", dir, ["--no-cache"]);
      expect(inProcess).toEqual(bin);
    } finally {
      removeProject(dir);
    }
  });

  test("a reader that goes away (check | head) ends the output quietly; the exit code stays the command's", async () => {
    const dir = makeProject();
    try {
      const parts: string[] = [];
      for (let i = 0; i < 2_000; i++)
        parts.push(
          `\n- name: BAD_${i}\n  type: Release\n  category: Core\n  domain: Platform\n  scope: [Enterprise]\n  tier: Free\n  impact: Low\n  status: Planned\n  approval: Pending\n  description: x\n  owner: Nobody ${i}\n  introduced: "2026-01-01"\n`,
        );
      writeFileSync(join(dir, "data/features.yaml"), readFileSync(join(dir, "data/features.yaml"), "utf8") + parts.join(""));
      const p = Bun.spawn([BUN, join(REPO, "scripts/check.ts"), "--no-cache", "--format", "json"], {
        cwd: dir,
        env: cleanEnv(),
        stdout: "pipe",
        stderr: "pipe",
      });
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
