/**
 * npm run build: the docs site into dist/, all or nothing.
 *
 *   bun scripts/build-site.ts [--out dist] [--quiet]
 *
 * 1. validates the records (any error: print check's diagnostics, exit 1, dist/ untouched);
 * 2. runs `astro build` (under Bun) into a staging folder;
 * 3. indexes the staged site with Pagefind;
 * 4. checks every internal link and #anchor of every page (any broken: exit 1, dist/ untouched);
 * 5. swaps the staging folder in as dist/, carrying over dist/variants/ (the bundles `npm run verify` writes).
 *
 * Environment: SITE_DATA_DIR, SITE_BUILD_DATE, SITE_REPO_URL, … (see src/core/site/config.ts).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import * as pagefind from "pagefind";
import { checkLinks, formatLinkProblems } from "../src/core/site/check-links.ts";
import { siteConfig } from "../src/core/site/config.ts";
import { checkRecords, RecordErrors } from "../src/core/site/data.ts";

/** Folders of dist/ that belong to other tools and survive a site build. */
export const PRESERVED = ["variants"];

const root = resolve(import.meta.dir, "..");
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quiet = args.includes("--quiet");
const out = resolve(root, opt("out") ?? "dist");
const outRel = relative(root, out) || ".";
const started = performance.now();
const seconds = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
const log = (s: string) => process.stderr.write(`${s}\n`);

function fail(message: string): never {
  log(`\nbuild: ${message}`);
  log(`build: failed; ${outRel}/ left as it was.`);
  process.exit(1);
}

// 1. Records first: the same diagnostics as `npm run check`, without starting Astro.
try {
  checkRecords(siteConfig({ ...process.env, SITE_ROOT: root }));
} catch (err) {
  if (err instanceof RecordErrors) {
    log(err.text);
    fail(`${err.count} record error${err.count === 1 ? "" : "s"}: the site is never built from invalid records (run npm run check)`);
  }
  throw err;
}

const inside = !relative(root, out).startsWith("..");
const stageBase = inside ? join(root, ".cache", "site-stage") : dirname(out);
const stage = join(stageBase, `.${basename(out)}.stage-${process.pid}`);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stageBase, { recursive: true });
const cleanup = () => rmSync(stage, { recursive: true, force: true });
process.on("exit", cleanup);

// 2. Astro, under Bun.
const tAstro = performance.now();
const astro = Bun.spawnSync({
  cmd: [process.execPath, "--bun", join(root, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", stage, ...(quiet ? ["--silent"] : [])],
  cwd: root,
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1", SITE_ROOT: root },
  stdout: quiet ? "pipe" : "inherit",
  stderr: "inherit",
});
if (astro.exitCode !== 0) {
  if (quiet && astro.stdout) process.stderr.write(astro.stdout);
  fail(`astro build exited with ${astro.exitCode}`);
}
const astroTime = seconds(tAstro);

// 3. Search index.
const tIndex = performance.now();
const { index, errors } = await pagefind.createIndex({});
if (!index) fail(`pagefind: ${errors.join("; ")}`);
const added = await index.addDirectory({ path: stage });
if (added.errors.length) fail(`pagefind: ${added.errors.join("; ")}`);
const written = await index.writeFiles({ outputPath: join(stage, "pagefind") });
if (written.errors.length) fail(`pagefind: ${written.errors.join("; ")}`);
await pagefind.close();
const indexTime = seconds(tIndex);

// 4. Links and anchors.
const tLinks = performance.now();
const links = await checkLinks(stage, { skip: ["pagefind", ...PRESERVED] });
if (links.problems.length) {
  log(formatLinkProblems(links.problems));
  fail(`${links.problems.length} broken internal link${links.problems.length === 1 ? "" : "s"} or anchor${links.problems.length === 1 ? "" : "s"}`);
}
const linkTime = seconds(tLinks);

// 5. Swap in, keeping what others wrote under dist/.
for (const keep of PRESERVED) {
  if (existsSync(join(stage, keep))) fail(`the site itself wrote ${keep}/, which is reserved for other tools`);
}
const old = `${stage}.old`;
if (existsSync(out)) renameSync(out, old);
renameSync(stage, out);
for (const keep of PRESERVED) {
  if (existsSync(join(old, keep))) renameSync(join(old, keep), join(out, keep));
}
rmSync(old, { recursive: true, force: true });

log(
  `build: ${links.pages} pages (${added.page_count} indexed for search), ${links.links} links checked → ${outRel}/ in ${seconds(started)}` +
    ` (astro ${astroTime}, pagefind ${indexTime}, links ${linkTime})`,
);
