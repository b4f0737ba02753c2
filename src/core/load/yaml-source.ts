/**
 * Parses one YAML data file with source positions and refuses every construct that could make the data
 * mean something other than what a reader sees: anchors, aliases, merge keys, tags, YAML 1.1 semantics,
 * duplicate keys. Returns plain data only when the file is clean.
 *
 * Two paths, one result. A file written as records are (block lists and maps, one-line scalars and flow
 * lists) is read by readFlatYaml (flat-yaml.ts) in one pass over its lines, for the data and the places.
 * Every other file, and every file with anything to report, is parsed by yaml's parseDocument.
 */
import * as yaml from "yaml";
import type { Node } from "yaml";
import { diagnostic, type Diagnostic, type Place } from "../report/diagnostics.ts";
import { readFlatYaml } from "./flat-yaml.ts";

/** Larger data files are refused: records are small, and a huge file is a mistake or an attack. */
export const MAX_DATA_FILE_BYTES = 1024 * 1024;

export type PathSegment = string | number;

/** Offsets of a node's key (for map entries) and value. */
export interface NodePlace {
  key?: number;
  value: number;
}

/**
 * A parsed file as plain data (no parser objects), so it can cross a worker boundary: the text, the data,
 * and where every key and value stands.
 */
export interface YamlSource {
  file: string;
  text: string;
  lineStarts: number[];
  /** Every node by path (segments joined with U+001F); "" is the document root. */
  places: Map<string, NodePlace>;
  /** The parsed data; undefined when the file had errors. */
  data: unknown;
}

const pathKey = (path: readonly PathSegment[]) => path.join("\u001f");

/** 1-based line and column of an offset (columns in UTF-16 units, as editors count). */
export function position(src: Pick<YamlSource, "lineStarts">, offset: number): { line: number; col: number } {
  const starts = src.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
}

/** The place of an offset in a parsed file. */
export function placeAt(src: Pick<YamlSource, "file" | "lineStarts">, offset: number): Place {
  return { file: src.file, ...position(src, offset) };
}

/** Records nest a few levels; far deeper nesting only serves to exhaust the parser's stack. */
export const MAX_NESTING = 64;

const TOO_DEEP_HINT = "data files hold a list of flat records; remove the extra [ { or - levels";

/**
 * Offset where nesting first goes deeper than MAX_NESTING: indentation levels, "- " items on one line and
 * open flow brackets, counted before the parser recurses into them. Quoted text is skipped line by line,
 * which can only under-count; the parser's own stack errors are caught as well.
 */
