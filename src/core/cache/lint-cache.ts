/**
 * Table lint and content policy results remembered per content page: a page whose bytes, lint context
 * (the scope names tables may use) and linter code are unchanged is not parsed again, and when no page
 * changed the Markdown parser (remark, the largest import of a check) is never loaded. One slot per page.
 */
import type { Diagnostic } from "../report/diagnostics.ts";
import { hashContent, isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";

export interface LintCache {
  get(rel: string, bytes: Uint8Array, context: unknown): Diagnostic[] | undefined;
  set(rel: string, bytes: Uint8Array, context: unknown, diagnostics: Diagnostic[]): void;
}

const CODE = [import.meta.url, new URL("../lint/lint-tables.ts", import.meta.url), new URL("../lint/table-source.ts", import.meta.url)];

/** Diagnostics as this cache stores them: about this page, each with a place, a rule and a message. */
function validate(value: unknown, rel: string): Diagnostic[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const d of value as unknown[]) {
    if (!isRecord(d) || d.file !== rel || !isNumber(d.line) || !isNumber(d.col) || typeof d.rule !== "string" || typeof d.message !== "string") return undefined;
    if (d.hint !== undefined && typeof d.hint !== "string") return undefined;
  }
  return value as Diagnostic[];
}

export function openLintCache(root: string): LintCache {
  const cache: ContentCache<Diagnostic[]> = openCache(root, { name: "lint", code: CODE, validate });
  // The context holds every record's master values: hashed once per check, not once per page.
  const digests = new WeakMap<object, string>();
  const digest = (context: unknown): string => {
    if (typeof context !== "object" || context === null) return JSON.stringify(context);
    let d = digests.get(context);
    if (d === undefined) digests.set(context, (d = hashContent(JSON.stringify(context))));
    return d;
  };
  return {
    get: (rel, bytes, context) => cache.get(rel, cache.key(rel, digest(context), bytes)),
    set: (rel, bytes, context, diagnostics) => cache.set(rel, cache.key(rel, digest(context), bytes), diagnostics),
  };
}
