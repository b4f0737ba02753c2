/**
 * `npm run check` runs after every edit, so a clean verdict is kept in the store, keyed by every input that
 * can change it (data, content, generated files and the files with generated parts, hashed as the loader
 * reads them; the arguments; the code, as every key) and listing as its deps every other file and folder
 * the check read through src/core/fs/safe-fs.ts (the proofs' test files and results, say) with what that
 * read returned: it is dropped when any of them reads differently. A failing run is never remembered.
 */
import { resolve } from "node:path";
import { gitTracking, trackingWord } from "../fs/git-tracked.ts";
import { fsObservers, isInside, kindInside, listInside, readInside, walkInside, type FsObserver } from "../fs/safe-fs.ts";
import { isNumber, isRecord, openStore, type Deps } from "./store.ts";

/** Inputs of a check, relative to the repository root; directories are read recursively. */
export const CHECK_INPUTS = ["data", "content", "src/generated", "package.json", ".github/workflows/build-variants.yml", "README.md"];

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const readDigest = (root: string, rel: string) => {
  const read = readInside(root, rel, MAX_INPUT_BYTES);
  return "refusal" in read ? `\0refused:${read.refusal.rule}:${read.refusal.message}` : read.bytes;
};

/** sha256 of every input as the loader reads it (the same walker, refusals and bytes), and `extra`. */
export function inputsFingerprint(root: string, extra: string): string {
  const hash = new Bun.CryptoHasher("sha256").update(extra);
  for (const input of CHECK_INPUTS) {
    const listed = listInside(root, input);
    for (const e of listed === undefined || "refusal" in listed ? [{ rel: input, kind: "file" as const }] : walkInside(root, input)) {
      hash.update(`\0${e.rel}\0`);
      if (e.kind === "refused") hash.update(`\0refused:${e.refusal.rule}`);
      else if (e.kind === "file") hash.update(readDigest(root, e.rel));
    }
  }
  return hash.digest("hex");
}

/** sha256 of what one read, listing, file test or git question (dep `op:rel`) answers now. */
function observedDigest(root: string, dep: string): string {
  const op = dep.slice(0, dep.indexOf(":"));
  const rel = dep.slice(op.length + 1);
  const hash = new Bun.CryptoHasher("sha256").update(`${op}\0${rel}\0`);
  if (op === "read") hash.update(readDigest(root, rel));
  // Whether git tracks it: a results file force-added after a clean check must not keep the verdict.
  else if (op === "tracked") hash.update(`\0${trackingWord(gitTracking(root, rel))}`);
  // What kind of thing is there is all the check asked (a proof's test file, a component's location).
  else if (op === "stat") hash.update(`\0${kindInside(root, rel)}`);
  else {
    const listed = listInside(root, rel);
    hash.update(
      listed === undefined
        ? "\0absent"
        : "refusal" in listed
          ? `\0refused:${listed.refusal.rule}`
          : listed.map((e) => `${e.kind}:${e.rel}`).join("\0"),
    );
  }
  return hash.digest("hex");
}

/** The verdict of the project at `root` for a run with `args`. Inputs are hashed once, when opened. */
export function openCheckCache(root: string, args: readonly string[]) {
  const store = openStore(root);
  const key = store.key(inputsFingerprint(root, JSON.stringify(args)));
  let deps: Deps = {};
  return {
    /** The remembered clean verdict (its record count), if any. */
    read: () =>
      store.get(
        "verdict",
        key,
        (v) => (isRecord(v) && isNumber(v.records) ? { records: v.records } : undefined),
        (dep) => observedDigest(root, dep),
      ),
    /** Runs `check`, recording as deps what it reads beyond CHECK_INPUTS. */
    watch<T>(check: () => T): T {
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
    write: (entry: { records: number }) => store.set("verdict", key, { records: entry.records }, deps),
  };
}
