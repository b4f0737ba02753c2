/**
 * Byte proof per module: every module a flag owns (`modules` globs) contributes 0 bytes (metafile
 * `bytesInOutput`) to each variant with that flag off, and every module it `replaces` contributes 0 bytes
 * with it on. A leak names the variant, the flag, the module, the import chain that pulled it in, and the
 * first reference that can ship in the importing file (leak-site.ts), which is usually the line to fix.
 */
import { diagnostic, type Diagnostic, type Place } from "../core/report/diagnostics.ts";
import { recordPlace } from "../core/load/yaml-source.ts";
import type { Entry } from "../core/load/load-records.ts";
import { moduleBytes, type Metafile } from "./build-variants.ts";
import { bytes } from "./places.ts";

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

/** Files that some flag owns or replaces. */
export function ownedFiles(paths: Iterable<string>, flags: Entry<"features">[]): Set<string> {
  const out = new Set<string>();
  for (const path of paths) {
    if (flags.some((f) => matchesAny(path, f.record.modules) || matchesAny(path, f.record.replaces))) out.add(path);
  }
  return out;
}

/** A `modules`/`replaces` glob that matches no bundled source file is a claim nothing can prove. */
export function unmatchedGlobs(bundled: string[], flags: Entry<"features">[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const flag of flags) {
    for (const field of ["modules", "replaces"] as const) {
      (flag.record[field] ?? []).forEach((pattern, i) => {
        if (bundled.some((f) => matchesAny(f, [pattern]))) return;
        out.push(
          diagnostic(
            "owned-glob-unmatched",
            recordPlace(flag, [field, i]),
            `${field} glob "${pattern}" of flag ${flag.record.name} matches no file bundled from any variant entry`,
            "fix the path (globs are relative to the repository root), or remove it",
          ),
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
    const checks: [Ownership, readonly string[] | undefined][] = on.has(name)
      ? [["replaced", flag.record.replaces]]
      : [["owned", flag.record.modules]];
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

/** One diagnostic per leaking module and place, naming every variant it leaks into. */
export type LeakLocator = (leak: Leak) => { file: string; line: number; col: number } | undefined;

/** `locate` finds the line that pulls the module in (leak-site.ts); without one, the flag's record is blamed. */
export function leakDiagnostics(leaks: Leak[], flags: Map<string, Entry<"features">>, locate: LeakLocator): Diagnostic[] {
  const grouped = new Map<string, { leak: Leak; where: Place | undefined; variants: string[] }>();
  for (const leak of leaks) {
    const site = locate(leak);
    const key = `${leak.flag}|${leak.module}|${leak.ownership}|${site ? `${site.file}:${site.line}:${site.col}` : ""}`;
    const g = grouped.get(key) ?? { leak, where: site ? { ...site } : undefined, variants: [] };
    g.variants.push(`"${leak.variant}" (${bytes(leak.bytes)})`);
    grouped.set(key, g);
  }
  const out: Diagnostic[] = [];
  for (const { leak, where, variants: vs } of grouped.values()) {
    const rule = leak.ownership === "owned" ? "owned-module-leak" : "replaced-module-leak";
    const why = leak.ownership === "owned" ? `owned by ${leak.flag}, which is off` : `replaced by ${leak.flag}, which is on`;
    const message = `${leak.module} (${why}) ships in variant ${vs.join(", ")}; import chain: ${leak.chain.join(" → ")}`;
    const hint =
      leak.ownership === "owned"
        ? `use it only inside if (feature("${leak.flag}")) { … } or a ternary on the flag`
        : `use it only inside if (!feature("${leak.flag}")) { … }`;
    out.push(
      diagnostic(rule, where ?? recordPlace(flags.get(leak.flag)!, [leak.ownership === "owned" ? "modules" : "replaces"]), message, hint),
    );
  }
  return out;
}
