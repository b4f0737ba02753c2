/**
 * Table lint and content policy results remembered per content page: a page whose bytes, lint context
 * (the scope names tables may use) and linter code are unchanged is not parsed again, and when no page
 * changed the Markdown parser (remark, the largest import of a check) is never loaded. One slot per page.
 * Rows are also compared with the records they name: an entry keeps the names its rows looked up and a
 * digest of those records as they were, and counts only while they are the same (lintContent checks),
 * so editing a record re-lints just the pages that name it.
 */
import type { Diagnostic } from "../report/diagnostics.ts";
import { isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";

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

const CODE = [import.meta.url, new URL("../lint/lint-tables.ts", import.meta.url), new URL("../lint/table-source.ts", import.meta.url)];

/** Entries as this cache stores them: diagnostics about this page, each with a place, a rule and a message. */
function validate(value: unknown, rel: string): LintEntry | undefined {
  if (!isRecord(value) || !Array.isArray(value.diagnostics) || !Array.isArray(value.names) || typeof value.records !== "string") return undefined;
  if (!(value.names as unknown[]).every((n) => typeof n === "string")) return undefined;
  for (const d of value.diagnostics as unknown[]) {
    if (!isRecord(d) || d.file !== rel || !isNumber(d.line) || !isNumber(d.col) || typeof d.rule !== "string" || typeof d.message !== "string") return undefined;
    if (d.hint !== undefined && typeof d.hint !== "string") return undefined;
  }
  return value as unknown as LintEntry;
}

export function openLintCache(root: string): LintCache {
  const cache: ContentCache<LintEntry> = openCache(root, { name: "lint", code: CODE, validate });
  return {
    get: (rel, bytes, context) => cache.get(rel, cache.key(rel, JSON.stringify(context), bytes)),
    set: (rel, bytes, context, entry) => cache.set(rel, cache.key(rel, JSON.stringify(context), bytes), entry),
  };
}
