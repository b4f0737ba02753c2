/**
 * Everything `npm run generate` writes, computed in memory from the model, so `check` can compare it with
 * what is on disk and `generate` can write only what changed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import { withRulesTable } from "../report/rules.ts";
import { readInside } from "../fs/safe-fs.ts";
import { emitJsonSchema, schemaPath } from "./emit-json-schema.ts";
import { emitLimits, LIMITS_PATH } from "./emit-limits.ts";
import { emitRegistry, REGISTRY_PATH } from "./emit-registry.ts";
import { emitPackageJson, PACKAGE_JSON } from "./emit-build-scripts.ts";
import { emitWorkflow, WORKFLOW_PATH } from "./emit-workflow.ts";
import { SCHEMA_DIR } from "../load/load-records.ts";
import type { Model } from "../model/model.ts";
import { KINDS } from "../schema/kinds.ts";
import { readIfExists, writeAtomic } from "../fs/write-atomic.ts";

/**
 * `root`: where files that are merged rather than written whole (package.json, whose build scripts are
 * generated; README.md, whose rule table is) are read from; without it they are left out.
 */
export function generatedFiles(model: Model, root?: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(REGISTRY_PATH, emitRegistry(model));
  files.set(LIMITS_PATH, emitLimits(model));
  for (const kind of KINDS) files.set(schemaPath(kind), emitJsonSchema(kind, model));
  files.set(WORKFLOW_PATH, emitWorkflow(model));
  if (root !== undefined) {
    const pkg = emitPackageJson(model, readIfExists(join(root, PACKAGE_JSON)));
    if (pkg !== undefined) files.set(PACKAGE_JSON, pkg);
    const readme = readmeWithRules(root);
    if (readme !== undefined) files.set(README_PATH, readme);
  }
  return files;
}

export const README_PATH = "README.md";

/** README.md as it stands, its rule table (between the rules markers) generated from the registry; undefined without markers. */
function readmeWithRules(root: string): string | undefined {
  const read = readInside(root, README_PATH, 1024 * 1024);
  return "refusal" in read ? undefined : withRulesTable(read.bytes.toString("utf8"));
}

/** Generated files that differ from disk, plus stray files left in the generated schema folder. */
export function staleFiles(root: string, files: Map<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [path, content] of files) {
    const current = readIfExists(join(root, path));
    if (current === content) continue;
    out.push(diagnostic("stale-generated", fileStart(path), current === undefined ? `${path} is missing` : `${path} is out of date with data/ and src/core/schema`,
      "run `npm run generate` and commit the result"));
  }
  let present: string[] = [];
  try {
    present = readdirSync(join(root, SCHEMA_DIR));
  } catch {}
  for (const name of present) {
    const path = `${SCHEMA_DIR}/${name}`;
    if (!files.has(path) && !name.startsWith(".")) {
      out.push(diagnostic("stale-generated", fileStart(path), `${path} is no longer generated`, `delete ${path}`));
    }
  }
  return out;
}

export function writeGenerated(root: string, files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [path, content] of files) if (writeAtomic(join(root, path), content, root)) written.push(path);
  return written;
}
