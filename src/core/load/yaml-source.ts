/**
 * Parses one YAML data file with source positions and refuses every construct that could make the data
 * mean something other than what a reader sees: anchors, aliases, merge keys, tags, YAML 1.1 semantics,
 * duplicate keys. Returns plain data only when the file is clean.
 *
 * Two paths, one result. A file written as records are (block lists and maps, one-line scalars and flow
 * lists) is read by readSimpleYaml at the end of this file: one pass over its lines, about ten times
 * faster than yaml, for the data and the places. Every other file, and every file with anything to
 * report, is parsed by yaml's parseDocument (loaded only then), as before.
 */
import { createRequire } from "node:module";
import type { Node } from "yaml";
import { diagnostic, type Diagnostic, type Place } from "../report/diagnostics.ts";

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
  /**
   * Every node by path (segments joined with U+001F); "" is the document root. For a file the fast path
   * read, built on first read (a getter; spreading, cloning and JSON see the Map).
   */
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
    for (let c1 = text.charCodeAt(k + 1); text.charCodeAt(k) === 45 && (c1 === 32 || c1 === 91 || c1 === 123); c1 = text.charCodeAt(k + 1)) {
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
        if (c === 92 && quote === 34) NESTING_MARKS.lastIndex = j + 2; // a backslash escape in double quotes
        else if (c === quote) quote = 0;
        continue;
      }
      // The character before (none at the start of the text): a quote opens after space [ { , : or tab.
      const prev = k === 0 ? -1 : text.charCodeAt(k - 1);
      if ((c === 34 || c === 39) && (prev === -1 || prev === 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58 || prev === 9)) quote = c;
      else if (c === 35 && (prev === 32 || prev === 9)) break;
      else if (c === 91 || c === 123) {
        if (indents.length + ++flow > MAX_NESTING) return k;
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * `fast: false` skips the fast path (see readSimpleYaml) and always parses with yaml, as the tests compare.
 */
export function parseYamlSource(file: string, raw: string, { fast = true } = {}): { source: YamlSource; diagnostics: Diagnostic[] } {
  // yaml 2.9 rejects a BOM before a block sequence; editors do not count it as a column either.
  const text = raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
  const deep = nestingOverflow(text);
  if (deep !== undefined) {
    const source: YamlSource = { file, text, lineStarts: lineStartsOf(text), places: new Map(), data: undefined };
    return { source, diagnostics: [diagnostic("yaml-too-deep", placeAt(source, deep), `the data nests more than ${MAX_NESTING} levels deep here`, TOO_DEEP_HINT)] };
  }
  try {
    const simple = fast ? readSimpleYaml(text) : undefined;
    if (simple) return { source: withPlaces({ file, text, lineStarts: lineStartsOf(text), data: simple.data }, simple), diagnostics: [] };
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

/** yaml loads on the first file the fast path leaves to it: a check of clean records never needs it. */
let yamlModule: typeof import("yaml") | undefined;

function parseChecked(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } = yamlModule;
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
      diagnostics.push(diagnostic("yaml-multiple-documents", placeAt(source, e.pos[0]), "a --- line starts a second YAML document; a data file holds one list of records", "remove the --- line and keep all records in one list (or split them into files under a folder of their kind)"));
    } else if (e.code === "DUPLICATE_KEY") {
      diagnostics.push(diagnostic("duplicate-key", placeAt(source, e.pos[0]), message, "remove one of the two keys; YAML would silently keep the last"));
    } else if (!syntaxReported) {
      // The parser reports every consequence of one broken line; the first error is the one to fix.
      syntaxReported = true;
      const offset = syntaxOffset(text, e.code, message, e.pos[0]);
      const tab = leadingTab(text, offset);
      if (tab !== undefined) diagnostics.push(diagnostic("yaml-syntax", placeAt(source, tab), "this line is indented with a tab; YAML indents with spaces only", "indent with spaces, not tabs"));
      else diagnostics.push(diagnostic("yaml-syntax", placeAt(source, offset), message, syntaxHint(message)));
    }
  }
  for (const w of doc.warnings) {
    if (w.code === "TAG_RESOLVE_FAILED") continue; // reported below with the other tags
    diagnostics.push(diagnostic("yaml-syntax", placeAt(source, w.pos[0]), w.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")));
  }
  if (doc.directives?.yaml.explicit) {
    const offset = Math.max(0, text.indexOf("%YAML"));
    diagnostics.push(
      diagnostic("yaml-version", placeAt(source, offset), `a %YAML ${doc.directives.yaml.version} directive changes how values are read`, "remove the %YAML line; data files are YAML 1.2"),
    );
  }

  // One walk over every node: refuse constructs that change what data means, and record where each node stands.
  const refuse = (node: Node) => {
    const start = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      diagnostics.push(diagnostic("yaml-alias", placeAt(source, start), `alias *${node.source} is not allowed in data files`, "write the value out in full"));
      return;
    }
    if (node.anchor) {
      diagnostics.push(diagnostic("yaml-anchor", placeAt(source, propOffset(text, start, "&")), `anchor &${node.anchor} is not allowed in data files`, "remove the anchor and write values out in full"));
    }
    // yaml sets `tag` only for tags written in the source.
    if (node.tag) {
      const offset = propOffset(text, start, "!");
      const written = /^\S+/.exec(text.slice(offset))?.[0] ?? node.tag;
      diagnostics.push(diagnostic("yaml-tag", placeAt(source, offset), `tag ${written} is not allowed in data files`, "remove the tag; plain values are enough"));
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
          diagnostics.push(diagnostic("yaml-merge-key", placeAt(source, k), "merge key << is not allowed in data files", "write the keys out in full"));
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
  // A record (a list item has no key) of a file the fast path read: no need to build its places.
  const item = path.length === 1 && typeof path[0] === "number" ? PENDING.get(src)?.item(path[0]) : undefined;
  if (item !== undefined) return item;
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
export function recordTextPlace(entry: { src: YamlSource; index: number }, path: readonly PathSegment[], text: string, index: number): Place {
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

// ---------------------------------------------------------------------------------------------------------
// The fast path, because parseDocument is most of what a cold check pays (bench/parse.ts). Data files are
// block lists of flat records: `- key: value` lines,
// one-line flow lists, quoted and plain one-line scalars, comments. For exactly that subset one pass over
// the lines proves the file holds nothing else, finds every node and the offset parseDocument gives it, and
// reads every value as yaml does (the YAML 1.2 core schema, yaml's escapes, its key order). Anything else,
// however harmless (anchors, aliases, tags, directives, ---, multi-line or block scalars, flow maps, tabs,
// control characters, duplicate keys, keys that are not text, errors of any kind), goes to parseDocument
// above, so every diagnostic comes from the same code as before; the tests hold both paths to one result.
// Bun.YAML.parse was measured for the values: a second full parse costs more than reading them in this
// pass (bench/parse.ts), and it reads some files differently from yaml (it accepts duplicate keys; it
// refuses a "\ud83d" escape yaml reads).
// ---------------------------------------------------------------------------------------------------------

/** Characters left to yaml: C0 controls and tabs, DEL and C1, line separators, BOM, non-characters, a lone CR. */
const SLOW_CHARS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)/;
/** Thrown inside the scan to hand the file to yaml. */
const SLOW: unique symbol = Symbol("slow");

// yaml's core schema tests, in yaml's order: null, bool, int (octal, decimal, hex), float (nan/inf, exp, plain).
const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const INT_HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value by the YAML 1.2 core schema, as yaml resolves it (so `yes`, `1:20`, `2024-01-01` stay text). */
function coreValue(s: string): unknown {
  const c = s.charCodeAt(0);
  // A letter other than n, t, f (either case) starts text: the common case, decided without a RegExp.
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
    const l = c | 32;
    if (l !== 110 && l !== 116 && l !== 102) return s;
  } else if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126)) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return c === 116 || c === 84;
  if (INT_OCT_RE.test(s)) return parseInt(s.slice(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (INT_HEX_RE.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_NAN_RE.test(s)) return /nan$/i.test(s) ? NaN : c === 45 ? -Infinity : Infinity;
  if (FLOAT_EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

/** yaml's one-character escapes in double quotes (a tab never reaches here). */
const ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", e: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v",
  N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029", " ": " ", '"': '"', "/": "/", "\\": "\\",
};
const HEX_RE = /^[0-9a-fA-F]+$/;
/** Legal in a plain key, but left to yaml: ":" "#", flow indicators and quotes. */
const KEY_LEFT_TO_YAML = /[:#,[\]{}"']/;
/** In a plain item of a flow list: nested collections, comments, and a ":" that would make the item a pair. */
const FLOW_ITEM_LEFT_TO_YAML = /[[{}#]|:(?: |$)/;

/**
 * Reads `text` when it lies inside the subset described above; undefined hands it to yaml. `data` is what
 * parseDocument(text).toJS() gives; `places()` builds the places parseDocument gives (the same paths,
 * offsets and order), `item(i)` the offset of the i-th item of a list at the root.
 */
export function readSimpleYaml(
  text: string,
): { data: unknown; places: () => Map<string, NodePlace>; item: (index: number) => number | undefined } | undefined {
  if (SLOW_CHARS.test(text) || !text.isWellFormed()) return undefined;
  /** Every node as the scan meets it, in parseDocument's order: path, key offset (-1: none), value offset. */
  const found: (string | number)[] = [];
  /** Where in `found` each item of a list at the root (each record) stands. */
  const records: number[] = [];
  const n = text.length;
  // The current content line: [ls, le) without its line break, `ind` spaces of indentation, `next` the start
  // of the following line; `ind` is -1 past the last line.
  let ls = 0;
  let le = 0;
  let ind = -1;
  let next = 0;
  /** The current line's text, [ls, le): searches in it stop at its end (native, not a loop over characters). */
  let line = "";
  /** Where the scalar, flow list or key just read ends. */
  let end = 0;
  /** Block collections open around the current line; deeper files are yaml's (records are flat). */
  let depth = 0;

  /** Moves to the first line at or after `from` that holds more than spaces and a comment. */
  const seek = (from: number): void => {
    for (let s = from; s < n; ) {
      let e = text.indexOf("\n", s);
      const nx = e === -1 ? n : e + 1;
      if (e === -1) e = n;
      if (e > s && text.charCodeAt(e - 1) === 13) e--;
      let k = s;
      while (k < e && text.charCodeAt(k) === 32) k++;
      if (k < e && text.charCodeAt(k) !== 35) {
        if (k === s) {
          // "---" and "..." (document markers) and "%" (directives) at the start of a line are yaml's.
          const c = text.charCodeAt(s);
          if (c === 37 || ((c === 45 || c === 46) && text.charCodeAt(s + 1) === c && text.charCodeAt(s + 2) === c)) throw SLOW;
        }
        ls = s;
        le = e;
        ind = k - s;
        next = nx;
        line = text.slice(s, e);
        return;
      }
      s = nx;
    }
    ls = le = next = n;
    ind = -1;
  };
  const atEnd = (): boolean => ind === -1;
  const skip = (p: number): number => {
    while (p < le && text.charCodeAt(p) === 32) p++;
    return p;
  };
  /** A "-" followed by a space or the line end: a block list item. */
  const isDash = (p: number): boolean => text.charCodeAt(p) === 45 && (p + 1 === le || text.charCodeAt(p + 1) === 32);
  /** Nothing but spaces and a comment may follow a value on its line. */
  const rest = (e: number): void => {
    const r = skip(e);
    if (r < le && !(text.charCodeAt(r) === 35 && r > e)) throw SLOW;
  };

  const doubleQuoted = (p: number): string => {
    const close = line.indexOf('"', p - ls + 1);
    const backslash = line.indexOf("\\", p - ls + 1);
    if (close !== -1 && (backslash === -1 || backslash > close)) {
      end = ls + close + 1;
      return line.slice(p - ls + 1, close);
    }
    let out = "";
    let run = p + 1;
    for (let i = p + 1; i < le; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        end = i + 1;
        return out + text.slice(run, i);
      }
      if (c !== 92) continue;
      out += text.slice(run, i);
      const e = text[++i];
      if (e === undefined || i >= le) throw SLOW; // an escaped line break
      const simple = ESCAPES[e];
      if (simple !== undefined) out += simple;
      else {
        const len = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
        const hex = text.slice(i + 1, i + 1 + len);
        if (len === 0 || i + len >= le || !HEX_RE.test(hex)) throw SLOW; // an invalid escape is yaml's to report
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw SLOW;
        out += String.fromCodePoint(code);
        i += len;
      }
      run = i + 1;
    }
    throw SLOW; // the quote closes on a later line, or never
  };
  const singleQuoted = (p: number): string => {
    let close = line.indexOf("'", p - ls + 1);
    while (close !== -1 && line.charCodeAt(close + 1) === 39) close = line.indexOf("'", close + 2); // '' is a quote
    if (close === -1) throw SLOW;
    end = ls + close + 1;
    const inner = line.slice(p - ls + 1, close);
    return inner.includes("''") ? inner.replaceAll("''", "'") : inner;
  };
  /** Whether a plain scalar may start at `p`: not an indicator (`-` only before a space), not a space or the line end. */
  const plainStart = (p: number): boolean => {
    switch (text.charCodeAt(p)) {
      case 45:
        return !isDash(p);
      case 63: case 58: case 44: case 91: case 93: case 123: case 125: case 35: case 38: case 42: case 33:
      case 124: case 62: case 39: case 34: case 37: case 64: case 96: case 32:
        return false;
      default:
        return p < le;
    }
  };

  /**
   * The key of a map entry at `p`, with `end` at its ":"; undefined when the line holds no key (a scalar);
   * SLOW for a key outside the subset.
   */
  const keyAt = (p: number): string | undefined => {
    const q = text.charCodeAt(p);
    let key: string;
    let colon: number;
    if (q === 34 || q === 39) {
      key = q === 34 ? doubleQuoted(p) : singleQuoted(p);
      colon = end;
      if (text.charCodeAt(colon) !== 58) return undefined;
      if (colon + 1 < le && text.charCodeAt(colon + 1) !== 32) throw SLOW;
    } else {
      // The first ":" before a space or the line end, unless a comment (" #") starts first.
      const r = p - ls;
      let c = line.indexOf(": ", r);
      if (c === -1 && line.charCodeAt(line.length - 1) === 58) c = line.length - 1;
      if (c === -1) return undefined;
      const comment = line.indexOf(" #", r);
      if (comment !== -1 && comment < c) return undefined;
      if (!plainStart(p) || c - r > 1000 || line.charCodeAt(c - 1) === 32) throw SLOW;
      key = line.slice(r, c);
      if (KEY_LEFT_TO_YAML.test(key) || typeof coreValue(key) !== "string") throw SLOW; // 1:, true:, null: become text only in JS
      colon = ls + c;
    }
    if (key === "<<" || key === "__proto__") throw SLOW; // merge keys are yaml's to report
    end = colon;
    return key;
  };

  const place = (path: string, keyOff: number | undefined, value: number): void => {
    found.push(path, keyOff ?? -1, value);
  };

  /** A one-line scalar or flow list at `p`, its first character; `end` is set past it. */
  const inline = (p: number, path: string, keyOff: number | undefined): unknown => {
    place(path, keyOff, p);
    const c = text.charCodeAt(p);
    if (c === 34) return doubleQuoted(p);
    if (c === 39) return singleQuoted(p);
    if (c === 91) return flowList(p, path);
    if (c === 123) {
      const q = skip(p + 1);
      if (text.charCodeAt(q) !== 125) throw SLOW; // flow maps other than {} are yaml's
      end = q + 1;
      return {};
    }
    if (!plainStart(p)) throw SLOW;
    // The value runs to a comment (" #") or the line end; a ": " (or a final ":") in it would be a key.
    const r = p - ls;
    const comment = line.indexOf(" #", r);
    let e = comment === -1 ? line.length : comment;
    const colon = line.indexOf(": ", r);
    if ((colon !== -1 && colon < e) || (comment === -1 && line.charCodeAt(e - 1) === 58)) throw SLOW;
    while (line.charCodeAt(e - 1) === 32) e--;
    end = ls + e;
    return coreValue(line.slice(r, e));
  };

  const flowList = (p: number, path: string): unknown[] => {
    const prefix = path === "" ? "" : `${path}\u001f`;
    const items: unknown[] = [];
    let q = skip(p + 1);
    if (text.charCodeAt(q) !== 93) {
      for (;;) {
        place(prefix + items.length, undefined, q);
        const c = text.charCodeAt(q);
        if (c === 34) items.push(doubleQuoted(q));
        else if (c === 39) items.push(singleQuoted(q));
        else {
          if (!plainStart(q)) throw SLOW;
          // A "-" before "," or "]" is a block item indicator inside a flow list: an error that is yaml's to report.
          if (c === 45 && (text.charCodeAt(q + 1) === 44 || text.charCodeAt(q + 1) === 93)) throw SLOW;
          // The item runs to the next "," or "]" on this line.
          const r = q - ls;
          const comma = line.indexOf(",", r);
          const close = line.indexOf("]", r);
          let e = comma === -1 ? close : close === -1 ? comma : Math.min(comma, close);
          if (e === -1) throw SLOW; // the list goes on on the next line
          if (FLOW_ITEM_LEFT_TO_YAML.test(line.slice(r, e))) throw SLOW;
          while (line.charCodeAt(e - 1) === 32) e--;
          end = ls + e;
          items.push(coreValue(line.slice(r, e)));
        }
        q = skip(end);
        const sep = text.charCodeAt(q);
        if (sep === 93) break;
        if (sep !== 44) throw SLOW;
        q = skip(q + 1);
        if (q >= le || text.charCodeAt(q) === 93 || text.charCodeAt(q) === 44) throw SLOW; // [a,] and [a,,b] are yaml's
      }
    }
    end = q + 1;
    return items;
  };

  /**
   * The value after an indicator ("- " or "key:") on the current line, `p` its first non-space offset.
   * `col` is the column of the collection holding it: later lines belong to the value only when indented
   * more (or, for a key, when they are "- " items at the key's own column).
   */
  const value = (p: number, col: number, path: string, keyOff: number | undefined): unknown => {
    if (p === le || text.charCodeAt(p) === 35) {
      seek(next);
      if (ind > col || (keyOff !== undefined && ind === col && isDash(ls + ind))) {
        place(path, keyOff, ls + ind);
        return block(ind, path);
      }
      place(path, keyOff, p);
      return null;
    }
    const key = keyOff === undefined ? keyAt(p) : undefined;
    if (key !== undefined) {
      // A list item "- key: value" holds a map at the key's column.
      place(path, keyOff, p);
      return map(p - ls, p, key, path);
    }
    const v = inline(p, path, keyOff);
    rest(end);
    seek(next);
    if (ind > col) throw SLOW; // a scalar continued on the next line, or stray content
    return v;
  };

  /** A block list or map whose first line is the current one, at column `col`. */
  const block = (col: number, path: string): unknown => {
    const p = ls + col;
    if (isDash(p)) return list(col, path);
    const key = keyAt(p);
    if (key === undefined) throw SLOW; // a scalar on a line of its own
    return map(col, p, key, path);
  };

  const list = (col: number, path: string): unknown[] => {
    if (++depth > MAX_NESTING) throw SLOW;
    const prefix = path === "" ? "" : `${path}\u001f`;
    const items: unknown[] = [];
    for (;;) {
      if (path === "") records.push(found.length); // value() records the item's place first
      items.push(value(skip(ls + col + 1), col, prefix + items.length, undefined));
      if (ind > col) throw SLOW;
      // A line less indented, or a key of the map that holds this list at its own column, ends it.
      if (ind < col || !isDash(ls + col)) break;
    }
    depth--;
    return items;
  };

  /** A block map at column `col`; its first key, `first` at offset `k`, was just read (`end` is at its ":"). */
  const map = (col: number, k: number, first: string, path: string): Record<string, unknown> => {
    if (++depth > MAX_NESTING) throw SLOW;
    const prefix = path === "" ? "" : `${path}\u001f`;
    // Keys in the order written, as yaml's toJS sets them (__proto__ never gets here).
    const entries: Record<string, unknown> = {};
    for (let key: string | undefined = first; ; k = ls + col, key = keyAt(k)) {
      if (key === undefined || Object.hasOwn(entries, key)) throw SLOW; // not a key line; a key written twice
      entries[key] = value(skip(end + 1), col, prefix + key, k);
      if (ind > col) throw SLOW;
      if (ind < col) break;
    }
    depth--;
    return entries;
  };

  let data: unknown = null; // a file of comments and blank lines holds null
  try {
    seek(0);
    if (ind > 0) throw SLOW; // an indented first line
    if (ind === 0) {
      place("", undefined, ls);
      data = block(0, "");
      if (!atEnd()) throw SLOW; // content after the root collection ended
    }
  } catch (err) {
    if (err === SLOW) return undefined;
    throw err;
  }
  const places = (): Map<string, NodePlace> => {
    const map = new Map<string, NodePlace>();
    for (let i = 0; i < found.length; i += 3) {
      const key = found[i + 1] as number;
      const value = found[i + 2] as number;
      map.set(found[i] as string, key < 0 ? { value } : { key, value });
    }
    return map;
  };
  const item = (index: number): number | undefined => {
    const at = records[index];
    return at === undefined ? undefined : (found[at + 2] as number);
  };
  return { data, places, item };
}

/** Sources whose places are not built yet, and the offset of each of their records (see offsetOf). */
const PENDING = new WeakMap<YamlSource, { item: (index: number) => number | undefined }>();

/**
 * `source` with `places` built on first read: a clean check reads only where each record starts (offsetOf
 * answers that from the scan), the index is for diagnostics and the parse cache, and building it costs as
 * much as the scan. The property reads, spreads, clones and serializes as a plain Map, in the same position
 * as in a source yaml parsed.
 */
function withPlaces(
  source: Omit<YamlSource, "places">,
  scan: { places: () => Map<string, NodePlace>; item: (index: number) => number | undefined },
): YamlSource {
  let places: Map<string, NodePlace> | undefined;
  let pending: typeof scan | undefined = scan; // dropped once the Map is built
  const lazy = { file: source.file, text: source.text, lineStarts: source.lineStarts, places: undefined as unknown, data: source.data } as YamlSource;
  const settle = (value: Map<string, NodePlace>) => {
    places = value;
    pending = undefined;
    PENDING.delete(lazy);
  };
  Object.defineProperty(lazy, "places", {
    enumerable: true,
    configurable: true,
    get: () => {
      if (pending) settle(pending.places());
      return places;
    },
    set: settle,
  });
  PENDING.set(lazy, scan);
  return lazy;
}