/** The characters nestingOverflow acts on. */
const NESTING_MARKS = /["'\\#[\]{}]/g;

export function nestingOverflow(text: string): number | undefined {
  // Character codes rather than one-character strings: this runs over every data file before parsing.
  const indents: number[] = [];
  let flow = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    let k = start;
    while (k < end && text.charCodeAt(k) === 32) k++;
    const first = text.charCodeAt(k);
    const blank = k === end || first === 35 /* # */ || first === 13; /* \r */
    if (!blank && flow === 0) {
      while (indents.length && indents[indents.length - 1]! >= k - start) indents.pop();
      indents.push(k - start);
    }
    let depth = indents.length + flow;
    for (
      let c1 = text.charCodeAt(k + 1);
      text.charCodeAt(k) === 45 && (c1 === 32 || c1 === 91 || c1 === 123);
      c1 = text.charCodeAt(k + 1)
    ) {
      // "- ", "-[" and "-{" (the dash opens an item)
      if (++depth > MAX_NESTING) return k;
      k++;
      while (text.charCodeAt(k) === 32) k++;
    }
    // Only quotes, backslashes, "#" and brackets change anything: jump from one to the next in this line.
    const from = k;
    const line = text.slice(from, end);
    let quote = 0;
    for (NESTING_MARKS.lastIndex = 0; NESTING_MARKS.test(line); ) {
      const j = NESTING_MARKS.lastIndex - 1;
      k = from + j;
      const c = line.charCodeAt(j);
      if (quote) {
        if (c === 92 && quote === 34)
          NESTING_MARKS.lastIndex = j + 2; // a backslash escape in double quotes
        else if (c === quote) quote = 0;
        continue;
      }
      // The character before (none at the start of the text): a quote opens after space [ { , : or tab.
      const prev = k === 0 ? -1 : text.charCodeAt(k - 1);
      if ((c === 34 || c === 39) && (prev === -1 || prev === 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58 || prev === 9))
        quote = c;
      else if (c === 35 && (prev === 32 || prev === 9)) break;
      else if (c === 91 || c === 123) {
        if (indents.length + ++flow > MAX_NESTING) return k;
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
    }
    start = end + 1;
  }
  return undefined;
}

/** `fast: false` skips readFlatYaml and always parses with yaml, as the tests compare. */
export function parseYamlSource(file: string, raw: string, { fast = true } = {}): { source: YamlSource; diagnostics: Diagnostic[] } {
  // yaml 2.9 rejects a BOM before a block sequence; editors do not count it as a column either.
  const text = raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
  const deep = nestingOverflow(text);
  if (deep !== undefined) {
    const source: YamlSource = { file, text, lineStarts: lineStartsOf(text), places: new Map(), data: undefined };
    return {
      source,
      diagnostics: [
        diagnostic("yaml-too-deep", placeAt(source, deep), `the data nests more than ${MAX_NESTING} levels deep here`, TOO_DEEP_HINT),
      ],
    };
  }
  try {
    const flat = fast ? readFlatYaml(text) : undefined;
    if (flat) return { source: { file, text, lineStarts: lineStartsOf(text), places: flat.places(), data: flat.data }, diagnostics: [] };
    return parseChecked(file, text);
  } catch (err) {
    // The scan above under-counts only in exotic layouts; a stack overflow there is still a writer's error.
    if (!(err instanceof RangeError)) throw err;
    const source: YamlSource = { file, text, lineStarts: lineStartsOf(text), places: new Map(), data: undefined };
    return { source, diagnostics: [diagnostic("yaml-too-deep", placeAt(source, 0), `the data nests too deeply to read`, TOO_DEEP_HINT)] };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * yaml, for the files the flat fast path leaves to it and for its core-schema tags. Imported like any module:
 * check imports this loader only when its remembered verdict does not answer, and then a data file is parsed.
 */
export const loadYaml = (): typeof yaml => yaml;

function parseChecked(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
  const { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, version: "1.2", merge: false, prettyErrors: false });
  const source: YamlSource = { file, text, lineStarts: lineCounter.lineStarts, places: new Map(), data: undefined };
  const diagnostics: Diagnostic[] = [];

  let syntaxReported = false;
  for (const e of doc.errors) {
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    if (/call stack/i.test(message)) {
      diagnostics.push(diagnostic("yaml-too-deep", placeAt(source, e.pos[0]), "the data nests too deeply to read", TOO_DEEP_HINT));
      syntaxReported = true;
    } else if (e.code === "MULTIPLE_DOCS") {
      diagnostics.push(
        diagnostic(
          "yaml-multiple-documents",
          placeAt(source, e.pos[0]),
          "a --- line starts a second YAML document; a data file holds one list of records",
          "remove the --- line and keep all records in one list (or split them into files under a folder of their kind)",
        ),
      );
    } else if (e.code === "DUPLICATE_KEY") {
      diagnostics.push(
        diagnostic("duplicate-key", placeAt(source, e.pos[0]), message, "remove one of the two keys; YAML would silently keep the last"),
      );
    } else if (!syntaxReported) {
      // The parser reports every consequence of one broken line; the first error is the one to fix.
      syntaxReported = true;
      const offset = syntaxOffset(text, e.code, message, e.pos[0]);
      const tab = leadingTab(text, offset);
      if (tab !== undefined)
        diagnostics.push(
          diagnostic(
            "yaml-syntax",
            placeAt(source, tab),
            "this line is indented with a tab; YAML indents with spaces only",
            "indent with spaces, not tabs",
          ),
        );
      else diagnostics.push(diagnostic("yaml-syntax", placeAt(source, offset), message, syntaxHint(message)));
    }
  }
  for (const w of doc.warnings) {
    if (w.code === "TAG_RESOLVE_FAILED") continue; // reported below with the other tags
    diagnostics.push(
      diagnostic("yaml-syntax", placeAt(source, w.pos[0]), w.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")),
    );
  }
  if (doc.directives?.yaml.explicit) {
    const offset = Math.max(0, text.indexOf("%YAML"));
    diagnostics.push(
      diagnostic(
        "yaml-version",
        placeAt(source, offset),
        `a %YAML ${doc.directives.yaml.version} directive changes how values are read`,
        "remove the %YAML line; data files are YAML 1.2",
      ),
    );
  }

  // One walk over every node: refuse constructs that change what data means, and record where each node stands.
  const refuse = (node: Node) => {
    const start = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      diagnostics.push(
        diagnostic(
          "yaml-alias",
          placeAt(source, start),
          `alias *${node.source} is not allowed in data files`,
          "write the value out in full",
        ),
      );
      return;
    }
    if (node.anchor) {
      diagnostics.push(
        diagnostic(
          "yaml-anchor",
          placeAt(source, propOffset(text, start, "&")),
          `anchor &${node.anchor} is not allowed in data files`,
          "remove the anchor and write values out in full",
        ),
      );
    }
    // yaml sets `tag` only for tags written in the source.
    if (node.tag) {
      const offset = propOffset(text, start, "!");
      const written = /^\S+/.exec(text.slice(offset))?.[0] ?? node.tag;
      diagnostics.push(
        diagnostic(
          "yaml-tag",
          placeAt(source, offset),
          `tag ${written} is not allowed in data files`,
          "remove the tag; plain values are enough",
        ),
      );
    }
  };
  const walk = (node: unknown, key: string, keyAt?: number): void => {
    if (!isNode(node)) return;
    refuse(node);
    source.places.set(key, keyAt === undefined ? { value: node.range?.[0] ?? 0 } : { key: keyAt, value: node.range?.[0] ?? keyAt });
    const prefix = key === "" ? "" : `${key}\u001f`;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isNode(pair.key)) refuse(pair.key);
        if (!isScalar(pair.key)) continue;
        const k = pair.key.range?.[0] ?? 0;
        if (pair.key.value === "<<") {
          diagnostics.push(
            diagnostic("yaml-merge-key", placeAt(source, k), "merge key << is not allowed in data files", "write the keys out in full"),
          );
        }
        const child = prefix + String(pair.key.value);
        if (isNode(pair.value)) walk(pair.value, child, k);
        else source.places.set(child, { key: k, value: k });
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, prefix + i);
    }
  };
  walk(doc.contents, "");

  if (diagnostics.length === 0) {
    try {
      source.data = doc.toJS({ maxAliasCount: 0 });
    } catch (err) {
      diagnostics.push(diagnostic("yaml-syntax", placeAt(source, 0), (err as Error).message));
    }
  }
  return { source, diagnostics };
}

