/**
 * The source analysis cached by content: reused when every analysed file, the declared flags (names and
 * owned globs), the entries, the extra roots and the analysing code itself are unchanged. Loading the
 * TypeScript parser and parsing ~40 files is the largest fixed cost of a run; a hit skips both. Any doubt
 * (missing, unreadable or foreign file) is a miss.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Entry } from "../core/load/load-records.ts";
import { readIfExists, writeAtomic } from "../core/fs/write-atomic.ts";
import { resolveRelative } from "./places.ts";
import type { SourceFacts } from "./source-facts.ts";

export const ANALYSIS_CACHE = ".cache/verify/analysis.json";

export interface AnalysisKey {
  /** The analysing code and the parser version. */
  impl: string;
  flags: string;
  entries: string[];
  extra: string[];
}

interface Stored {
  key: AnalysisKey;
  /** Every analysed file with the hash of its content. */
  files: Record<string, string>;
  facts: SourceFacts;
}

export const contentHash = (text: string) => `${text.length}-${Bun.hash(text).toString(36)}`;

let implHash: string | undefined;
/** Hash of this folder's sources and the TypeScript version: a new rule or parser invalidates the cache. */
function implementation(): string {
  if (implHash) return implHash;
  const parts: string[] = [];
  for (const f of [...new Bun.Glob("*.ts").scanSync({ cwd: import.meta.dir })].sort()) parts.push(f, readFileSync(join(import.meta.dir, f), "utf8"));
  // The cached diagnostics carry the rule registry's hints and severities.
  parts.push("rules.ts", readFileSync(join(import.meta.dir, "../core/report/rules.ts"), "utf8"));
  try {
    parts.push(readFileSync(Bun.resolveSync("typescript/package.json", import.meta.dir), "utf8"));
  } catch {
    parts.push("typescript?");
  }
  return (implHash = contentHash(parts.join("\u0000")));
}

export function analysisKey(flags: Entry<"features">[], entries: string[], extra: string[]): AnalysisKey {
  const declared = flags.map((f) => [f.record.name, f.record.modules ?? [], f.record.replaces ?? []]);
  return { impl: implementation(), flags: JSON.stringify(declared), entries, extra };
}

export function loadAnalysis(root: string, key: AnalysisKey): SourceFacts | undefined {
  const text = readIfExists(join(root, ANALYSIS_CACHE));
  if (text === undefined) return undefined;
  try {
    const stored = JSON.parse(text) as Stored;
    if (JSON.stringify(stored.key) !== JSON.stringify(key)) return undefined;
    for (const [path, hash] of Object.entries(stored.files)) {
      const current = readIfExists(join(root, path));
      if (current === undefined || contentHash(current) !== hash) return undefined;
    }
    // An import that pointed nowhere may point at a new file now, which was never analysed.
    for (const f of stored.facts.files) if (f.unresolved.some((spec) => resolveRelative(root, f.path, spec) !== undefined)) return undefined;
    return stored.facts;
  } catch {
    return undefined;
  }
}

export function saveAnalysis(root: string, key: AnalysisKey, facts: SourceFacts, texts: Map<string, string>): void {
  const files: Record<string, string> = {};
  for (const f of facts.files) {
    const text = texts.get(f.path);
    // A file the analysis could not read makes the entry unverifiable: do not cache it.
    if (text === undefined) return;
    files[f.path] = contentHash(text);
  }
  const stored: Stored = { key, files, facts };
  writeAtomic(join(root, ANALYSIS_CACHE), `${JSON.stringify(stored)}\n`, root);
}
