/**
 * npm run build: the docs site into dist/, all or nothing (the command is src/cli/build-site.ts).
 *
 * 0. recovers from an earlier build that was killed, then refuses an output folder that is not empty and was
 *    not written by this script, or that holds the repository (src/site/publish-site.ts);
 * 1. checks public/: only regular files and folders inside the repository (a link to /etc/passwd, a FIFO or
 *    a device fails the build with a diagnostic naming it, dist/ untouched);
 * 2. runs `npm run check` on the repository's own records and pages (stale generated files, tables and claims
 *    included; any error: print check's diagnostics, exit 1, dist/ untouched);
 * 3. runs `astro build` (under Bun) into a staging folder (build-astro.ts);
 * 4. indexes the staged site with Pagefind (build-search.ts);
 * 5. checks every internal link and #anchor of every page (check-links.ts; any broken: exit 1, dist/ untouched);
 * 6. marks the staged site as ours, copies dist/variants/ (the bundles `npm run verify` writes) into it, and
 *    swaps it in whole (publish-site.ts over src/core/fs/publish-dir.ts).
 *
 * Environment: SITE_DATA_DIR, SITE_BUILD_DATE, SITE_REPO_URL, SITE_PUBLIC_DIR, … (see src/site/config.ts).
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { formatHeadline } from "../core/report/diagnostics.ts";
import { discardStage, prepareStage } from "../core/fs/publish-dir.ts";
import type { Io } from "../cli/io.ts";
import { plural, wordFor } from "../core/text/plural.ts";
import {
  type BuildHooks,
  checkOutput,
  type OutputPlan,
  planOutput,
  PRESERVED,
  publishSite,
  recoverOutput,
  writeMarker,
} from "./publish-site.ts";
import { buildAstro } from "./build-astro.ts";
import { indexSite } from "./build-search.ts";

export type { BuildHooks, BuildStep } from "./publish-site.ts";

export interface BuildOptions {
  /** The repository whose site is built (astro.config.mjs, content/, data/ …). */
  root: string;
  /** The output folder, relative to root (default dist). */
  out?: string;
  /** Astro's own output only when it fails. */
  quiet?: boolean;
}

/** Raised by `fail` inside buildSite: the message is printed, the exit code is 1, the output untouched. */
class BuildFailed extends Error {}

const fail = (message: string): never => {
  throw new BuildFailed(message);
};

/** Steps 1-2: the settings, public/ and what `npm run check` refuses, before Astro starts. */
async function checkInputs(root: string, io: Io, hooks: BuildHooks): Promise<void> {
  const log = (s: string) => io.stderr(`${s}\n`);
  // Settings (SITE_REPO_URL and the rest are validated by siteConfig).
  const { siteConfig } = await import("./config.ts");
  const { checkForBuild, RecordErrors } = await import("./data.ts");
  let config: ReturnType<typeof siteConfig>;
  try {
    config = siteConfig({ ...io.env, SITE_ROOT: root });
  } catch (err) {
    return fail((err as Error).message);
  }

  // 1. public/ is copied verbatim and served: only regular files and folders inside the repository.
  const { checkPublicFiles } = await import("./safe.ts");
  const refused = checkPublicFiles(root, config.publicDir);
  if (refused.length) {
    log(refused.map((d) => formatHeadline(d) + (d.hint ? `\n  hint: ${d.hint}` : "")).join("\n"));
    fail(`${plural(refused.length, "file")} in ${config.publicDir}/ must not be published`);
  }
  hooks.after?.("public");

  // 2. A content page that would run code never reaches Astro.
  try {
    checkForBuild(config);
  } catch (err) {
    if (err instanceof RecordErrors) {
      log(err.text);
      fail(`${plural(err.count, "error")} npm run check reports: the site is never built from records or pages check refuses`);
    }
    throw err;
  }
  hooks.after?.("records");
}

/** Steps 3-5 into the stage folder; returns what the closing line reports: counts, and the time of each step. */
async function buildStage(
  root: string,
  stage: string,
  io: Io,
  quiet: boolean,
  hooks: BuildHooks,
): Promise<{ counts: string; times: string }> {
  const seconds = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
  const tAstro = performance.now();
  const astroFailed = await buildAstro(root, stage, io, quiet);
  if (astroFailed) fail(astroFailed);
  const astroTime = seconds(tAstro);
  hooks.after?.("astro");

  const tIndex = performance.now();
  const indexed = await indexSite(stage);
  if ("error" in indexed) return fail(indexed.error);
  const indexTime = seconds(tIndex);
  hooks.after?.("pagefind");

  const { checkLinks, formatLinkProblems } = await import("./check-links.ts");
  const tLinks = performance.now();
  const links = await checkLinks(stage, { skip: ["pagefind", ...PRESERVED] });
  if (links.problems.length) {
    io.stderr(`${formatLinkProblems(links.problems)}\n`);
    fail(`${plural(links.problems.length, "broken internal link")} or ${wordFor(links.problems.length, "anchor")}`);
  }
  hooks.after?.("links");
  return {
    counts: `${links.pages} pages (${indexed.pages} indexed for search), ${links.links} links checked`,
    times: `astro ${astroTime}, pagefind ${indexTime}, links ${seconds(tLinks)}`,
  };
}

/**
 * Steps 0-6 (see the top of this file). Returns the exit code: 0 built and swapped in, 1 failed (output
 * untouched). `hooks` are for tests only: they stop or fail the build right after a step.
 */
export async function buildSite(options: BuildOptions, io: Io, hooks: BuildHooks = {}): Promise<number> {
  const root = resolve(options.root);
  const log = (s: string) => io.stderr(`${s}\n`);
  const started = performance.now();
  const outArg = options.out ?? "dist";
  let outRel = outArg;
  let plan: OutputPlan | undefined;
  let staged = false;
  try {
    // 0. The output folder: where it may be, what an earlier killed build left, whether it is ours to replace.
    try {
      plan = planOutput(root, outArg);
    } catch (err) {
      return fail((err as Error).message);
    }
    outRel = relative(root, plan.target) || ".";
    for (const line of recoverOutput(plan)) log(`build: ${line}`);
    hooks.after?.("recovered");
    const refusal = checkOutput(plan);
    if (refusal) fail(refusal);

    await checkInputs(root, io, hooks);
    prepareStage(plan, plan.stage);
    staged = true;
    const { counts, times } = await buildStage(root, plan.stage, io, options.quiet ?? false, hooks);

    // 6. Mark, carry over what others wrote under dist/, swap in.
    for (const keep of PRESERVED) {
      if (existsSync(join(plan.stage, keep))) fail(`the site itself wrote ${keep}/, which is reserved for other tools`);
    }
    writeMarker(plan.stage, `${new Date().toISOString()} pid ${process.pid}`);
    hooks.after?.("marker");
    publishSite(plan, log, hooks);
    log(`build: ${counts} → ${outRel}/ in ${((performance.now() - started) / 1000).toFixed(2)} s (${times})`);
    return 0;
  } catch (err) {
    if (!(err instanceof BuildFailed)) throw err;
    log(`\nbuild: ${err.message}`);
    log(`build: failed; ${outRel}/ left as it was.`);
    return 1;
  } finally {
    // A stage that was not swapped in (a failure, an exception) is removed; a published one is gone already.
    if (plan && staged) discardStage(plan, plan.stage);
  }
}
