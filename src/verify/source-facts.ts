/**
 * What the source analysis found, as plain data: the import graph, the file-level rule diagnostics, which
 * flags bundled code tests, and the probe plan (sources with markers planted, and for every guarded arm
 * the conditions that decide whether it ships). Plain data so it can be cached by content and reused
 * without loading the TypeScript parser, and judged here without a syntax tree.
 */
import type { Diagnostic } from "../core/report/diagnostics.ts";
import type { CallSite, CallSites } from "./results-file.ts";

/** A condition as the bundler folds it: flag tests, !, &&, ||, literals; anything else is undecided. */
export type Cond = { flag: string } | { not: Cond } | { and: [Cond, Cond] } | { or: [Cond, Cond] } | { value: boolean } | { unknown: true };

export interface ArmFact {
  /** Probe marker id, unique in one analysis. */
  id: string;
  file: string;
  line: number;
  col: number;
  kind: "then" | "else";
  /** Marker id of the function hosting the arm; undefined for module top level. */
  host: string | undefined;
  /** `if (!feature("A"))` or `feature("A") ? … : …`, for messages. */
  site: string;
  /** Flags its own condition tests, for messages. */
  flags: string[];
  /** The arm itself and every arm enclosing it: it ships only if each of them can. */
  guards: { cond: Cond; kind: "then" | "else" }[];
}

/**
 * One place the code reads a flag: a `feature("NAME")` call, where it stands, the function around it, and
 * the guarded `if` or ternary whose condition holds it (with the other flags tested in that condition and
 * the first lines of the statement, for the site's code frame). Declared once, as the results file's schema:
 * the condition is whitespace-collapsed and at most 200 characters, the frame at most 12 lines of at most
 * 160 characters (call-sites.ts).
 */
export type CallSiteFact = CallSite;
/** Every analysed file with the sha256 (hex) of its text, and the sites sorted by flag, file, line, column. */
export type CallSiteFacts = CallSites;

export interface SourceFacts {
  /** Every analysed file (root-relative) with the files it imports and the relative imports that resolved to nothing. */
  files: { path: string; imports: string[]; unresolved: string[] }[];
  /** Files some variant may bundle (reachable from a variant entry). */
  bundled: string[];
  /** File-level source rule diagnostics (import forms, names, positions, owned-module side effects). */
  diagnostics: Diagnostic[];
  /** Flag → bundled files that test it. */
  references: Record<string, string[]>;
  /** Every flag test with its place, function, guard and frame: what the site lists as code references. */
  callSites: CallSiteFacts;
  probes: {
    /** Root-relative path → source with markers planted. */
    transformed: Record<string, string>;
    arms: ArmFact[];
  };
}

export type Tri = boolean | undefined;

export function evaluate(c: Cond, on: ReadonlySet<string>): Tri {
  if ("flag" in c) return on.has(c.flag);
  if ("value" in c) return c.value;
  if ("unknown" in c) return undefined;
  if ("not" in c) {
    const v = evaluate(c.not, on);
    return v === undefined ? undefined : !v;
  }
  // Only a decided left side short-circuits; an undecided left side keeps the whole test at run time.
  if ("and" in c) {
    const l = evaluate(c.and[0], on);
    return l === false ? false : l === true ? evaluate(c.and[1], on) : undefined;
  }
  const l = evaluate(c.or[0], on);
  return l === true ? true : l === false ? evaluate(c.or[1], on) : undefined;
}

/** Whether the flags allow an arm to ship: no guard on the way folds to the other side. */
export function armShips(arm: Pick<ArmFact, "guards">, on: ReadonlySet<string>): boolean {
  return arm.guards.every((g) => {
    const v = evaluate(g.cond, on);
    return v === undefined || v === (g.kind === "then");
  });
}
