/**
 * The one content cache every cache of this project uses (check verdict, parsed data files, table lint,
 * verify's source analysis, flag-set sizes, compressed sizes).
 *
 * Where: `<root>/node_modules/.cache/takeoff/<name>/`, one folder per cache user, one JSON file per slot.
 * node_modules/.cache is where JavaScript tools keep disposable caches (find-cache-dir convention): it is
 * ignored by git with node_modules, `npm ci` empties it together with the packages whose versions are part
 * of every key, and deleting it is always safe. `.cache/` at the root is not a cache in that sense: it holds
 * outputs other tools read (.cache/verify/results.json for the site, which `astro dev` watches, and the site
 * build's stage folders), so nothing disposable goes there.
 *
 * Keys: sha256 of the content the value was computed from, plus a fingerprint of the cache user's own code,
 * taken from module URLs (the modules that compute the value, followed through their relative imports,
 * static and dynamic) and the versions of the packages those modules import, plus the Bun version. Editing
 * the code that computes a value, or installing other packages, therefore invalidates it.
 *
 * Entries: `{ key, value }`, written atomically (src/core/fs/write-atomic.ts; without fsync: a power loss
 * may leave an empty entry, which is a miss like any broken one) inside the root, read back
 * only when the key matches and the user's `validate` accepts the value's shape. A missing, truncated,
 * forged or foreign entry is a miss: `get` is the one place that swallows a broken entry, `set` the one
 * place that shrugs off a failed write (a cache that cannot be written only costs time).
 *
 * This module imports nothing heavy (node:fs, node:path; hashing is Bun's): the check's cached path runs on it.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomic } from "../fs/write-atomic.ts";

/** Every cache's folder lives below this path, relative to the project root. */
export const CACHE_ROOT = "node_modules/.cache/takeoff";

/** The repository holding this code: caches of values that depend on the code alone live in its node_modules. */
export const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The folder of cache `name` in the project at `root`. */
export const cacheDir = (root: string, name: string) => join(root, CACHE_ROOT, name);

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

// ---------------------------------------------------------------------------------------------------------
// Code fingerprints

