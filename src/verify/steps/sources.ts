/**
 * Verify step 3, analyse sources: from the analysis store when nothing they depend on changed, else parsed
 * now (the builds started by step 2 run while the parser loads). Reports the source rules, stale and expired
 * flags, and owned globs that match nothing.
 */
import { analysisKey } from "../analysis-cache.ts";
import type { Entry } from "../../core/load/load-records.ts";
import { flagRules } from "../flag-rules.ts";
import { unmatchedGlobs } from "../owned-modules.ts";
import { globFiles } from "../places.ts";
import type { SourceFacts } from "../source-facts.ts";
import type { SourceGraph } from "../source-graph.ts";
import type { Analysis, Building, Found, VerifyContext } from "./context.ts";
import type { VerifyTools } from "./tools.ts";

export async function analyseSources(
  ctx: Pick<Building, "root" | "today" | "extraSources" | "variants" | "flags" | "missingEntries" | "startPhase">,
  tools: Pick<VerifyTools, "analysis">,
): Promise<Analysis & Found> {
  ctx.startPhase();
  const entries = [...new Set(ctx.variants.map((v) => v.record.entry))];
  const extra = globFiles(ctx.root, [...ctx.extraSources]);
  const key = analysisKey(ctx.flags, entries, extra);
  const cachedFacts = tools.analysis.load(key);
  const parsed = cachedFacts ? undefined : await parseSources(ctx, entries, extra);
  const facts = cachedFacts ?? parsed!.facts;
  const diagnostics = [...facts.diagnostics];
  if (ctx.missingEntries.length === 0)
    diagnostics.push(...flagRules(ctx.flags, facts.references, ctx.today), ...unmatchedGlobs(facts.bundled, ctx.flags));
  return {
    entries,
    extra,
    analysisKey: key,
    facts,
    cachedAnalysis: cachedFacts !== undefined,
    graph: parsed?.graph,
    diagnostics,
    ...(parsed ? { texts: parsed.graph.texts } : {}),
  };
}

/** The syntax tree, for a step that needs it when the facts came from the store (locating a leak); its texts serve code frames. */
export async function sourceGraph(
  ctx: Pick<VerifyContext, "root"> & Pick<Analysis, "graph" | "entries" | "extra"> & { flags: Entry<"features">[] },
): Promise<SourceGraph> {
  return ctx.graph ?? (await parseSources(ctx, ctx.entries, ctx.extra)).graph;
}

/** Parses the sources, loading the TypeScript parser on first use; the parsed texts serve code frames. */
async function parseSources(
  ctx: Pick<VerifyContext, "root"> & { flags: Entry<"features">[] },
  entries: string[],
  extra: string[],
): Promise<{ facts: SourceFacts; graph: SourceGraph }> {
  const { analyzeSources } = await import("../analyze-sources.ts");
  return analyzeSources(ctx.root, entries, extra, ctx.flags);
}
