/**
 * The validated model every emitter, verifier and page reads. One entry point, `loadModel`, so the CLI,
 * the site and the tests see the same records and the same diagnostics.
 */
import { crossCheck, expandScope } from "./cross-check.ts";
import { sortDiagnostics, type Diagnostic } from "../report/diagnostics.ts";
import { loadRecords } from "../load/load-records.ts";
import type { Entry, Records } from "./records.ts";

export type { Entry, Located, Records } from "./records.ts";
import type { YamlSource } from "../load/yaml-source.ts";

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

export function loadModel(root: string, dataDir = "data", storeDir?: string): ModelResult {
  const load = loadRecords(root, dataDir, storeDir);
  const diagnostics = sortDiagnostics([...load.diagnostics, ...crossCheck(load)]);
  return { model: buildModel(load.records), diagnostics, sources: load.sources };
}

/** Identifies the flag and variant records that bundle results were computed from. */
export function recordsHash(model: Model): string {
  const data = {
    features: model.records.features.map((e) => e.record),
    variants: model.records.variants.map((e) => e.record),
  };
  // Bun's hasher: loading node:crypto would cost a check more than all its hashing.
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
}
