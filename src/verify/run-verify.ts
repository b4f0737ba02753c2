/**
 * `npm run verify` as a function over a project root (data/ + src/ + package.json), so the CLI, the site
 * build, the tests and the benchmark run the same proof: build every variant, then prove source rules,
 * dead code, owned modules, leftovers, sizes against budget, per-flag impact and drift.
 *
 * Speed: Bun builds one at a time per process, so the ~160 impact toggles are shared with a helper process
 * (measure-flag-sets.ts); the real builds start before the TypeScript parser loads (~250 ms of main
 * thread); brotli runs on the libuv pool. What depends only on unchanged inputs (source analysis, toggle
 * sizes, compressed sizes) is reused by content hash; the variant and probe builds run every time.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isError, sortDiagnostics, type Diagnostic } from "../core/report/diagnostics.ts";
import { relativePath, type Entry } from "../core/load/load-records.ts";
import { loadModel, type Model } from "../core/model/model.ts";
import type { VerifyResults } from "./results-file.ts";
import { readInside } from "../core/fs/safe-fs.ts";
import { offsetOf, parseYamlSource, position } from "../core/load/yaml-source.ts";
import { flagSetKey, VariantBuilder, type Built, type BuildProblem } from "./build-variants.ts";
import { analysisKey, loadAnalysis, saveAnalysis } from "./analysis-cache.ts";
import { checkDrift, fixDrift, PACKAGE_JSON } from "./drift.ts";
import { deadFlagDiagnostics, flagImpacts, toggles, type FlagImpact } from "./flag-impact.ts";
import { flagRules } from "./flag-rules.ts";
import { FlagSetCache } from "./flag-set-cache.ts";
import { findLeftovers } from "./leftovers.ts";
import { FlagSetMeasurer } from "./measure-flag-sets.ts";
import { budgetDiagnostic, SizeMeter, type Sizes } from "./measure-sizes.ts";
import { findLeaks, leakDiagnostics, matchesAny, unmatchedGlobs, type Leak } from "./owned-modules.ts";
import { atRecord, bytes, globFiles } from "./places.ts";
import { judgeProbe, probeDiagnostics, probePlan } from "./probe-proof.ts";
import { buildResults, writeResults, type VariantOutcome } from "./results.ts";
import type { SourceGraph } from "./source-graph.ts";
import { pruneVariants, writeVariant } from "./write-variants.ts";
import { VARIANTS_DIR } from "./drift.ts";

/** Sources shown in code frames are small; anything larger is not worth printing. */
const MAX_FRAME_SOURCE_BYTES = 4 * 1024 * 1024;

export const SIZE_CACHE = ".cache/verify/sizes.json";

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
  /** Regenerate drifting package.json scripts and the workflow instead of only reporting them. */
  fix?: boolean;
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
  /** Files and folders written. */
  written: string[];
  builds: number;
  /** What came from the content-hash caches instead of being computed. */
  cached: { analysis: boolean; flagSets: number };
  ms: number;
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

/** The Bun version package.json pins; sizes from another runtime are not comparable. */
function pinnedBun(root: string, texts: Map<string, string>): Diagnostic[] {
  const read = readInside(root, PACKAGE_JSON, MAX_FRAME_SOURCE_BYTES);
  const text = "refusal" in read ? undefined : read.bytes.toString("utf8");
  if (text === undefined) return [{ file: PACKAGE_JSON, line: 1, col: 1, rule: "bun-version", message: "package.json is missing; it must pin the Bun version", hint: "run from the repository root" }];
  texts.set(PACKAGE_JSON, text);
  const { source, diagnostics: unreadable } = parseYamlSource(PACKAGE_JSON, text);
  if (unreadable.length) return unreadable.map((d) => ({ ...d, rule: "bun-version", message: `package.json cannot be read, so the pinned Bun is unknown: ${d.message}` }));
  const pkg = (source.data ?? {}) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
  const section = pkg.devDependencies?.bun !== undefined ? "devDependencies" : pkg.dependencies?.bun !== undefined ? "dependencies" : undefined;
  const pin = section ? pkg[section]!.bun : undefined;
  if (pin === Bun.version) return [];
  const at = position(source, offsetOf(source, section ? [section, "bun"] : [], false));
  return [{
    file: PACKAGE_JSON, ...at, rule: "bun-version",
    message: pin === undefined ? `package.json does not pin Bun; verify runs on ${Bun.version}` : `verify runs on Bun ${Bun.version} but package.json pins ${JSON.stringify(pin)}`,
    hint: "run verify with the pinned Bun (node_modules/.bin/bun, via npm run verify) or pin an exact version in devDependencies",
  }];
}

