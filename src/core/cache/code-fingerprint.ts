/**
 * The fingerprint of the code that computes every stored value: the sha256 of every file of CODE_DIRS, of the
 * installed packages (npm's lock of node_modules) and of Bun's version. Every store key holds it, and the
 * bytecode bundle of a command is named by it (src/cli/bytecode.ts), so an edit or an install makes them all
 * stale at once. Imports nothing but the digest memo: the bundle's launcher computes it before loading any
 * of the code it names.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileDigestOf } from "../fs/digest-memo.ts";

export const STORE_DIR = "node_modules/.cache/takeoff";

/**
 * The repository holding this code: values that depend on the code alone are stored in its node_modules. From
 * the module's URL (Astro's dev server has no import.meta.dir), without node:url, which costs the writer's
 * loop more than the rest of the launcher.
 */
export const CODE_ROOT = resolve(decodeURIComponent(new URL("../../..", import.meta.url).pathname));

/** The folders of the code that computes stored values; the site, app and generated files compute none. */
export const CODE_DIRS = ["src/core", "src/cli", "src/verify", "src/diff", "src/prove"];

const fingerprints = new Map<string, string>();

/** The fingerprint of the code at `codeRoot`, computed once per process (or told: `knownFingerprint`). */
export function codeFingerprint(codeRoot = CODE_ROOT): string {
  let print = fingerprints.get(codeRoot);
  if (print !== undefined) return print;
  const hash = new Bun.CryptoHasher("sha256").update(
    `bun ${Bun.version}\0${fileDigestOf(join(codeRoot, "node_modules/.package-lock.json"))}`,
  );
  for (const dir of CODE_DIRS) {
    const files = existsSync(join(codeRoot, dir))
      ? readdirSync(join(codeRoot, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      : [];
    for (const path of files.map((e) => join(e.parentPath, e.name)).sort()) {
      hash.update(`\0${relative(codeRoot, path)}\0${fileDigestOf(path) ?? "unreadable"}`);
    }
  }
  fingerprints.set(codeRoot, (print = hash.digest("hex")));
  return print;
}

/** What a launcher that already computed the fingerprint of `codeRoot` tells the code it loads: no second walk. */
export function knownFingerprint(codeRoot: string, print: string): void {
  fingerprints.set(codeRoot, print);
}
