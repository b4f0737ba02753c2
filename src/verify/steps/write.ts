/**
 * Verify step 8, write: code frames for every file a diagnostic names, the results the site reads, the
 * variant folders and the content-hash caches. A folder where results.json belongs or a read-only dist/ is
 * reported like any other mistake, never as a stack trace.
 */
import { diagnostic, fileStart, isError, sortDiagnostics } from "../../core/report/diagnostics.ts";
import { relativePath } from "../../core/load/load-records.ts";
import { recordPlace } from "../../core/load/yaml-source.ts";
import { flagEvidence } from "../../core/model/evidence.ts";
import { readInside } from "../../core/fs/safe-fs.ts";
import { VARIANTS_DIR } from "../../core/emit/emit-build-scripts.ts";
import { saveAnalysis } from "../analysis-cache.ts";
import type { Sizes } from "../measure-sizes.ts";
import { matchesAny } from "../owned-modules.ts";
import { buildResults, writeResults } from "../results.ts";
import { pruneVariants, writeVariant } from "../write-variants.ts";
import { MAX_FRAME_SOURCE_BYTES, runOutcome, type Measured, type VerifyRun } from "./context.ts";

export function writeOutputs(ctx: Measured): VerifyRun {
  const { root, diagnostics, texts, outcomes, impacts, cachedAnalysis } = ctx;
  // Code frames for every file a diagnostic names, including sources the cached analysis did not read.
  for (const d of diagnostics) {
    if (texts.has(d.file)) continue;
    const read = readInside(root, d.file, MAX_FRAME_SOURCE_BYTES);
    if (!("refusal" in read)) texts.set(d.file, read.bytes.toString("utf8"));
  }

  const allBuilt = ctx.builtByVariant.size === ctx.variants.length;
  const eliminated = new Map<string, boolean>();
  for (const f of ctx.flags) {
    const ownsSomething = ctx.facts.bundled.some((p) => matchesAny(p, f.record.modules));
    eliminated.set(f.record.name, ownsSomething && allBuilt && !ctx.leaks.some((l) => l.flag === f.record.name && l.ownership === "owned"));
  }
  // Built before the claims are judged (they read it); `ok` is settled once they are.
  const measured = buildResults({ model: ctx.model, ok: true, variants: outcomes, impacts, eliminated, callSites: ctx.facts.callSites });
  // Claims follow evidence: a flag that says Done must be backed by these very results (shipped somewhere,
  // eliminated where off, not dead). A variant's Done already fails verify through its own rules.
  // Judged only when every variant built: otherwise the missing build is the one thing to report.
  for (const f of allBuilt ? ctx.flags : []) {
    if (f.record.status !== "Done") continue;
    const evidence = flagEvidence(f.record.name, measured);
    if (!evidence.backed) diagnostics.push(diagnostic("unproven-claim", recordPlace(f, ["status"]), `${f.record.name} says Done, but ${evidence.reason}`, "ship it in a variant and guard real code with it, or set the status to what the bundles show"));
  }
  const ok = !sortDiagnostics(diagnostics).some(isError);
  const results = { ...measured, ok };
  if (ctx.write) {
    try {
      for (const o of outcomes) {
        const built = ctx.builtByVariant.get(o.name);
        const v = ctx.variantByName.get(o.name)!;
        if (built && o.sizes) ctx.written.push(writeVariant(root, { name: o.name, entry: v.record.entry, features: o.features, bunVersion: Bun.version, sizes: o.sizes as Sizes }, built));
      }
      ctx.written.push(...pruneVariants(root, new Set(ctx.variants.map((v) => v.record.name))));
      ctx.written.push(writeResults(root, results));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const file = e.path ? relativePath(root, e.path) : VARIANTS_DIR;
      diagnostics.push(diagnostic("output-not-writable", fileStart(file), `${file} cannot be written: ${e.code ?? e.message}`, "remove or fix what stands there, then run verify again"));
      return runOutcome(ctx, { variants: outcomes, impacts, cachedAnalysis, facts: ctx.facts });
    }
  }
  if (ctx.cache) {
    ctx.meter.save();
    if (!cachedAnalysis && ctx.graph) saveAnalysis(root, ctx.analysisKey, ctx.facts, ctx.graph.texts);
  }
  return runOutcome(ctx, { variants: outcomes, impacts, results, cachedAnalysis, facts: ctx.facts });
}
