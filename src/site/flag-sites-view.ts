/**
 * A flag's code references as the site shows them: every place the code reads the flag (file:line, the
 * function around it, the guarded statement in a code frame, the other flags in the same condition), each
 * linked to the repository at that line. Only what `npm run verify` recorded, and only while every source
 * file it analysed is unchanged: otherwise the references are unproven and the page says why.
 */
import { escapeControl } from "../core/report/diagnostics.ts";
import type { CallSites } from "../verify/results-file.ts";
import { sourceUrl } from "./config.ts";
import type { Site } from "./data.ts";

export interface FrameLine {
  /** 1-based line number in the file. */
  n: number;
  /** The line as verify read it, control and bidi characters shown as escapes (rendered as text, never HTML). */
  text: string;
  /** The line of the feature() call. */
  call: boolean;
}

export interface CodeRef {
  file: string;
  line: number;
  col: number;
  /** `src/app/app.ts:68` */
  label: string;
  /** The repository at that line. */
  href: string;
  /** `enabledFeatures`, or null at module top level. */
  fn: string | null;
  guard: { kind: "if" | "ternary"; condition: string; start: number; end: number; href: string } | null;
  /** Other flags the same condition tests, linked to their pages when they are records. */
  with: { name: string; href: string | undefined }[];
  frame: FrameLine[];
  /** The guarded statement is longer than the frame shows. */
  truncated: boolean;
}

export type FlagSitesView =
  | {
      proven: true;
      /** Places in code some variant bundles: the count the Feature flags table shows. */
      bundled: CodeRef[];
      /** Places in the examples (checked by verify's rules, bundled by no variant). */
      examples: CodeRef[];
      generatedAt: string;
    }
  | { proven: false; reason: string };

const fresh = new WeakMap<Site, { callSites: CallSites } | { reason: string }>();

/** The recorded call sites if the results have them and every analysed file is unchanged; else why not. */
export function callSitesOf(site: Site): { callSites: CallSites } | { reason: string } {
  let state = fresh.get(site);
  if (!state) {
    state = judge(site);
    fresh.set(site, state);
  }
  return state;
}

function judge(site: Site): { callSites: CallSites } | { reason: string } {
  // site.results is fresh only while every analysed file is unchanged (freshVerifyResults), so are its sites.
  const r = site.results;
  if (!r?.callSites) return { reason: site.resultsStale ?? "no npm run verify results exist for the current records" };
  return { callSites: r.callSites };
}

/** How many places in bundled code read the flag; undefined when unproven. */
export function callSiteCount(site: Site, flag: string): number | undefined {
  const state = callSitesOf(site);
  if ("reason" in state) return undefined;
  return state.callSites.sites.filter((s) => s.flag === flag && s.bundled).length;
}

function lineHref(site: Site, file: string, start: number, end = start): string {
  return sourceUrl(site.config, file, start) + (end > start ? `-L${end}` : "");
}

export function flagSitesView(site: Site, flag: string): FlagSitesView {
  const state = callSitesOf(site);
  if ("reason" in state) return { proven: false, reason: state.reason };
  const refs = state.callSites.sites
    .filter((s) => s.flag === flag)
    .map((s): CodeRef & { bundled: boolean } => ({
      bundled: s.bundled,
      file: s.file,
      line: s.line,
      col: s.col,
      label: `${s.file}:${s.line}`,
      href: lineHref(site, s.file, s.line),
      fn: s.fn,
      guard: s.guard && { ...s.guard, href: lineHref(site, s.file, s.guard.start, s.guard.end) },
      with: s.with.map((name) => {
        const entry = site.model.flag(name);
        return { name, href: entry ? site.urlOf(entry) : undefined };
      }),
      frame: s.frame.map((text, i) => ({
        n: s.frameStart + i,
        text: escapeControl(text.replace(/\t/g, "  ")),
        call: s.frameStart + i === s.line,
      })),
      truncated: s.guard !== null && s.frameStart + s.frame.length - 1 < s.guard.end,
    }));
  const strip = ({ bundled: _b, ...ref }: CodeRef & { bundled: boolean }): CodeRef => ref;
  return {
    proven: true,
    bundled: refs.filter((r) => r.bundled).map(strip),
    examples: refs.filter((r) => !r.bundled).map(strip),
    generatedAt: site.results!.generatedAt,
  };
}
