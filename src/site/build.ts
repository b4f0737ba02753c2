/**
 * npm run build: the docs site into dist/, all or nothing (the command is src/cli/build-site.ts).
 *
 * 0. recovers from an earlier build that was killed: restores a site stranded mid-swap, carries over a
 *    stranded dist/variants/, removes stale stage and old folders; then refuses an output folder that is
 *    not empty and was not written by this script (no `.takeoff-site` marker), or that holds the repository;
 * 1. checks public/: only regular files and folders inside the repository (a link to /etc/passwd, a FIFO or
 *    a device fails the build with a diagnostic naming it, dist/ untouched);
 * 2. runs `npm run check` on the repository's own records and pages (stale generated files, tables and claims
 *    included; any error: print check's diagnostics, exit 1, dist/ untouched);
 * 3. runs `astro build` (under Bun) into a staging folder;
 * 4. indexes the staged site with Pagefind;
 * 5. checks every internal link and #anchor of every page (any broken: exit 1, dist/ untouched);
 * 6. marks the staged site as ours, copies dist/variants/ (the bundles `npm run verify` writes) into it, and
 *    swaps it in.
 *
 * The swap never leaves a moment without a complete dist/: on Linux the staged folder and dist/ trade places
 * in one renameat2(RENAME_EXCHANGE) call, then the old site (now in the stage folder) is removed. Where the
 * kernel or file system cannot exchange, dist/ is renamed aside and the stage renamed in (two renames);
 * killed between them, the next run (step 0) renames the old site back before anything else. Every rename
 * and removal first checks its target is inside the folder it belongs to (assertInside).
 *
 * Environment: SITE_DATA_DIR, SITE_BUILD_DATE, SITE_REPO_URL, SITE_PUBLIC_DIR, … (see src/site/config.ts).
 * Test hooks (tests only): BUILD_SITE_KILL_AFTER=<step> makes the build SIGKILL itself right after that step
 * (steps: recovered, public, records, astro, pagefind, links, marker, variants, swap | rename-out,
 * rename-stage, old-removed); BUILD_SITE_SWAP=rename forces the two-rename swap.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { dlopen, FFIType } from "bun:ffi";
import { formatHeadline } from "../core/report/diagnostics.ts";
import { assertInside, isInside } from "../core/fs/safe-fs.ts";
import type { Io } from "../cli/io.ts";

/** Folders of dist/ that belong to other tools and survive a site build. */
export const PRESERVED = ["variants"];
/** Written into every site this script builds; only a folder holding it (or nothing else than PRESERVED) is replaced. */
export const MARKER = ".takeoff-site";

type Env = Io["env"];

const log = (s: string) => void process.stderr.write(`${s}\n`);

/** Test hook: SIGKILL this process right after `step` when BUILD_SITE_KILL_AFTER names it. */
export function step(name: string, env: Env = process.env): void {
  if (env.BUILD_SITE_KILL_AFTER === name) process.kill(process.pid, "SIGKILL");
}

export interface OutputPlan {
  root: string;
  /** The output folder (absolute). */
  out: string;
  /** The folder `out` must stay strictly inside: the repository for outputs inside it, else out's parent. */
  outBase: string;
  /** Where stage folders live: .cache/site-stage for outputs inside the repository, else out's parent (same file system). */
  stageBase: string;
  /** Stage folder names start with `.${key}.stage-`; key = basename of out + a hash of its full path. */
  key: string;
  stage: string;
  old: string;
}

