/**
 * Builds the bytecode bundle of a command (src/cli/bytecode.ts) in a process of its own, started detached by
 * the run that found none: `bun src/cli/bytecode-build.ts <command> <fingerprint> <dir>`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CODE_DIRS, CODE_ROOT, codeFingerprint } from "../core/cache/code-fingerprint.ts";
import { assertInside } from "../core/fs/safe-fs.ts";
import { BUNDLED, BUNDLES_DIR, type BundledCommand, bundleOf } from "./bytecode.ts";

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
      external: ["unified", "remark-*", "typescript", "rolldown"],
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

/**
 * A module the bundle holds (`input` as the build's metafile names it, relative to the working folder) is
 * covered when it is an installed package (the lock) or code of CODE_DIRS.
 */
export function covered(input: string): boolean {
  const rel = relative(CODE_ROOT, resolve(input)).split("\\").join("/");
  return rel.startsWith("node_modules/") || CODE_DIRS.some((dir) => rel.startsWith(`${dir}/`));
}

if (import.meta.main) {
  const [command, print, bundles] = process.argv.slice(2);
  if (command && print && command in BUNDLED) await buildBundle(command as BundledCommand, print, bundles);
}
