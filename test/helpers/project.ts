/**
 * The one fixture builder of the tests: throwaway project trees and ways to run the commands in them.
 *
 * - makeProject(overlay?): the check fixture (test/fixtures/base) with its generated files written, then a
 *   case's data/, content/, src/, package.json and .github/ on top. The base is generated once per test
 *   process (in this process) and copied for each project.
 * - fixtureProject(case?): the verify fixture application (test/fixtures/verify/base), then a case's files.
 * - runMain(command, cwd, args, env): a command's `main` in this process with its output captured: the
 *   default, because a child process adds nothing but start-up time.
 * - runScript(script, cwd, args, env): the real bin in a child process, for tests where the process boundary
 *   is the point (pipes draining, exit codes of the process, signals, hangs).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "../../src/cli/io.ts";

export const REPO = join(import.meta.dir, "../..");
export const BUN = process.execPath;
const BASE = join(REPO, "test/fixtures/base");
export const VERIFY_FIXTURES = join(REPO, "test/fixtures/verify");

/** Environment for runs: no inherited Bun options or CI annotations unless a test asks. */
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

/** The bin scripts/<script> in a child process. */
export function runScript(script: string, cwd: string, args: string[] = [], env: Record<string, string> = {}): Run {
  const p = Bun.spawnSync([BUN, join(REPO, "scripts", script), ...args], { cwd, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  return { exitCode: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

export type Command = "check" | "generate" | "verify" | "prove" | "diff" | "build-site" | "serve" | "check-links" | "start";

/**
 * src/cli/<command>.ts's `main` in this process, output captured: the sources, never the bytecode bundle,
 * which is the bin's business (test/cli/bytecode.test.ts).
 */
export async function runMain(command: Command, cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const { main } = (await import(`../../src/cli/${command}.ts`)) as {
    main: (argv: string[], io: ReturnType<typeof memoryIo>) => Promise<number>;
  };
  const io = memoryIo({ cwd, env: cleanEnv(env) });
  const exitCode = await main(args, io);
  return { exitCode, stdout: io.out, stderr: io.err };
}

let generatedBase: string | undefined;

/** test/fixtures/base with its generated files written (what `generate` does): made once per process, removed at exit. */
function baseProject(): string {
  if (generatedBase) return generatedBase;
  const dir = mkdtempSync(join(tmpdir(), "takeoff-base-"));
  cpSync(BASE, dir, { recursive: true });
  // Loaded here, not at the top: tests that only need REPO do not pay for the checker.
  const { runCheck } = require("../../src/core/check.ts") as typeof import("../../src/core/check.ts");
  const { writeGenerated } = require("../../src/core/emit/generated-files.ts") as typeof import("../../src/core/emit/generated-files.ts");
  const result = runCheck(dir, { freshness: false });
  if (!result.ok || !result.generated)
    throw new Error(
      `base fixture does not generate:\n${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`).join("\n")}`,
    );
  writeGenerated(dir, result.generated);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return (generatedBase = dir);
}

/** Names a check case may overlay: package.json and .github/ hold generated parts too (a hand-edited copy). */
const OVERLAID = ["data", "content", "src", "package.json", ".github"];

/** A fresh copy of the base fixture with its generated files written, then `overlay` copied on top. */
export function makeProject(overlay?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-"));
  cpSync(baseProject(), dir, { recursive: true });
  if (overlay && existsSync(overlay)) {
    for (const name of readdirSync(overlay)) {
      if (OVERLAID.includes(name)) cpSync(join(overlay, name), join(dir, name), { recursive: true, force: true });
    }
  }
  return dir;
}

/** A fresh copy of the verify fixture application, then case `caseName`'s files on top. */
export function fixtureProject(caseName?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-verify-"));
  cpSync(join(VERIFY_FIXTURES, "base"), dir, { recursive: true });
  if (caseName) {
    const overlay = join(VERIFY_FIXTURES, caseName);
    if (!existsSync(overlay)) throw new Error(`no fixture case ${caseName}`);
    cpSync(overlay, dir, { recursive: true, force: true });
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
