/**
 * The one object the verify steps share. `openContext` makes it with the run's settings, its tools (the
 * builder, the size meter, the caches, the impact helper) and what every step adds to (diagnostics, file
 * texts for code frames, files written). Each step then adds what it found to the same object and returns
 * it under a wider type (`Loaded`, then `Building`, `Analysed`, `Probing`, `Proven`, `Measured`), so a
 * step can only read what an earlier step produced, and the compiler checks the order.
 */
import { isError, sortDiagnostics, type Diagnostic } from "../../core/report/diagnostics.ts";
import type { Entry } from "../../core/load/load-records.ts";
import type { Model } from "../../core/model/model.ts";
import type { AnalysisKey } from "../analysis-cache.ts";
import { VariantBuilder, type Built } from "../build-variants.ts";
import type { FlagImpact, Toggle } from "../flag-impact.ts";
import { FlagSetCache } from "../flag-set-cache.ts";
import { FlagSetMeasurer, type FlagSetSize } from "../measure-flag-sets.ts";
import { SizeMeter, type Sizes } from "../measure-sizes.ts";
import type { Leak } from "../owned-modules.ts";
import type { ProbePlan } from "../probe-proof.ts";
import type { VerifyResults } from "../results-file.ts";
import type { VariantOutcome } from "../results.ts";
import type { SourceFacts } from "../source-facts.ts";
import type { SourceGraph } from "../source-graph.ts";

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

/** Settings, tools and the run's running totals: what every step may use. */
export interface VerifyContext {
  root: string;
  started: number;
  today: string;
  write: boolean;
  impact: boolean;
  cache: boolean;
  extraSources: string[];
  progress: (event: ProgressEvent) => void;
  /** Ends the current phase (reported with its time) and starts the next. */
  endPhase(name: string, detail?: string): void;
  /** Starts timing a phase. */
  startPhase(): void;
  diagnostics: Diagnostic[];
  texts: Map<string, string>;
  written: string[];
  builder: VariantBuilder;
  meter: SizeMeter;
  flagSetCache: FlagSetCache;
  measurer: FlagSetMeasurer;
}

/** After `loadRecords`: the records and the lookups every later step needs. */
export interface Loaded extends VerifyContext {
  model: Model;
  variants: Entry<"variants">[];
  flags: Entry<"features">[];
  flagByName: Map<string, Entry<"features">>;
  variantByName: Map<string, Entry<"variants">>;
}

/** After `startBuilds`: the variant builds and the impact toggles, running. */
export interface Building extends Loaded {
  /** Variants whose entry does not exist; the source graph is partial without them. */
  missingEntries: Entry<"variants">[];
  /** Per variant, in record order: its build and, when it built, its sizes. */
  measured: Promise<{ built: Built; sizes: Sizes | undefined }>[];
  toggleList: Toggle[];
  /** Per toggle, in toggleList order. */
  toggleSizes: Promise<FlagSetSize>[];
}

/** After `analyseSources`: what the sources say, from the cache or parsed now. */
export interface Analysed extends Building {
  entries: string[];
  extra: string[];
  analysisKey: AnalysisKey;
  facts: SourceFacts;
  cachedAnalysis: boolean;
  /** The parsed sources; undefined while the facts come from the cache and nothing needed the syntax tree. */
  graph: SourceGraph | undefined;
}

/** After `startProbes`: the probe builds, running. */
export interface Probing extends Analysed {
  plan: ProbePlan;
  /** Per variant; undefined when there is nothing to probe. */
  probeBuilds: Promise<Built | undefined>[];
}

/** After `proveVariants`: each variant's outcome; `proveDeadCode` adds the marker proof to it. */
export interface Proven extends Probing {
  outcomes: VariantOutcome[];
  leaks: Leak[];
  builtByVariant: Map<string, OkBuilt>;
}

/** After `measureImpact`. */
export interface Measured extends Proven {
  impacts: FlagImpact[];
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

export function openContext(root: string, options: VerifyOptions): VerifyContext {
  const started = performance.now();
  const write = options.write ?? true;
  const cache = options.cache ?? write;
  const progress = options.onProgress ?? (() => {});
  let phaseStarted = started;
  const builder = new VariantBuilder(root);
  // Sizes, toggle sizes and the analysis live in the project's store (src/core/cache/store.ts).
  const meter = new SizeMeter(cache ? root : undefined);
  const flagSetCache = new FlagSetCache(root, cache);
  const measurer = new FlagSetMeasurer(root, builder, meter, flagSetCache);
  // The helper loads its modules while this process reads the records.
  if (options.impact !== false) measurer.startHelper();
  return {
    root,
    started,
    today: options.today ?? todayUtc(),
    write,
    impact: options.impact !== false,
    cache,
    extraSources: options.extraSources ?? ["src/examples/**/*.ts"],
    progress,
    startPhase: () => void (phaseStarted = performance.now()),
    endPhase(name, detail) {
      progress({ kind: "phase", name, ms: performance.now() - phaseStarted, ...(detail ? { detail } : {}) });
      phaseStarted = performance.now();
    },
    diagnostics: [],
    texts: new Map(),
    written: [],
    builder,
    meter,
    flagSetCache,
    measurer,
  };
}

/** The run's answer from whatever the steps reached: no variants, impacts or results when they stopped early. */
export function runOutcome(ctx: Loaded, reached: { variants?: VariantOutcome[]; impacts?: FlagImpact[]; results?: VerifyResults; cachedAnalysis?: boolean; facts?: SourceFacts } = {}): VerifyRun {
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  return {
    ok: !diagnostics.some(isError),
    diagnostics,
    texts: ctx.texts,
    model: ctx.model,
    variants: reached.variants ?? [],
    impacts: reached.impacts ?? [],
    results: reached.results,
    facts: reached.facts,
    written: ctx.written,
    builds: ctx.builder.count + ctx.measurer.helperBuilds,
    cached: { analysis: reached.cachedAnalysis ?? false, flagSets: ctx.measurer.cached },
    ms: performance.now() - ctx.started,
  };
}
