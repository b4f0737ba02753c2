/**
 * The flat-record subset of YAML read in one pass, without yaml's parser: block lists of flat records
 * (`- key: value` lines), one-line flow lists, quoted and plain one-line scalars, comments. For exactly
 * that subset one pass over the lines proves the file holds nothing else, finds every node and the offset
 * parseDocument gives it, and reads every value as yaml does: plain scalars by yaml's own YAML 1.2 core
 * schema tags (null, bool, int, float, taken from yaml itself, so an upgrade cannot diverge), escapes and key
 * order as yaml's. Anything else, however harmless (anchors, aliases, tags, directives, ---, multi-line or
 * block scalars, flow maps, tabs, control characters, duplicate keys, keys that are not text, errors of any
 * kind), is left to parseDocument (src/core/load/yaml-source.ts), so every diagnostic comes from yaml; the
 * tests hold both paths to one result. Worth it in the writer's loop: a check after an edit spends about a
 * fifth less CPU than with parseDocument alone (bench/writer-loop.ts, parse cache on).
 */
import type { ScalarTag } from "yaml";
import { loadYaml, MAX_NESTING, type NodePlace } from "./yaml-source.ts";

/** Characters left to yaml: C0 controls and tabs, DEL and C1, line separators, BOM, non-characters, a lone CR. */
const SLOW_CHARS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)/;
/** Thrown inside the scan to hand the file to yaml. */
const SLOW: unique symbol = Symbol("slow");

