/**
/**
 * Each source file's `feature()` calls and imports (src/core/source/scan-flag-calls.ts) in the store, by its
 * path and the digest of its bytes, so an unchanged file is not even read: the writer's loop edits data far
 * more often than code, so after a data-only edit nothing is parsed. The scanner loads its parser only on a miss.
 */
import { hashContent, isNumber, isRecord, isStrings, openStore } from "./store.ts";
import { scanFlagCalls, type FileFlagCalls } from "../source/scan-flag-calls.ts";

const isFacts = (v: unknown): v is FileFlagCalls =>
  isRecord(v) &&
  isStrings(v.imports) &&
  Array.isArray(v.calls) &&
  v.calls.every((c: unknown) => isRecord(c) && typeof c.flag === "string" && isNumber(c.line) && isNumber(c.col));

/** In the process, by path and content: a test suite that checks many times parses once. */
const memo = new Map<string, FileFlagCalls>();

/** The flag calls and imports of `path`, whose bytes have sha256 `digest`: remembered, or parsed now from `text()`. */
export type FlagCallCache = (path: string, digest: string, text: () => string | undefined) => FileFlagCalls | undefined;

/** `root`'s store entries, or only the process's memo when `persist` is false. */
export function openFlagCallCache(root: string, persist: boolean): FlagCallCache {
  const store = persist ? openStore(root) : undefined;
  return (path, digest, text) => {
    const key = hashContent(path, digest);
    let found = memo.get(key) ?? store?.get(`flag-calls:${path}`, store.key(key), (v) => (isFacts(v) ? v : undefined));
    if (!found) {
      const source = text();
      if (source === undefined) return undefined;
      found = scanFlagCalls(path, source);
      store?.set(`flag-calls:${path}`, store.key(key), found);
    }
    memo.set(key, found);
    return found;
  };
}
