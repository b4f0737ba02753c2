/**
 * What the verify steps share. `openContext` makes the run's settings and its progress reporting; the tools
 * (builder, size meter, caches) come from tools.ts. Each step reads what earlier steps produced and returns
 * only what it adds (plus the diagnostics and file texts it found); the run merges it into the next stage
 * (`Loaded`, then `Building`, `Analysed`, `Probing`, `Proven`, `Measured`), so a step can only read what an
 * earlier step produced, the compiler checks the order, and no step changes what another returned.
 */
import { isError, sortDiagnostics, type Diagnostic } from "../../core/report/diagnostics.ts";
import type { Entry } from "../../core/load/load-records.ts";
import type { Model } from "../../core/model/model.ts";
import type { AnalysisKey } from "../analysis-cache.ts";
import type { Built } from "../build-variants.ts";
import type { FlagImpact, Toggle } from "../flag-impact.ts";
import type { FlagSetSize } from "../measure-flag-sets.ts";
import type { Leak } from "../owned-modules.ts";
import type { ProbePlan } from "../probe-proof.ts";
import type { Sizes, VerifyResults } from "../results-file.ts";
import type { VariantOutcome } from "../results.ts";
import type { SourceFacts } from "../source-facts.ts";
import type { SourceGraph } from "../source-graph.ts";
import { todayUtc } from "../../core/time/dates.ts";
import type { VerifyTools } from "./tools.ts";

/** Sources shown in code frames are small; anything larger is not worth printing. */
export const MAX_FRAME_SOURCE_BYTES = 4 * 1024 * 1024;

export interface VerifyOptions {
  /** YYYY-MM-DD for `expires`; default: today (UTC). */
  today?: string;
  /** Write dist/variants, the results file and the size cache (default true). */
  write?: boolean;
  /** Measure every flag toggled in every variant (default true). */
  impact?: boolean;
  /**
   * Reuse, by content hash, what earlier runs computed from identical inputs: compressed sizes, toggle
   * sizes and the source analysis (default: same as `write`). Variant and probe builds always run.
   */
  cache?: boolean;
  /** Sources checked by the rules although no variant bundles them (default: the examples). */
  extraSources?: string[];
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: "variant"; outcome: VariantOutcome; index: number; total: number }
  | { kind: "phase"; name: string; ms: number; detail?: string };

export interface VerifyRun {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** File text by path, for code frames. */
  texts: Map<string, string>;
  model: Model;
  variants: VariantOutcome[];
  impacts: FlagImpact[];
  results: VerifyResults | undefined;
  /** What the source analysis found (guarded sites, references); undefined when the run stopped before it. */
  facts: SourceFacts | undefined;
  /** Files and folders written. */
  written: string[];
  builds: number;
  /** What came from the content-hash caches instead of being computed. */
  cached: { analysis: boolean; flagSets: number };
  ms: number;
}

export type OkBuilt = Extract<Built, { ok: true }>;

/** The run's settings and progress reporting: what every step may use. */
export interface VerifyContext {
  readonly root: string;
  readonly started: number;
  readonly today: string;
  readonly write: boolean;
  readonly impact: boolean;
  readonly cache: boolean;
  readonly extraSources: readonly string[];
  progress(event: ProgressEvent): void;
  /** Ends the current phase (reported with its time) and starts the next. */
  endPhase(name: string, detail?: string): void;
  /** Starts timing a phase. */
  startPhase(): void;
}

/** What a step found besides its result: diagnostics, and file texts for their code frames. */
export interface Found {
  diagnostics: Diagnostic[];
  texts?: ReadonlyMap<string, string>;
}

/** What `loadRecords` adds: the records and the lookups every later step needs. */
export interface Records {
  model: Model;
  variants: Entry<"variants">[];
  flags: Entry<"features">[];
  flagByName: Map<string, Entry<"features">>;
  variantByName: Map<string, Entry<"variants">>;
}
export type Loaded = VerifyContext & Records;