/** Offset of a tab in the indentation of the line holding `offset` (or of the line before it), if any. */
function leadingTab(text: string, offset: number): number | undefined {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  for (const start of [lineStart, text.lastIndexOf("\n", lineStart - 2) + 1]) {
    const indent = /^[ \t]*/.exec(text.slice(start, start + 200))![0];
    const tab = indent.indexOf("\t");
    if (tab !== -1 && start <= offset) return start + tab;
    if (start === 0) break;
  }
  return undefined;
}

/** Node ranges start at the value; anchors and tags stand before it on the same line. */
function propOffset(text: string, start: number, sigil: "&" | "!"): number {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let found = text.lastIndexOf(sigil, start);
  while (found > lineStart && text[found - 1] === sigil) found--;
  return found >= lineStart ? found : start;
}

/** yaml reports an unclosed quote where the file ends; the writer needs the line that opened it. */
function syntaxOffset(text: string, code: string, message: string, pos: number): number {
  const quote = /Missing closing (["'])/.exec(message)?.[1];
  if (code !== "MISSING_CHAR" || !quote) return pos;
  let end = pos;
  while (end > 0) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end);
    if (line.split(quote).length % 2 === 0) return start + line.lastIndexOf(quote);
    end = start - 1;
  }
  return pos;
}

function syntaxHint(message: string): string | undefined {
  if (/Nested mappings|Implicit keys need to be on a single line/.test(message)) {
    return 'a value containing ": " starts a new key; put the whole value in double quotes';
  }
  if (/Flow (sequence|mapping)|end with a [\]}]/.test(message)) return "a [ or { on this line or above is not closed";
  if (/Missing closing .?quote/i.test(message)) return "a quote on this line or above is not closed";
  if (/tab/i.test(message)) return "indent with spaces, not tabs";
  return undefined;
}

/**
 * Offset to report for a path: the value, or with `onKey` its key. Falls back to the nearest existing
 * ancestor so a diagnostic always has a place.
 */
export function offsetOf(src: YamlSource, path: readonly PathSegment[], onKey = false): number {
  for (let n = path.length; n >= 0; n--) {
    const place = src.places.get(pathKey(path.slice(0, n)));
    if (place) return onKey && n === path.length ? (place.key ?? place.value) : place.value;
  }
  return 0;
}

/** The place of a path in a parsed file: its value, or with `onKey` its key (see offsetOf). */
export function placeOf(src: YamlSource, path: readonly PathSegment[], onKey = false): Place {
  return placeAt(src, offsetOf(src, path, onKey));
}

/** The place of a field of a record: `path` inside the record at `index` of its file's list. */
export function recordPlace(entry: { src: YamlSource; index: number }, path: readonly PathSegment[] = []): Place {
  return placeOf(entry.src, [entry.index, ...path]);
}

/**
 * The place of character `index` of the text value at `path` of a record: exact when the file spells the value
 * out verbatim (plain, or quoted with no escape before it), else the start of the value.
 */
export function recordTextPlace(
  entry: { src: YamlSource; index: number },
  path: readonly PathSegment[],
  text: string,
  index: number,
): Place {
  const start = offsetOf(entry.src, [entry.index, ...path]);
  const source = entry.src.text;
  const quote = source[start] === '"' || source[start] === "'" ? 1 : 0;
  const verbatim = source.startsWith(text.slice(0, index + 1), start + quote);
  return placeAt(entry.src, verbatim ? start + quote + index : start);
}

/** Offset of a key inside the map at `path` (for unknown keys). */
export function keyOffset(src: YamlSource, path: readonly PathSegment[], key: string): number {
  return src.places.get(pathKey([...path, key]))?.key ?? offsetOf(src, path);
}
