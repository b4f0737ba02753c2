/** Throwaway copies of the verify fixture application: the base app, then one case's files on top. */
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(import.meta.dir, "../..");
export const FIXTURES = join(REPO, "test/fixtures/verify");

export function fixtureProject(caseName?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-verify-"));
  cpSync(join(FIXTURES, "base"), dir, { recursive: true });
  if (caseName) {
    const overlay = join(FIXTURES, caseName);
    if (!existsSync(overlay)) throw new Error(`no fixture case ${caseName}`);
    cpSync(overlay, dir, { recursive: true, force: true });
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
