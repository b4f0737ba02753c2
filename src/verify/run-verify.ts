/**
 * `npm run verify` as a function over a project root (data/ + src/ + package.json), so the CLI, the site
 * build, the tests and the benchmark run the same proof: refuse a tree with a macro import (nothing of the tree
 * may run in verify), build every variant, then prove source rules,
 * dead code, owned modules, leftovers, sizes against budget and per-flag impact.
 *
 * The run is a pipeline of steps (src/verify/steps/) over one context object (steps/context.ts). Speed:
 * Bun builds one at a time per process, so the ~160 impact toggles are shared with a helper process
 * (measure-flag-sets.ts); the real builds start before the TypeScript parser loads (~250 ms of main
 * thread); brotli runs on the libuv pool. What depends only on unchanged inputs (source analysis, toggle
 * sizes, compressed sizes) is reused by content hash; the variant and probe builds run every time.
 */
import { isError } from "../core/report/diagnostics.ts";
import { startBuilds } from "./steps/build.ts";
import { openContext, type VerifyOptions, type VerifyRun } from "./steps/context.ts";
import { measureImpact } from "./steps/impact.ts";
import { loadRecords, stopEarly } from "./steps/load.ts";
import { refuseMacroImports } from "./steps/macros.ts";
import { proveDeadCode, startProbes } from "./steps/probe.ts";
import { proveVariants } from "./steps/prove-variants.ts";
import { analyseSources } from "./steps/sources.ts";
import { writeOutputs } from "./steps/write.ts";

export type { ProgressEvent, VerifyOptions, VerifyRun } from "./steps/context.ts";

export async function runVerify(root: string, options: VerifyOptions = {}): Promise<VerifyRun> {
  const loaded = loadRecords(openContext(root, options)); // records and the pinned Bun; the impact helper starts meanwhile
  if (loaded.diagnostics.some(isError)) return stopEarly(loaded); // nothing below would mean anything
  if (await refuseMacroImports(loaded)) return stopEarly(loaded); // a macro would run the tree's code in the builds
  const building = startBuilds(loaded); // variant builds and impact toggles start; no parser needed
  const analysed = await analyseSources(building); // cached or parsed while the builds run: source rules
  const probing = startProbes(analysed); // probe builds with one marker per guarded arm
  const proven = await proveVariants(probing); // leftovers, owned modules, budgets, build failures
  await proveDeadCode(proven); // probe markers against the flags; progress per variant
  const measured = await measureImpact(proven); // add-one and leave-one-out bytes, dead flags
  return writeOutputs(measured); // code frames, results, dist/variants, caches
}
