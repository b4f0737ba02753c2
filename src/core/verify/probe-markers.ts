/**
 * The dead-code proof. A probe build loads the sources through a plugin that plants one live marker call
 * at the start of every guarded arm (if, else, each ternary arm) and of every function hosting one. The
 * markers that survive minification are the arms the bundler shipped; they must be exactly the arms the
 * variant's flags allow. Markers are calls to an undeclared global, so the minifier must keep them;
 * string markers would vanish even in live code. A function missing entirely (tree-shaken because nothing
 * live calls it) excuses its arms: that is dead code removed, not a flag failure.
 */
import { resolve } from "node:path";
import type { BunPlugin } from "bun";
import ts from "typescript";
import type { Diagnostic } from "../diagnostics.ts";
import { outputText, type Built } from "./build-variants.ts";
import { canShip, describeSite, flagTestOf, type GuardArm } from "./flag-sites.ts";
import { nodePosition } from "./places.ts";
import type { SourceFile, SourceGraph } from "./source-graph.ts";

export const PROBE_FUNCTION = "__takeoffProbe";
const call = (id: string) => `${PROBE_FUNCTION}(${JSON.stringify(id)})`;

interface Insert {
  pos: number;
  text: string;
  closer: boolean;
  depth: number;
}

export interface ProbePlan {
  /** Absolute path → transformed source, for the files that have arms. */
  transformed: Map<string, string>;
  /** Every arm of bundled code with its file. */
  arms: { file: SourceFile; arm: GuardArm }[];
  plugin: BunPlugin | undefined;
  /** Changes whenever the transformed sources do, so probe builds are never confused with real ones. */
  key: string;
}

const depthOf = (n: ts.Node) => {
  let d = 0;
  for (let p = n.parent; p; p = p.parent) d++;
  return d;
};

function wrap(node: ts.Node, sf: ts.SourceFile, id: string, inserts: Insert[], asExpression: boolean): void {
  const depth = depthOf(node);
  if (ts.isBlock(node)) {
    inserts.push({ pos: node.getStart(sf) + 1, text: `${call(id)};`, closer: false, depth: depth + 1 });
  } else if (asExpression) {
    inserts.push({ pos: node.getStart(sf), text: `(${call(id)},`, closer: false, depth }, { pos: node.end, text: ")", closer: true, depth });
  } else {
    inserts.push({ pos: node.getStart(sf), text: `{${call(id)};`, closer: false, depth }, { pos: node.end, text: "}", closer: true, depth });
  }
}

/** The source with markers planted; offsets are applied back to front so earlier ones stay valid. */
export function plantMarkers(file: SourceFile): string {
  const { sf, sites, hosts } = file.flags;
  const inserts: Insert[] = [];
  for (const site of sites) {
    for (const arm of site.arms) wrap(arm.node, sf, arm.id, inserts, ts.isConditionalExpression(site.node));
  }
  for (const host of hosts) if (host.node.body) wrap(host.node.body, sf, host.id, inserts, !ts.isBlock(host.node.body));
  // Same offset: closers before openers; inner closers first, outer openers first, so wrappers nest.
  inserts.sort((a, b) => a.pos - b.pos || (a.closer === b.closer ? (a.closer ? b.depth - a.depth : a.depth - b.depth) : a.closer ? -1 : 1));
  let text = file.text;
  for (let i = inserts.length - 1; i >= 0; i--) {
    const ins = inserts[i]!;
    text = text.slice(0, ins.pos) + ins.text + text.slice(ins.pos);
  }
  return text;
}

export function planProbes(root: string, graph: SourceGraph): ProbePlan {
  const transformed = new Map<string, string>();
  const arms: ProbePlan["arms"] = [];
  for (const file of graph.files.values()) {
    if (!graph.bundled.has(file.path) || file.flags.sites.length === 0) continue;
    transformed.set(resolve(root, file.path), plantMarkers(file));
    for (const site of file.flags.sites) for (const arm of site.arms) arms.push({ file, arm });
  }
  if (transformed.size === 0) return { transformed, arms, plugin: undefined, key: "" };
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const filter = new RegExp(`^(${[...transformed.keys()].map(escape).join("|")})$`);
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
  return { transformed, arms, plugin, key };
}

