/**
 * Parses one YAML data file with source positions and refuses every construct that could make the data
 * mean something other than what a reader sees: anchors, aliases, merge keys, tags, YAML 1.1 semantics,
 * duplicate keys. Returns plain data only when the file is clean.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { Diagnostic } from "./diagnostics.ts";

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

function at(src: YamlSource, offset: number, rule: string, message: string, hint?: string): Diagnostic {
  return { file: src.file, ...position(src, offset), rule, message, ...(hint ? { hint } : {}) };
}

export function parseYamlSource(file: string, raw: string): { source: YamlSource; diagnostics: Diagnostic[] } {
  // yaml 2.9 rejects a BOM before a block sequence; editors do not count it as a column either.
  const text = raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, version: "1.2", merge: false, prettyErrors: false });
  const source: YamlSource = { file, text, lineStarts: lineCounter.lineStarts, places: new Map(), data: undefined };
  const diagnostics: Diagnostic[] = [];

  let syntaxReported = false;
  for (const e of doc.errors) {
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    if (e.code === "DUPLICATE_KEY") {
      diagnostics.push(at(source, e.pos[0], "duplicate-key", message, "remove one of the two keys; YAML would silently keep the last"));
    } else if (!syntaxReported) {
      // The parser reports every consequence of one broken line; the first error is the one to fix.
      syntaxReported = true;
      diagnostics.push(at(source, syntaxOffset(text, e.code, message, e.pos[0]), "yaml-syntax", message, syntaxHint(message)));
    }
  }
  for (const w of doc.warnings) {
    if (w.code === "TAG_RESOLVE_FAILED") continue; // reported below with the other tags
    diagnostics.push(at(source, w.pos[0], "yaml-syntax", w.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")));
  }
  if (doc.directives?.yaml.explicit) {
    const offset = Math.max(0, text.indexOf("%YAML"));
    diagnostics.push(
      at(source, offset, "yaml-version", `a %YAML ${doc.directives.yaml.version} directive changes how values are read`, "remove the %YAML line; data files are YAML 1.2"),
    );
  }

  // One walk over every node: refuse constructs that change what data means, and record where each node stands.
  const refuse = (node: Node) => {
    const start = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      diagnostics.push(at(source, start, "yaml-alias", `alias *${node.source} is not allowed in data files`, "write the value out in full"));
      return;
    }
    if (node.anchor) {
      diagnostics.push(at(source, propOffset(text, start, "&"), "yaml-anchor", `anchor &${node.anchor} is not allowed in data files`, "remove the anchor and write values out in full"));
    }
    // yaml sets `tag` only for tags written in the source.
    if (node.tag) {
      const offset = propOffset(text, start, "!");
      const written = /^\S+/.exec(text.slice(offset))?.[0] ?? node.tag;
      diagnostics.push(at(source, offset, "yaml-tag", `tag ${written} is not allowed in data files`, "remove the tag; plain values are enough"));
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
          diagnostics.push(at(source, k, "yaml-merge-key", "merge key << is not allowed in data files", "write the keys out in full"));
        }
        const child = prefix + String(pair.key.value);
        if (isNode(pair.value)) walk(pair.value, child, k);
        else source.places.set(child, { key: k, value: k });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, prefix + i));
    }
  };
  walk(doc.contents, "");

  if (diagnostics.length === 0) {
    try {
      source.data = doc.toJS({ maxAliasCount: 0 });
    } catch (err) {
      diagnostics.push(at(source, 0, "yaml-syntax", (err as Error).message));
    }
  }
  return { source, diagnostics };
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

/** Offset of a key inside the map at `path` (for unknown keys). */
export function keyOffset(src: YamlSource, path: readonly PathSegment[], key: string): number {
  return src.places.get(pathKey([...path, key]))?.key ?? offsetOf(src, path);
}
