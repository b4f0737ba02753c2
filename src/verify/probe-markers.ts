/**
 * Planting for the dead-code proof (judged in probe-proof.ts): one live marker call at the start of every
 * guarded arm (if, else, each ternary arm) and of every function hosting one, inserted as text so the rest
 * of the source is untouched. Markers are calls to an undeclared global, so the minifier must keep them;
 * string markers would vanish even in live code.
 */
import ts from "typescript";
import { describeSite, flagsIn, guardsOf } from "./flag-sites.ts";
import { nodePosition } from "./places.ts";
import { PROBE_FUNCTION } from "./probe-proof.ts";
import type { ArmFact, SourceFacts } from "./source-facts.ts";
import type { SourceFile, SourceGraph } from "./source-graph.ts";

const call = (id: string) => `${PROBE_FUNCTION}(${JSON.stringify(id)})`;

interface Insert {
  pos: number;
  text: string;
  closer: boolean;
  depth: number;
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
    inserts.push(
      { pos: node.getStart(sf), text: `(${call(id)},`, closer: false, depth },
      { pos: node.end, text: ")", closer: true, depth },
    );
  } else {
    inserts.push(
      { pos: node.getStart(sf), text: `{${call(id)};`, closer: false, depth },
      { pos: node.end, text: "}", closer: true, depth },
    );
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

/** The probe plan as plain data: every bundled file with arms, markers planted, and its arms' guards. */
export function probeFacts(graph: SourceGraph): SourceFacts["probes"] {
  const transformed: Record<string, string> = {};
  const arms: ArmFact[] = [];
  for (const file of graph.files.values()) {
    if (!graph.bundled.has(file.path) || file.flags.sites.length === 0) continue;
    transformed[file.path] = plantMarkers(file);
    const { sf, bindings } = file.flags;
    for (const site of file.flags.sites) {
      const description = describeSite(site);
      const flags = flagsIn(site.condition, bindings);
      for (const arm of site.arms) {
        arms.push({
          id: arm.id,
          file: file.path,
          ...nodePosition(sf, arm.node),
          kind: arm.kind,
          host: arm.host,
          site: description,
          flags,
          guards: guardsOf(arm.node, file.flags),
        });
      }
    }
  }
  return { transformed, arms };
}
