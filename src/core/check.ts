/**
 * `npm run check` as a function: records, generated files, hand-written tables. No bundling. The CLIs
 * (src/cli/check.ts, generate.ts), the site build and the tests all call this, so they agree on what is wrong.
 */
import { isError, sortDiagnostics, type Diagnostic } from "./report/diagnostics.ts";
import { generatedFiles, staleFiles, staleLimits } from "./emit/generated-files.ts";
import { lintContent, type TableLintContext, type TableRecord } from "./lint/lint-tables.ts";
import { fixContent, type FixReport } from "./lint/fix-tables.ts";
import { MASTER_KEYS } from "./schema/columns.ts";
import { KIND_NOUN } from "./schema/kinds.ts";
import { fieldValue } from "./model/records.ts";
import { recordPlace } from "./load/yaml-source.ts";
import { loadModel, type Model, type ModelResult } from "./model/model.ts";
import { openStore, STORE_DIR } from "./cache/store.ts";
import { openLintCache } from "./cache/lint-cache.ts";
import { keepSchemaFacts } from "./cache/schema-facts-cache.ts";
import { proofStage } from "./model/proof.ts";
import { flagProofs } from "./model/cross-check.ts";
import { openFlagCallCache } from "./cache/flag-call-cache.ts";
import { undeclaredFlagCalls } from "./source/flag-calls.ts";

export interface CheckOptions {
  dataDir?: string;
  contentDir?: string;
  /** Skip the comparison with files on disk (generate computes them itself). */
  freshness?: boolean;
  /**
   * Remember parsed data files and page lint results by content (the store, src/core/cache/store.ts),
   * so an edit re-parses and re-lints only the edited file. Off by default.
   */
  cache?: boolean;
}

export interface CheckResult {
  model: Model;
  diagnostics: Diagnostic[];
  /** File text by repository-relative path, for code frames. */
  texts: Map<string, string>;
  ok: boolean;
  generated: Map<string, string> | undefined;
}

export function runCheck(root: string, options: CheckOptions = {}): CheckResult {
  if (options.cache) keepSchemaFacts();
  return checkLoaded(root, loadModel(root, options.dataDir, options.cache ? STORE_DIR : undefined), options);
}

/** The checks that follow loading, for callers that already hold the loaded model (the site). */
export function checkLoaded(root: string, loaded: ModelResult, options: Omit<CheckOptions, "dataDir"> = {}): CheckResult {
  const { model, diagnostics, sources } = loaded;
  const texts = new Map<string, string>([...sources].map(([file, src]) => [file, src.text]));
  const all = [...diagnostics, ...flagProofs(model.records)];
  let generated: Map<string, string> | undefined;
  // Generated files are only meaningful from valid records; comparing them otherwise buries the real error.
  if (!diagnostics.some(isError)) {
    const store = options.cache ? openStore(root) : undefined;
    generated = generatedFiles(model, root, store);
    if (options.freshness !== false) all.push(...staleFiles(root, generated), ...staleLimits(root, model));
    // A feature("…") call in the app naming no declared flag: caught here, in the writer's loop, not only by verify.
    all.push(...undeclaredFlagCalls(root, model, openFlagCallCache(root, options.cache === true)));
    // Evidence is data: named proof files exist, Production ships approved flags, claims follow fresh results.
    all.push(...proofStage(root, model, store));
  }
  const lint = lintContent(root, lintContextOf(loaded), options.contentDir, options.cache ? openLintCache(root) : undefined);
  for (const [file, text] of lint.sources) texts.set(file, text);
  all.push(...lint.diagnostics);
  const sorted = sortDiagnostics(all);
  return { model, diagnostics: sorted, texts, ok: !sorted.some(isError), generated };
}

/** What hand-written tables are checked against: the scope names, and every record's master column values with their places. */
export function tableLintContext(model: Model): TableLintContext {
  const records: TableRecord[] = [];
  for (const entries of Object.values(model.records)) {
    for (const e of entries) {
      const record: TableRecord = { name: e.record.name, noun: KIND_NOUN[e.kind], values: {}, at: {} };
      for (const key of MASTER_KEYS) {
        const value = fieldValue(e, key);
        if (typeof value !== "string" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) continue;
        record.values[key] = value as string | string[];
        const place = recordPlace(e, [key]);
        record.at[key] = `${place.file}:${place.line}`;
      }
      records.push(record);
    }
  }
  return { scopeNames: model.scopeNames, records };
}

/**
 * Tables are compared with records (and cells rewritten from them) only when the records are valid: a
 * wrong record would bury its own error under the table's.
 */
function lintContextOf({ model, diagnostics }: Pick<ModelResult, "model" | "diagnostics">): TableLintContext {
  return diagnostics.some(isError) ? { scopeNames: model.scopeNames } : tableLintContext(model);
}

/** `check --fix`: the table findings with one right answer, fixed in the pages of content/ (fix-tables.ts). */
export function fixTables(root: string, options: Pick<CheckOptions, "dataDir" | "contentDir" | "cache"> = {}): FixReport {
  return fixContent(root, lintContextOf(loadModel(root, options.dataDir, options.cache ? STORE_DIR : undefined)), options.contentDir);
}
