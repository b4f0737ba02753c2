/** Temporary project trees for CLI tests: the base fixture, generated once, plus a case's overlay files. */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(import.meta.dir, "../..");
export const BUN = process.execPath;
const BASE = join(REPO, "test/fixtures/base");

/** Environment for child runs: no inherited Bun options or CI annotations unless a test asks. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_OPTIONS" && k !== "GITHUB_ACTIONS") env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, cwd: string, args: string[] = [], env: Record<string, string> = {}): Run {
  const p = Bun.spawnSync([BUN, join(REPO, "scripts", script), ...args], { cwd, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  return { exitCode: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** A fresh copy of the base fixture with its generated files written, then `overlay` copied on top. */
export function makeProject(overlay?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-"));
  cpSync(BASE, dir, { recursive: true });
  const gen = runScript("generate.ts", dir);
  if (gen.exitCode !== 0) throw new Error(`base fixture does not generate:\n${gen.stderr}`);
  if (overlay && existsSync(overlay)) {
    for (const name of readdirSync(overlay)) {
      // package.json and .github/ hold generated parts too: a case may overlay a hand-edited copy.
      if (["data", "content", "src", "package.json", ".github"].includes(name)) cpSync(join(overlay, name), join(dir, name), { recursive: true, force: true });
    }
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
