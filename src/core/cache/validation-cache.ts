/**
 * Schema validation of a data file remembered by content: what validating its records found (the valid
 * records, the names seen, the diagnostics) for these exact bytes and this schema code. Validation is
 * per record and per kind, so an unchanged file validates the same; after an edit only the edited file's
 * kind meets zod (whose first parse of each schema compiles it, most of a cold check's validation time).
 * Cross-record rules always run afresh. One slot per data file, beside the parse cache.
 */
import type { Diagnostic } from "../report/diagnostics.ts";
import { CACHE_ROOT, isNumber, isRecord, openCache } from "./content-cache.ts";

/** What validating one file found: diagnostics in order, names seen, and each valid record by list index. */
export interface ValidatedFile {
  diagnostics: Diagnostic[];
  names: string[];
  records: [index: number, record: unknown][];
}

export interface ValidationCache {
  get(rel: string, kind: string, text: string): ValidatedFile | undefined;
  set(rel: string, kind: string, text: string, validated: ValidatedFile): void;
}

/** Where the loader keeps it, relative to the project root (with the parse cache). */
export const VALIDATION_CACHE_DIR = `${CACHE_ROOT}/validate`;

const CODE = [new URL("../load/load-records.ts", import.meta.url)];

function isValidated(v: unknown, rel: string): v is ValidatedFile {
  if (!isRecord(v) || !Array.isArray(v.diagnostics) || !Array.isArray(v.names) || !Array.isArray(v.records)) return false;
  if (!v.names.every((n) => typeof n === "string")) return false;
  if (!v.diagnostics.every((d: unknown) => isRecord(d) && d.file === rel && isNumber(d.line) && isNumber(d.col) && typeof d.rule === "string" && typeof d.message === "string")) return false;
  return v.records.every((r: unknown) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && (r[0] as number) >= 0 && isRecord(r[1]));
}
const validate = (v: unknown, rel: string): ValidatedFile | undefined => (isValidated(v, rel) ? v : undefined);

/** The validation cache in folder `dir` (absolute); writes stay inside `root` (default: the folder itself). */
export function openValidationCache(dir: string, root = dir): ValidationCache {
  const cache = openCache<ValidatedFile>(root, { name: "validate", code: CODE, validate }, dir);
  return {
    get: (rel, kind, text) => cache.get(rel, cache.key(rel, kind, text)),
    set: (rel, kind, text, validated) => cache.set(rel, cache.key(rel, kind, text), validated),
  };
}
