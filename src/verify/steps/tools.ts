/**
 * What the verify steps build, measure and remember with, handed to each step that needs it. A run opens
 * the real ones (`openTools`: Bun.build, brotli, the size helper process, the content-hash caches); a test
 * hands one step fakes and runs it alone. Every cache the steps use sits behind these interfaces: no step
 * opens a cache or reads its setting.
 */
import { loadAnalysis, saveAnalysis, type AnalysisKey } from "../analysis-cache.ts";
import { VariantBuilder, type BuildOutput, type BuildRequest, type Built } from "../build-variants.ts";
import { FlagSetCache } from "../flag-set-cache.ts";
import { findMacroImports, type MacroScan } from "../macro-imports.ts";
import { FlagSetMeasurer, type FlagSetSize } from "../measure-flag-sets.ts";
import { SizeMeter } from "../measure-sizes.ts";
import type { Sizes } from "../results-file.ts";
import type { SizeJob } from "../size-worker.ts";
import type { SourceFacts } from "../source-facts.ts";

/** Builds a variant (or its probe, with markers planted); the same request twice is one build. */
export interface Builder {
  build(req: BuildRequest): Promise<Built>;
  /** Bun.build calls made, for the run's statistics. */
  readonly count: number;
}

/** Raw, gzip and brotli bytes of a build's code outputs. */
export interface Meter {
  measure(outputs: BuildOutput[]): Promise<Sizes>;
}

/** Raw and gzip bytes of many flag sets (the impact toggles), in job order; undefined where a build failed. */
export interface FlagSets {
  measure(jobs: SizeJob[]): Promise<FlagSetSize>[];
  /** Ends a helper process that will not be needed. */
  stop(): void;
  /** Builds run elsewhere (the helper process) and jobs answered from the cache, for the run's statistics. */
  readonly helperBuilds: number;
  readonly cached: number;
}

/** The source analysis by its inputs' content hashes. */
export interface AnalysisStore {
  load(key: AnalysisKey): SourceFacts | undefined;
  save(key: AnalysisKey, facts: SourceFacts, texts: ReadonlyMap<string, string>): void;
}

export interface VerifyTools {
  builder: Builder;
  meter: Meter;
  flagSets: FlagSets;
  analysis: AnalysisStore;
  /** Searches the tree for a Bun macro import. */
  scanMacros(): Promise<MacroScan>;
  /** Keeps what this run measured (compressed sizes, toggle sizes) for the next run. */
  saveSizes(): void;
}

/**
 * The real tools over a project root. `cache`: reuse and keep sizes, toggle sizes, the analysis and the macro
 * scan by content hash (node_modules/.cache/takeoff/verify-*); `impact`: the toggles will be measured, so the
 * size helper process starts now and loads its modules while the run reads the records.
 */
export function openTools(root: string, options: { cache: boolean; impact: boolean }): VerifyTools {
  const builder = new VariantBuilder(root);
  // Sizes, toggle sizes and the analysis live in the project's store (src/core/cache/store.ts).
  const meter = new SizeMeter(options.cache ? root : undefined);
  const flagSetCache = new FlagSetCache(root, options.cache);
  const flagSets = new FlagSetMeasurer(root, builder, meter, flagSetCache);
  if (options.impact) flagSets.startHelper();
  return {
    builder,
    meter,
    flagSets,
    analysis: options.cache
      ? { load: (key) => loadAnalysis(root, key), save: (key, facts, texts) => saveAnalysis(root, key, facts, new Map(texts)) }
      : { load: () => undefined, save: () => {} },
    scanMacros: () => findMacroImports(root, { cache: options.cache }),
    saveSizes() {
      if (!options.cache) return;
      meter.save();
    },
  };
}
