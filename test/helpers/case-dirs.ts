/** Fresh empty folders for the cases of one test file, all under one temporary folder removed after the file. */
import { afterAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function caseDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => {
    const dir = join(root, `case-${++n}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
}
