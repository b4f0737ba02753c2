/**
 * The one store of remembered results, with one freshness model: an entry is used only under the key it
 * was stored with, the sha256 of the content it was computed from and of the code (codeFingerprint), and
 * only while each file it lists as a dep (`deps`: input id -> digest) still has that digest. Its users:
 * each data file (parse and validation), each content page (lint), each source file (feature() calls), the
 * JSON Schemas, a clean check's verdict, verify's analysis, sizes and flag sets, diff's base snapshots.
 *
 * Where: `<root>/node_modules/.cache/takeoff/`, one JSON file `{ key, deps?, value }` per slot (what the
 * entry is about: a data file, "verdict"). git ignores it, `npm ci` empties it, deleting it is always safe.
 * Entries are written atomically (no fsync: a broken entry is a miss) and only inside the root, so a link
 * planted at node_modules/.cache sends no write elsewhere; a value is returned only in the shape its user's
 * `validate` accepts, so a truncated, forged or foreign entry is a miss, never data. A failed write only
 * costs time. Nothing heavy is imported: a cached check runs on this alone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeAtomic } from "../fs/write-atomic.ts";
import { isInside } from "../fs/safe-fs.ts";
import { digestMemo, fileDigestOf } from "../fs/digest-memo.ts";

export { CODE_ROOT, codeFingerprint, STORE_DIR } from "./code-fingerprint.ts";
import { codeFingerprint, STORE_DIR } from "./code-fingerprint.ts";

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

/**
 * Loads the digest memo (src/core/fs/digest-memo.ts) kept in `root`'s store and returns the function that
 * saves it there: for a command run after every edit, which then re-reads only the files that changed.
 */
export function keepDigestMemo(root: string, dir = join(root, STORE_DIR)): () => void {
  const file = join(dir, "digests.json");
  digestMemo.loadFile(file);
  return () => {
    const text = digestMemo.dump();
    if (text === undefined) return;
    try {
      writeAtomic(file, text, root, { durable: false });
    } catch {
      // A store that cannot be written only costs time.
    }
  };
}

export type Deps = Record<string, string>;

export interface Store {
  /** Absolute path of the store's folder. */
  readonly dir: string;
  /** The key of a value computed from `content` by this code (its fingerprint is part of every key). */
  key(...content: (string | Uint8Array)[]): string;
  /**
   * The value in `slot` under `key` that `validate` accepts (it may throw: a miss), and whose deps all
   * still have the same `digest` (default: sha256 of the file at that repository path); else undefined.
   */
  get<T>(
    slot: string,
    key: string,
    validate: (value: unknown) => T | undefined,
    digest?: (dep: string) => string | undefined,
  ): T | undefined;
  /** Stores `value` in `slot` under `key`, atomically; a failed write is ignored. */
  set(slot: string, key: string, value: unknown, deps?: Deps): void;
}

/** Slot names become file names: simple ones as they are, anything else by its hash. */
const fileOf = (slot: string) =>
  /^[a-z0-9][a-z0-9.-]{0,63}$/.test(slot) && !slot.includes("..") ? `${slot}.json` : `${hashContent(slot).slice(0, 32)}.json`;

/** sha256 of the regular file (of at most 64 MiB) at path `rel` inside `root`, or undefined: a forged dep can neither leave the root nor hang. */
export function fileDigest(root: string, rel: string): string | undefined {
  const path = join(root, rel);
  return isInside(root, path) ? fileDigestOf(path, 64 * 1024 * 1024) : undefined;
}

/** The store of the project at `root`; `dir` overrides its folder (tests). Writes stay inside `root` either way. */
export function openStore(root: string, dir = join(root, STORE_DIR)): Store {
  return {
    dir,
    key: (...content) => hashContent(codeFingerprint(), ...content),
    get(slot, key, validate, digest = (dep) => fileDigest(root, dep)) {
      try {
        const entry: unknown = JSON.parse(readFileSync(join(dir, fileOf(slot)), "utf8"));
        if (!isRecord(entry) || entry.key !== key || !("value" in entry)) return undefined;
        if (entry.deps !== undefined && (!isRecord(entry.deps) || Object.entries(entry.deps).some(([dep, d]) => digest(dep) !== d)))
          return undefined;
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
  isRecord(d) &&
  d.file === file &&
  isNumber(d.line) &&
  isNumber(d.col) &&
  typeof d.rule === "string" &&
  typeof d.message === "string" &&
  (d.hint === undefined || typeof d.hint === "string");