function buildFailure(variant: Entry<"variants">, p: BuildProblem, variants: string[]): Diagnostic {
  const message = `variant${variants.length > 1 ? "s" : ""} ${variants.map((n) => `"${n}"`).join(", ")} do${variants.length > 1 ? "" : "es"} not build: ${p.message}`;
  if (p.file) return { file: p.file, line: p.line ?? 1, col: p.col ?? 1, rule: "build-failed", message };
  return atRecord(variant, ["entry"], "build-failed", message, "check the entry path and the imports it reaches");
}

export async function runVerify(root: string, options: VerifyOptions = {}): Promise<VerifyRun> {
  const started = performance.now();
  const write = options.write ?? true;
  const today = options.today ?? todayUtc();
  const progress = options.onProgress ?? (() => {});
  const phase = (name: string, since: number, detail?: string) => progress({ kind: "phase", name, ms: performance.now() - since, ...(detail ? { detail } : {}) });

  const cache = options.cache ?? write;
  const builder = new VariantBuilder(root);
  const meter = new SizeMeter(cache ? join(root, SIZE_CACHE) : undefined);
  const flagSetCache = new FlagSetCache(root, cache);
  const measurer = new FlagSetMeasurer(root, builder, meter, flagSetCache);
  // The helper loads its modules while this process reads the records.
  if (options.impact !== false) measurer.startHelper();

  const { model, diagnostics: modelDiagnostics, sources } = loadModel(root);
  const texts = new Map<string, string>([...sources].map(([f, s]) => [f, s.text]));
  const diagnostics: Diagnostic[] = [...pinnedBun(root, texts), ...modelDiagnostics];
  const done = (extra: Partial<VerifyRun> = {}): VerifyRun => {
    const sorted = sortDiagnostics(diagnostics);
    return { ok: !sorted.some(isError), diagnostics: sorted, texts, model, variants: [], impacts: [], results: undefined, written: [], builds: 0, cached: { analysis: false, flagSets: 0 }, ms: performance.now() - started, ...extra };
  };
  // Invalid records or the wrong runtime: nothing below would mean anything, and nothing is written.
  if (diagnostics.some(isError)) {
    measurer.stop();
    return done();
  }

  const variants = model.records.variants;
  const flags = model.records.features;
  const flagByName = new Map(flags.map((f) => [f.record.name, f]));
  const variantByName = new Map(variants.map((v) => [v.record.name, v]));

  // A missing entry makes the source graph partial: rules that need all of it (stale flags, owned globs) would only echo it.
  const missingEntries = variants.filter((v) => "refusal" in readInside(root, v.record.entry, MAX_FRAME_SOURCE_BYTES));
  for (const v of missingEntries) {
    diagnostics.push(atRecord(v, ["entry"], "missing-entry", `entry ${v.record.entry} of variant "${v.record.name}" does not exist`, "fix the path; entries are relative to the repository root"));
  }

  // 1. Start the real builds and hand the toggles to the measurer; nothing here needs the parser.
  const realBuilds = variants.map((v) => builder.build({ entry: v.record.entry, features: v.record.features }));
  // Measure each variant as soon as it is built: brotli starts while the toggles still build.
  const measured = realBuilds.map((p) => p.then(async (b) => (b.ok ? { built: b, sizes: await meter.measure(b.outputs) } : { built: b, sizes: undefined })));
  const toggleList = options.impact === false ? [] : toggles(variants, flags, (f) => model.scopesOf(f));
  // A toggle that lands on another variant's flag set (prod + MOCK_API = test) reuses that build.
  const variantKeys = new Map(variants.map((v, i) => [`${v.record.entry}|${flagSetKey(v.record.features)}`, i]));
  const jobKeys = new Map<string, number>();
  const jobs: { entry: string; features: string[] }[] = [];
  const toggleSource = toggleList.map((t) => {
    const entry = variantByName.get(t.variant)!.record.entry;
    const key = `${entry}|${flagSetKey(t.features)}`;
    const same = variantKeys.get(key);
    if (same !== undefined) return { variant: same };
    let job = jobKeys.get(key);
    if (job === undefined) {
      jobKeys.set(key, (job = jobs.length));
      jobs.push({ entry, features: t.features });
    }
    return { job };
  });
  const jobSizes = measurer.measure(jobs);
  const toggleSizes = toggleSource.map((s) => ("variant" in s ? measured[s.variant!]!.then((m) => m.sizes) : jobSizes[s.job!]!));

  // 2. Sources: from the cache when nothing they depend on changed, else parsed now (the builds above
  // already run while the parser loads).
  let t = performance.now();
  const entries = [...new Set(variants.map((v) => v.record.entry))];
  const extra = globFiles(root, options.extraSources ?? ["src/examples/**/*.ts"]);
  const key = analysisKey(flags, entries, extra);
  let facts = cache ? loadAnalysis(root, key) : undefined;
  const cachedAnalysis = facts !== undefined;
  let graph: SourceGraph | undefined;
  const parse = async () => {
    const { analyzeSources } = await import("./analyze-sources.ts");
    return analyzeSources(root, entries, extra, flags);
  };
  if (!facts) {
    const analysed = await parse();
    facts = analysed.facts;
    graph = analysed.graph;
    for (const [f, text] of graph.texts) texts.set(f, text);
  }
  const bundled = facts.bundled;
  diagnostics.push(...facts.diagnostics);
  if (missingEntries.length === 0) diagnostics.push(...flagRules(flags, facts.references, today), ...unmatchedGlobs(bundled, flags));
  const plan = probePlan(root, facts.probes);
  const probeBuilds = variants.map((v) =>
    plan.plugin ? builder.build({ entry: v.record.entry, features: v.record.features, probe: { key: plan.key, plugin: plan.plugin } }) : Promise.resolve(undefined),
  );
  phase("sources", t, `${facts.files.length} files, ${plan.arms.length} guarded arms${cachedAnalysis ? " (cached)" : ""}`);

  // 3. Each variant: leftovers, owned modules, sizes against budget.
  t = performance.now();
  const outcomes: VariantOutcome[] = [];
  const allLeaks: Leak[] = [];
  const builtByVariant = new Map<string, Extract<Built, { ok: true }>>();
  // One error may break every variant: report it once, naming them all.
  const buildFailures = new Map<string, { variant: Entry<"variants">; problem: BuildProblem; variants: string[] }>();
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const { built, sizes } = await measured[i]!;
    const outcome: VariantOutcome = {
      name: v.record.name,
      features: [...v.record.features],
      budget: v.record.budget,
      sizes,
      proofs: { markers: "skipped", ownedModules: "skipped", leftovers: "skipped" },
      problems: [],
    };
    if (!built.ok) {
      // A missing entry is already reported as such.
      for (const p of missingEntries.includes(v) ? [] : built.problems) {
        const key = `${p.file ?? `variant:${v.record.name}`}:${p.line}:${p.col}:${p.message}`;
        const failure = buildFailures.get(key) ?? { variant: v, problem: p, variants: [] };
        failure.variants.push(v.record.name);
        buildFailures.set(key, failure);
        outcome.problems.push(`does not build: ${p.message}`);
      }
    } else {
      builtByVariant.set(v.record.name, built);
      const left = findLeftovers(built.outputs);
      outcome.proofs.leftovers = left.length ? "fail" : "pass";
      for (const l of left) {
        const d = atRecord(v, ["name"], "leftover", `variant "${v.record.name}": ${l.output} still contains ${l.what}${l.count > 1 ? ` (${l.count} times)` : ""}, first at byte ${l.offset}: …${l.excerpt}…`,
          "a flag test escaped the bundler; fix the source rule errors reported for it");
        diagnostics.push(d);
        outcome.problems.push(d.message);
      }
      const leaks = findLeaks({ name: v.record.name, entry: v.record.entry, features: v.record.features }, flags, built.metafile);
      allLeaks.push(...leaks);
      outcome.proofs.ownedModules = leaks.length ? "fail" : "pass";
      for (const l of leaks) outcome.problems.push(`${l.module} (${l.ownership === "owned" ? `owned by ${l.flag}, off` : `replaced by ${l.flag}, on`}) ships ${bytes(l.bytes)}`);
      const over = budgetDiagnostic(v, sizes!);
      if (over) {
        diagnostics.push(over);
        outcome.problems.push(over.message);
      }
    }
    outcomes.push(outcome);
  }
  for (const f of buildFailures.values()) diagnostics.push(buildFailure(f.variant, f.problem, f.variants));
  if (allLeaks.length) {
    // Locating a leak needs the syntax tree: parse now if the analysis came from the cache.
    graph ??= (await parse()).graph;
    const g = graph;
    const { leakSite } = await import("./leak-site.ts");
    for (const [f, text] of g.texts) texts.set(f, text);
    diagnostics.push(...leakDiagnostics(allLeaks, flagByName, (leak) => leakSite(g, leak, new Set(variantByName.get(leak.variant)!.record.features))));
  }

  // 4. Dead-code proof from the probe builds.
  const verdicts: Parameters<typeof probeDiagnostics>[0] = [];
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const outcome = outcomes[i]!;
    const probe = await probeBuilds[i]!;
    if (probe?.ok) {
      const on = new Set(v.record.features);
      const verdict = judgeProbe(plan, on, probe);
      verdicts.push({ variant: v.record.name, on, verdict });
      const wrong = verdict.shippedDead.length + verdict.removedLive.length;
      outcome.proofs.markers = wrong ? "fail" : "pass";
      if (wrong) outcome.problems.push(`${wrong} guarded arm${wrong === 1 ? "" : "s"} shipped or removed against the flags`);
    } else if (probe && !probe.ok && builtByVariant.has(v.record.name)) {
      // The plain build worked, so the planted markers broke it: the proof could not run.
      const d = atRecord(v, ["entry"], "probe-mismatch", `variant "${v.record.name}": the probe build failed: ${probe.problems[0]?.message ?? "unknown error"}`);
      diagnostics.push(d);
      outcome.proofs.markers = "fail";
      outcome.problems.push(d.message);
    }
    progress({ kind: "variant", outcome, index: i, total: variants.length });
  }
  diagnostics.push(...probeDiagnostics(verdicts));
  phase("variants", t);

  // 5. Flag impact from the toggles.
  t = performance.now();
  const toggled = await Promise.all(toggleSizes);
  const base = new Map<string, { raw: number; gzip: number } | undefined>(outcomes.map((o) => [o.name, o.sizes]));
  const impacts = options.impact === false ? [] : flagImpacts(flags, toggleList, base, toggled);
  // An unreferenced flag is already reported as stale; calling it dead as well would say the same twice.
  diagnostics.push(...deadFlagDiagnostics(impacts.filter((i) => (facts.references[i.name] ?? []).length > 0), flagByName));
  phase("impact", t, `${toggleList.length} toggles`);

  // 6. Drift of scripts and workflow.
  const written: string[] = [];
  if (options.fix) {
    const fixed = fixDrift(root, model);
    written.push(...fixed.written);
    diagnostics.push(...fixed.diagnostics);
  }
  const drift = checkDrift(root, model);
  diagnostics.push(...drift);
  // Code frames for every file a diagnostic names, including sources the cached analysis did not read.
  for (const d of diagnostics) {
    if (texts.has(d.file)) continue;
    const read = readInside(root, d.file, MAX_FRAME_SOURCE_BYTES);
    if (!("refusal" in read)) texts.set(d.file, read.bytes.toString("utf8"));
  }

  const eliminated = new Map<string, boolean>();
  for (const f of flags) {
    const ownsSomething = bundled.some((p) => matchesAny(p, f.record.modules));
    eliminated.set(f.record.name, ownsSomething && builtByVariant.size === variants.length && !allLeaks.some((l) => l.flag === f.record.name && l.ownership === "owned"));
  }

  const sorted = sortDiagnostics(diagnostics);
  const ok = !sorted.some(isError);
  const results = buildResults({ model, ok, variants: outcomes, impacts, eliminated });
  if (write) {
    // A folder where results.json belongs, a read-only dist/: reported like any other mistake, never a stack trace.
    try {
      for (const o of outcomes) {
        const built = builtByVariant.get(o.name);
        const v = variantByName.get(o.name)!;
        if (built && o.sizes) written.push(writeVariant(root, { name: o.name, entry: v.record.entry, features: o.features, bunVersion: Bun.version, sizes: o.sizes as Sizes }, built));
      }
      written.push(...pruneVariants(root, new Set(variants.map((v) => v.record.name))));
      written.push(writeResults(root, results));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const file = e.path ? relativePath(root, e.path) : VARIANTS_DIR;
      diagnostics.push({ file, line: 1, col: 1, rule: "output-not-writable", message: `${file} cannot be written: ${e.code ?? e.message}`, hint: "remove or fix what stands there, then run verify again" });
      const failed = sortDiagnostics(diagnostics);
      return { ok: false, diagnostics: failed, texts, model, variants: outcomes, impacts, results: undefined, written, builds: builder.count + measurer.helperBuilds, cached: { analysis: cachedAnalysis, flagSets: measurer.cached }, ms: performance.now() - started };
    }
  }
  if (cache) {
    meter.save();
    flagSetCache.save();
    if (!cachedAnalysis && graph) saveAnalysis(root, key, facts, graph.texts);
  }
  return { ok, diagnostics: sorted, texts, model, variants: outcomes, impacts, results, written, builds: builder.count + measurer.helperBuilds, cached: { analysis: cachedAnalysis, flagSets: measurer.cached }, ms: performance.now() - started };
}
