/**
 * Verify step 7, impact: each flag's add-one and leave-one-out bytes per variant from the toggle sizes
 * (shared with the variant builds where a toggle lands on another variant's flag set). A flag whose toggle
 * changes no bytes anywhere is dead.
 */
import { deadFlagDiagnostics, flagImpacts } from "../flag-impact.ts";
import type { RawGzip } from "../results-file.ts";
import type { Found, Impact, Proven } from "./context.ts";

export async function measureImpact(
  ctx: Pick<Proven, "toggleSizes" | "outcomes" | "impact" | "flags" | "toggleList" | "facts" | "flagByName" | "endPhase">,
): Promise<Impact & Found> {
  const toggled = await Promise.all(ctx.toggleSizes);
  const base = new Map<string, RawGzip | undefined>(ctx.outcomes.map((o) => [o.name, o.sizes]));
  const impacts = ctx.impact ? flagImpacts(ctx.flags, ctx.toggleList, base, toggled) : [];
  // An unreferenced flag is already reported as stale; calling it dead as well would say the same twice.
  const diagnostics = deadFlagDiagnostics(
    impacts.filter((i) => (ctx.facts.references[i.name] ?? []).length > 0),
    ctx.flagByName,
  );
  ctx.endPhase("impact", `${ctx.toggleList.length} toggles`);
  return { impacts, diagnostics };
}