/** yaml's one-character escapes in double quotes (a tab never reaches here). */
const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};
const HEX_RE = /^[0-9a-fA-F]+$/;
/** Legal in a plain key, but left to yaml: ":" "#", flow indicators and quotes. */
const KEY_LEFT_TO_YAML = /[:#,[\]{}"']/;
/** In a plain item of a flow list: nested collections, comments, and a ":" that would make the item a pair. */
const FLOW_ITEM_LEFT_TO_YAML = /[[{}#]|:(?: |$)/;

let core: { tags: ScalarTag[]; isScalar: (v: unknown) => v is { value: unknown } } | undefined;

/** A plain scalar's value as yaml resolves it: by the first of yaml's core schema tags whose test matches, else text. */
function coreValue(s: string): unknown {
  if (!core) {
    const yaml = loadYaml();
    core = {
      tags: (new yaml.Schema({ schema: "core" }).tags as ScalarTag[]).filter((t) => t.default === true && t.test),
      isScalar: yaml.isScalar,
    };
  }
  const tag = core.tags.find((t) => t.test!.test(s));
  if (!tag) return s;
  try {
    const value: unknown = tag.resolve(
      s,
      () => {
        throw SLOW; // a value yaml would report on is yaml's
      },
      {} as never,
    );
    return core.isScalar(value) ? value.value : value;
  } catch {
    throw SLOW;
  }
}

/**
 * Reads `text` when it lies inside the subset described above; undefined hands it to yaml. `data` is what
 * parseDocument(text).toJS() gives; `places()` builds the places parseDocument gives (the same paths,
 * offsets and order).
 */
export function readFlatYaml(text: string): { data: unknown; places: () => Map<string, NodePlace> } | undefined {
  if (SLOW_CHARS.test(text) || !text.isWellFormed()) return undefined;
  const reader = new FlatYamlReader(text);
  let data: unknown;
  try {
    data = reader.read();
  } catch (err) {
    if (err === SLOW) return undefined;
    throw err;
  }
  const { found } = reader;
  const places = (): Map<string, NodePlace> => {
    const map = new Map<string, NodePlace>();
    for (let i = 0; i < found.length; i += 3) {
      const key = found[i + 1] as number;
      const value = found[i + 2] as number;
      map.set(found[i] as string, key < 0 ? { value } : { key, value });
    }
    return map;
  };
  return { data, places };
}

/** One pass over the lines of a file; every method throws SLOW when the file leaves the subset. */
class FlatYamlReader {
  /** Every node as the scan meets it, in parseDocument's order: path, key offset (-1: none), value offset. */
  readonly found: (string | number)[] = [];
  private readonly n: number;
  // The current content line: [ls, le) without its line break, `ind` spaces of indentation, `next` the start
  // of the following line; `ind` is -1 past the last line.
  private ls = 0;
  private le = 0;
  private ind = -1;
  private next = 0;
  /** The current line's text, [ls, le): searches in it stop at its end (native, not a loop over characters). */
  private line = "";
  /** Where the scalar, flow list or key just read ends. */
  private end = 0;
  /** Block collections open around the current line; deeper files are yaml's (records are flat). */
  private depth = 0;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  /** The file's data (null for a file of comments and blank lines). */
  read(): unknown {
    this.seek(0);
    if (this.ind > 0) throw SLOW; // an indented first line
    if (this.ind === -1) return null;
    this.place("", undefined, this.ls);
    const data = this.block(0, "");
    if (!this.atEnd()) throw SLOW; // content after the root collection ended
    return data;
  }

  /** Moves to the first line at or after `from` that holds more than spaces and a comment. */
  private seek(from: number): void {
    for (let s = from; s < this.n; ) {
      let e = this.text.indexOf("\n", s);
      const nx = e === -1 ? this.n : e + 1;
      if (e === -1) e = this.n;
      if (e > s && this.text.charCodeAt(e - 1) === 13) e--;
      let k = s;
      while (k < e && this.text.charCodeAt(k) === 32) k++;
      if (k < e && this.text.charCodeAt(k) !== 35) {
        if (k === s) {
          // "---" and "..." (document markers) and "%" (directives) at the start of a line are yaml's.
          const c = this.text.charCodeAt(s);
          if (c === 37 || ((c === 45 || c === 46) && this.text.charCodeAt(s + 1) === c && this.text.charCodeAt(s + 2) === c)) throw SLOW;
        }
        this.ls = s;
        this.le = e;
        this.ind = k - s;
        this.next = nx;
        this.line = this.text.slice(s, e);
        return;
      }
      s = nx;
    }
    this.ls = this.le = this.next = this.n;
    this.ind = -1;
  }
  private atEnd(): boolean {
    return this.ind === -1;
  }
  private skip(p: number): number {
    while (p < this.le && this.text.charCodeAt(p) === 32) p++;
    return p;
  }
  /** A "-" followed by a space or the line end: a block list item. */
  private isDash(p: number): boolean {
    return this.text.charCodeAt(p) === 45 && (p + 1 === this.le || this.text.charCodeAt(p + 1) === 32);
  }
  /** Nothing but spaces and a comment may follow a value on its line. */
  private rest(e: number): void {
    const r = this.skip(e);
    if (r < this.le && !(this.text.charCodeAt(r) === 35 && r > e)) throw SLOW;
  }

  private doubleQuoted(p: number): string {
    const close = this.line.indexOf('"', p - this.ls + 1);
    const backslash = this.line.indexOf("\\", p - this.ls + 1);
    if (close !== -1 && (backslash === -1 || backslash > close)) {
      this.end = this.ls + close + 1;
      return this.line.slice(p - this.ls + 1, close);
    }
    let out = "";
    let run = p + 1;
    for (let i = p + 1; i < this.le; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 34) {
        this.end = i + 1;
        return out + this.text.slice(run, i);
      }
      if (c !== 92) continue;
      out += this.text.slice(run, i);
      const e = this.text[++i];
      if (e === undefined || i >= this.le) throw SLOW; // an escaped line break
      const simple = ESCAPES[e];
      if (simple !== undefined) out += simple;
      else {
        const len = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
        const hex = this.text.slice(i + 1, i + 1 + len);
        if (len === 0 || i + len >= this.le || !HEX_RE.test(hex)) throw SLOW; // an invalid backslash is yaml's to report
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw SLOW;
        out += String.fromCodePoint(code);
        i += len;
      }
      run = i + 1;
    }
    throw SLOW; // the quote closes on a later line, or never
  }
  private singleQuoted(p: number): string {
    let close = this.line.indexOf("'", p - this.ls + 1);
    while (close !== -1 && this.line.charCodeAt(close + 1) === 39) close = this.line.indexOf("'", close + 2); // '' is a quote
    if (close === -1) throw SLOW;
    this.end = this.ls + close + 1;
    const inner = this.line.slice(p - this.ls + 1, close);
    return inner.includes("''") ? inner.replaceAll("''", "'") : inner;
  }
  /** Whether a plain scalar may start at `p`: not an indicator (`-` only before a space), not a space or the line end. */
  private plainStart(p: number): boolean {
    switch (this.text.charCodeAt(p)) {
      case 45:
        return !this.isDash(p);
      case 63:
      case 58:
      case 44:
      case 91:
      case 93:
      case 123:
      case 125:
      case 35:
      case 38:
      case 42:
      case 33:
      case 124:
      case 62:
      case 39:
      case 34:
      case 37:
      case 64:
      case 96:
      case 32:
        return false;
      default:
        return p < this.le;
    }
  }

  /**
   * The key of a map entry at `p`, with `end` at its ":"; undefined when the line holds no key (a scalar);
   * SLOW for a key outside the subset.
   */
  private keyAt(p: number): string | undefined {
    const q = this.text.charCodeAt(p);
    let key: string;
    let colon: number;
    if (q === 34 || q === 39) {
      key = q === 34 ? this.doubleQuoted(p) : this.singleQuoted(p);
      colon = this.end;
      if (this.text.charCodeAt(colon) !== 58) return undefined;
      if (colon + 1 < this.le && this.text.charCodeAt(colon + 1) !== 32) throw SLOW;
    } else {
      // The first ":" before a space or the line end, unless a comment (" #") starts first.
      const r = p - this.ls;
      let c = this.line.indexOf(": ", r);
      if (c === -1 && this.line.charCodeAt(this.line.length - 1) === 58) c = this.line.length - 1;
      if (c === -1) return undefined;
      const comment = this.line.indexOf(" #", r);
      if (comment !== -1 && comment < c) return undefined;
      if (!this.plainStart(p) || c - r > 1000 || this.line.charCodeAt(c - 1) === 32) throw SLOW;
      key = this.line.slice(r, c);
      if (KEY_LEFT_TO_YAML.test(key) || typeof coreValue(key) !== "string") throw SLOW; // 1:, true:, null: become text only in JS
      colon = this.ls + c;
    }
    if (key === "<<" || key === "__proto__") throw SLOW; // merge keys are yaml's to report
    this.end = colon;
    return key;
  }

  private place(path: string, keyOff: number | undefined, value: number): void {
    this.found.push(path, keyOff ?? -1, value);
  }

  /** A one-line scalar or flow list at `p`, its first character; `end` is set past it. */
  private inline(p: number, path: string, keyOff: number | undefined): unknown {
    this.place(path, keyOff, p);
    const c = this.text.charCodeAt(p);
    if (c === 34) return this.doubleQuoted(p);
    if (c === 39) return this.singleQuoted(p);
    if (c === 91) return this.flowList(p, path);
    if (c === 123) {
      const q = this.skip(p + 1);
      if (this.text.charCodeAt(q) !== 125) throw SLOW; // flow maps other than {} are yaml's
      this.end = q + 1;
      return {};
    }
    if (!this.plainStart(p)) throw SLOW;
    // The value runs to a comment (" #") or the line end; a ": " (or a final ":") in it would be a key.
    const r = p - this.ls;
    const comment = this.line.indexOf(" #", r);
    let e = comment === -1 ? this.line.length : comment;
    const colon = this.line.indexOf(": ", r);
    if ((colon !== -1 && colon < e) || (comment === -1 && this.line.charCodeAt(e - 1) === 58)) throw SLOW;
    while (this.line.charCodeAt(e - 1) === 32) e--;
    this.end = this.ls + e;
    return coreValue(this.line.slice(r, e));
  }

  private flowList(p: number, path: string): unknown[] {
    const prefix = path === "" ? "" : `${path}\u001f`;
    const items: unknown[] = [];
    let q = this.skip(p + 1);
    if (this.text.charCodeAt(q) !== 93) {
      for (;;) {
        this.place(prefix + items.length, undefined, q);
        const c = this.text.charCodeAt(q);
        if (c === 34) items.push(this.doubleQuoted(q));
        else if (c === 39) items.push(this.singleQuoted(q));
        else {
          if (!this.plainStart(q)) throw SLOW;
          // A "-" before "," or "]" is a block item indicator inside a flow list: an error that is yaml's to report.
          if (c === 45 && (this.text.charCodeAt(q + 1) === 44 || this.text.charCodeAt(q + 1) === 93)) throw SLOW;
          // The item runs to the next "," or "]" on this line.
          const r = q - this.ls;
          const comma = this.line.indexOf(",", r);
          const close = this.line.indexOf("]", r);
          let e = comma === -1 ? close : close === -1 ? comma : Math.min(comma, close);
          if (e === -1) throw SLOW; // the list goes on on the next line
          if (FLOW_ITEM_LEFT_TO_YAML.test(this.line.slice(r, e))) throw SLOW;
          while (this.line.charCodeAt(e - 1) === 32) e--;
          this.end = this.ls + e;
          items.push(coreValue(this.line.slice(r, e)));
        }
        q = this.skip(this.end);
        const sep = this.text.charCodeAt(q);
        if (sep === 93) break;
        if (sep !== 44) throw SLOW;
        q = this.skip(q + 1);
        if (q >= this.le || this.text.charCodeAt(q) === 93 || this.text.charCodeAt(q) === 44) throw SLOW; // [a,] and [a,,b] are yaml's
      }
    }
    this.end = q + 1;
    return items;
  }

  /**
   * The value after an indicator ("- " or "key:") on the current line, `p` its first non-space offset.
   * `col` is the column of the collection holding it: later lines belong to the value only when indented
   * more (or, for a key, when they are "- " items at the key's own column).
   */
  private value(p: number, col: number, path: string, keyOff: number | undefined): unknown {
    if (p === this.le || this.text.charCodeAt(p) === 35) {
      this.seek(this.next);
      if (this.ind > col || (keyOff !== undefined && this.ind === col && this.isDash(this.ls + this.ind))) {
        this.place(path, keyOff, this.ls + this.ind);
        return this.block(this.ind, path);
      }
      this.place(path, keyOff, p);
      return null;
    }
    const key = keyOff === undefined ? this.keyAt(p) : undefined;
    if (key !== undefined) {
      // A list item "- key: value" holds a map at the key's column.
      this.place(path, keyOff, p);
      return this.map(p - this.ls, p, key, path);
    }
    const v = this.inline(p, path, keyOff);
    this.rest(this.end);
    this.seek(this.next);
    if (this.ind > col) throw SLOW; // a scalar continued on the next line, or stray content
    return v;
  }

  /** A block list or map whose first line is the current one, at column `col`. */
  private block(col: number, path: string): unknown {
    const p = this.ls + col;
    if (this.isDash(p)) return this.list(col, path);
    const key = this.keyAt(p);
    if (key === undefined) throw SLOW; // a scalar on a line of its own
    return this.map(col, p, key, path);
  }

  private list(col: number, path: string): unknown[] {
    if (++this.depth > MAX_NESTING) throw SLOW;
    const prefix = path === "" ? "" : `${path}\u001f`;
    const items: unknown[] = [];
    for (;;) {
      items.push(this.value(this.skip(this.ls + col + 1), col, prefix + items.length, undefined));
      if (this.ind > col) throw SLOW;
      // A line less indented, or a key of the map that holds this list at its own column, ends it.
      if (this.ind < col || !this.isDash(this.ls + col)) break;
    }
    this.depth--;
    return items;
  }

  /** A block map at column `col`; its first key, `first` at offset `k`, was just read (`end` is at its ":"). */
  private map(col: number, k: number, first: string, path: string): Record<string, unknown> {
    if (++this.depth > MAX_NESTING) throw SLOW;
    const prefix = path === "" ? "" : `${path}\u001f`;
    // Keys in the order written, as yaml's toJS sets them (__proto__ never gets here).
    const entries: Record<string, unknown> = {};
    for (let key: string | undefined = first; ; k = this.ls + col, key = this.keyAt(k)) {
      if (key === undefined || Object.hasOwn(entries, key)) throw SLOW; // not a key line; a key written twice
      entries[key] = this.value(this.skip(this.end + 1), col, prefix + key, k);
      if (this.ind > col) throw SLOW;
      if (this.ind < col) break;
    }
    this.depth--;
    return entries;
  }
}
