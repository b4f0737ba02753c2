/**
 * Verify steps 4 and 6, probe: plant one live marker per guarded arm (a Bun plugin serving the transformed
 * sources) and start one probe build per variant; once the real builds are proven, compare the markers
 * that shipped with what each variant's flags imply.
 */
import { diagnostic, type Diagnostic } from "../../core/report/diagnostics.ts";
import { recordPlace } from "../../core/load/yaml-source.ts";
import { judgeProbe, probeDiagnostics, probePlan } from "../probe-proof.ts";
import type { VariantOutcome } from "../results.ts";
import type { Analysed, Probes, Proven, VariantProofs, Found } from "./context.ts";
import type { VerifyTools } from "./tools.ts";
import { plural } from "../../core/text/plural.ts";

/** Verify step 4: the probe plan and builds, started before the real builds are awaited. */
export function startProbes(
  ctx: Pick<Analysed, "root" | "facts" | "variants" | "cachedAnalysis" | "endPhase">,
  tools: Pick<VerifyTools, "builder">,
): Probes {
  const plan = probePlan(ctx.root, ctx.facts.probes);
  const probeBuilds = ctx.variants.map((v) =>
    plan.plugin
      ? tools.builder.build({ entry: v.record.entry, features: v.record.features, probe: { key: plan.key, plugin: plan.plugin } })
      : Promise.resolve(undefined),
  );
  ctx.endPhase("sources", `${ctx.facts.files.length} files, ${plan.arms.length} guarded arms${ctx.cachedAnalysis ? " (cached)" : ""}`);
  return { plan, probeBuilds };
}

/**
 * Verify step 6, dead code: each variant's probe build against its flags. Returns every outcome again with
 * its marker proof and problems added; reports each variant as it is done.
 */
export async function proveDeadCode(
  ctx: Pick<Proven, "variants" | "outcomes" | "probeBuilds" | "plan" | "builtByVariant" | "progress" | "endPhase">,
): Promise<Pick<VariantProofs, "outcomes"> & Found> {
  const { variants } = ctx;
  const diagnostics: Diagnostic[] = [];
  const verdicts: Parameters<typeof probeDiagnostics>[0] = [];
  const outcomes: VariantOutcome[] = [];
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const before = ctx.outcomes[i]!;
    let outcome = before;
    const probe = await ctx.probeBuilds[i]!;
    if (probe?.ok) {
      const on = new Set(v.record.features);
      const verdict = judgeProbe(ctx.plan, on, probe);
      verdicts.push({ variant: v.record.name, on, verdict });
      const wrong = verdict.shippedDead.length + verdict.removedLive.length;
      outcome = withMarkers(
        before,
        wrong ? "fail" : "pass",
        wrong ? [`${plural(wrong, "guarded arm")} shipped or removed against the flags`] : [],
      );
    } else if (probe && !probe.ok && ctx.builtByVariant.has(v.record.name)) {
      // The plain build worked, so the planted markers broke it: the proof could not run.
      const d = diagnostic(
        "probe-mismatch",
        recordPlace(v, ["entry"]),
        `variant "${v.record.name}": the probe build failed: ${probe.problems[0]?.message ?? "unknown error"}`,
      );
      diagnostics.push(d);
      outcome = withMarkers(before, "fail", [d.message]);
    }
    outcomes.push(outcome);
    ctx.progress({ kind: "variant", outcome, index: i, total: variants.length });
  }
  diagnostics.push(...probeDiagnostics(verdicts));
  ctx.endPhase("variants");
  return { outcomes, diagnostics };
}

const withMarkers = (o: VariantOutcome, markers: VariantOutcome["proofs"]["markers"], problems: string[]): VariantOutcome => ({
  ...o,
  proofs: { ...o.proofs, markers },
  problems: [...o.problems, ...problems],
});
