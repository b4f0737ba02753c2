/**
 * The one store of remembered results, and its one freshness model: an entry is used only when the
 * fingerprint it was stored under matches the fingerprint of its inputs now. Every user keys by content:
 * each data file (its parse and validation), each content page (its lint), the source files' feature()
 * calls, the JSON Schemas, the verdict of a clean check, verify's analysis and sizes, diff's base snapshots.
 *
 * Where: `<root>/node_modules/.cache/takeoff/`, one JSON file per slot (a slot names what the entry is
 * about: a data file, "verdict"). node_modules/.cache is where JavaScript tools keep disposable caches: git
 * ignores it, `npm ci` empties it together with the packages whose versions are part of every key, and
 * deleting it is always safe. `.cache/` at the root holds outputs other tools read (the verify and prove
 * results), never a cache.
 *
 * Keys: sha256 of the content the value was computed from and of the code that computed it (the modules
 * named, followed through their relative imports, the versions of the packages they import, the Bun
 * version). An entry may also list the files it was computed from beyond its key (`deps`: input id ->
 * digest); it is used only while each still has the same digest.
 *
 * Entries are `{ key, deps?, value }`, written atomically without fsync (a power loss leaves a broken
 * entry, a miss like any other) and only inside the root, so a link planted at node_modules/.cache cannot
 * send a write elsewhere. A value is returned only when the user's `validate` accepts its shape: a missing,
 * truncated, forged or foreign entry is a miss, never data. A failed write only costs time.
 *
 * This module imports nothing heavy (node:fs, node:path; hashing is Bun's): a cached check runs on it alone.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomic } from "../fs/write-atomic.ts";

/** The store's folder, relative to the project root. */
export const STORE_DIR = "node_modules/.cache/takeoff";

/** The repository holding this code: values that depend on the code alone are stored in its node_modules. */
export const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** sha256 (hex) of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ. */
export function hashContent(...parts: (string | Uint8Array)[]): string {
  // Bun's hasher, not node:crypto: loading that module alone costs more than a cached check's whole work.
  const hash = new Bun.CryptoHasher("sha256");
  for (const p of parts) {
    const bytes = typeof p === "string" ? Buffer.from(p) : p;
    hash.update(`${bytes.byteLength}:`).update(bytes);
  }
  return hash.digest("hex");
}

