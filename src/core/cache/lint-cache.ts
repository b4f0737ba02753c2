/**
 * Each content page's entry in the store: its table lint and content policy results, for its bytes, the
 * lint context (the scope names tables may use) and the linter's code. When no page changed, the Markdown
 * parser (remark, the largest import of a check) is never loaded. An entry also keeps the record names its
 * rows looked up and a digest of those records, and counts only while they are the same (lintContent
 * checks), so editing a record re-lints just the pages that name it.
 */
import type { Diagnostic } from "../report/diagnostics.ts";
import { isDiagnosticOf, isRecord, isStrings, openStore } from "./store.ts";

export interface LintEntry {
  diagnostics: Diagnostic[];
  /** Record names the page's rows looked up, found or not. */
  names: string[];
  /** Digest of the records those names found when the page was linted. */
  records: string;
}

export interface LintCache {
  get(rel: string, bytes: Uint8Array, context: unknown): LintEntry | undefined;
  set(rel: string, bytes: Uint8Array, context: unknown, entry: LintEntry): void;
}

export function openLintCache(root: string): LintCache {
  const store = openStore(root);
  const key = (rel: string, bytes: Uint8Array, context: unknown) => store.key(rel, JSON.stringify(context), bytes);
  const valid = (rel: string) => (v: unknown) =>
    isRecord(v) &&
    Array.isArray(v.diagnostics) &&
    v.diagnostics.every(isDiagnosticOf(rel)) &&
    isStrings(v.names) &&
    typeof v.records === "string"
      ? (v as unknown as LintEntry)
      : undefined;
  return {
    get: (rel, bytes, context) => store.get(`lint:${rel}`, key(rel, bytes, context), valid(rel)),
    set: (rel, bytes, context, entry) => store.set(`lint:${rel}`, key(rel, bytes, context), entry),
  };
}
