/**
 * A diagnostic is a user's mistake with its exact place. Every check in the project reports through this
 * one type, so the CLI, the site build and the tests print and compare the same thing.
 */

import { RULES, type RuleId, type Severity } from "./rules.ts";
import { plural } from "../text/plural.ts";

export type { RuleId, Severity } from "./rules.ts";

/** Where a diagnostic points. */
export interface Place {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based line and column (UTF-16 units, as editors count). */
  line: number;
  col: number;
}

export interface Diagnostic extends Place {
  /** A rule of the registry (rules.ts): an undeclared id does not compile. */
  rule: RuleId;
  message: string;
  /** How to fix it, e.g. `did you mean "Enterprise"?`. */
  hint?: string;
  /** Absent means "error" (diagnostics built before the registry, or by hand in tests). */
  severity?: Severity;
}

/** A problem with a file as a whole: its first line and column. */
export function fileStart(file: string): Place {
  return { file, line: 1, col: 1 };
}

/**
 * The one constructor of diagnostics. The place comes from a helper for what was checked (`fileStart`,
 * `placeOf`/`recordPlace` for YAML, `nodePlace` for TypeScript); the rule's hint and severity come from the
 * registry unless the check knows a better hint.
 */
export function diagnostic(rule: RuleId, place: Place, message: string, hint?: string): Diagnostic {
  const r = RULES[rule];
  return { file: place.file, line: place.line, col: place.col, rule, message, hint: hint ?? r.hint, severity: r.severity };
}

export function isError(d: Diagnostic): boolean {
  return (d.severity ?? "error") === "error";
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule),
  );
}

/**
 * Characters that must never reach a terminal raw, wherever they come from (a record, a file name, a
 * message quoting a value): C0 controls (ESC starts colour, cursor and OSC 52 clipboard sequences, CR
 * rewrites a line), DEL, C1 controls (U+009B is a one-byte CSI on some terminals) and the bidi embedding,
 * override and isolate characters that make a line display in an order other than it reads.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");
const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `s` safe to print: every unsafe character above shown as a visible escape (`\x1b`, `\r`, `\u202e`). */
export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeChar) : s;
}

/** A source line for a code frame: a tab shows as one "→" (so the caret stays aligned), the rest escaped. */
function visibleLine(s: string): string {
  return escapeControl(s.replace(/\t/g, "→"));
}

/** `path:line:col: error rule-id: message`, the first line of every report; nothing in it is printed raw. */
export function formatHeadline(d: Diagnostic): string {
  return escapeControl(`${d.file}:${d.line}:${d.col}: ${d.severity ?? "error"} ${d.rule}: ${d.message}`);
}

/** Where each line of a text starts, computed once per file, so frames cost the lines they show. */
export interface LineIndex {
  text: string;
  /** Offset of the first character of each line (lines end at "\n"; a "\r" before it is not part of the line). */
  starts: number[];
}

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return { text, starts };
}

/** Line `n` (1-based) as `text.split(/\r?\n/)[n - 1]` would give it. */
function lineOf(index: LineIndex, n: number): string {
  const { text, starts } = index;
  if (n < 1 || n > starts.length) return "";
  const start = starts[n - 1]!;
  let end = n < starts.length ? starts[n]! - 1 : text.length;
  if (n < starts.length && end > start && text.charCodeAt(end - 1) === 13) end--;
  return text.slice(start, end);
}

/** Two lines of context before the offending line, a caret under the column; from a prebuilt line index. */
/** Characters of a code line shown on each side of the column. */
const FRAME_CONTEXT = 100;

export function codeFrameAt(index: LineIndex, line: number, col: number): string {
  const first = Math.max(1, line - 2);
  const last = Math.min(index.starts.length, line);
  const width = String(last).length;
  const out: string[] = [];
  // A minified or hostile line can be a megabyte long: show a window around the column, not the whole line.
  const from = Math.max(0, col - 1 - FRAME_CONTEXT);
  for (let n = first; n <= last; n++) {
    const full = lineOf(index, n);
    const cut = full.slice(from, from + 2 * FRAME_CONTEXT);
    const raw = (from > 0 ? "…" : "") + cut + (from + 2 * FRAME_CONTEXT < full.length ? "…" : "");
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${visibleLine(raw)}`);
    if (n === line) {
      // The caret sits under the same character however wide the escapes before it print.
      const before = Math.max(0, col - 1 - from) + (from > 0 ? 1 : 0);
      const pad = visibleLine(raw.slice(0, before)).length + Math.max(0, before - raw.length);
      out.push(`  ${" ".repeat(width)} | ${" ".repeat(pad)}^`);
    }
  }
  return out.join("\n");
}

/** Two lines of context before the offending line, a caret under the column. */
export function codeFrame(text: string, line: number, col: number): string {
  return codeFrameAt(lineIndex(text), line, col);
}

export type SourceLookup = (file: string) => string | undefined;

/**
 * Every diagnostic with its code frame and hint. Each file's text is looked up and indexed once, however
 * many diagnostics point into it: the output costs time linear in its size.
 */
export function formatText(list: Diagnostic[], source: SourceLookup): string {
  const indexes = new Map<string, LineIndex | null>();
  const indexFor = (file: string): LineIndex | null => {
    let index = indexes.get(file);
    if (index === undefined) {
      const text = source(file);
      index = text === undefined ? null : lineIndex(text);
      indexes.set(file, index);
    }
    return index;
  };
  return list
    .map((d) => {
      const parts = [formatHeadline(d)];
      if (d.line > 0) {
        const index = indexFor(d.file);
        if (index) parts.push(codeFrameAt(index, d.line, d.col));
      }
      if (d.hint) parts.push(`  hint: ${escapeControl(d.hint)}`);
      return parts.join("\n");
    })
    .join("\n\n");
}

/**
 * JSON for tools. JSON.stringify escapes C0 controls; DEL, C1 controls and bidi characters it leaves raw,
 * so they are written as \u escapes too (the same strings once parsed, and safe if the JSON hits a terminal).
 */
export function formatJson(list: Diagnostic[]): string {
  return JSON.stringify(
    list.map((d) => ({ severity: "error", ...d })),
    null,
    2,
  ).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * GitHub Actions workflow commands; data and properties escaped as the runner expects (%, CR, LF), and
 * every other control character shown as a visible escape.
 */
export function formatGithub(list: Diagnostic[]): string {
  const data = (s: string) => escapeControl(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
  const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  return list
    .map((d) => {
      const msg = d.hint ? `${d.message} (${d.hint})` : d.message;
      return `::${d.severity ?? "error"} file=${prop(d.file)},line=${d.line},col=${d.col},title=${prop(d.rule)}::${data(msg)}`;
    })
    .join("\n");
}

export function summaryLine(list: Diagnostic[]): string {
  const errors = list.filter(isError).length;
  const warnings = list.length - errors;
  const files = new Set(list.map((d) => d.file)).size;
  return `${plural(errors, "error")}${warnings ? `, ${plural(warnings, "warning")}` : ""} in ${plural(files, "file")}`;
}
