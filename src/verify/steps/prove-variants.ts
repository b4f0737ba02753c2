/**
 * Verify step 5, per-variant proofs from the real builds: it builds, nothing is left over (`bun:bundle`,
 * unfolded `feature(` calls), owned modules ship 0 bytes with their flag off, the size is within budget.
 * One build error may break every variant: it is reported once, naming them all.
 */
import { diagnostic, type Diagnostic } from "../../core/report/diagnostics.ts";
import { recordPlace } from "../../core/load/yaml-source.ts";
import type { Entry } from "../../core/load/load-records.ts";
import type { BuildProblem } from "../build-variants.ts";
import { findLeftovers } from "../leftovers.ts";
import { budgetDiagnostic } from "../measure-sizes.ts";
import { findLeaks, leakDiagnostics, type Leak } from "../owned-modules.ts";
import { bytes } from "../places.ts";
import { outputsHash } from "../measure-sizes.ts";
import { outputsShape } from "../minified-shape.ts";
import type { VariantOutcome } from "../results.ts";
import type { Found, OkBuilt, Probing, VariantProofs } from "./context.ts";
import { sourceGraph } from "./sources.ts";
import { wordFor } from "../../core/text/plural.ts";

export async function proveVariants(
  ctx: Pick<
    Probing,
    "root" | "variants" | "flags" | "measured" | "missingEntries" | "flagByName" | "variantByName" | "graph" | "entries" | "extra"
  >,
): Promise<VariantProofs & Found> {
  const { variants, flags } = ctx;
  const diagnostics: Diagnostic[] = [];
  const outcomes: VariantOutcome[] = [];
  const leaks: Leak[] = [];
  const builtByVariant = new Map<string, OkBuilt>();
  const buildFailures = new Map<string, { variant: Entry<"variants">; problem: BuildProblem; variants: string[] }>();
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const { built, sizes } = await ctx.measured[i]!;
    const outcome: VariantOutcome = {
      name: v.record.name,
      features: [...v.record.features],
      budget: v.record.budget,
      sizes,
      ...(built.ok ? { sha256: outputsHash(built.outputs), shape: outputsShape(built.outputs) } : {}),
      proofs: { markers: "skipped", ownedModules: "skipped", leftovers: "skipped" },
      problems: [],
    };
    if (!built.ok) {
      // A missing entry is already reported as such.
      for (const p of ctx.missingEntries.includes(v) ? [] : built.problems) {
        const key = `${p.file ?? `variant:${v.record.name}`}:${p.line}:${p.col}:${p.message}`;
        const failure = buildFailures.get(key) ?? { variant: v, problem: p, variants: [] };
        failure.variants.push(v.record.name);
        buildFailures.set(key, failure);
        outcome.problems.push(`does not build: ${p.message}`);
      }
    } else {
      builtByVariant.set(v.record.name, built);
      const left = findLeftovers(built.outputs);
      outcome.proofs.leftovers = left.length ? "fail" : "pass";
      for (const l of left) {
        const d = diagnostic(
          "leftover",
          recordPlace(v, ["name"]),
          `variant "${v.record.name}": ${l.output} still contains ${l.what}${l.count > 1 ? ` (${l.count} times)` : ""}, first at byte ${l.offset}: …${l.excerpt}…`,
          "a flag test escaped the bundler; fix the source rule errors reported for it",
        );
        diagnostics.push(d);
        outcome.problems.push(d.message);
      }
      const found = findLeaks({ name: v.record.name, entry: v.record.entry, features: v.record.features }, flags, built.metafile);
      leaks.push(...found);
      outcome.proofs.ownedModules = found.length ? "fail" : "pass";
      for (const l of found)
        outcome.problems.push(
          `${l.module} (${l.ownership === "owned" ? `owned by ${l.flag}, off` : `replaced by ${l.flag}, on`}) ships ${bytes(l.bytes)}`,
        );
      const over = budgetDiagnostic(v, sizes!);
      if (over) {
        diagnostics.push(over);
        outcome.problems.push(over.message);
      }
    }
    outcomes.push(outcome);
  }
  for (const f of buildFailures.values()) diagnostics.push(buildFailure(f.variant, f.problem, f.variants));
  if (!leaks.length) return { outcomes, leaks, builtByVariant, diagnostics };
  // Locating a leak needs the syntax tree: parsed now if the analysis came from the store.
  const graph = await sourceGraph(ctx);
  const { leakSite } = await import("../leak-site.ts");
  diagnostics.push(
    ...leakDiagnostics(leaks, ctx.flagByName, (leak) =>
      leakSite(graph, leak, new Set(ctx.variantByName.get(leak.variant)!.record.features)),
    ),
  );
  return { outcomes, leaks, builtByVariant, diagnostics, texts: graph.texts };
}

function buildFailure(variant: Entry<"variants">, p: BuildProblem, variants: string[]): Diagnostic {
  const message = `${wordFor(variants.length, "variant")} ${variants.map((n) => `"${n}"`).join(", ")} ${wordFor(variants.length, "does", "do")} not build: ${p.message}`;
  if (p.file) return diagnostic("build-failed", { file: p.file, line: p.line ?? 1, col: p.col ?? 1 }, message);
  return diagnostic("build-failed", recordPlace(variant, ["entry"]), message, "check the entry path and the imports it reaches");
}
