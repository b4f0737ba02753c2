/**
 * `npm run check` runs after every edit, so a clean verdict is kept in the store, keyed by every input that
 * can change it (data, content, generated files and the files with generated parts, hashed as the loader
 * reads them; the arguments; the code, as every key) and listing as its deps every other file and folder
 * the check read through src/core/fs/safe-fs.ts (the proofs' test files and results, say) with what that
 * read returned: it is dropped when any of them reads differently. A failing run is never remembered.
 */
import { posix, resolve } from "node:path";
import { gitTracking, trackingWord } from "../fs/git-tracked.ts";
import {
  type FsObserver,
  type FsOp,
  fsObservers,
  isPlainFileInside,
  kindAnswer,
  kindInside,
  listAnswer,
  listInside,
  plainAnswer,
  readAnswer,
  digestInside,
  walkInside,
} from "../fs/safe-fs.ts";
import { isNumber, isRecord, openStore, type Deps, type Store } from "./store.ts";
import { sha256 } from "../fs/digest-memo.ts";

/** Inputs of a check, relative to the repository root; directories are read recursively. */
export const CHECK_INPUTS = ["data", "content", "src/generated", "package.json", ".github/workflows/build-variants.yml", "README.md"];

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** sha256 of every input as the loader reads it (the same walker, refusals and bytes), and `extra`. */
export function inputsFingerprint(root: string, extra: string): string {
  const hash = new Bun.CryptoHasher("sha256").update(extra);
  for (const input of CHECK_INPUTS) {
    const listed = listInside(root, input);
    for (const e of listed === undefined || "refusal" in listed ? [{ rel: input, kind: "file" as const }] : walkInside(root, input)) {
      hash.update(`\0${e.rel}\0`);
      if (e.kind === "refused") hash.update(`\0refused:${e.refusal.rule}`);
      else if (e.kind === "file") hash.update(readAnswer(digestInside(root, e.rel, MAX_INPUT_BYTES)));
    }
  }
  return hash.digest("hex");
}

/** The dep id of one question. */
const depOf = (op: FsOp, rel: string) => `${op}:${rel}`;
/** What a dep records: a short answer (a digest, a kind, a refusal) as it is, anything longer by its sha256. */
const answerDigest = (answer: string | Uint8Array) => (typeof answer === "string" && answer.length <= 256 ? answer : sha256(answer));

/** What one read, listing, file test or git question (dep `op:rel`) answers now, in the words safe-fs observes. */
function answerNow(root: string, dep: string, store: Store): string | Uint8Array {
  const op = dep.slice(0, dep.indexOf(":"));
  const rel = dep.slice(op.length + 1);
  if (op === "read") return readAnswer(digestInside(root, rel, MAX_INPUT_BYTES));
  // Whether git tracks it: a results file force-added after a clean check must not keep the verdict.
  if (op === "tracked") return `\0${trackingWord(gitTracking(root, rel, store))}`;
  // What kind of thing is there is all the check asked (a proof's test file, a component's location).
  if (op === "stat") return kindAnswer(kindInside(root, rel));
  if (op === "plain") return plainAnswer(isPlainFileInside(root, rel));
  return listAnswer(listInside(root, rel));
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
        (dep) => answerDigest(answerNow(root, dep, store)),
      ),
    /** Runs `check`, recording as deps what it asks beyond CHECK_INPUTS, with the answers it got. */
    watch<T>(check: () => T): T {
      const seen: Deps = {};
      const here = resolve(root);
      // Paths arrive repository-relative; the fixed inputs are already in the key (normalized first, so that
      // data/../src/x is not taken for a file of data/).
      const fixed = (rel: string) => {
        const path = posix.normalize(rel);
        return CHECK_INPUTS.some((i) => path === i || path.startsWith(`${i}/`));
      };
      const observer: FsObserver = (op, at, rel, answer) => {
        const dep = depOf(op, rel);
        if (dep in seen || (at !== root && resolve(at) !== here) || fixed(rel)) return;
        // The answer the check used, not a second look: an edit made while the check runs is never taken as seen.
        seen[dep] = answerDigest(answer);
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