export function planOutput(root: string, outArg: string, pid = process.pid): OutputPlan {
  root = resolve(root);
  const out = resolve(root, outArg);
  const inRepo = isInside(root, out);
  const outBase = inRepo ? root : dirname(out);
  assertInside(outBase, out, "site output");
  if (isInside(out, root)) throw new Error(`refusing to write site output ${out}: it holds the repository`);
  const stageBase = inRepo ? join(root, ".cache", "site-stage") : outBase;
  if (inRepo) assertInside(root, stageBase, "stage folder");
  const key = `${basename(out)}-${new Bun.CryptoHasher("sha256").update(out).digest("hex").slice(0, 8)}`;
  const stage = join(stageBase, `.${key}.stage-${pid}`);
  return { root, out, outBase, stageBase, key, stage, old: `${stage}.old` };
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function markerOf(dir: string): string | undefined {
  try {
    if (!lstatSync(join(dir, MARKER)).isFile()) return undefined;
    return readFileSync(join(dir, MARKER), "utf8");
  } catch {
    return undefined;
  }
}

/** Removes an output-related folder after checking it lies inside `base`. */
function remove(base: string, target: string, what: string): void {
  assertInside(base, target, what);
  rmSync(target, { recursive: true, force: true });
}

function move(fromBase: string, from: string, toBase: string, to: string, what: string): void {
  assertInside(fromBase, from, what);
  assertInside(toBase, to, what);
  renameSync(from, to);
}

/**
 * Step 0. Folders left by builds of this output that died (their process is gone): a site renamed aside
 * and never renamed back is restored as the output; a PRESERVED folder stranded in an old site is carried
 * over into an output that lacks it; then every such folder is removed. Also recognises the names used
 * before this recovery existed (`.dist.stage-<pid>` and `.dist.stage-<pid>.old`). Returns what it did.
 */
export function recoverOutput(plan: OutputPlan): string[] {
  const { out, outBase, stageBase } = plan;
  let names: string[];
  try {
    names = readdirSync(stageBase);
  } catch {
    return [];
  }
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.(?:${escapeRegExp(plan.key)}|${escapeRegExp(basename(out))})\\.stage-(\\d+)(\\.old)?$`);
  const stale: { path: string; old: boolean; mtime: number }[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const path = join(stageBase, name);
    if (!isDir(path)) continue;
    stale.push({ path, old: !!m[2], mtime: statSync(path).mtimeMs });
  }
  if (!stale.length) return [];
  const done: string[] = [];
  const newest = [...stale].sort((a, b) => b.mtime - a.mtime);
  if (!exists(out)) {
    // Killed between "out → old" and "stage → out": the old site is the last good one. Failing that, a
    // complete stage (marked only after its links were checked) is better than nothing.
    const back = newest.find((s) => s.old && markerOrSite(s.path)) ?? newest.find((s) => !s.old && markerOf(s.path) !== undefined);
    if (back) {
      move(stageBase, back.path, outBase, out, "site output");
      stale.splice(stale.indexOf(back), 1);
      // A folder from our own stage area is a site this script built (before markers existed, perhaps).
      if (markerOf(out) === undefined) writeMarker(out, `restored from ${basename(back.path)}`);
      done.push(`restored ${out} from ${basename(back.path)}, left by a build that was killed mid-swap`);
    }
  }
  if (isDir(out)) {
    for (const keep of PRESERVED) {
      if (exists(join(out, keep))) continue;
      const from = newest.find((s) => s.old && isDir(join(s.path, keep)));
      if (!from) continue;
      move(stageBase, join(from.path, keep), outBase, join(out, keep), "preserved folder");
      done.push(`restored ${keep}/ into ${out} from ${basename(from.path)}`);
    }
  }
  for (const s of stale) remove(stageBase, s.path, "stale stage folder");
  done.push(`removed ${stale.length} stale stage folder${stale.length === 1 ? "" : "s"} of earlier builds`);
  return done;
}

/** A site folder: marked by this script, or (from before markers existed) holding an index.html. */
function markerOrSite(dir: string): boolean {
  return markerOf(dir) !== undefined || existsSync(join(dir, "index.html"));
}

/** Why `out` must not be replaced, or undefined when it is absent, empty, ours, or holds only PRESERVED folders. */
export function checkOutput(plan: OutputPlan): string | undefined {
  const { out } = plan;
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

type Exchange = (a: string, b: string) => boolean;
let exchanger: Exchange | null | undefined;

/**
 * Atomically swaps two paths (Linux renameat2 RENAME_EXCHANGE); false when the platform or file system
 * cannot, or when BUILD_SITE_SWAP=rename asks for the two-rename swap (tests).
 */
function exchange(a: string, b: string, env: Env): boolean {
  if (env.BUILD_SITE_SWAP === "rename") return false;
  if (exchanger === undefined) {
    exchanger = null;
    if (process.platform === "linux") {
      try {
        const libc = dlopen("libc.so.6", { renameat2: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 } });
        const AT_FDCWD = -100;
        const RENAME_EXCHANGE = 2;
        // Buffers passed straight to a ptr argument stay alive for the call.
        exchanger = (x, y) => libc.symbols.renameat2(AT_FDCWD, Buffer.from(`${x}\0`), AT_FDCWD, Buffer.from(`${y}\0`), RENAME_EXCHANGE) === 0;
      } catch {
        exchanger = null; // no glibc (musl, …) or no FFI: the two-rename swap
      }
    }
  }
  return exchanger ? exchanger(a, b) : false;
}

/**
 * Step 6: swaps a complete, marked stage in as the output. Copies PRESERVED folders from the current output
 * into the stage first (copies: the current output stays whole and serving until the swap).
 */
export function publishSite(plan: OutputPlan, warn: (s: string) => void = log, env: Env = process.env): "exchange" | "rename" | "first" {
  const { out, outBase, stage, stageBase, old } = plan;
  if (markerOf(stage) === undefined) throw new Error(`${stage} is not a complete site (no ${MARKER})`);
  const current = isDir(out);
  if (current) {
    for (const keep of PRESERVED) {
      const from = join(out, keep);
      if (!exists(from)) continue;
      if (!isDir(from)) {
        warn(`build: not carried over (not a folder): ${from}`);
        continue;
      }
      copyTree(from, join(stage, keep), warn);
    }
  }
  step("variants", env);
  if (!current) {
    move(stageBase, stage, outBase, out, "site output");
    step("swap", env);
    return "first";
  }
  assertInside(outBase, out, "site output");
  assertInside(stageBase, stage, "stage folder");
  if (exchange(stage, out, env)) {
    // out is the new site; the stage path holds the old one.
    step("swap", env);
    remove(stageBase, stage, "old site");
    step("old-removed", env);
    return "exchange";
  }
  move(outBase, out, stageBase, old, "old site");
  step("rename-out", env);
  try {
    move(stageBase, stage, outBase, out, "site output");
  } catch (err) {
    if (!exists(out)) renameSync(old, out); // put the last good site back at once
    throw err;
  }
  step("rename-stage", env);
  remove(stageBase, old, "old site");
  step("old-removed", env);
  return "rename";
}

/** Marks a staged site as built by this script. */
export function writeMarker(dir: string, build: string): void {
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ generator: "takeoff build-site", build })}\n`);
}

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