/** What `startBuilds` adds: the variant builds and the impact toggles, running. */
export interface Builds {
  /** Variants whose entry does not exist; the source graph is partial without them. */
  missingEntries: Entry<"variants">[];
  /** Per variant, in record order: its build and, when it built, its sizes. */
  measured: Promise<{ built: Built; sizes: Sizes | undefined }>[];
  toggleList: Toggle[];
  /** Per toggle, in toggleList order. */
  toggleSizes: Promise<FlagSetSize>[];
}
export type Building = Loaded & Builds;

/** What `analyseSources` adds: what the sources say, from the cache or parsed now. */
export interface Analysis {
  entries: string[];
  extra: string[];
  analysisKey: AnalysisKey;
  facts: SourceFacts;
  cachedAnalysis: boolean;
  /** The parsed sources; undefined while the facts come from the cache. */
  graph: SourceGraph | undefined;
}
export type Analysed = Building & Analysis;

/** What `startProbes` adds: the probe builds, running. */
export interface Probes {
  plan: ProbePlan;
  /** Per variant; undefined when there is nothing to probe. */
  probeBuilds: Promise<Built | undefined>[];
}
export type Probing = Analysed & Probes;

/** What `proveVariants` adds: each variant's outcome (`proveDeadCode` returns them again with the marker proof). */
export interface VariantProofs {
  outcomes: VariantOutcome[];
  leaks: Leak[];
  builtByVariant: Map<string, OkBuilt>;
}
export type Proven = Probing & VariantProofs;

/** What `measureImpact` adds. */
export interface Impact {
  impacts: FlagImpact[];
}
export type Measured = Proven & Impact;

export function openContext(root: string, options: VerifyOptions): VerifyContext {
  const started = performance.now();
  const write = options.write ?? true;
  const progress = options.onProgress ?? (() => {});
  let phaseStarted = started;
  return {
    root,
    started,
    today: options.today ?? todayUtc(),
    write,
    impact: options.impact !== false,
    cache: options.cache ?? write,
    extraSources: options.extraSources ?? ["src/examples/**/*.ts"],
    progress,
    startPhase: () => void (phaseStarted = performance.now()),
    endPhase(name, detail) {
      progress({ kind: "phase", name, ms: performance.now() - phaseStarted, ...(detail ? { detail } : {}) });
      phaseStarted = performance.now();
    },
  };
}

/** The diagnostics and file texts the steps found, gathered as the run goes: the one thing it accumulates. */
export class Findings {
  readonly diagnostics: Diagnostic[] = [];
  readonly texts = new Map<string, string>();

  /** Keeps what a step found and hands back the rest of what it returned. */
  keep<T extends Found>(step: T): Omit<T, keyof Found> {
    const { diagnostics, texts, ...rest } = step;
    this.diagnostics.push(...diagnostics);
    for (const [file, text] of texts ?? []) this.texts.set(file, text);
    return rest;
  }

  get failed(): boolean {
    return this.diagnostics.some(isError);
  }
}

/** The run's answer from whatever the steps reached: no variants, impacts or results when they stopped early. */
export function runOutcome(
  ctx: Loaded,
  found: Findings,
  tools: VerifyTools,
  reached: {
    variants?: VariantOutcome[];
    impacts?: FlagImpact[];
    results?: VerifyResults;
    cachedAnalysis?: boolean;
    facts?: SourceFacts;
    written?: string[];
  } = {},
): VerifyRun {
  const diagnostics = sortDiagnostics(found.diagnostics);
  return {
    ok: !diagnostics.some(isError),
    diagnostics,
    texts: found.texts,
    model: ctx.model,
    variants: reached.variants ?? [],
    impacts: reached.impacts ?? [],
    results: reached.results,
    facts: reached.facts,
    written: reached.written ?? [],
    builds: tools.builder.count + tools.flagSets.helperBuilds,
    cached: { analysis: reached.cachedAnalysis ?? false, flagSets: tools.flagSets.cached },
    ms: performance.now() - ctx.started,
  };
}
