/**
 * `npm run check` is run after every edit, so a clean result is remembered, keyed by every input that can
 * change it: data, content, generated files and the files with generated parts, hashed exactly as the loader
 * reads them, plus the checker's own code and package versions (the content cache's code fingerprint of
 * the CLI module, which follows everything it imports). Besides that fixed list, the verdict remembers every
 * file and folder the check itself read through src/core/fs/safe-fs.ts (the proofs' test files and
 * results, say) and is dropped when any of them reads differently. Same inputs, same verdict; any change
 * to any of them runs the full check. Only clean runs are cached: a failing run always reports afresh.
 * This module imports nothing heavy.
 */
import { gitTracking, trackingWord } from "../fs/git-tracked.ts";
import { fsObservers, isInside, kindInside, listInside, readInside, walkInside, type FsObserver } from "../fs/safe-fs.ts";
import { resolve } from "node:path";
import { isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";

/** Inputs of a check, relative to the repository root; directories are read recursively. */
export const CHECK_INPUTS = ["data", "content", "src/generated", "package.json", ".github/workflows/build-variants.yml", "README.md"];

export interface CachedCheck {
  records: number;
}

/** A read, folder listing or file test the check made, outside CHECK_INPUTS: [op, repository-relative path]. */
export type Observed = ["read" | "list" | "stat" | "tracked", string];

interface Stored extends CachedCheck {
  observed: Observed[];
  /** sha256 of what the observed reads and listings returned. */
  seen: string;
}

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

/** sha256 of what one read or listing returns now. */
function observedDigest(root: string, [op, rel]: Observed): string {
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

const combine = (digests: Iterable<string>) => new Bun.CryptoHasher("sha256").update([...digests].join("\0")).digest("hex");

export interface CheckCache {
  /** The remembered clean verdict for these inputs and arguments, if any. */
  read(): CachedCheck | undefined;
  /** Runs `check`, recording what it reads beyond CHECK_INPUTS (for `write`). */
  watch<T>(check: () => T): T;
  /** Remembers a clean verdict, with what the last `watch` observed. */
  write(entry: CachedCheck): void;
}

function isStored(v: unknown): v is Stored {
  return isRecord(v) && isNumber(v.records) && typeof v.seen === "string" && Array.isArray(v.observed) && v.observed.every((o) => Array.isArray(o) && (o[0] === "read" || o[0] === "list" || o[0] === "stat" || o[0] === "tracked") && typeof o[1] === "string");
}

/**
 * The verdict cache of the project at `root` for a run with `args`; `code` are the module URLs of the
 * checker (the CLI's `import.meta.url`: its imports are followed). Inputs are hashed once, when opened.
 */
export function openCheckCache(root: string, args: readonly string[], code: readonly (string | URL)[]): CheckCache {
  const cache: ContentCache<Stored> = openCache(root, {
    name: "check",
    code,
    validate: (v) => (isStored(v) ? v : undefined),
  });
  const key = cache.key(inputsFingerprint(root, JSON.stringify(args)));
  let observed: Observed[] = [];
  let digests: string[] = [];
  return {
    read() {
      const entry = cache.get("verdict", key);
      return entry && combine(entry.observed.map((o) => observedDigest(root, o))) === entry.seen ? { records: entry.records } : undefined;
    },
    watch(check) {
      const seen = new Map<string, { o: Observed; digest: string }>();
      const fixed = CHECK_INPUTS.map((i) => resolve(root, i));
      let busy = false;
      const observer: FsObserver = (op, at, rel) => {
        if (busy || resolve(at) !== resolve(root) || seen.has(`${op}\0${rel}`) || fixed.some((f) => isInside(f, resolve(root, rel)))) return;
        // Digested now, as the check reads it: an edit made while the check runs is never taken as seen.
        busy = true;
        try {
          seen.set(`${op}\0${rel}`, { o: [op, rel], digest: observedDigest(root, [op, rel]) });
        } finally {
          busy = false;
        }
      };
      fsObservers.add(observer);
      try {
        return check();
      } finally {
        fsObservers.delete(observer);
        observed = [...seen.values()].map((v) => v.o);
        digests = [...seen.values()].map((v) => v.digest);
      }
    },
    write: (entry) => cache.set("verdict", key, { records: entry.records, observed, seen: combine(digests) }),
  };
}