/** `from "x"`, `import "x"`, `import("x")`, `require("x")`: over-approximate (a match in a comment only adds a file). */
const SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(["'])([^"'\n]+)\1/g;
const modules = new Map<string, { hash: string; relative: string[]; packages: string[] } | null>();
const packages = new Map<string, string>();
const fingerprints = new Map<string, string>();

function moduleInfo(path: string) {
  let info = modules.get(path);
  if (info !== undefined) return info;
  try {
    const text = readFileSync(path, "utf8");
    const rel = new Set<string>();
    const pkgs = new Set<string>();
    for (const [, , spec] of text.matchAll(SPECIFIER)) {
      if (spec!.startsWith("./") || spec!.startsWith("../")) rel.add(resolve(dirname(path), spec!));
      else if (!spec!.includes(":") && !spec!.startsWith("/")) pkgs.add(spec!);
    }
    info = { hash: hashContent(text), relative: [...rel], packages: [...pkgs] };
  } catch {
    info = null; // a match that names no file (a string in a comment), or a file gone: recorded as absent
  }
  modules.set(path, info);
  return info;
}

function lockHash(nodeModules: string): string {
  let hash = packages.get(nodeModules);
  if (hash === undefined) packages.set(nodeModules, (hash = fileDigest(nodeModules, ".package-lock.json") ?? ""));
  return hash;
}

/** `name@version` of the package `spec` imports from `fromDir` with npm's record of its node_modules (transitive versions count), or `name@?`. */
function packageId(spec: string, fromDir: string): string {
  const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
  const memo = `${fromDir}\0${name}`;
  let found = packages.get(memo);
  if (found !== undefined) return found;
  found = `${name}@?`;
  try {
    for (let dir = dirname(Bun.resolveSync(spec, fromDir)); dir !== dirname(dir); dir = dirname(dir)) {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name !== name) continue;
      found = `${name}@${pkg.version} ${lockHash(dirname(name.startsWith("@") ? dirname(dir) : dir))}`;
      break;
    }
  } catch {
    // a types-only package (mdast, estree), one that is not installed, or no lockfile: its name alone
  }
  packages.set(memo, found);
  return found;
}

/**
 * A fingerprint of the code behind `urls` (module URLs or paths): each module and every module it reaches
 * through relative imports, the packages they import with npm's lockfile, and the Bun version. Memoised.
 */
export function codeFingerprint(...urls: (string | URL)[]): string {
  const entries = urls.map((u) => (u instanceof URL || u.startsWith("file:") ? fileURLToPath(u) : resolve(u)));
  const memo = entries.join("\0");
  let print = fingerprints.get(memo);
  if (print !== undefined) return print;
  const base = dirname(entries[0] ?? ".");
  const seen = new Set<string>();
  const lines = new Set<string>();
  for (const stack = [...entries]; stack.length; ) {
    const path = stack.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const info = moduleInfo(path);
    lines.add(`${relative(base, path)} ${info?.hash ?? "absent"}`);
    if (!info) continue;
    stack.push(...info.relative);
    for (const spec of info.packages) lines.add(packageId(spec, dirname(path)));
  }
  print = hashContent(`bun ${Bun.version}`, ...[...lines].sort());
  fingerprints.set(memo, print);
  return print;
}

/** What an entry was computed from beyond its key: input id -> digest. */
export type Deps = Record<string, string>;

export interface Store {
  /** Absolute path of the store's folder. */
  readonly dir: string;
  /** The key of a value computed from `content` by the store's code. */
  key(...content: (string | Uint8Array)[]): string;
  /**
   * The value in `slot` under `key` that `validate` accepts (it may throw: a miss), and whose deps all
   * still have the same `digest` (default: sha256 of the file at that repository path); else undefined.
   */
  get<T>(slot: string, key: string, validate: (value: unknown) => T | undefined, digest?: (dep: string) => string | undefined): T | undefined;
  /** Stores `value` in `slot` under `key`, atomically; a failed write is ignored. */
  set(slot: string, key: string, value: unknown, deps?: Deps): void;
}

/** Slot names become file names: simple ones as they are, anything else by its hash. */
const fileOf = (slot: string) => (/^[a-z0-9][a-z0-9.-]{0,63}$/.test(slot) && !slot.includes("..") ? `${slot}.json` : `${hashContent(slot).slice(0, 32)}.json`);

/** sha256 of the file at repository path `rel`, or undefined when it cannot be read. */
export function fileDigest(root: string, rel: string): string | undefined {
  try {
    return hashContent(readFileSync(join(root, rel)));
  } catch {
    return undefined;
  }
}

/**
 * The store of the project at `root`, for values computed by the modules `code` (their imports are
 * followed; `salt` adds what else every value depends on). `dir` overrides the folder (tests); writes stay
 * inside `root` either way.
 */
export function openStore(root: string, code: readonly (string | URL)[], { dir = join(root, STORE_DIR), salt = "" } = {}): Store {
  let print: string | undefined;
  return {
    dir,
    key: (...content) => hashContent((print ??= hashContent(codeFingerprint(...code), salt)), ...content),
    get(slot, key, validate, digest = (dep) => fileDigest(root, dep)) {
      try {
        const entry = JSON.parse(readFileSync(join(dir, fileOf(slot)), "utf8")) as { key?: unknown; deps?: unknown; value?: unknown } | null;
        if (!isRecord(entry) || entry.key !== key || !("value" in entry)) return undefined;
        if (entry.deps !== undefined && (!isRecord(entry.deps) || Object.entries(entry.deps).some(([dep, d]) => digest(dep) !== d))) return undefined;
        return validate(entry.value);
      } catch {
        return undefined;
      }
    },
    set(slot, key, value, deps) {
      try {
        writeAtomic(join(dir, fileOf(slot)), JSON.stringify({ key, deps, value }), root, { durable: false });
      } catch {
        // A store that cannot be written only costs time.
      }
    },
  };
}

/** Helpers for `validate`: plain-data shape checks that throw nothing. */
export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
/** A diagnostic about `file` as the store holds it: a place, a rule and a message. */
export const isDiagnosticOf = (file: string) => (d: unknown) =>
  isRecord(d) && d.file === file && isNumber(d.line) && isNumber(d.col) && typeof d.rule === "string" && typeof d.message === "string" && (d.hint === undefined || typeof d.hint === "string");
