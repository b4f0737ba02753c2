/**
 * A command run after every edit (check) loads its code from one bytecode bundle instead of some 370
 * modules (our TypeScript, zod, yaml, remark): Bun then neither transpiles nor parses them. The bundle is a
 * store entry like any other: named by the code fingerprint (src/core/cache/code-fingerprint.ts), the same
 * content digest every stored value is keyed by, so there is no second freshness model. A bundle whose build
 * read anything the fingerprint does not cover is never kept.
 *
 * The launcher (scripts/check.ts) imports only the fingerprint and the digest memo, then loads the bundle, or
 * the sources when there is none yet, and starts the build of one in a detached process, so no run waits for
 * it. A build is written to a folder of its own and renamed into place whole, so a run never loads half a
 * bundle. TAKEOFF_BYTECODE=0 always loads the sources; any failure to build or load falls back to them.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { CODE_DIRS, CODE_ROOT, codeFingerprint, STORE_DIR } from "../core/cache/code-fingerprint.ts";
import { digestMemo } from "../core/fs/digest-memo.ts";

/**
 * A command's entry module exports this: its main with the process's own io, told what the launcher
 * already knows (the code fingerprint, and the file digests it took for it, to be saved with the run's).
 */
export type Run = (argv: string[], known?: { fingerprint: string; digests?: string }) => Promise<number>;

/** The commands that have a bundle, by the module (relative to this folder) that exports their `run`. */
export const BUNDLED = { check: "check.ts" } as const;
export type BundledCommand = keyof typeof BUNDLED;

/** Where bundles are kept: beside the code they are built from, not in the project checked. */
export const BUNDLES_DIR = join(CODE_ROOT, STORE_DIR, "bytecode");
const bundleOf = (dir: string, command: BundledCommand, print: string) => join(dir, `${command}-${print}`);

/**
 * Runs `command` from its bundle when one is built for this code, else from the sources (and has a bundle
 * built for the next run). `cwd` is the project the command works on: its store holds the digest memo.
 */
export async function runCommand(
  command: BundledCommand,
  argv: string[],
  { cwd = process.cwd(), bundles = BUNDLES_DIR }: { cwd?: string; bundles?: string } = {},
): Promise<number> {
  if (process.env.TAKEOFF_BYTECODE === "0") return fromSources(command, argv);
  try {
    digestMemo.load(readFileSync(join(cwd, STORE_DIR, "digests.json"), "utf8"));
  } catch {
    // No memo yet: the code is hashed in full this time.
  }
  const print = codeFingerprint();
  const file = join(bundleOf(bundles, command, print), "bundle.js");
  if (existsSync(file)) {
    let run: Run | undefined;
    try {
      run = (require(file) as { run: Run }).run;
    } catch {
      run = undefined;
    }
    if (typeof run === "function") return run(argv, { fingerprint: print, digests: digestMemo.dump() });
  }
  startBuild(command, print, bundles);
  return fromSources(command, argv);
}

async function fromSources(command: BundledCommand, argv: string[]): Promise<number> {
  const { run } = (await import(`./${BUNDLED[command]}`)) as { run: Run };
  return run(argv);
}

/** Starts `bun bytecode.ts <command> <fingerprint> <dir>` detached: the run that found no bundle does not wait. */
function startBuild(command: BundledCommand, print: string, bundles: string): void {
  try {
    Bun.spawn([process.execPath, import.meta.path, command, print, bundles], {
      cwd: CODE_ROOT,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      env: { ...process.env, TAKEOFF_BYTECODE: "0" },
    }).unref();
  } catch {
    // No bundle: only slower.
  }
}

/** A build younger than this holds its lock; an older lock is taken to be a crashed build's. */
const LOCK_MS = 120_000;

/**
 * Builds the bundle of `command` for the code whose fingerprint is `print`, unless another build holds the
 * lock or the code changed meanwhile. Returns why nothing was kept, or undefined when the bundle is in place.
 */
export async function buildBundle(command: BundledCommand, print: string, bundles = BUNDLES_DIR): Promise<string | undefined> {
  const target = bundleOf(bundles, command, print);
  if (existsSync(target)) return undefined;
  // Like every store write: only where the folder really is (a repository copy whose node_modules is a
  // link to the original's builds nothing there).
  const { assertInside } = await import("../core/fs/safe-fs.ts");
  try {
    assertInside(dirname(bundles), target, "bundle", dirname(bundles));
  } catch (err) {
    return (err as Error).message;
  }
  mkdirSync(bundles, { recursive: true });
  const lock = `${target}.lock`;
  try {
    if (Date.now() - statSync(lock).mtimeMs > LOCK_MS) rmSync(lock, { force: true });
  } catch {
    // No lock: take it.
  }
  try {
    closeSync(openSync(lock, "wx"));
  } catch {
    return "another build is running";
  }
  const scratch = `${target}.${process.pid}.tmp`;
  try {
    const result = await Bun.build({
      entrypoints: [join(import.meta.dir, BUNDLED[command])],
      target: "bun",
      format: "cjs",
      bytecode: true,
      // Names are kept, so a stack trace from the bundle still reads.
      minify: { whitespace: true, syntax: true, identifiers: false },
      naming: "bundle.js",
      // Loaded where they are needed, from node_modules: the Markdown parser only for a page not linted
      // before (a data edit never needs it), the TypeScript parser only for a source file not seen before.
      external: ["unified", "remark-*", "typescript"],
      metafile: true,
      outdir: scratch,
    });
    if (!result.success || !result.metafile) return `the build failed: ${result.logs.map(String).join("; ")}`;
    const uncovered = Object.keys(result.metafile.inputs).filter((input) => !covered(input));
    if (uncovered.length) return `the build read files the code fingerprint does not cover: ${uncovered.join(", ")}`;
    // Computed now, after the build (this process has not asked before): an edit during the build shows.
    if (codeFingerprint(CODE_ROOT) !== print) return "the code changed during the build";
    renameSync(scratch, target);
    for (const name of readdirSync(bundles)) {
      if (name.startsWith(`${command}-`) && !/\.(lock|tmp)$/.test(name) && join(bundles, name) !== target)
        rmSync(join(bundles, name), { recursive: true, force: true });
    }
    return undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(lock, { force: true });
  }
}

/** A module the bundle holds is covered when it is an installed package (the lock) or code of CODE_DIRS. */
export function covered(input: string): boolean {
  const rel = relative(CODE_ROOT, join(CODE_ROOT, input)).split("\\").join("/");
  return rel.startsWith("node_modules/") || CODE_DIRS.some((dir) => rel.startsWith(`${dir}/`));
}

if (import.meta.main) {
  const [command, print, bundles] = process.argv.slice(2);
  if (command && print && command in BUNDLED) await buildBundle(command as BundledCommand, print, bundles);
}
