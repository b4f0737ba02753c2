/**
 * Everything `npm run generate` writes, computed in memory from the model, so `check` can compare it with
 * what is on disk and `generate` can write only what changed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../report/diagnostics.ts";
import { emitJsonSchema, schemaPath } from "./emit-json-schema.ts";
import { emitRegistry, REGISTRY_PATH } from "./emit-registry.ts";
import { SCHEMA_DIR } from "../load/load-records.ts";
import type { Model } from "../model/model.ts";
import { KINDS } from "../schema/kinds.ts";
import { readIfExists, writeAtomic } from "../fs/write-atomic.ts";

export function generatedFiles(model: Model): Map<string, string> {
  const files = new Map<string, string>();
  files.set(REGISTRY_PATH, emitRegistry(model));
  for (const kind of KINDS) files.set(schemaPath(kind), emitJsonSchema(kind, model));
  return files;
}

/** Generated files that differ from disk, plus stray files left in the generated schema folder. */
export function staleFiles(root: string, files: Map<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [path, content] of files) {
    const current = readIfExists(join(root, path));
    if (current === content) continue;
    out.push({
      file: path, line: 1, col: 1, rule: "stale-generated",
      message: current === undefined ? `${path} is missing` : `${path} is out of date with data/ and src/core/schema`,
      hint: "run `npm run generate` and commit the result",
    });
  }
  let present: string[] = [];
  try {
    present = readdirSync(join(root, SCHEMA_DIR));
  } catch {}
  for (const name of present) {
    const path = `${SCHEMA_DIR}/${name}`;
    if (!files.has(path) && !name.startsWith(".")) {
      out.push({ file: path, line: 1, col: 1, rule: "stale-generated", message: `${path} is no longer generated`, hint: `delete ${path}` });
    }
  }
  return out;
}

export function writeGenerated(root: string, files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [path, content] of files) if (writeAtomic(join(root, path), content, root)) written.push(path);
  return written;
}
