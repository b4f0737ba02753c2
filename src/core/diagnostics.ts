/**
 * A diagnostic is a user's mistake with its exact place. Every check in the project reports through this
 * one type, so the CLI, the site build and the tests print and compare the same thing.
 */

export interface Diagnostic {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based line and column (UTF-16 units, as editors count). */
  line: number;
  col: number;
  rule: string;
  message: string;
  /** How to fix it, e.g. `did you mean "Enterprise"?`. */
  hint?: string;
  severity?: "error" | "warning";
}

/** Thrown for a mistake a user can fix: printed without a stack trace. */
export class UserError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatHeadline).join("\n"));
    this.name = "UserError";
  }
}

export function isError(d: Diagnostic): boolean {
  return (d.severity ?? "error") === "error";
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      a.rule.localeCompare(b.rule),
  );
}

/** `path:line:col: error rule-id: message`, the first line of every report. */
export function formatHeadline(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity ?? "error"} ${d.rule}: ${d.message}`;
}

/** Two lines of context before the offending line, a caret under the column. */
export function codeFrame(text: string, line: number, col: number): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const src = (lines[n - 1] ?? "").replace(/\t/g, " ");
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${src}`);
    if (n === line) out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, col - 1))}^`);
  }
  return out.join("\n");
}

export type SourceLookup = (file: string) => string | undefined;

export function formatText(list: Diagnostic[], source: SourceLookup): string {
  return list
    .map((d) => {
      const parts = [formatHeadline(d)];
      const text = source(d.file);
      if (text !== undefined && d.line > 0) parts.push(codeFrame(text, d.line, d.col));
      if (d.hint) parts.push(`  hint: ${d.hint}`);
      return parts.join("\n");
    })
    .join("\n\n");
}

export function formatJson(list: Diagnostic[]): string {
  return JSON.stringify(
    list.map((d) => ({ severity: "error", ...d })),
    null,
    2,
  );
}

/** GitHub Actions workflow commands; data and properties escaped as the runner expects. */
export function formatGithub(list: Diagnostic[]): string {
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
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
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}${warnings ? `, ${plural(warnings, "warning")}` : ""} in ${plural(files, "file")}`;
}
