/**
 * Verify step 3, analyse sources: from the cache when nothing they depend on changed, else parsed now
 * (the builds started by step 2 run while the parser loads). Reports the source rules, stale and expired
 * flags, and owned globs that match nothing.
 */
import { analysisKey, loadAnalysis } from "../analysis-cache.ts";
import { flagRules } from "../flag-rules.ts";
import { unmatchedGlobs } from "../owned-modules.ts";
import { globFiles } from "../places.ts";
import type { SourceFacts } from "../source-facts.ts";
import type { SourceGraph } from "../source-graph.ts";
import type { Analysed, Building } from "./context.ts";

export async function analyseSources(ctx: Building): Promise<Analysed> {
  ctx.startPhase();
  const entries = [...new Set(ctx.variants.map((v) => v.record.entry))];
  const extra = globFiles(ctx.root, ctx.extraSources);
  const key = analysisKey(ctx.flags, entries, extra);
  const cachedFacts = ctx.cache ? loadAnalysis(ctx.root, key) : undefined;
  let facts: SourceFacts;
  let graph: SourceGraph | undefined;
  if (cachedFacts) facts = cachedFacts;
  else ({ facts, graph } = await parseSources(ctx, entries, extra));
  const analysed = Object.assign(ctx, { entries, extra, analysisKey: key, facts, cachedAnalysis: cachedFacts !== undefined, graph });
  ctx.diagnostics.push(...facts.diagnostics);
  if (ctx.missingEntries.length === 0) ctx.diagnostics.push(...flagRules(ctx.flags, facts.references, ctx.today), ...unmatchedGlobs(facts.bundled, ctx.flags));
  return analysed;
}

/** The syntax tree, for a step that needs it when the facts came from the cache (locating a leak). */
export async function sourceGraph(ctx: Analysed): Promise<SourceGraph> {
  ctx.graph ??= (await parseSources(ctx, ctx.entries, ctx.extra)).graph;
  return ctx.graph;
}

/** Parses the sources, loading the TypeScript parser on first use; the parsed texts serve code frames. */
async function parseSources(ctx: Building, entries: string[], extra: string[]): Promise<{ facts: SourceFacts; graph: SourceGraph }> {
  const { analyzeSources } = await import("../analyze-sources.ts");
  const analysed = analyzeSources(ctx.root, entries, extra, ctx.flags);
  for (const [file, text] of analysed.graph.texts) ctx.texts.set(file, text);
  return analysed;
}
