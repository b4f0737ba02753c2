/**
 * Each source file's `feature()` calls and imports (src/verify/flag-calls.ts), remembered by content: the
 * writer's loop edits data far more often than code, and parsing TypeScript means loading the TypeScript
 * parser, which alone costs more than a whole cached check. One slot per file; the key is its path and
 * bytes plus the parser's code (flag-calls.ts and what it imports, the typescript version), so an edit to
 * the file or to the analysis re-parses. The parser loads only on a miss, from source (never inside the
 * checker's bundle, which would then carry and load it on every run).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isNumber, isRecord, openCache, type ContentCache } from "./content-cache.ts";
import type { FileFlagCalls } from "../../verify/flag-calls.ts";

/** Kept as a URL, not an import: the bundler must not pull the parser into the checker's bundle. */
const PARSER = new URL("../../verify/flag-calls.ts", import.meta.url);
let parser: typeof import("../../verify/flag-calls.ts") | undefined;

function parse(path: string, text: string): FileFlagCalls {
  parser ??= createRequire(import.meta.url)(fileURLToPath(PARSER)) as typeof import("../../verify/flag-calls.ts");
  return parser.flagCallsOf(path, text);
}

const isStored = (v: unknown): v is FileFlagCalls =>
  isRecord(v) && Array.isArray(v.imports) && v.imports.every((s) => typeof s === "string") &&
  Array.isArray(v.calls) && v.calls.every((c: unknown) => isRecord(c) && typeof c.flag === "string" && isNumber(c.line) && isNumber(c.col));

/** In the process, by path and content: a site build or a test suite that checks many times parses once. */
const memo = new Map<string, FileFlagCalls>();

export interface FlagCallCache {
  /** The flag calls and imports of `path` with content `text`: remembered, or parsed now. */
  of(path: string, text: string): FileFlagCalls;
}

/** `root`'s cache (node_modules/.cache/takeoff/flag-calls/), or only the process's memo when `persist` is false. */
export function openFlagCallCache(root: string, persist: boolean): FlagCallCache {
  const cache: ContentCache<FileFlagCalls> | undefined = persist
    ? openCache(root, { name: "flag-calls", code: [PARSER, import.meta.url], validate: (v) => (isStored(v) ? v : undefined) })
    : undefined;
  return {
    of(path, text) {
      const id = `${path}\0${text}`;
      let found = memo.get(id);
      if (found) return found;
      const key = cache?.key(path, text);
      found = key ? cache!.get(path, key) : undefined;
      if (!found) {
        found = parse(path, text);
        if (key) cache!.set(path, key, found);
      }
      memo.set(id, found);
      return found;
    },
  };
}
