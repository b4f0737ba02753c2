/**
 * What every page reads: the validated model (from loadModel, never from Astro's YAML loaders), bundle
 * results when fresh, record URLs and file dates. Any record error throws with the same text as
 * `npm run check`, so neither the build nor the dev server can show bad data.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatText, isError, type Diagnostic } from "../core/report/diagnostics.ts";
import { statusEvidence, type Evidence } from "../core/model/evidence.ts";
import { lintContent } from "../core/lint/lint-tables.ts";
import { checkLoaded } from "../core/check.ts";
import { loadModel, recordsHash, type Entry, type Model } from "../core/model/model.ts";
import { freshProveResults, PROVE_RESULTS, type ProveResults } from "../core/model/proof.ts";
import { KIND_INFO, KINDS, type Kind } from "../core/schema/kinds.ts";
import { freshVerifyResults, type VerifyResults } from "../verify/results-file.ts";
import { git } from "../core/git.ts";
import { siteConfig, sourceUrl, type SiteConfig } from "./config.ts";
import { plural } from "../core/text/plural.ts";

/** Where Astro's dev overlay points: the first error's file (absolute), line and column. */
export interface ErrorLocation {
  file: string;
  line: number;
  column: number;
}

export class RecordErrors extends Error {
  /**
   * Read by Astro's dev overlay (and its terminal output) instead of the throwing line of this module: the
   * overlay shows `loc`'s file at its line with a caret. `fullCode` and `frame` are the text check read, so
   * the overlay never reads the file itself (a data file that is a link out of the repository stays unread).
   */
  readonly loc?: ErrorLocation;
  readonly fullCode?: string;
  readonly frame?: string;
  readonly hint?: string;

  constructor(
    readonly text: string,
    readonly count: number,
    at?: { loc: ErrorLocation; source: string; frame: string },
  ) {
    super(`${plural(count, "record error")}; the site is not built from invalid records:\n\n${text}`);
    this.name = "RecordErrors";
    if (at) {
      this.loc = at.loc;
      this.fullCode = at.source;
      this.frame = at.frame;
      this.hint = "Fix the record and save: the page reloads. `npm run check` lists the same errors.";
    }
  }
}

/** RecordErrors for these diagnostics, located at the first one whose file check read. */
function recordErrors(errors: Diagnostic[], source: (file: string) => string | undefined, root: string): RecordErrors {
  const text = formatText(errors, source);
  const first = errors.find((d) => source(d.file) !== undefined);
  if (!first) return new RecordErrors(text, errors.length);
  const loc = { file: resolve(root, first.file), line: first.line, column: first.col };
  return new RecordErrors(text, errors.length, { loc, source: source(first.file)!, frame: formatText([first], source) });
}

export interface Site {
  config: SiteConfig;
  model: Model;
  results: VerifyResults | undefined;
  /** Why `results` is undefined: missing, or computed from other records, another Bun or other sources. */
  resultsStale: string | undefined;
  /** Results of `npm run prove` when they were computed from exactly these inputs. */
  proofs: ProveResults | undefined;
  /** Site path of a record page, e.g. /features/DEBUG/. */
  urlOf(entry: Entry): string;
  slugOf(entry: Entry): string;
  /** The records of one kind, typed by it: `entries("roadmap")` gives roadmap records with their fields. */
  entries<K extends Kind>(kind: K): Entry<K>[];
  /** What backs a record's "Done", or why nothing does; undefined for claims nothing can check. */
  evidence(entry: Entry): Evidence | undefined;
  /** "Edit this record": the YAML file at the record's first line. */
  editUrlOf(entry: Entry): string;
  /** YYYY-MM-DD of the last commit touching a file (repository-relative or absolute), else the build date. */
  lastUpdated(file: string, root?: string): string;
}

/** Lower-case URL slug of a name; flag names (already URL-safe identifiers) stay as written: /features/DEBUG/. */
export function slugify(name: string, keepCase = false): string {
  if (keepCase && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) return name;
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "record";
}

