/**
 * A command run after every edit (check) loads its code from one bytecode bundle instead of some 370
 * modules (our TypeScript, zod, yaml, remark): Bun then neither transpiles nor parses them. The bundle is a
 * store entry like any other: named by the code fingerprint (src/core/cache/code-fingerprint.ts), the same
 * content digest every stored value is keyed by, so there is no second freshness model. A bundle whose build
 * read anything the fingerprint does not cover is never kept.
 *
 * The launcher (scripts/check.ts) imports only this module, the fingerprint and the digest memo, then loads
 * the bundle, or the sources when there is none yet, and starts the build of one (bytecode-build.ts) in a
 * detached process, so no run waits for it. A build is written to a folder of its own and renamed into place
 * whole, so a run never loads half a bundle. The launcher hands the bundle what it computed (the fingerprint,
 * its digest memo) as arguments: no module state is shared between the two copies of the code.
 * TAKEOFF_BYTECODE=0 always loads the sources; any failure to build or load falls back to them.
 */
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { CODE_ROOT, codeFingerprint, STORE_DIR } from "../core/cache/code-fingerprint.ts";
import { type DigestMemo, digestMemo } from "../core/fs/digest-memo.ts";

/**
 * A command's entry module exports this: its main with the process's own io, told what the launcher
 * already knows (the code fingerprint, and the digest memo it loaded and added to, to be saved with the run's).
 */
export type Run = (argv: string[], known?: { fingerprint: string; memo: DigestMemo }) => Promise<number>;

/** The commands that have a bundle, by the module (relative to this folder) that exports their `run`. */
export const BUNDLED = { check: "check.ts" } as const;
export type BundledCommand = keyof typeof BUNDLED;

/** Where bundles are kept: beside the code they are built from, not in the project checked. */
export const BUNDLES_DIR = join(CODE_ROOT, STORE_DIR, "bytecode");
/** The folder of the bundle of `command` for the code with fingerprint `print`. */
export const bundleOf = (dir: string, command: BundledCommand, print: string) => join(dir, `${command}-${print}`);
const BUILDER = join(import.meta.dir, "bytecode-build.ts");

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
  digestMemo.loadFile(join(cwd, STORE_DIR, "digests.json"));
  const print = codeFingerprint();
  const file = join(bundleOf(bundles, command, print), "bundle.js");
  if (existsSync(file)) {
    let run: Run | undefined;
    try {
      run = (require(file) as { run: Run }).run;
    } catch {
      run = undefined;
    }
    if (typeof run === "function") return run(argv, { fingerprint: print, memo: digestMemo });
  }
  if (writable(bundles)) startBuild(command, print, bundles);
  return fromSources(command, argv);
}

/**
 * Whether a bundle could be kept in `bundles`: not when the code's node_modules is a link to elsewhere, as in
 * a copy of the repository that uses the original's. The builder refuses to write there anyway; this spares
 * starting it on every run of such a copy.
 */
function writable(bundles: string): boolean {
  if (bundles !== BUNDLES_DIR) return true;
  try {
    return realpathSync(join(CODE_ROOT, "node_modules")) === join(realpathSync(CODE_ROOT), "node_modules");
  } catch {
    return false;
  }
}

async function fromSources(command: BundledCommand, argv: string[]): Promise<number> {
  const { run } = (await import(`./${BUNDLED[command]}`)) as { run: Run };
  return run(argv);
}

/** Starts `bun bytecode-build.ts <command> <fingerprint> <dir>` detached: the run that found no bundle does not wait. */
function startBuild(command: BundledCommand, print: string, bundles: string): void {
  try {
    Bun.spawn([process.execPath, BUILDER, command, print, bundles], {
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
