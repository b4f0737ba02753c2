/**
 * Byte proof per module: every module a flag owns (`modules` globs) contributes 0 bytes (metafile
 * `bytesInOutput`) to each variant with that flag off, and every module it `replaces` contributes 0 bytes
 * with it on. A leak names the variant, the flag, the module, the import chain that pulled it in, and the
 * first reference that can ship in the importing file, which is usually the line to fix.
 */
import ts from "typescript";
import type { Diagnostic } from "../diagnostics.ts";
import type { Entry } from "../load-records.ts";
import { moduleBytes, type Metafile } from "./build-variants.ts";
import { canShip } from "./flag-sites.ts";
import { atRecord, bytes, nodePosition } from "./places.ts";
import type { SourceGraph } from "./source-graph.ts";

export type Ownership = "owned" | "replaced";

export interface Leak {
  variant: string;
  flag: string;
  ownership: Ownership;
  module: string;
  bytes: number;
  chain: string[];
}

const globs = new Map<string, Bun.Glob>();
const glob = (pattern: string) => {
  let g = globs.get(pattern);
  if (!g) globs.set(pattern, (g = new Bun.Glob(pattern)));
  return g;
};

export function matchesAny(path: string, patterns: readonly string[] | undefined): boolean {
  return (patterns ?? []).some((p) => glob(p).match(path));
}

/** Root-relative files of the source graph that some flag owns or replaces. */
export function ownedFiles(graph: SourceGraph, flags: Entry<"features">[]): Set<string> {
  const out = new Set<string>();
  for (const path of graph.files.keys()) {
    if (flags.some((f) => matchesAny(path, f.record.modules) || matchesAny(path, f.record.replaces))) out.add(path);
  }
  return out;
}

/** A `modules`/`replaces` glob that matches no source file is a claim nothing can prove. */
export function unmatchedGlobs(graph: SourceGraph, flags: Entry<"features">[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const files = [...graph.files.keys()].filter((f) => graph.bundled.has(f));
  for (const flag of flags) {
    for (const field of ["modules", "replaces"] as const) {
      (flag.record[field] ?? []).forEach((pattern, i) => {
        if (files.some((f) => matchesAny(f, [pattern]))) return;
        out.push(
          atRecord(flag, [field, i], "owned-glob-unmatched", `${field} glob "${pattern}" of flag ${flag.record.name} matches no file bundled from any variant entry`,
            "fix the path (globs are relative to the repository root), or remove it"),
        );
      });
    }
  }
  return out;
}

/** Shortest import chain from the entry to a module, over the bundler's own import graph. */
export function importChain(meta: Metafile, entry: string, target: string): string[] {
  const prev = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const cur = queue.shift()!;
    if (cur === target) break;
    for (const imp of meta.inputs[cur]?.imports ?? []) {
      if (!prev.has(imp.path)) {
        prev.set(imp.path, cur);
        queue.push(imp.path);
      }
    }
  }
  if (!prev.has(target)) return [target];
  const chain: string[] = [];
  for (let c: string | null | undefined = target; c; c = prev.get(c)) chain.unshift(c);
  return chain;
}

/** A build to judge: a variant, or any flag set a test wants to check. */
export interface BuildTarget {
  name: string;
  entry: string;
  features: readonly string[];
}

export function findLeaks(target: BuildTarget, flags: Entry<"features">[], meta: Metafile): Leak[] {
  const on = new Set(target.features);
  const sizes = moduleBytes(meta);
  const leaks: Leak[] = [];
  for (const flag of flags) {
    const name = flag.record.name;
    const checks: [Ownership, readonly string[] | undefined][] = on.has(name) ? [["replaced", flag.record.replaces]] : [["owned", flag.record.modules]];
    for (const [ownership, patterns] of checks) {
      for (const [module, n] of sizes) {
        if (n > 0 && matchesAny(module, patterns)) {
          leaks.push({ variant: target.name, flag: name, ownership, module, bytes: n, chain: importChain(meta, target.entry, module) });
        }
      }
    }
  }
  return leaks;
}

/** Where the importer uses the leaking module in code that can ship under the variant's flags. */
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

/** One diagnostic per leaking module and place, naming every variant it leaks into. */
export function leakDiagnostics(graph: SourceGraph, leaks: Leak[], variants: Map<string, Entry<"variants">>, flags: Map<string, Entry<"features">>): Diagnostic[] {
  const grouped = new Map<string, { leak: Leak; where: Diagnostic | undefined; variants: string[] }>();
  for (const leak of leaks) {
    const variant = variants.get(leak.variant)!;
    const site = leakSite(graph, leak, new Set(variant.record.features));
    const key = `${leak.flag}|${leak.module}|${leak.ownership}|${site ? `${site.file}:${site.line}:${site.col}` : ""}`;
    const g = grouped.get(key) ?? { leak, where: site ? ({ ...site } as Diagnostic) : undefined, variants: [] };
    g.variants.push(`"${leak.variant}" (${bytes(leak.bytes)})`);
    grouped.set(key, g);
  }
  const out: Diagnostic[] = [];
  for (const { leak, where, variants: vs } of grouped.values()) {
    const rule = leak.ownership === "owned" ? "owned-module-leak" : "replaced-module-leak";
    const why = leak.ownership === "owned" ? `owned by ${leak.flag}, which is off` : `replaced by ${leak.flag}, which is on`;
    const message = `${leak.module} (${why}) ships in variant ${vs.join(", ")}; import chain: ${leak.chain.join(" → ")}`;
    const hint = leak.ownership === "owned"
      ? `use it only inside if (feature("${leak.flag}")) { … } or a ternary on the flag`
      : `use it only inside if (!feature("${leak.flag}")) { … }`;
    if (where) out.push({ file: where.file, line: where.line, col: where.col, rule, message, hint });
    else out.push(atRecord(flags.get(leak.flag)!, [leak.ownership === "owned" ? "modules" : "replaces"], rule, message, hint));
  }
  return out;
}
