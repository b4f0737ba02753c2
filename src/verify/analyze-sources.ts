/**
 * The source analysis, the one step that needs the TypeScript parser: parse everything a variant can
 * bundle (plus the extra roots), apply the source rules, find which flags bundled code tests (and every
 * call site, for the site's code references), and plant the probe markers. Returns the plain-data facts (cacheable) and the parsed graph (for leak sites).
 */
import type { Entry } from "../core/load/load-records.ts";
import { callSitesOf } from "./call-sites.ts";
import { ownedFiles } from "./owned-modules.ts";
import { probeFacts } from "./probe-markers.ts";
import type { SourceFacts } from "./source-facts.ts";
import { loadSourceGraph, type SourceGraph } from "./source-graph.ts";
import { checkSourceRules } from "./source-rules.ts";

export function analyzeSources(
  root: string,
  entries: string[],
  extraRoots: string[],
  flags: Entry<"features">[],
): { facts: SourceFacts; graph: SourceGraph } {
  const graph = loadSourceGraph(root, entries, extraRoots);
  const rules = checkSourceRules({ graph, declared: flags.map((f) => f.record.name), ownedFiles: ownedFiles(graph.files.keys(), flags) });
  const facts: SourceFacts = {
    files: [...graph.files.values()].map((f) => ({
      path: f.path,
      imports: [...new Set(f.imports.flatMap((e) => (e.target ? [e.target] : [])))],
      unresolved: [...new Set(f.imports.filter((e) => !e.target && /^[./]/.test(e.specifier)).map((e) => e.specifier))],
    })),
    bundled: [...graph.bundled].sort(),
    diagnostics: rules.diagnostics,
    references: Object.fromEntries([...rules.references].map(([flag, files]) => [flag, [...files].sort()])),
    callSites: callSitesOf(graph),
    probes: probeFacts(graph),
  };
  return { facts, graph };
}