const MARKER = new RegExp(`${PROBE_FUNCTION}\\((["'\`])([SH]\\d+)\\1\\)`, "g");

export function markersIn(text: string): Set<string> {
  return new Set([...text.matchAll(MARKER)].map((m) => m[2]!));
}

export interface ProbeVerdict {
  /** Arms that shipped although the flags rule them out, and arms removed although the flags keep them. */
  shippedDead: GuardArm[];
  removedLive: GuardArm[];
  checked: number;
}

/** Compares the markers of one variant's probe build with what its flags imply. */
export function judgeProbe(plan: ProbePlan, on: ReadonlySet<string>, probe: Extract<Built, { ok: true }>): ProbeVerdict {
  const present = markersIn(outputText(probe));
  const modules = new Set(Object.keys(probe.metafile.inputs));
  const verdict: ProbeVerdict = { shippedDead: [], removedLive: [], checked: 0 };
  for (const { file, arm } of plan.arms) {
    const hostLive = arm.host ? present.has(arm.host) : modules.has(file.path);
    const expected = canShip(arm.node, file.flags, on);
    const shipped = present.has(arm.id);
    if (!hostLive && !shipped) continue;
    verdict.checked++;
    if (shipped && !expected) verdict.shippedDead.push(arm);
    else if (!shipped && expected) verdict.removedLive.push(arm);
  }
  return verdict;
}

/** Flags a site's condition tests, with their state in a variant: "V2_SERIALIZER on". */
function flagStates(arm: GuardArm, on: ReadonlySet<string>, file: SourceFile): string {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    const t = flagTestOf(n, file.flags.bindings);
    if (t?.flag !== undefined) names.add(t.flag);
    ts.forEachChild(n, visit);
  };
  visit(arm.site.condition);
  return [...names].map((n) => `${n} ${on.has(n) ? "on" : "off"}`).join(", ");
}

/** One diagnostic per arm and direction, naming every variant where it went wrong. */
export function probeDiagnostics(plan: ProbePlan, verdicts: { variant: string; on: ReadonlySet<string>; verdict: ProbeVerdict }[]): Diagnostic[] {
  const byArm = new Map<string, { arm: GuardArm; shipped: boolean; variants: string[]; states: string }>();
  const fileOf = new Map(plan.arms.map((a) => [a.arm.id, a.file]));
  for (const { variant, on, verdict } of verdicts) {
    for (const [list, shipped] of [[verdict.shippedDead, true], [verdict.removedLive, false]] as const) {
      for (const arm of list) {
        const key = `${arm.id}:${shipped}`;
        const entry = byArm.get(key) ?? { arm, shipped, variants: [], states: flagStates(arm, on, fileOf.get(arm.id)!) };
        entry.variants.push(variant);
        byArm.set(key, entry);
      }
    }
  }
  const out: Diagnostic[] = [];
  for (const { arm, shipped, variants, states } of byArm.values()) {
    const file = fileOf.get(arm.id)!;
    const where = `the ${arm.kind} arm of ${describeSite(arm.site)}`;
    const list = variants.map((v) => `"${v}"`).join(", ");
    out.push({
      file: file.path,
      ...nodePosition(file.flags.sf, arm.node),
      rule: "probe-mismatch",
      message: shipped
        ? `${where} ships in variant ${list} although its flags rule it out (${states})`
        : `${where} is missing from variant ${list} although its flags keep it (${states})`,
      hint: shipped
        ? `the bundler did not fold this condition: test the flag with ${"`"}import { feature } from "bun:bundle"${"`"} directly in the condition`
        : "the bundler folded this condition to the other arm: check the flag name and the variant's features",
    });
  }
  return out;
}
