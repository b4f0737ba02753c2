/**
 * Where a leaking module is pulled in: in the last file of its import chain, the first use of what it
 * imports from the module (or the import() call) in code that can ship under the variant's flags. That is
 * usually the unguarded line to fix; if every use is guarded, the import itself is blamed (the module's
 * top-level code ships on import).
 */
import ts from "typescript";
import { canShip } from "./flag-sites.ts";
import type { Leak } from "./owned-modules.ts";
import { nodePosition } from "./places.ts";
import type { SourceGraph } from "./source-graph.ts";

export function leakSite(graph: SourceGraph, leak: Leak, on: ReadonlySet<string>): { file: string; line: number; col: number } | undefined {
  const importer = leak.chain.length >= 2 ? graph.files.get(leak.chain[leak.chain.length - 2]!) : undefined;
  if (!importer) return undefined;
  const { sf } = importer.flags;
  const edges = importer.imports.filter((e) => e.target === leak.module);
  const names = new Set(edges.flatMap((e) => e.names));
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found || ts.isImportDeclaration(node)) return;
    const usesName = ts.isIdentifier(node) && names.has(node.text);
    const dynamic = edges.some((e) => e.node === node && ts.isCallExpression(node));
    if ((usesName || dynamic) && canShip(node, importer.flags, on)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const node = found ?? edges[0]?.node;
  return node ? { file: importer.path, ...nodePosition(sf, node) } : undefined;
}
