/**
 * The validated model every emitter, verifier and page reads. One entry point, `loadModel`, so the CLI,
 * the site and the tests see the same records and the same diagnostics.
 */
import { createHash } from "node:crypto";
import { crossCheck, expandScope } from "./cross-check.ts";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { loadRecords, loadRecordsParallel, type Entry, type LoadResult, type Records } from "./load-records.ts";
import type { YamlSource } from "./yaml-source.ts";

export interface Model {
  records: Records;
  scopeNames: string[];
  /** Scope names a record applies to, "all" expanded. */
  scopesOf(entry: Entry): string[];
  flag(name: string): Entry<"features"> | undefined;
  /** Variants that enable a flag. */
  variantsWith(flag: string): Entry<"variants">[];
}

export interface ModelResult {
  model: Model;
  diagnostics: Diagnostic[];
  sources: Map<string, YamlSource>;
}

export function buildModel(records: Records): Model {
  const scopeNames = records.scopes.map((s) => s.record.name);
  const flags = new Map(records.features.map((f) => [f.record.name, f]));
  return {
    records,
    scopeNames,
    scopesOf: (entry) => expandScope(entry.record.scope, scopeNames),
    flag: (name) => flags.get(name),
    variantsWith: (flag) => records.variants.filter((v) => v.record.features.includes(flag)),
  };
}

function toModelResult(load: LoadResult): ModelResult {
  const diagnostics = sortDiagnostics([...load.diagnostics, ...crossCheck(load)]);
  return { model: buildModel(load.records), diagnostics, sources: load.sources };
}

export function loadModel(root: string, dataDir = "data"): ModelResult {
  return toModelResult(loadRecords(root, dataDir));
}

/** As loadModel; large data sets are parsed on worker threads. */
export async function loadModelParallel(root: string, dataDir = "data"): Promise<ModelResult> {
  return toModelResult(await loadRecordsParallel(root, dataDir));
}

/** Identifies the flag and variant records that bundle results were computed from. */
export function recordsHash(model: Model): string {
  const data = {
    features: model.records.features.map((e) => e.record),
    variants: model.records.variants.map((e) => e.record),
  };
  return createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
}
