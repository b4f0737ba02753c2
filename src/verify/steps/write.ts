/**
 * Verify step 8, write: code frames for every file a diagnostic names, the results the site reads, the
 * variant folders, and what the run measured kept for the next (through the tools). A folder where
 * results.json belongs or a read-only dist/ is reported like any other mistake, never as a stack trace.
 */
import { diagnostic, fileStart, isError, sortDiagnostics, type Diagnostic } from "../../core/report/diagnostics.ts";
import { relativePath } from "../../core/load/load-records.ts";
import { recordPlace } from "../../core/load/yaml-source.ts";
import { flagEvidence } from "../../core/model/evidence.ts";
import { isProven } from "../../core/model/proof-state.ts";
import { readInside } from "../../core/fs/safe-fs.ts";
import { VARIANTS_DIR } from "../../core/emit/emit-build-scripts.ts";
import { matchesAny } from "../owned-modules.ts";
import type { VerifyResults } from "../results-file.ts";
import { buildResults, writeResults } from "../results.ts";
import { pruneVariants, writeVariant } from "../write-variants.ts";
import { MAX_FRAME_SOURCE_BYTES, type Found, type Measured } from "./context.ts";
import type { VerifyTools } from "./tools.ts";

/** What the run found before this step: every diagnostic so far and the file texts already read. */
export interface SoFar {
  diagnostics: readonly Diagnostic[];
  texts: ReadonlyMap<string, string>;
}

/** The results (undefined when they could not be written) and every file and folder written. */
export interface Written {
  results: VerifyResults | undefined;
  written: string[];
}

export function writeOutputs(ctx: Measured, soFar: SoFar, tools: Pick<VerifyTools, "analysis" | "saveSizes">): Written & Found {
  const { root, outcomes, impacts } = ctx;
  // Code frames for every file a diagnostic names, including sources the cached analysis did not read.
  const texts = new Map<string, string>();
  for (const d of soFar.diagnostics) {
    if (soFar.texts.has(d.file) || texts.has(d.file)) continue;
    const read = readInside(root, d.file, MAX_FRAME_SOURCE_BYTES);
    if (!("refusal" in read)) texts.set(d.file, read.bytes.toString("utf8"));
  }
  const diagnostics: Diagnostic[] = [];

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
    if (!isProven(evidence))
      diagnostics.push(
        diagnostic(
          "unproven-claim",
          recordPlace(f, ["status"]),
          `${f.record.name} says Done, but ${evidence.reason}`,
          "ship it in a variant and guard real code with it, or set the status to what the bundles show",
        ),
      );
  }
  const ok = !sortDiagnostics([...soFar.diagnostics, ...diagnostics]).some(isError);
  const results = { ...measured, ok };
  const written: string[] = [];
  if (ctx.write) {
    try {
      for (const o of outcomes) {
        const built = ctx.builtByVariant.get(o.name);
        const v = ctx.variantByName.get(o.name)!;
        if (built && o.sizes)
          written.push(
            writeVariant(
              root,
              { name: o.name, entry: v.record.entry, features: o.features, bunVersion: Bun.version, sizes: o.sizes },
              built,
            ),
          );
      }
      written.push(...pruneVariants(root, new Set(ctx.variants.map((v) => v.record.name))));
      written.push(writeResults(root, results));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const file = e.path ? relativePath(root, e.path) : VARIANTS_DIR;
      diagnostics.push(
        diagnostic(
          "output-not-writable",
          fileStart(file),
          `${file} cannot be written: ${e.code ?? e.message}`,
          "remove or fix what stands there, then run verify again",
        ),
      );
      return { results: undefined, written, diagnostics, texts };
    }
  }
  tools.saveSizes();
  if (!ctx.cachedAnalysis && ctx.graph) tools.analysis.save(ctx.analysisKey, ctx.facts, ctx.graph.texts);
  return { results, written, diagnostics, texts };
}
