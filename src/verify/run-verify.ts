/**
 * `npm run verify` as a function over a project root (data/ + src/ + package.json), so the CLI, the site
 * build, the tests and the benchmark run the same proof: refuse a tree with a macro import (nothing of the tree
 * may run in verify), build every variant, then prove source rules,
 * dead code, owned modules, leftovers, sizes against budget and per-flag impact.
 *
 * The run is a pipeline of steps (src/verify/steps/): each reads what earlier steps returned and returns
 * what it adds, with its tools (builder, size meter, caches: steps/tools.ts) handed in, so a test can run one
 * step alone with fakes. Speed: Bun builds one at a time per process, so the ~160 impact toggles are shared
 * with a helper process (measure-flag-sets.ts); the real builds start before the TypeScript parser loads (~250 ms of main
 * thread); brotli runs on the libuv pool. What depends only on unchanged inputs (source analysis, toggle
 * sizes, compressed sizes) is reused by content hash; the variant and probe builds run every time.
 */
import { startBuilds } from "./steps/build.ts";
import { Findings, openContext, runOutcome, type VerifyOptions, type VerifyRun } from "./steps/context.ts";
import { measureImpact } from "./steps/impact.ts";
import { loadRecords } from "./steps/load.ts";
import { refuseMacroImports } from "./steps/macros.ts";
import { proveDeadCode, startProbes } from "./steps/probe.ts";
import { proveVariants } from "./steps/prove-variants.ts";
import { analyseSources } from "./steps/sources.ts";
import { openTools, type VerifyTools } from "./steps/tools.ts";
import { writeOutputs } from "./steps/write.ts";

export type { ProgressEvent, VerifyOptions, VerifyRun } from "./steps/context.ts";
export type { VerifyTools } from "./steps/tools.ts";

/** `tools`: the real builder, meter and caches unless a test hands in its own. */
export async function runVerify(root: string, options: VerifyOptions = {}, tools?: VerifyTools): Promise<VerifyRun> {
  const ctx = openContext(root, options);
  const run = tools ?? openTools(root, { cache: ctx.cache, impact: ctx.impact }); // the impact helper starts while the records load
  const found = new Findings(); // every step's diagnostics and file texts
  const loaded = { ...ctx, ...found.keep(loadRecords(ctx)) }; // records and the pinned Bun
  // Invalid records, the wrong runtime or a macro import (it would run the tree's code in the builds): nothing
  // else would mean anything, and nothing is written.
  if (found.failed || found.keep(await refuseMacroImports(ctx, run)).refused) {
    run.flagSets.stop();
    return runOutcome(loaded, found, run);
  }
  const building = { ...loaded, ...found.keep(startBuilds(loaded, run)) }; // variant builds and impact toggles start; no parser needed
  const analysed = { ...building, ...found.keep(await analyseSources(building, run)) }; // cached or parsed while the builds run: source rules
  const probing = { ...analysed, ...startProbes(analysed, run) }; // probe builds with one marker per guarded arm
  const proven = { ...probing, ...found.keep(await proveVariants(probing)) }; // leftovers, owned modules, budgets, build failures
  const markers = { ...proven, ...found.keep(await proveDeadCode(proven)) }; // probe markers against the flags; progress per variant
  const measured = { ...markers, ...found.keep(await measureImpact(markers)) }; // add-one and leave-one-out bytes, dead flags
  const { results, written } = found.keep(writeOutputs(measured, found, run)); // code frames, results, dist/variants, caches
  return runOutcome(loaded, found, run, {
    variants: measured.outcomes,
    impacts: measured.impacts,
    results,
    cachedAnalysis: measured.cachedAnalysis,
    facts: measured.facts,
    written,
  });
}
