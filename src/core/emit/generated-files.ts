/**
 * Everything `npm run generate` writes, computed in memory from the model, so `check` can compare it with
 * what is on disk and `generate` can write only what changed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import { withRulesTable } from "../report/rules.ts";
import { readInside } from "../fs/safe-fs.ts";
import { emitEnabledFeatures, ENABLED_FEATURES_PATH } from "./emit-enabled-features.ts";
import { emitJsonSchema, schemaPath } from "./emit-json-schema.ts";
import { emitLimits, limitConstants, LIMITS_PATH, numberLiteral } from "./emit-limits.ts";
import { recordPlace } from "../load/yaml-source.ts";
import { emitRegistry, REGISTRY_PATH } from "./emit-registry.ts";
import { emitPackageJson, PACKAGE_JSON } from "./emit-build-scripts.ts";
import { emitWorkflow, WORKFLOW_PATH } from "./emit-workflow.ts";
import { SCHEMA_DIR } from "../load/load-records.ts";
import type { Model } from "../model/model.ts";
import type { Store } from "../cache/store.ts";
import { projectView } from "../model/record-view.ts";
import { KINDS } from "../schema/kinds.ts";
import { readIfExists, writeAtomic } from "../fs/write-atomic.ts";

/**
 * `root`: where files that are merged rather than written whole (package.json, whose build scripts are
 * generated; README.md, whose rule table is) are read from; without it they are left out. `store`: where
 * the workflow is remembered by the build view it is emitted from.
 */
export function generatedFiles(model: Model, root?: string, store?: Store): Map<string, string> {
  const files = new Map<string, string>();
  files.set(REGISTRY_PATH, emitRegistry(model));
  files.set(LIMITS_PATH, emitLimits(model));
  files.set(ENABLED_FEATURES_PATH, emitEnabledFeatures(model));
  for (const kind of KINDS) files.set(schemaPath(kind), emitJsonSchema(kind, model));
  const build = projectView(model, "build");
  // Emitted through yaml's document API, the slowest of them; the emitter takes the build view only, so the
  // view's values are all it can depend on.
  const key = store?.key("workflow", JSON.stringify(build));
  let workflow = key === undefined ? undefined : store!.get("workflow", key, (v) => (typeof v === "string" ? v : undefined));
  if (workflow === undefined) {
    workflow = emitWorkflow(build);
    if (key !== undefined) store!.set("workflow", key, workflow);
  }
  files.set(WORKFLOW_PATH, workflow);
  if (root !== undefined) {
    const pkg = emitPackageJson(build, readIfExists(join(root, PACKAGE_JSON)));
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
    out.push(
      diagnostic(
        "stale-generated",
        fileStart(path),
        current === undefined ? `${path} is missing` : `${path} is out of date with data/ and src/core/schema`,
        "run `npm run generate` and commit the result",
      ),
    );
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

/**
 * Each limit whose number in the records is not the one in the generated module, at the number in the record:
 * the application reads the module, so until `npm run generate` runs it enforces the old number.
 */
export function staleLimits(root: string, model: Model): Diagnostic[] {
  const current = readIfExists(join(root, LIMITS_PATH));
  if (current === undefined) return []; // "is missing" says it
  const onDisk = new Map([...current.matchAll(/^export const ([A-Z0-9_]+) = ([^;\n]+);$/gm)].map((m) => [m[1]!, m[2]!]));
  return limitConstants(model).flatMap(({ entry, limit, id }) => {
    const now = numberLiteral(limit.value);
    const was = onDisk.get(id);
    if (was === now) return [];
    const at = recordPlace(entry, ["limits", (entry.record.limits ?? []).indexOf(limit), "value"]);
    const what = `${limit.name} of ${entry.record.name} is ${now} here`;
    const message =
      was === undefined
        ? `${what}, but ${LIMITS_PATH} has no ${id} yet: the application cannot read it`
        : `${what}, but ${LIMITS_PATH} still says ${was} (${id}): the application enforces the old number`;
    return [diagnostic("stale-generated", at, message, "run `npm run generate` and commit the result")];
  });
}

export function writeGenerated(root: string, files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [path, content] of files) if (writeAtomic(join(root, path), content, root)) written.push(path);
  return written;
}