/** `from "x"`, `import "x"`, `import("x")`, `require("x")`: over-approximate (a match in a comment only adds a file). */
const SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(["'])([^"'\n]+)\1/g;

interface ModuleInfo {
  hash: string;
  relative: string[];
  packages: string[];
}
/**
 * Memos for the process, shared through globalThis: the check's cached path runs this module from source
 * and its checker from a bundle (src/cli/bundle.ts), two copies that would otherwise read every file twice.
 */
const memo = ((globalThis as Record<symbol, unknown>)[Symbol.for("takeoff.codeFingerprint")] ??= {
  modules: new Map<string, ModuleInfo | null>(),
  packageIds: new Map<string, { id: string; lock: string }>(),
  lockHashes: new Map<string, string>(),
  fingerprints: new Map<string, string>(),
}) as {
  modules: Map<string, ModuleInfo | null>;
  packageIds: Map<string, { id: string; lock: string }>;
  lockHashes: Map<string, string>;
  fingerprints: Map<string, string>;
};
const { modules, packageIds, lockHashes, fingerprints } = memo;

function moduleInfo(path: string): ModuleInfo | null {
  let info = modules.get(path);
  if (info !== undefined) return info;
  try {
    const text = readFileSync(path, "utf8");
    const rel = new Set<string>();
    const pkgs = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[2]!;
      if (spec.startsWith("./") || spec.startsWith("../")) rel.add(resolve(dirname(path), spec));
      else if (!spec.includes(":") && !spec.startsWith("/")) pkgs.add(spec);
    }
    info = { hash: hashContent(text), relative: [...rel], packages: [...pkgs] };
  } catch {
    info = null; // a match that names no file (a string in a comment), or a file gone: recorded as absent
  }
  modules.set(path, info);
  return info;
}

/**
 * `name@version` of the package a bare specifier imports (resolved from `fromDir`), or `name@?`, and the
 * hash of npm's record of the node_modules it came from (so transitive versions count too).
 */
function packageId(spec: string, fromDir: string): { id: string; lock: string } {
  const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
  const memo = `${fromDir}\0${name}`;
  let found = packageIds.get(memo);
  if (found !== undefined) return found;
  found = { id: `${name}@?`, lock: "" };
  try {
    let dir = dirname(Bun.resolveSync(spec, fromDir));
    for (;;) {
      const pkg = readJson(join(dir, "package.json")) as { name?: string; version?: string } | undefined;
      if (pkg?.name === name) {
        const nodeModules = dirname(name.startsWith("@") ? dirname(dir) : dir);
        let lock = lockHashes.get(nodeModules);
        if (lock === undefined) {
          try {
            lock = hashContent(readFileSync(join(nodeModules, ".package-lock.json")));
          } catch {
            lock = "";
          }
          lockHashes.set(nodeModules, lock);
        }
        found = { id: `${name}@${pkg.version}`, lock };
        break;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  } catch {
    // a types-only package (mdast, estree) or one that is not installed: its name alone
  }
  packageIds.set(memo, found);
  return found;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * A fingerprint of the code behind `urls` (module URLs, `import.meta.url`, or paths): the content of each
 * module and of every module it reaches through relative imports, the name and version of every package
 * they import, npm's lockfile of the node_modules those packages came from, and the Bun version.
 * Memoised for the process.
 */
export function codeFingerprint(...urls: (string | URL)[]): string {
  const entries = urls.map((u) => (u instanceof URL || u.startsWith("file:") ? fileURLToPath(u) : resolve(u)));
  const memo = entries.join("\0");
  let print = fingerprints.get(memo);
  if (print !== undefined) return print;
  const base = dirname(entries[0] ?? ".");
  const seen = new Set<string>();
  const lines: string[] = [];
  const packages = new Set<string>();
  const locks = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const path = stack.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const info = moduleInfo(path);
    lines.push(`${relative(base, path)} ${info?.hash ?? "absent"}`);
    if (!info) continue;
    stack.push(...info.relative);
    for (const spec of info.packages) {
      const { id, lock } = packageId(spec, dirname(path));
      packages.add(id);
      if (lock) locks.add(lock);
    }
  }
  print = hashContent(`bun ${Bun.version}`, ...lines.sort(), ...[...packages].sort(), ...[...locks].sort());
  fingerprints.set(memo, print);
  return print;
}

// ---------------------------------------------------------------------------------------------------------
// Caches

export interface CacheSpec<T, C = undefined> {
  /** The cache's folder under CACHE_ROOT (a-z, 0-9 and dashes). */
  name: string;
  /** Module URLs of the code that computes the values (usually `import.meta.url` and the modules it calls). */
  code: readonly (string | URL)[];
  /** What else every value depends on besides its content and the code (build options, a format version). */
  salt?: string;
  /**
   * The value when it is exactly what this cache user stores (right shape, and for this slot's content
   * where that can be checked: `context` is what the caller of `get` passed), else undefined: the entry is
   * then a miss. May throw: also a miss.
   */
  validate(value: unknown, slot: string, context: C): T | undefined;
  /** The JSON form of a value, when it holds more than JSON does (a Map); default: the value itself. */
  store?(value: T): unknown;
}

export interface ContentCache<T, C = undefined> {
  /** Absolute path of the cache's folder. */
  readonly dir: string;
  /** The key of a value computed from `content`: sha256 of the content, the code fingerprint and the salt. */
  key(...content: (string | Uint8Array)[]): string;
  /** The value stored in `slot` under `key`; undefined when missing, stale, unreadable, broken or invalid. */
  get(slot: string, key: string, ...context: C extends undefined ? [] : [context: C]): T | undefined;
  /** Stores `value` in `slot` under `key`, atomically; a failed write is ignored. */
  set(slot: string, key: string, value: T): void;
}

/** Slot names become file names: simple ones as they are, anything else by its hash. */
const fileOf = (slot: string) => (/^[a-z0-9][a-z0-9.-]{0,63}$/.test(slot) && !slot.includes("..") ? `${slot}.json` : `${hashContent(slot).slice(0, 32)}.json`);

/**
 * Opens cache `spec.name` of the project at `root` (its folder is created on the first write). `dir`
 * overrides the folder (tests); writes must stay inside `root` either way, so a link planted at
 * node_modules/.cache cannot send them elsewhere.
 */
export function openCache<T, C = undefined>(root: string, spec: CacheSpec<T, C>, dir = cacheDir(root, spec.name)): ContentCache<T, C> {
  let code: string | undefined;
  const fingerprint = () => (code ??= hashContent(codeFingerprint(...spec.code), spec.salt ?? ""));
  return {
    dir,
    key: (...content) => hashContent(fingerprint(), ...content),
    get(slot, key, ...context) {
      try {
        const entry = JSON.parse(readFileSync(join(dir, fileOf(slot)), "utf8")) as { key?: unknown; value?: unknown } | null;
        if (!entry || typeof entry !== "object" || entry.key !== key || !("value" in entry)) return undefined;
        return spec.validate(entry.value, slot, context[0] as C);
      } catch {
        return undefined;
      }
    },
    set(slot, key, value) {
      try {
        writeAtomic(join(dir, fileOf(slot)), JSON.stringify({ key, value: spec.store ? spec.store(value) : value }), root, { durable: false });
      } catch {
        // A cache that cannot be written only costs time.
      }
    },
  };
}

/** Helpers for `validate`: plain-data shape checks that throw nothing. */
export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
