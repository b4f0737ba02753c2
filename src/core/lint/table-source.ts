/**
 * Table rows as written: where each cell's text lies in the page, whether the row has a leading and a
 * trailing pipe, and which lines are meant as delimiter rows. The Markdown parser says what a table means;
 * this says where its pipes are, so the lint can find what the parser never calls a table (a delimiter row
 * with the wrong number of cells) and `--fix` can rewrite a row without touching anything else on its line.
 * Cells split as GFM splits them: at every pipe not escaped with a backslash, code spans included.
 */

/** One cell of a written row: [start, end) offsets in the page text, padding included. */
export interface SourceCell {
  start: number;
  end: number;
}

export interface SourceRow {
  /** 1-based line number. */
  line: number;
  /** Offset where the row's own text starts (after any container prefix such as "> "). */
  start: number;
  /** Offset of the end of the line (before its line break). */
  end: number;
  lead: boolean;
  trail: boolean;
  cells: SourceCell[];
}

/** Offsets where each line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The end of line `line` (1-based), before "\r\n" or "\n". */
export function lineEnd(text: string, starts: readonly number[], line: number): number {
  const next = starts[line];
  let end = next === undefined ? text.length : next - 1;
  if (end > 0 && text[end - 1] === "\r") end--;
  return end;
}

/** Splits the row written in text[start, end) into cells at unescaped pipes. */
export function splitRow(text: string, line: number, start: number, end: number): SourceRow {
  const pipes: number[] = [];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 124 /* | */) pipes.push(i);
  }
  let first = start;
  while (first < end && (text[first] === " " || text[first] === "\t")) first++;
  let last = end;
  while (last > first && (text[last - 1] === " " || text[last - 1] === "\t")) last--;
  const lead = pipes.length > 0 && pipes[0] === first;
  const trail = pipes.length > 0 && pipes[pipes.length - 1] === last - 1 && !(lead && pipes.length === 1);
  const bounds = [
    lead ? pipes[0]! + 1 : start,
    ...pipes.slice(lead ? 1 : 0, trail ? -1 : undefined).flatMap((p) => [p, p + 1]),
    trail ? pipes[pipes.length - 1]! : end,
  ];
  const cells: SourceCell[] = [];
  for (let i = 0; i < bounds.length; i += 2) cells.push({ start: bounds[i]!, end: bounds[i + 1]! });
  return { line, start, end, lead, trail, cells };
}

/** The cell's text without its padding: [start, end) offsets. */
export function trimmed(text: string, cell: SourceCell): SourceCell {
  let { start, end } = cell;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

/** A GFM delimiter row: cells of dashes with optional alignment colons, and at least one pipe. */
const DELIMITER_ROW = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const NOT_IN_DELIMITER_ROW = /[^ \t|:-]/;
export function isDelimiterRow(line: string): boolean {
  // Any other character rules the line out before the pattern backtracks over a long line.
  return line.includes("|") && !NOT_IN_DELIMITER_ROW.test(line) && DELIMITER_ROW.test(line);
}

/** The row rebuilt from its cells' texts, in the row's own pipe style. */
export function joinRow(row: Pick<SourceRow, "lead" | "trail">, cells: readonly string[]): string {
  return `${row.lead ? "|" : ""}${cells.join("|")}${row.trail ? "|" : ""}`;
}
