/**
 * Each source file's `feature()` calls and imports (src/verify/flag-calls.ts) in the store, by its path and
 * the digest of its bytes, so an unchanged file is not even read: the writer's loop edits data far more often
 * than code, and parsing means loading a parser. The parser loads only on a miss.
 */
import { hashContent, isNumber, isRecord, isStrings, openStore } from "./store.ts";
import type { FileFlagCalls } from "../../verify/flag-calls.ts";

/** Kept as a path, not an import: the parser loads only when a file is not in the store. */
const PARSER = decodeURIComponent(new URL("../../verify/flag-calls.ts", import.meta.url).pathname);
let parser: typeof import("../../verify/flag-calls.ts") | undefined;

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
      parser ??= require(PARSER) as typeof import("../../verify/flag-calls.ts");
      found = parser.flagCallsOf(path, source);
      store?.set(`flag-calls:${path}`, store.key(key), found);
    }
    memo.set(key, found);
    return found;
  };
}
