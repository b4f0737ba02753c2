/**
 * `npm run check` is run after every edit, so a clean result is remembered in the store, keyed by every
 * input that can change it: data, content, generated files and the files with generated parts, hashed
 * exactly as the loader reads them, plus the checker's own code and package versions (the store's code
 * fingerprint of the CLI module, which follows everything it imports). Beside its key, the verdict lists as
 * its deps every file and folder the check itself read through src/core/fs/safe-fs.ts (the proofs' test
 * files and results, say) with what that read returned, and is dropped when any of them reads differently.
 * Only clean runs are remembered: a failing run always reports afresh. This module imports nothing heavy.
 */
import { gitTracking, trackingWord } from "../fs/git-tracked.ts";
import { fsObservers, isInside, kindInside, listInside, readInside, walkInside, type FsObserver } from "../fs/safe-fs.ts";
import { resolve } from "node:path";
import { isNumber, isRecord, openStore, type Deps } from "./store.ts";

/** Inputs of a check, relative to the repository root; directories are read recursively. */
export const CHECK_INPUTS = ["data", "content", "src/generated", "package.json", ".github/workflows/build-variants.yml", "README.md"];

export interface CachedCheck {
  records: number;
}

/** A read, folder listing or file test the check made, outside CHECK_INPUTS, as a dep: `op:repository-relative path`. */
type Op = "read" | "list" | "stat" | "tracked";
/** Inputs are hashed as the loader reads them: the same walker, the same refusals, the same bytes. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** sha256 of every input as the loader reads it (a refused path by its refusal), and `extra` (the arguments). */
export function inputsFingerprint(root: string, extra: string): string {
  const hash = new Bun.CryptoHasher("sha256").update(extra);
  for (const input of CHECK_INPUTS) {
    const listed = listInside(root, input);
    const entries = listed === undefined || "refusal" in listed ? [{ rel: input, kind: "file" as const }] : walkInside(root, input);
    for (const e of entries) {
      hash.update(`\0${e.rel}\0`);
      if (e.kind === "refused") {
        hash.update(`\0refused:${e.refusal.rule}`);
        continue;
      }
      if (e.kind === "dir") continue;
      const read = readInside(root, e.rel, MAX_INPUT_BYTES);
      hash.update("refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : read.bytes);
    }
  }
  return hash.digest("hex");
}

/** sha256 of what one read or listing (`op:rel`) returns now. */
function observedDigest(root: string, dep: string): string {
  const at = dep.indexOf(":");
  const op = dep.slice(0, at) as Op;
  const rel = dep.slice(at + 1);
  const hash = new Bun.CryptoHasher("sha256").update(`${op}\0${rel}\0`);
  if (op === "read") {
    const read = readInside(root, rel, MAX_INPUT_BYTES);
    hash.update("refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : read.bytes);
  } else if (op === "tracked") {
    // Whether git tracks it: a results file force-added after a clean check must not keep the verdict.
    hash.update(`\0${trackingWord(gitTracking(root, rel))}`);
  } else if (op === "stat") {
    // What kind of thing is there is all the check asked (a proof's test file, a component's location).
    hash.update(`\0${kindInside(root, rel)}`);
  } else {
    const listed = listInside(root, rel);
    hash.update(listed === undefined ? "\0absent" : "refusal" in listed ? `\0refused:${listed.refusal.rule}` : listed.map((e) => `${e.kind}:${e.rel}`).join("\0"));
  }
  return hash.digest("hex");
}

export interface CheckCache {
  /** The remembered clean verdict for these inputs and arguments, if any. */
  read(): CachedCheck | undefined;
  /** Runs `check`, recording what it reads beyond CHECK_INPUTS (for `write`). */
  watch<T>(check: () => T): T;
  /** Remembers a clean verdict, with what the last `watch` observed. */
  write(entry: CachedCheck): void;
}

/**
 * The verdict cache of the project at `root` for a run with `args`; `code` are the module URLs of the
 * checker (the CLI's `import.meta.url`: its imports are followed). Inputs are hashed once, when opened.
 */
export function openCheckCache(root: string, args: readonly string[], code: readonly (string | URL)[]): CheckCache {
  const store = openStore(root, code);
  const key = store.key(inputsFingerprint(root, JSON.stringify(args)));
  let deps: Deps = {};
  return {
    read: () => store.get("verdict", key, (v) => (isRecord(v) && isNumber(v.records) ? { records: v.records } : undefined), (dep) => observedDigest(root, dep)),
    watch(check) {
      const seen: Deps = {};
      const fixed = CHECK_INPUTS.map((i) => resolve(root, i));
      let busy = false;
      const observer: FsObserver = (op, at, rel) => {
        const dep = `${op}:${rel}`;
        if (busy || resolve(at) !== resolve(root) || dep in seen || fixed.some((f) => isInside(f, resolve(root, rel)))) return;
        // Digested now, as the check reads it: an edit made while the check runs is never taken as seen.
        busy = true;
        try {
          seen[dep] = observedDigest(root, dep);
        } finally {
          busy = false;
        }
      };
      fsObservers.add(observer);
      try {
        return check();
      } finally {
        fsObservers.delete(observer);
        deps = seen;
      }
    },
    write: (entry) => store.set("verdict", key, { records: entry.records }, deps),
  };
}
