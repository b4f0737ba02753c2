/**
 * Each source file's `feature()` calls and imports (src/verify/flag-calls.ts), remembered by content: the
 * writer's loop edits data far more often than code, and parsing TypeScript means loading the TypeScript
 * parser, which alone costs more than a whole cached check. One slot holds every file (one read per check,
 * one write when something was parsed), each entry under the sha256 of the file's path and bytes; the
 * slot's key is the parser's code (flag-calls.ts and what it imports, the typescript version), so an edit to
 * the analysis re-parses everything. The parser loads only on a miss, from source (never inside the
 * checker's bundle, which would then carry and load it on every run).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { hashContent, isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";
import type { FileFlagCalls } from "../../verify/flag-calls.ts";

/** Kept as a URL, not an import: the bundler must not pull the parser into the checker's bundle. */
const PARSER = new URL("../../verify/flag-calls.ts", import.meta.url);
let parser: typeof import("../../verify/flag-calls.ts") | undefined;

function parse(path: string, text: string): FileFlagCalls {
  parser ??= createRequire(import.meta.url)(fileURLToPath(PARSER)) as typeof import("../../verify/flag-calls.ts");
  return parser.flagCallsOf(path, text);
}

const isFacts = (v: unknown): v is FileFlagCalls =>
  isRecord(v) && Array.isArray(v.imports) && v.imports.every((s) => typeof s === "string") &&
  Array.isArray(v.calls) && v.calls.every((c: unknown) => isRecord(c) && typeof c.flag === "string" && isNumber(c.line) && isNumber(c.col));

/** By sha256 of a file's path and bytes. Any entry of the wrong shape makes the whole slot a miss. */
type Stored = Record<string, FileFlagCalls>;
const isStored = (v: unknown): v is Stored => isRecord(v) && Object.values(v).every(isFacts);

/** In the process, by path and content: a test suite that checks many times parses once. */
const memo = new Map<string, FileFlagCalls>();

export interface FlagCallCache {
  /** The flag calls and imports of `path` with content `text`: remembered, or parsed now. */
  of(path: string, text: string): FileFlagCalls;
  /** Writes what this run used (and only that, so the slot does not grow), when anything was parsed. */
  save(): void;
}

/** `root`'s cache (node_modules/.cache/takeoff/flag-calls/), or only the process's memo when `persist` is false. */
export function openFlagCallCache(root: string, persist: boolean): FlagCallCache {
  const cache: ContentCache<Stored> | undefined = persist
    ? openCache(root, { name: "flag-calls", code: [PARSER, import.meta.url], validate: (v) => (isStored(v) ? v : undefined) })
    : undefined;
  let stored: Stored | undefined;
  const used: Stored = {};
  let parsed = false;
  return {
    of(path, text) {
      const id = hashContent(path, text);
      let found = memo.get(id);
      if (!found && cache) {
        stored ??= cache.get("files", cache.key()) ?? {};
        found = Object.hasOwn(stored, id) ? stored[id] : undefined;
      }
      if (!found) {
        found = parse(path, text);
        parsed = true;
      }
      memo.set(id, found);
      used[id] = found;
      return found;
    },
    save() {
      if (cache && parsed) cache.set("files", cache.key(), used);
    },
  };
}
