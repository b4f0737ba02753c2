/**
 * The dead-code proof. A probe build loads the sources with markers planted (probe-markers.ts) through a
 * plugin; the markers that survive minification are the arms the bundler shipped, and they must be exactly
 * the arms the variant's flags allow. A function missing entirely (tree-shaken because nothing live calls
 * it) excuses its arms: that is dead code removed, not a flag failure. Works on plain data, so a cached
 * analysis needs no parser.
 */
import { resolve } from "node:path";
import type { BunPlugin } from "bun";
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";
import { outputText, type Built } from "./build-variants.ts";
import { armShips, type ArmFact, type SourceFacts } from "./source-facts.ts";

export const PROBE_FUNCTION = "__takeoffProbe";

export interface ProbePlan {
  arms: ArmFact[];
  /** Undefined when no bundled code has a guarded arm: there is nothing to probe. */
  plugin: BunPlugin | undefined;
  /** Changes whenever the planted sources do, so probe builds are never confused with real ones. */
  key: string;
}

export function probePlan(root: string, probes: SourceFacts["probes"]): ProbePlan {
  const transformed = new Map(Object.entries(probes.transformed).map(([path, text]) => [resolve(root, path), text]));
  if (transformed.size === 0) return { arms: probes.arms, plugin: undefined, key: "" };
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const filter = new RegExp(`^(${[...transformed.keys()].map(escapeRegExp).join("|")})$`);
  const plugin: BunPlugin = {
    name: "takeoff-probe-markers",
    setup(build) {
      build.onLoad({ filter }, (args) => {
        const contents = transformed.get(args.path);
        if (contents === undefined) return undefined;
        return { contents, loader: args.path.endsWith(".tsx") ? "tsx" : args.path.endsWith(".js") ? "js" : "ts" };
      });
    },
  };
  const key = `probe:${Bun.hash([...transformed.values()].join("\u0000")).toString(16)}`;
  return { arms: probes.arms, plugin, key };
}

const MARKER = new RegExp(`${PROBE_FUNCTION}\\((["'\`])([SH]\\d+)\\1\\)`, "g");

export function markersIn(text: string): Set<string> {
  return new Set([...text.matchAll(MARKER)].map((m) => m[2]!));
}

export interface ProbeVerdict {
  /** Arms that shipped although the flags rule them out, and arms removed although the flags keep them. */
  shippedDead: ArmFact[];
  removedLive: ArmFact[];
  checked: number;
}

/** Compares the markers of one variant's probe build with what its flags imply. */
export function judgeProbe(plan: ProbePlan, on: ReadonlySet<string>, probe: Extract<Built, { ok: true }>): ProbeVerdict {
  const present = markersIn(outputText(probe));
  const modules = new Set(Object.keys(probe.metafile.inputs));
  const verdict: ProbeVerdict = { shippedDead: [], removedLive: [], checked: 0 };
  for (const arm of plan.arms) {
    const hostLive = arm.host ? present.has(arm.host) : modules.has(arm.file);
    const expected = armShips(arm, on);
    const shipped = present.has(arm.id);
    if (!hostLive && !shipped) continue;
    verdict.checked++;
    if (shipped && !expected) verdict.shippedDead.push(arm);
    else if (!shipped && expected) verdict.removedLive.push(arm);
  }
  return verdict;
}

/** One diagnostic per arm and direction, naming every variant where it went wrong. */
export function probeDiagnostics(verdicts: { variant: string; on: ReadonlySet<string>; verdict: ProbeVerdict }[]): Diagnostic[] {
  const byArm = new Map<string, { arm: ArmFact; shipped: boolean; variants: string[]; states: string }>();
  for (const { variant, on, verdict } of verdicts) {
    for (const [list, shipped] of [
      [verdict.shippedDead, true],
      [verdict.removedLive, false],
    ] as const) {
      for (const arm of list) {
        const key = `${arm.id}:${shipped}`;
        const states = arm.flags.map((n) => `${n} ${on.has(n) ? "on" : "off"}`).join(", ");
        const entry = byArm.get(key) ?? { arm, shipped, variants: [], states };
        entry.variants.push(variant);
        byArm.set(key, entry);
      }
    }
  }
  const out: Diagnostic[] = [];
  for (const { arm, shipped, variants, states } of byArm.values()) {
    const where = `the ${arm.kind} arm of ${arm.site}`;
    const list = variants.map((v) => `"${v}"`).join(", ");
    out.push(
      diagnostic(
        "probe-mismatch",
        arm,
        shipped
          ? `${where} ships in variant ${list} although its flags rule it out (${states})`
          : `${where} is missing from variant ${list} although its flags keep it (${states})`,
        shipped
          ? 'the bundler did not fold this condition: test the flag with `import { feature } from "bun:bundle"` directly in the condition'
          : "the bundler folded this condition to the other arm: check the flag name and the variant's features",
      ),
    );
  }
  return out;
}