/** Forwards a child's output, a chunk at a time, to a writer. */
async function forward(stream: ReadableStream<Uint8Array>, write: (s: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) write(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest) write(rest);
}

/** Steps 0-6 (see the top of this file). Returns the exit code: 0 built and swapped in, 1 failed (output untouched). */
export async function buildSite(options: BuildOptions, io: Io): Promise<number> {
  const root = resolve(options.root);
  const quiet = options.quiet ?? false;
  const env = io.env;
  const log = (s: string) => io.stderr(`${s}\n`);
  const started = performance.now();
  const seconds = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
  const outArg = options.out ?? "dist";
  let outRel = outArg;

  const fail = (message: string): never => {
    throw new BuildFailed(message);
  };

  let stage: string | undefined;
  let stageBase = "";
  try {
    // 0. The output folder: where it may be, what an earlier killed build left, whether it is ours to replace.
    let plan: OutputPlan;
    try {
      plan = planOutput(root, outArg);
    } catch (err) {
      return fail((err as Error).message);
    }
    outRel = relative(root, plan.out) || ".";
    for (const line of recoverOutput(plan)) log(`build: ${line}`);
    step("recovered", env);
    const refusal = checkOutput(plan);
    if (refusal) fail(refusal);

    // Settings (SITE_REPO_URL and the rest are validated by siteConfig).
    const { siteConfig } = await import("./config.ts");
    const { checkForBuild, RecordErrors } = await import("./data.ts");
    let config: ReturnType<typeof siteConfig>;
    try {
      config = siteConfig({ ...env, SITE_ROOT: root });
    } catch (err) {
      return fail((err as Error).message);
    }

    // 1. public/ is copied verbatim and served: only regular files and folders inside the repository.
    const { checkPublicFiles } = await import("./safe.ts");
    const refused = checkPublicFiles(root, config.publicDir);
    if (refused.length) {
      log(refused.map((d) => formatHeadline(d) + (d.hint ? `\n  hint: ${d.hint}` : "")).join("\n"));
      fail(`${refused.length} file${refused.length === 1 ? "" : "s"} in ${config.publicDir}/ must not be published`);
    }
    step("public", env);

    // 2. What `npm run check` refuses, the build refuses, with check's diagnostics and before Astro starts
    //    (a content page that would run code never reaches it).
    try {
      checkForBuild(config);
    } catch (err) {
      if (err instanceof RecordErrors) {
        log(err.text);
        fail(`${err.count} error${err.count === 1 ? "" : "s"} npm run check reports: the site is never built from records or pages check refuses`);
      }
      throw err;
    }
    step("records", env);

    ({ stage, stageBase } = plan);
    mkdirSync(stageBase, { recursive: true });
    remove(stageBase, stage, "stage folder");

    // 3. Astro, under Bun.
    const tAstro = performance.now();
    const astro = Bun.spawn({
      cmd: [process.execPath, "--bun", join(root, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", stage, ...(quiet ? ["--silent"] : [])],
      cwd: root,
      env: { ...env, ASTRO_TELEMETRY_DISABLED: "1", SITE_ROOT: root },
      stdout: "pipe",
      stderr: "pipe",
    });
    let held = "";
    await Promise.all([forward(astro.stdout, quiet ? (s) => void (held += s) : io.stdout), forward(astro.stderr, io.stderr), astro.exited]);
    if (astro.exitCode !== 0) {
      if (held) io.stderr(held);
      fail(`astro build exited with ${astro.exitCode ?? astro.signalCode}`);
    }
    const astroTime = seconds(tAstro);
    step("astro", env);

    // 4. Search index.
    const pagefind = await import("pagefind");
    const tIndex = performance.now();
    const { index, errors } = await pagefind.createIndex({});
    if (!index) return fail(`pagefind: ${errors.join("; ")}`);
    const added = await index.addDirectory({ path: stage });
    if (added.errors.length) fail(`pagefind: ${added.errors.join("; ")}`);
    const written = await index.writeFiles({ outputPath: join(stage, "pagefind") });
    if (written.errors.length) fail(`pagefind: ${written.errors.join("; ")}`);
    await pagefind.close();
    const indexTime = seconds(tIndex);
    step("pagefind", env);

    // 5. Links and anchors.
    const { checkLinks, formatLinkProblems } = await import("./check-links.ts");
    const tLinks = performance.now();
    const links = await checkLinks(stage, { skip: ["pagefind", ...PRESERVED] });
    if (links.problems.length) {
      log(formatLinkProblems(links.problems));
      fail(`${links.problems.length} broken internal link${links.problems.length === 1 ? "" : "s"} or anchor${links.problems.length === 1 ? "" : "s"}`);
    }
    const linkTime = seconds(tLinks);
    step("links", env);

    // 6. Mark, carry over what others wrote under dist/, swap in.
    for (const keep of PRESERVED) {
      if (existsSync(join(stage, keep))) fail(`the site itself wrote ${keep}/, which is reserved for other tools`);
    }
    writeMarker(stage, `${new Date().toISOString()} pid ${process.pid}`);
    step("marker", env);
    publishSite(plan, log, env);

    log(
      `build: ${links.pages} pages (${added.page_count} indexed for search), ${links.links} links checked → ${outRel}/ in ${seconds(started)}` +
        ` (astro ${astroTime}, pagefind ${indexTime}, links ${linkTime})`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof BuildFailed)) throw err;
    log(`\nbuild: ${err.message}`);
    log(`build: failed; ${outRel}/ left as it was.`);
    return 1;
  } finally {
    // A stage that was not swapped in (a failure, an exception) is removed; a published one is gone already.
    if (stage !== undefined && existsSync(stage)) remove(stageBase, stage, "stage folder");
  }
}
