/**
 * `npm run check` as a function: records, generated files, hand-written tables. No bundling. The CLIs
 * (src/cli/check.ts, generate.ts), the site build and the tests all call this, so they agree on what is wrong.
 */
import { isError, sortDiagnostics, type Diagnostic } from "./report/diagnostics.ts";
import { generatedFiles, staleFiles, staleLimits } from "./emit/generated-files.ts";
import { lintContent } from "./lint/lint-tables.ts";
import { loadModel, type Model, type ModelResult } from "./model/model.ts";
import { PARSE_CACHE_DIR } from "./cache/parse-cache.ts";
import { openLintCache } from "./cache/lint-cache.ts";
import { proofStage } from "./model/proof.ts";
import { openFlagCallCache } from "./cache/flag-call-cache.ts";
import { undeclaredFlagCalls } from "./source/flag-calls.ts";

export interface CheckOptions {
  dataDir?: string;
  contentDir?: string;
  /** Skip the comparison with files on disk (generate computes them itself). */
  freshness?: boolean;
  /**
   * Remember parsed data files and page lint results by content (node_modules/.cache/takeoff/{parse,lint}),
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
  return checkLoaded(root, loadModel(root, options.dataDir, options.cache ? PARSE_CACHE_DIR : undefined), options);
}

/** The checks that follow loading, for callers that already hold the loaded model (the site). */
export function checkLoaded(root: string, loaded: ModelResult, options: Omit<CheckOptions, "dataDir"> = {}): CheckResult {
  const { model, diagnostics, sources } = loaded;
  const texts = new Map<string, string>([...sources].map(([file, src]) => [file, src.text]));
  const all = [...diagnostics];
  let generated: Map<string, string> | undefined;
  // Generated files are only meaningful from valid records; comparing them otherwise buries the real error.
  if (!diagnostics.some(isError)) {
    generated = generatedFiles(model, root);
    if (options.freshness !== false) all.push(...staleFiles(root, generated), ...staleLimits(root, model));
    // A feature("…") call in the app naming no declared flag: caught here, in the writer's loop, not only by verify.
    all.push(...undeclaredFlagCalls(root, model, openFlagCallCache(root, options.cache === true)));
    // Evidence is data: named proof files exist, Production ships approved flags, claims follow fresh results.
    all.push(...proofStage(root, model));
  }
  const lint = lintContent(root, { scopeNames: model.scopeNames }, options.contentDir, options.cache ? openLintCache(root) : undefined);
  for (const [file, text] of lint.sources) texts.set(file, text);
  all.push(...lint.diagnostics);
  const sorted = sortDiagnostics(all);
  return { model, diagnostics: sorted, texts, ok: !sorted.some(isError), generated };
}
