/**
 * Each source file's `feature()` calls and imports (src/verify/flag-calls.ts), remembered by content: the
 * writer's loop edits data far more often than code, and parsing TypeScript means loading the TypeScript
 * parser, which alone costs more than a whole cached check. One store entry holds every file (one read per
 * check, one write when something was parsed), each under the sha256 of the file's path and bytes; the
 * entry's key is the parser's code, so an edit to the analysis re-parses everything. The parser loads only
 * on a miss.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { hashContent, isNumber, isRecord, isStrings, openStore } from "./store.ts";
import type { FileFlagCalls } from "../../verify/flag-calls.ts";

/** Kept as a URL, not an import: the parser (typescript) loads only when a file is not in the store. */
const PARSER = new URL("../../verify/flag-calls.ts", import.meta.url);
let parser: typeof import("../../verify/flag-calls.ts") | undefined;

const isFacts = (v: unknown): v is FileFlagCalls =>
  isRecord(v) && isStrings(v.imports) && Array.isArray(v.calls) && v.calls.every((c: unknown) => isRecord(c) && typeof c.flag === "string" && isNumber(c.line) && isNumber(c.col));

/** By sha256 of a file's path and bytes. Any entry of the wrong shape makes the whole entry a miss. */
type Stored = Record<string, FileFlagCalls>;

/** In the process, by path and content: a test suite that checks many times parses once. */
const memo = new Map<string, FileFlagCalls>();

export interface FlagCallCache {
  /** The flag calls and imports of `path` with content `text`: remembered, or parsed now. */
  of(path: string, text: string): FileFlagCalls;
  /** Writes what this run used (and only that, so the entry does not grow), when anything was parsed. */
  save(): void;
}

/** `root`'s store entry, or only the process's memo when `persist` is false. */
export function openFlagCallCache(root: string, persist: boolean): FlagCallCache {
  const store = persist ? openStore(root, [PARSER]) : undefined;
  let stored: Stored | undefined;
  const used: Stored = {};
  let parsed = false;
  return {
    of(path, text) {
      const id = hashContent(path, text);
      let found = memo.get(id);
      if (!found && store) {
        stored ??= store.get("flag-calls", store.key(), (v) => (isRecord(v) && Object.values(v).every(isFacts) ? (v as Stored) : undefined)) ?? {};
        found = Object.hasOwn(stored, id) ? stored[id] : undefined;
      }
      if (!found) {
        parser ??= createRequire(import.meta.url)(fileURLToPath(PARSER)) as typeof import("../../verify/flag-calls.ts");
        found = parser.flagCallsOf(path, text);
        parsed = true;
      }
      memo.set(id, found);
      used[id] = found;
      return found;
    },
    save() {
      if (store && parsed) store.set("flag-calls", store.key(), used);
    },
  };
}