function signature(config: SiteConfig): string {
  const dir = join(config.dataRoot, config.dataDir);
  const parts: string[] = [JSON.stringify(config)];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const full = join(d, n);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else parts.push(`${full}:${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  for (const file of [".cache/verify/results.json", PROVE_RESULTS]) {
    try {
      const st = statSync(join(config.resultsRoot, file));
      parts.push(`${file}:${st.size}:${st.mtimeMs}`);
    } catch {
      /* no results */
    }
  }
  return parts.join("\n");
}

let cached: { key: string; site: Site } | undefined;

/** Astro's dev server: data may change between requests. Everywhere else (build, scripts) it cannot. */
const LIVE = (import.meta as { env?: { DEV?: boolean } }).env?.DEV === true;

/** The site's data; in dev re-read when a data file (or the results file) changed, otherwise read once. */
export function getSite(env: Record<string, string | undefined> = process.env): Site {
  if (cached && !LIVE && env === process.env) return cached.site;
  const config = siteConfig(env);
  const key = signature(config);
  if (cached?.key === key) return cached.site;
  const site = createSite(config);
  cached = { key, site };
  return site;
}

/** Throws RecordErrors when the records have any error. */
export function checkRecords(config: SiteConfig): ReturnType<typeof loadModel> {
  const loaded = loadModel(config.dataRoot, config.dataDir);
  const errors = loaded.diagnostics.filter(isError);
  if (errors.length) {
    throw recordErrors(errors, (file) => loaded.sources.get(file)?.text, config.dataRoot);
  }
  return loaded;
}

/**
 * Whether the site is built from the repository's own records and pages (what `npm run build` does), rather
 * than from a test's or a bench's folders: only then do the generated files and the tables belong to them.
 */
export function buildsOwnInputs(config: SiteConfig): boolean {
  return (
    config.dataRoot === config.root && config.dataDir === "data" && config.contentRoot === config.root && config.contentDir === "content"
  );
}

/**
 * `npm run check` for the site build, so the build refuses exactly what check refuses, with check's own
 * diagnostics: on the repository's own inputs the whole check (stale generated files, table lint, claims);
 * on a test's or bench's folders the records and the content rules that keep code from running (the
 * repository's generated files and tables were made for other records). Throws RecordErrors.
 */
export function checkForBuild(config: SiteConfig): void {
  if (!buildsOwnInputs(config)) {
    const loaded = checkRecords(config);
    checkContent(config, loaded.model.scopeNames);
    return;
  }
  const loaded = loadModel(config.dataRoot, config.dataDir);
  const result = checkLoaded(config.root, loaded);
  const errors = result.diagnostics.filter(isError);
  if (errors.length)
    throw new RecordErrors(
      formatText(errors, (file) => result.texts.get(file)),
      errors.length,
    );
}

/** Content rules that keep the build from running code (mdx-code) or reading outside the repository. */
const UNSAFE_CONTENT = new Set(["mdx-code", "mdx-syntax", "outside-repository", "not-a-file", "file-too-large", "unreadable-file"]);

/**
 * Throws RecordErrors when a content page would run code or read outside the repository: Astro compiles
 * MDX into code, so this runs before it. Table style is check's business, not the build's.
 */
export function checkContent(config: SiteConfig, scopeNames: readonly string[] = []): void {
  const lint = lintContent(config.contentRoot, { scopeNames }, config.contentDir);
  const errors = lint.diagnostics.filter((d) => isError(d) && UNSAFE_CONTENT.has(d.rule));
  if (errors.length) throw recordErrors(errors, (file) => lint.sources.get(file), config.contentRoot);
}

export function createSite(config: SiteConfig): Site {
  const loaded = checkRecords(config);
  const { model } = loaded;
  const verified = freshVerifyResults(config.resultsRoot, recordsHash(model), config.root);
  const results = "results" in verified ? verified.results : undefined;
  const slugs = new Map<Entry, string>();
  for (const kind of KINDS) {
    // /build-variants/compare/ is the compare page: a variant named "compare" gets another slug.
    const used = new Set<string>(kind === "variants" ? ["compare"] : []);
    for (const e of model.records[kind]) {
      const base = slugify(e.record.name, kind === "features");
      let slug = base;
      for (let i = 2; used.has(slug.toLowerCase()); i++) slug = `${base}-${i}`;
      used.add(slug.toLowerCase());
      slugs.set(e, slug);
    }
  }
  const proofs = freshProveResults(config.resultsRoot, config.root, model);
  const evidence = new Map<Entry, Evidence | undefined>();
  const dates = new Map<string, string>();
  const lastUpdated = (file: string, root = config.root) => {
    const key = `${root}\0${file}`;
    let date = dates.get(key);
    if (date === undefined) {
      // Through the one git wrapper: no hooks, no prompts, no shell; the path only ever after "--".
      const r = git(root, ["log", "-1", "--format=%cs", "--", file]);
      const out = r.ok ? r.stdout.trim() : "";
      date = /^\d{4}-\d{2}-\d{2}$/.test(out) ? out : config.buildDate;
      dates.set(key, date);
    }
    return date;
  };
  return {
    config,
    model,
    results,
    resultsStale: "reason" in verified ? verified.reason : undefined,
    proofs,
    slugOf: (e) => slugs.get(e) ?? slugify(e.record.name, e.kind === "features"),
    urlOf: (e) => `/${KIND_INFO[e.kind].path}/${encodeURIComponent(slugs.get(e) ?? slugify(e.record.name, e.kind === "features"))}/`,
    entries: (kind) => model.records[kind],
    evidence: (e) => {
      if (!evidence.has(e)) evidence.set(e, statusEvidence(e, { root: config.root, model, results, proofs }));
      return evidence.get(e);
    },
    editUrlOf: (e) => sourceUrl(config, e.at.file, e.at.line),
    lastUpdated: (file, root) => lastUpdated(file, root ?? (file.startsWith(`${config.dataDir}/`) ? config.dataRoot : config.root)),
  };
}
