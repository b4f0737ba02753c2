/**
 * Where the site build writes and how its output is replaced: the output folder is planned (never the
 * repository, a parent of it or a link), recovered from a build that was killed, refused when it holds what
 * no site build wrote, and swapped in whole through the one publish primitive (src/core/fs/publish-dir.ts),
 * carrying over dist/variants/ (the bundles `npm run verify` writes) from the site it replaces.
 */
import { plural } from "../core/text/plural.ts";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { assertInside, isInside } from "../core/fs/safe-fs.ts";
import {
  type DirSlot,
  isDir,
  publishDir,
  type PublishHooks,
  type PublishPoint,
  recoverDir,
  stageOf,
  type SwapMode,
} from "../core/fs/publish-dir.ts";

/** Folders of dist/ that belong to other tools and survive a site build. */
export const PRESERVED = ["variants"];
/** Written into every site this script builds; only a folder holding it (or nothing else than PRESERVED) is replaced. */
export const MARKER = ".takeoff-site";

/** The build's steps, in order, then the swap's own points: each a place a test may stop the build. */
export type BuildStep = "recovered" | "public" | "records" | "astro" | "pagefind" | "links" | "marker" | "variants" | PublishPoint;

/** Injected by tests: `after` runs right after each step (to kill or fail the build there). None in production. */
export interface BuildHooks extends PublishHooks {
  after?(step: BuildStep): void;
}

/** The output folder (`target`), where its stages live, and this build's stage folder. */
export interface OutputPlan extends DirSlot {
  root: string;
  stage: string;
}

export function planOutput(root: string, outArg: string, pid = process.pid): OutputPlan {
  root = resolve(root);
  const out = resolve(root, outArg);
  const inRepo = isInside(root, out);
  const outBase = inRepo ? root : dirname(out);
  assertInside(outBase, out, "site output");
  if (isInside(out, root)) throw new Error(`refusing to write site output ${out}: it holds the repository`);
  // Stages for outputs inside the repository stay out of its tree (.cache/); others sit beside the output.
  const stageBase = inRepo ? join(root, ".cache", "site-stage") : outBase;
  if (inRepo) assertInside(root, stageBase, "stage folder");
  const key = `${basename(out)}-${new Bun.CryptoHasher("sha256").update(out).digest("hex").slice(0, 8)}`;
  // The alias: the names stages had before the key carried a hash of the path (`.dist.stage-<pid>`).
  const slot: DirSlot = { target: out, targetBase: outBase, stageBase, key, aliases: [basename(out)] };
  return { ...slot, root, stage: stageOf(slot, pid) };
}

function markerOf(dir: string): string | undefined {
  try {
    if (!lstatSync(join(dir, MARKER)).isFile()) return undefined;
    return readFileSync(join(dir, MARKER), "utf8");
  } catch {
    return undefined;
  }
}

/** Marks a staged site as built by this script. */
export function writeMarker(dir: string, build: string): void {
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ generator: "takeoff build-site", build })}\n`);
}

/**
 * Step 0: what builds of this output that died left (see recoverDir), as lines for the log. A previous site
 * set aside counts as complete when marked or (from before markers existed) holding an index.html; a stage
 * only when marked (it is marked after its links were checked).
 */
export function recoverOutput(plan: OutputPlan): string[] {
  const complete = (dir: string, old: boolean) => markerOf(dir) !== undefined || (old && existsSync(join(dir, "index.html")));
  const r = recoverDir(plan, { complete, carry: PRESERVED });
  const done: string[] = [];
  if (r.restored) {
    // A folder from our own stage area is a site this script built (before markers existed, perhaps).
    if (markerOf(plan.target) === undefined) writeMarker(plan.target, `restored from ${basename(r.restored)}`);
    done.push(`restored ${plan.target} from ${basename(r.restored)}, left by a build that was killed mid-swap`);
  }
  for (const c of r.carried) done.push(`restored ${c} into ${plan.target}`);
  if (r.removed) done.push(`removed ${plural(r.removed, "stale stage folder")} of earlier builds`);
  return done;
}

/** Why the output must not be replaced, or undefined when it is absent, empty, ours, or holds only PRESERVED folders. */
export function checkOutput(plan: OutputPlan): string | undefined {
  const out = plan.target;
  let st;
  try {
    st = lstatSync(out);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return `${out} is a symbolic link; give the folder itself`;
  if (!st.isDirectory()) return `${out} is not a folder`;
  const names = readdirSync(out);
  if (names.length === 0 || markerOf(out) !== undefined || names.every((n) => PRESERVED.includes(n))) return undefined;
  const shown = names.sort().slice(0, 5).join(", ") + (names.length > 5 ? `, … (${names.length} entries)` : "");
  return (
    `${out} is not empty and was not written by a site build (it has no ${MARKER} file): it holds ${shown}. ` +
    `Nothing was deleted; choose an empty or new folder, or remove this one yourself.`
  );
}

/** Copies regular files and folders only (a link or special file in dist/variants/ is left behind, with a warning). */
function copyTree(from: string, to: string, warn: (s: string) => void): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyTree(src, join(to, name), warn);
    else if (st.isFile()) copyFileSync(src, join(to, name));
    else warn(`build: not carried over (not a regular file): ${src}`);
  }
}

/**
 * Step 6: swaps a complete, marked stage in as the output. Copies PRESERVED folders from the current output
 * into the stage first (copies: the current output stays whole and serving until the swap).
 */
export function publishSite(plan: OutputPlan, warn: (s: string) => void, hooks: BuildHooks = {}): SwapMode {
  const { target, stage } = plan;
  if (markerOf(stage) === undefined) throw new Error(`${stage} is not a complete site (no ${MARKER})`);
  if (isDir(target)) {
    for (const keep of PRESERVED) {
      const from = join(target, keep);
      if (!existsSync(from)) continue;
      if (!isDir(from)) {
        warn(`build: not carried over (not a folder): ${from}`);
        continue;
      }
      copyTree(from, join(stage, keep), warn);
    }
  }
  hooks.after?.("variants");
  return publishDir(plan, stage, hooks);
}
