/**
 * The source analysis cached by content: reused when every analysed file, the declared flags (names and
 * owned globs), the entries, the extra roots and the analysing code itself are unchanged. Loading the
 * TypeScript parser and parsing ~40 files is the largest fixed cost of a run; a hit skips both. Any doubt
 * (missing, unreadable or foreign file) is a miss.
 */
import { join } from "node:path";
import type { Entry } from "../core/load/load-records.ts";
import { readIfExists } from "../core/fs/write-atomic.ts";
import { hashContent, isRecord, openCache } from "../core/cache/content-cache.ts";
import { resolveRelative } from "./places.ts";
import type { SourceFacts } from "./source-facts.ts";

/** The analyser and everything it imports (rules, the TypeScript parser's version): the content cache's code fingerprint. */
const CODE = [new URL("./analyze-sources.ts", import.meta.url), new URL("./call-sites.ts", import.meta.url), import.meta.url];

export interface AnalysisKey {
  flags: string;
  entries: string[];
  extra: string[];
}

interface Stored {
  /** Every analysed file with the hash of its content. */
  files: Record<string, string>;
  facts: SourceFacts;
}

/** sha256 of a file's text: the content cache's one hash. */
export const contentHash = (text: string) => hashContent(text);

const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
/** An entry exactly as saveAnalysis writes it; anything else is a miss. */
function isStored(v: unknown): v is Stored {
  if (!isRecord(v) || !isRecord(v.files) || !Object.values(v.files).every((h) => typeof h === "string") || !isRecord(v.facts)) return false;
  const f = v.facts;
  if (!Array.isArray(f.files) || !f.files.every((x: unknown) => isRecord(x) && typeof x.path === "string" && strings(x.imports) && strings(x.unresolved))) return false;
  if (!isRecord(f.callSites) || !Array.isArray(f.callSites.files) || !Array.isArray(f.callSites.sites)) return false;
  return strings(f.bundled) && Array.isArray(f.diagnostics) && isRecord(f.references) && isRecord(f.probes) && isRecord(f.probes.transformed) && Array.isArray(f.probes.arms);
}
const validate = (v: unknown): Stored | undefined => (isStored(v) ? v : undefined);

const analysisCache = (root: string) => openCache<Stored>(root, { name: "verify-analysis", code: CODE, validate });

export function analysisKey(flags: Entry<"features">[], entries: string[], extra: string[]): AnalysisKey {
  const declared = flags.map((f) => [f.record.name, f.record.modules ?? [], f.record.replaces ?? []]);
  return { flags: JSON.stringify(declared), entries, extra };
}

export function loadAnalysis(root: string, key: AnalysisKey): SourceFacts | undefined {
  const cache = analysisCache(root);
  const stored = cache.get("analysis", cache.key(JSON.stringify(key)));
  if (!stored) return undefined;
  for (const [path, hash] of Object.entries(stored.files)) {
    const current = readIfExists(join(root, path));
    if (current === undefined || contentHash(current) !== hash) return undefined;
  }
  // An import that pointed nowhere may point at a new file now, which was never analysed.
  for (const f of stored.facts.files) if (f.unresolved.some((spec) => resolveRelative(root, f.path, spec) !== undefined)) return undefined;
  return stored.facts;
}

export function saveAnalysis(root: string, key: AnalysisKey, facts: SourceFacts, texts: Map<string, string>): void {
  const files: Record<string, string> = {};
  for (const f of facts.files) {
    const text = texts.get(f.path);
    // A file the analysis could not read makes the entry unverifiable: do not cache it.
    if (text === undefined) return;
    files[f.path] = contentHash(text);
  }
  const cache = analysisCache(root);
  cache.set("analysis", cache.key(JSON.stringify(key)), { files, facts });
}
