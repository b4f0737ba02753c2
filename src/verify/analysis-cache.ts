/**
 * verify's source analysis in the store: reused while the declared flags (names and owned globs), the
 * entries, the extra roots and the analysing code are the same (its key) and every analysed file reads the
 * same (its deps). Loading the TypeScript parser and parsing ~40 files is the largest fixed cost of a run.
 */
import type { Entry } from "../core/load/load-records.ts";
import { isRecord, isStrings, openStore, type Deps } from "../core/cache/store.ts";
import { sha256 } from "../core/fs/digest-memo.ts";
import { resolveRelative } from "./places.ts";
import type { SourceFacts } from "./source-facts.ts";

export interface AnalysisKey {
  flags: string;
  entries: string[];
  extra: string[];
}

/** Facts exactly as saveAnalysis writes them; anything else is a miss. */
function isFacts(f: unknown): f is SourceFacts {
  if (
    !isRecord(f) ||
    !Array.isArray(f.files) ||
    !f.files.every((x: unknown) => isRecord(x) && typeof x.path === "string" && isStrings(x.imports) && isStrings(x.unresolved))
  )
    return false;
  if (!isRecord(f.callSites) || !Array.isArray(f.callSites.files) || !Array.isArray(f.callSites.sites)) return false;
  return (
    isStrings(f.bundled) &&
    Array.isArray(f.diagnostics) &&
    isRecord(f.references) &&
    isRecord(f.probes) &&
    isRecord(f.probes.transformed) &&
    Array.isArray(f.probes.arms)
  );
}

export function analysisKey(flags: Entry<"features">[], entries: string[], extra: string[]): AnalysisKey {
  const declared = flags.map((f) => [f.record.name, f.record.modules ?? [], f.record.replaces ?? []]);
  return { flags: JSON.stringify(declared), entries, extra };
}

export function loadAnalysis(root: string, key: AnalysisKey): SourceFacts | undefined {
  const store = openStore(root);
  const facts = store.get("verify-analysis", store.key(JSON.stringify(key)), (v) => (isFacts(v) ? v : undefined));
  // An import that pointed nowhere may point at a new file now, which was never analysed.
  return facts?.files.some((f) => f.unresolved.some((spec) => resolveRelative(root, f.path, spec) !== undefined)) ? undefined : facts;
}

export function saveAnalysis(root: string, key: AnalysisKey, facts: SourceFacts, texts: Map<string, string>): void {
  const deps: Deps = {};
  for (const f of facts.files) {
    const text = texts.get(f.path);
    // A file the analysis could not read makes the entry unverifiable: do not store it.
    if (text === undefined) return;
    deps[f.path] = sha256(text);
  }
  const store = openStore(root);
  store.set("verify-analysis", store.key(JSON.stringify(key)), facts, deps);
}
