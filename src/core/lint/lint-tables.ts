/**
 * Lints hand-written tables in content/ against the master table standard and against the records their
 * rows name. Tables come from a real Markdown parser (remark-parse + remark-gfm, plus remark-mdx for .mdx),
 * so pipes in code spans, escaped pipes and MDX expressions never confuse it; where the parser sees no
 * table (a delimiter row with the wrong number of cells) the written lines are read (table-source.ts).
 * Every error points at the offending cell, and one mistake gives one error: a row with a missing cell is
 * not also reported cell by cell, two swapped columns are one finding. A finding with one right answer
 * (a label, the column order, a cell its record decides, two swapped cells, outer pipes) carries its fix,
 * which `npm run check -- --fix` applies (fixMarkdown below, written by fix-tables.ts).
 */
import { createRequire } from "node:module";
import type { Paragraph, Root, Table, TableCell, TableRow } from "mdast";
import { toString as textOf } from "mdast-util-to-string";
import { visit } from "unist-util-visit";
import type { Program } from "estree";
import { diagnostic, fileStart, type Diagnostic, type Place } from "../report/diagnostics.ts";
import { isLiteralData, MDX_COMPONENTS, REFUSED_ELEMENTS } from "./mdx-policy.ts";
import { readInside, walkInside, type Refusal } from "../fs/safe-fs.ts";
import {
  ALL_SCOPES,
  formatScope,
  formatStatus,
  LABEL_ALIASES,
  MASTER_COLUMNS,
  parseStatusCell,
  STATUSES,
  TABLE_REQUIRED_KEYS,
  type MasterColumn,
  type MasterKey,
  type Status,
} from "../schema/columns.ts";
import { ALL_TYPES } from "../schema/kinds.ts";
import { didYouMean, listOf } from "../report/suggest.ts";
import type { LintCache } from "../cache/lint-cache.ts";
import { isDelimiterRow, joinRow, lineEnd, lineStarts, splitRow, trimmed, type SourceRow } from "./table-source.ts";
import { plural, wordFor } from "../text/plural.ts";

/** A record a hand-written row may name, as the lint compares it: plain data, so the lint cache can key on it. */
export interface TableRecord {
  name: string;
  /** Its kind's noun, for messages: "feature flag". */
  noun: string;
  /** Its master column values as the record writes them (scope: "all" or a list). */
  values: Partial<Record<MasterKey, string | readonly string[]>>;
  /** Where each of those values is written: "data/features.yaml:160". */
  at: Partial<Record<MasterKey, string>>;
}

export interface TableLintContext {
  scopeNames: readonly string[];
  /** Records rows may name: a row whose Name is one of them is compared with it cell by cell. */
  records?: readonly TableRecord[];
  /** Told every name a row looks up (lintContent keeps them beside a page's remembered results). */
  onLookup?: (name: string) => void;
}

/** One replacement in a page's text: [start, end) offsets, never across a line break. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** What `--fix` does for one finding: the line it reports, what it says it changed, and the edits. */
export interface Fix {
  line: number;
  note: string;
  edits: Edit[];
}

interface Finding {
  diagnostic: Diagnostic;
  fix?: Fix;
}

/** All the lint needs of a unified processor: text in, an mdast tree out. */
interface MarkdownParser {
  parse(text: string): unknown;
}

let parsers: { md: MarkdownParser; mdx: MarkdownParser } | undefined;
/**
 * remark loads with the first page to lint: a check whose pages all come from the lint cache never loads it.
 * Through createRequire, which Astro's dev server has where it has no bare require.
 */
function parserFor(file: string): MarkdownParser {
  if (!parsers) {
    const require = createRequire(import.meta.url);
    const { unified } = require("unified") as typeof import("unified");
    const remarkParse = (require("remark-parse") as typeof import("remark-parse")).default;
    const remarkGfm = (require("remark-gfm") as typeof import("remark-gfm")).default;
    const remarkMdx = (require("remark-mdx") as typeof import("remark-mdx")).default;
    parsers = { md: unified().use(remarkParse).use(remarkGfm), mdx: unified().use(remarkParse).use(remarkGfm).use(remarkMdx) };
  }
  return file.endsWith(".mdx") ? parsers.mdx : parsers.md;
}

function cellPlace(file: string, cell: TableCell): Place {
  const start = cell.children[0]?.position?.start ?? cell.position?.start;
  return { file, line: start?.line ?? 1, col: start?.column ?? 1 };
}

/** Which master column a header names, exactly or by a near miss. */
function classifyHeader(text: string): { column: MasterColumn; exact: boolean } | undefined {
  const exact = MASTER_COLUMNS.find((c) => c.label === text);
  if (exact) return { column: exact, exact: true };
  const lower = text.toLowerCase().replace(/\s+/g, " ");
  const byCase = MASTER_COLUMNS.find((c) => c.label.toLowerCase() === lower);
  const alias = LABEL_ALIASES[lower];
  const key: MasterKey | undefined = byCase?.key ?? alias;
  const column = key ? MASTER_COLUMNS.find((c) => c.key === key) : undefined;
  return column ? { column, exact: false } : undefined;
}

function allowedValues(column: MasterColumn, ctx: TableLintContext): readonly string[] | undefined {
  if (column.key === "type") return ALL_TYPES;
  if (column.key === "status") return STATUSES;
  if (column.key === "scope") return [...ctx.scopeNames, ALL_SCOPES];
  return column.values;
}

interface Problem {
  rule: "table-value" | "table-record";
  message: string;
  hint?: string;
  /** The text the cell must hold, when one answer is right (the record's value). */
  expected?: string;
}

function checkCell(column: MasterColumn, text: string, ctx: TableLintContext): Problem | undefined {
  const label = column.label;
  if (text === "") return { rule: "table-value", message: `the ${label} cell is empty`, hint: `every row needs a ${label}` };
  const allowed = allowedValues(column, ctx);
  if (!allowed) return undefined;
  if (column.key === "status") {
    if (parseStatusCell(text)) return undefined;
    const bare = text.replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, "");
    return {
      rule: "table-value",
      message: `"${text}" is not an allowed ${label}; expected ${listOf(allowed)}`,
      hint: didYouMean(bare, allowed),
    };
  }
  const values = column.key === "scope" ? text.split(",").map((s) => s.trim()) : [text];
  for (const v of values) {
    if (!allowed.includes(v)) {
      return {
        rule: "table-value",
        message: `"${v}" is not an allowed ${label}; expected ${listOf(allowed)}`,
        hint: didYouMean(v, allowed),
      };
    }
  }
  return undefined;
}

const recordIndexes = new WeakMap<readonly TableRecord[], Map<string, TableRecord[]>>();
function recordsNamed(ctx: TableLintContext, name: string): TableRecord[] {
  ctx.onLookup?.(name);
  if (!ctx.records) return [];
  let index = recordIndexes.get(ctx.records);
  if (!index) {
    index = new Map();
    for (const r of ctx.records) index.set(r.name, [...(index.get(r.name) ?? []), r]);
    recordIndexes.set(ctx.records, index);
  }
  return index.get(name) ?? [];
}

function expandScopes(values: readonly string[], ctx: TableLintContext): Set<string> {
  return new Set(values.includes(ALL_SCOPES) ? ctx.scopeNames : values);
}

/** Whether a cell says what the record's value says (a status with or without its icon, scopes in any order). */
function agrees(key: MasterKey, text: string, value: string | readonly string[], ctx: TableLintContext): boolean {
  if (key === "status") return parseStatusCell(text) === value;
  if (key === "scope") {
    const written = expandScopes(
      text.split(",").map((s) => s.trim()),
      ctx,
    );
    const recorded = expandScopes(typeof value === "string" ? [value] : value, ctx);
    return written.size === recorded.size && [...written].every((s) => recorded.has(s));
  }
  return text === value;
}

/** The cell text for a record's value, in the cell's own style where there is one (a status keeps or drops its icon). */
function cellText(key: MasterKey, written: string, value: string | readonly string[]): string {
  if (key === "scope") return formatScope(value);
  if (key === "status") {
    const status = value as Status;
    return (STATUSES as readonly string[]).includes(written) ? status : formatStatus(status);
  }
  return String(value);
}

/** The record a row names: of several with that name (a flag and a component), the one the row agrees with most. */
function recordOf(
  name: string,
  cells: ReadonlyMap<number, MasterColumn>,
  texts: readonly string[],
  ctx: TableLintContext,
): TableRecord | undefined {
  const candidates = recordsNamed(ctx, name);
  if (candidates.length <= 1) return candidates[0];
  const score = (r: TableRecord) =>
    [...cells].filter(([i, c]) => r.values[c.key] !== undefined && agrees(c.key, texts[i] ?? "", r.values[c.key]!, ctx)).length;
  return candidates.reduce((best, r) => (score(r) > score(best) ? r : best));
}

/** The problem with a cell of a row (the row's record, when it names one, decides; else the column's values). */
function cellProblem(column: MasterColumn, text: string, record: TableRecord | undefined, ctx: TableLintContext): Problem | undefined {
  const value = record?.values[column.key];
  if (record && value !== undefined && column.key !== "name") {
    if (agrees(column.key, text, value, ctx)) return undefined;
    const expected = cellText(column.key, text, value);
    const shown = text === "" ? `leaves ${record.name}'s ${column.label} empty` : `shows ${record.name}'s ${column.label} as "${text}"`;
    return {
      rule: "table-record",
      message: `this row ${shown}; its record says ${formatScope(value)}`,
      hint: `write "${expected}" as the ${record.noun}'s record at ${record.at[column.key] ?? "data/"} says (npm run check -- --fix writes it), or change the record`,
      expected,
    };
  }
  return checkCell(column, text, ctx);
}

/** Indexes of a longest strictly increasing subsequence of `seq`: the columns that can stay where they are. */
function increasingRun(seq: readonly number[]): Set<number> {
  const tails: number[] = [];
  const prev: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) keep.add(i);
  return keep;
}

const ORDER_TEXT = MASTER_COLUMNS.map((c) => c.label).join(" · ");

/** The text of a source cell. */
const raw = (text: string, cell: { start: number; end: number }) => text.slice(cell.start, cell.end);

/** A row rewritten with its cells' texts replaced: one edit over the row. */
function rowEdit(row: SourceRow, cells: readonly string[], style: Pick<SourceRow, "lead" | "trail"> = row): Edit {
  return { start: row.start, end: row.end, text: joinRow(style, cells) };
}

/** An edit putting `value` in place of a cell's text, keeping its padding. */
function cellEdit(text: string, row: SourceRow, index: number, value: string): Edit {
  const cell = row.cells[index]!;
  const inner = trimmed(text, cell);
  if (inner.start === inner.end) return { start: cell.start, end: cell.end, text: ` ${value} ` };
  return { start: inner.start, end: inner.end, text: value };
}

/** One table as the lint reads it: the parsed rows beside their source text, and the findings so far. */
interface TableScan {
  file: string;
  text: string;
  starts: readonly number[];
  ctx: TableLintContext;
  header: TableRow;
  rows: TableRow[];
  width: number;
  headerSource: SourceRow;
  delimiterSource: SourceRow;
  bodySources: (SourceRow | undefined)[];
  /** Every row splits as the parser split it: findings may carry fixes that edit cells. */
  fixable: boolean;
  out: Finding[];
}

/** The master columns of a table's header, by header index (the first of duplicates). */
interface HeaderColumns {
  headers: { cell: TableCell; text: string; match: ReturnType<typeof classifyHeader> }[];
  /** At least one header is a master column: the table is a master table. */
  master: boolean;
  columns: Map<number, MasterColumn>;
}

/** Columns i and j whose cells hold each other's values, with the rows where they do. */
type CellSwaps = Map<string, { i: number; j: number; rows: number[] }>;

const push = (scan: TableScan, d: Diagnostic, fix?: Fix) => scan.out.push(fix ? { diagnostic: d, fix } : { diagnostic: d });
const at = (scan: TableScan, cell: TableCell) => cellPlace(scan.file, cell);

/**
 * @param style outer pipes of the page's first table header, which every later row follows; undefined for
 *   the first table itself (its header sets the style)
 */
function lintTable(
  file: string,
  text: string,
  starts: readonly number[],
  table: Table,
  ctx: TableLintContext,
  style: Pick<SourceRow, "lead" | "trail"> | undefined,
): Finding[] {
  const scan = scanTable(file, text, starts, table, ctx);
  if (!scan) return [];
  pipeStyleFindings(scan, style);
  const columns = headerColumns(scan);
  const swaps = rowFindings(scan, columns);
  // Swapped labels are reported instead of the order and cells findings they explain, so they come first.
  const relabelled = swappedLabelFindings(scan, columns, swaps);
  orderFindings(scan, columns, relabelled);
  swappedCellFindings(scan, columns, swaps);
  return scan.out;
}

function scanTable(file: string, text: string, starts: readonly number[], table: Table, ctx: TableLintContext): TableScan | undefined {
  const [header, ...rows] = table.children;
  if (!header?.position) return undefined;
  const width = header.children.length;
  // The rows as written, for fixes. Where they do not split as the parser split them (an exotic layout),
  // findings carry no fix.
  const written = (row: TableRow): SourceRow | undefined => {
    const pos = row.position?.start;
    if (!pos) return undefined;
    const start = starts[pos.line - 1]! + pos.column - 1;
    return splitRow(text, pos.line, start, lineEnd(text, starts, pos.line));
  };
  const headerSource = written(header)!;
  const delimiterLine = header.position.start.line + 1;
  const delimiterSource = splitRow(
    text,
    delimiterLine,
    starts[delimiterLine - 1]! + header.position.start.column - 1,
    lineEnd(text, starts, delimiterLine),
  );
  const bodySources = rows.map(written);
  const fixable =
    headerSource.cells.length === width &&
    delimiterSource.cells.length === width &&
    rows.every((row, i) => bodySources[i]?.cells.length === row.children.length);
  return { file, text, starts, ctx, header, rows, width, headerSource, delimiterSource, bodySources, fixable, out: [] };
}

/**
 * Outer pipes as the page's first table writes them (markdownlint MD055's "consistent"): one finding per
 * row, whose fix rewrites only that row from its own cells.
 */
function pipeStyleFindings(scan: TableScan, style: Pick<SourceRow, "lead" | "trail"> | undefined): void {
  const { file, text, starts } = scan;
  const pageStyle = style ?? scan.headerSource;
  const described =
    pageStyle.lead && pageStyle.trail
      ? "leading and trailing pipes"
      : pageStyle.lead
        ? "only leading pipes"
        : pageStyle.trail
          ? "only trailing pipes"
          : "no outer pipes";
  for (const row of [...(style ? [scan.headerSource] : []), scan.delimiterSource, ...scan.bodySources.filter((s) => s !== undefined)]) {
    if (row.lead === pageStyle.lead && row.trail === pageStyle.trail) continue;
    const problems: string[] = [];
    if (row.lead !== pageStyle.lead) problems.push(pageStyle.lead ? "no leading pipe" : "a leading pipe");
    if (row.trail !== pageStyle.trail) problems.push(pageStyle.trail ? "no trailing pipe" : "a trailing pipe");
    const col = (row.lead === pageStyle.lead ? row.end : row.start) - starts[row.line - 1]! + 1;
    const cells = row.cells.map((c) => raw(text, c));
    if (pageStyle.lead && !row.lead && !cells[0]!.startsWith(" ")) cells[0] = ` ${cells[0]}`;
    if (pageStyle.trail && !row.trail && !cells[cells.length - 1]!.endsWith(" ")) cells[cells.length - 1] = `${cells[cells.length - 1]} `;
    push(
      scan,
      diagnostic(
        "table-pipe-style",
        { file, line: row.line, col },
        `this row has ${problems.join(" and ")}; the page's first table header sets the style: ${described}`,
      ),
      { line: row.line, note: `outer pipes written as the page's first table writes them`, edits: [rowEdit(row, cells, pageStyle)] },
    );
  }
}

/** Master columns by header index, with findings for labels, duplicates and missing columns. */
function headerColumns(scan: TableScan): HeaderColumns {
  const { text, headerSource } = scan;
  const headers = scan.header.children.map((cell) => ({ cell, text: textOf(cell).trim(), match: classifyHeader(textOf(cell).trim()) }));
  const master = headers.some((h) => h.match);
  const columns = new Map<number, MasterColumn>();
  if (!master) return { headers, master, columns };
  for (const [i, h] of headers.entries()) {
    if (!h.match) continue;
    const { column, exact } = h.match;
    if (!exact) {
      push(
        scan,
        diagnostic("table-label", at(scan, h.cell), `"${h.text}" is not a master column label`, `write it exactly as "${column.label}"`),
        scan.fixable
          ? {
              line: headerSource.line,
              note: `label "${h.text}" written as "${column.label}"`,
              edits: [cellEdit(text, headerSource, i, column.label)],
            }
          : undefined,
      );
    }
    if ([...columns.values()].includes(column)) {
      push(scan, diagnostic("table-duplicate-column", at(scan, h.cell), `the ${column.label} column appears twice`));
      continue;
    }
    columns.set(i, column);
  }
  const present = new Set([...columns.values()].map((c) => c.key));
  const missing = TABLE_REQUIRED_KEYS.filter((k) => !present.has(k)).map((k) => MASTER_COLUMNS.find((c) => c.key === k)!.label);
  if (missing.length) {
    push(
      scan,
      diagnostic(
        "table-missing-column",
        at(scan, scan.header.children[0]!),
        `a master table must include ${listOf(missing, 8, "and")}`,
        `add the ${wordFor(missing.length, "column")} in master order`,
      ),
    );
  }
  return { headers, master, columns };
}

/**
 * Rows: a row with the wrong number of cells is one finding (its cells are not in their columns, so they
 * are not judged); in the others two cells holding each other's values are set aside as swaps, and every
 * other cell a record or column refuses is one finding.
 */
function rowFindings(scan: TableScan, { headers, master, columns }: HeaderColumns): CellSwaps {
  const { text, rows, width, ctx, bodySources } = scan;
  const texts = rows.map((row) => row.children.map((cell) => textOf(cell).trim()));
  const nameIndex = [...columns].find(([, c]) => c.key === "name")?.[0];
  const problemAt = (cells: readonly string[], i: number, record: TableRecord | undefined) =>
    cellProblem(columns.get(i)!, cells[i] ?? "", record, ctx);
  const recordFor = (cells: readonly string[]) =>
    nameIndex === undefined ? undefined : recordOf(cells[nameIndex] ?? "", columns, cells, ctx);
  const swaps: CellSwaps = new Map();
  for (const [r, row] of rows.entries()) {
    const cells = texts[r]!;
    if (row.children.length !== width) {
      const missing = master ? locateMissing(cells, width, columns, recordFor, problemAt) : undefined;
      const fix = missing === undefined ? undefined : missingCellFix(bodySources[r], cells, missing, columns, recordFor);
      push(
        scan,
        cellCountFinding(
          scan.file,
          row,
          width,
          missing === undefined ? undefined : { index: missing, label: columns.get(missing)?.label ?? headers[missing]!.text },
        ),
        fix,
      );
      continue;
    }
    if (!master) continue;
    const record = recordFor(cells);
    const failing = new Map<number, Problem>();
    for (const i of columns.keys()) {
      const problem = problemAt(cells, i, record);
      if (problem) failing.set(i, problem);
    }
    for (const i of [...failing.keys()]) {
      for (const j of [...failing.keys()]) {
        if (j <= i || !failing.has(i) || !failing.has(j)) continue;
        const swapped = [...cells];
        [swapped[i], swapped[j]] = [cells[j]!, cells[i]!];
        if (problemAt(swapped, i, record) || problemAt(swapped, j, record)) continue;
        failing.delete(i);
        failing.delete(j);
        const key = `${i}:${j}`;
        swaps.set(key, { i, j, rows: [...(swaps.get(key)?.rows ?? []), r] });
      }
    }
    const source = bodySources[r];
    for (const [i, problem] of failing) {
      const fix =
        problem.expected !== undefined && scan.fixable && source
          ? {
              line: source.line,
              note: `${cells[nameIndex!]}'s ${columns.get(i)!.label} "${cells[i]}" written as "${problem.expected}", as its record says`,
              edits: [cellEdit(text, source, i, problem.expected)],
            }
          : undefined;
      push(scan, diagnostic(problem.rule, at(scan, row.children[i]!), problem.message, problem.hint), fix);
    }
  }
  return swaps;
}

/** The cell a row lost (at index k), put back when the row's record decides its value. */
function missingCellFix(
  source: SourceRow | undefined,
  cells: readonly string[],
  k: number,
  columns: ReadonlyMap<number, MasterColumn>,
  recordFor: (cells: readonly string[]) => TableRecord | undefined,
): Fix | undefined {
  const column = columns.get(k);
  const record = recordFor([...cells.slice(0, k), "", ...cells.slice(k)]);
  const value = column && record?.values[column.key];
  if (!source || !column || value === undefined || source.cells.length !== cells.length) return undefined;
  const written = cellText(column.key, "", value);
  const edit: Edit =
    k < source.cells.length
      ? { start: source.cells[k]!.start, end: source.cells[k]!.start, text: ` ${written} |` }
      : source.trail
        ? { start: source.cells[k - 1]!.end, end: source.cells[k - 1]!.end, text: `| ${written} ` }
        : { start: source.end, end: source.end, text: ` | ${written}` };
  return {
    line: source.line,
    note: `${record!.name}'s missing ${column.label} cell written as "${written}", as its record says`,
    edits: [edit],
  };
}

/**
 * Labels swapped over cells in master order: every row's cells under two labels that are out of order hold
 * each other's values, so the labels, not the columns, are what moved. One finding (instead of the order
 * finding and the cells finding), and the fix swaps the labels. Returns the header indexes relabelled.
 */
function swappedLabelFindings(scan: TableScan, { headers, columns }: HeaderColumns, swaps: CellSwaps): Set<number> {
  const { text, headerSource } = scan;
  const checked = scan.rows.filter((row) => row.children.length === scan.width).length;
  const relabelled = new Set<number>();
  for (const [key, { i, j, rows: where }] of swaps) {
    const [a, b] = [columns.get(i)!, columns.get(j)!];
    if (
      checked === 0 ||
      where.length !== checked ||
      MASTER_COLUMNS.indexOf(a) < MASTER_COLUMNS.indexOf(b) ||
      relabelled.has(i) ||
      relabelled.has(j)
    )
      continue;
    swaps.delete(key);
    relabelled.add(i).add(j);
    push(
      scan,
      diagnostic(
        "table-order",
        at(scan, headers[i]!.cell),
        `the labels "${a.label}" and "${b.label}" are swapped: the cells below hold ${b.label} values under "${a.label}" and ${a.label} values under "${b.label}"`,
        "swap the two labels",
      ),
      scan.fixable
        ? {
            line: headerSource.line,
            note: `labels "${a.label}" and "${b.label}" swapped back over their cells`,
            edits: [cellEdit(text, headerSource, i, b.label), cellEdit(text, headerSource, j, a.label)],
          }
        : undefined,
    );
  }
  return relabelled;
}

/**
 * Column order: two columns standing in each other's place are one finding; of the rest only those off a
 * longest in-order run moved, one finding each. The first carries the fix that reorders the whole table.
 */
function orderFindings(scan: TableScan, { headers, columns }: HeaderColumns, relabelled: ReadonlySet<number>): void {
  const order = [...columns].map(([index, column]) => ({ index, column, rank: MASTER_COLUMNS.indexOf(column) }));
  const sorted = [...order].sort((a, b) => a.rank - b.rank);
  const found: { diagnostic: Diagnostic; indexes: number[] }[] = [];
  const swapped = new Set<number>();
  for (const [p, m] of order.entries()) {
    const other = sorted[p]!;
    const q = order.indexOf(other);
    if (other === m || q < p || sorted[q] !== m) continue;
    swapped.add(p).add(q);
    found.push({
      diagnostic: diagnostic(
        "table-order",
        at(scan, headers[m.index]!.cell),
        `"${m.column.label}" and "${other.column.label}" are swapped; master columns go ${ORDER_TEXT}`,
        `swap the ${m.column.label} and ${other.column.label} columns`,
      ),
      indexes: [m.index, other.index],
    });
  }
  const rest = order.filter((_, p) => !swapped.has(p));
  const keep = increasingRun(rest.map((o) => o.rank));
  for (const m of rest.filter((_, p) => !keep.has(p))) {
    const next = sorted[sorted.indexOf(m) + 1];
    const where = next ? `before "${next.column.label}"` : `after "${sorted[sorted.indexOf(m) - 1]!.column.label}"`;
    found.push({
      diagnostic: diagnostic(
        "table-order",
        at(scan, headers[m.index]!.cell),
        `"${m.column.label}" is out of order: it goes ${where}; master columns go ${ORDER_TEXT}`,
        `move the ${m.column.label} column ${where}`,
      ),
      indexes: [m.index],
    });
  }
  const whole = scan.fixable && relabelled.size === 0 && scan.rows.every((row) => row.children.length === scan.width);
  const reorder = whole
    ? reorderFix(scan.text, [scan.headerSource, scan.delimiterSource, ...(scan.bodySources as SourceRow[])], order, sorted)
    : undefined;
  for (const [n, f] of found.entries()) {
    if (f.indexes.some((i) => relabelled.has(i))) continue;
    push(scan, f.diagnostic, n === 0 ? reorder : undefined);
  }
}

/** Two cells holding each other's values, in one row or several: one finding per pair of columns. */
function swappedCellFindings(scan: TableScan, { columns }: HeaderColumns, swaps: CellSwaps): void {
  const { text } = scan;
  for (const { i, j, rows: where } of swaps.values()) {
    const first = scan.rows[where[0]!]!;
    const [a, b] = [columns.get(i)!, columns.get(j)!];
    const sources = where.map((r) => scan.bodySources[r]);
    const fix: Fix | undefined =
      scan.fixable && sources.every((s) => s !== undefined)
        ? {
            line: sources[0]!.line,
            note: `${a.label} and ${b.label} cells swapped back in ${where.length === 1 ? "this row" : `${where.length} rows`}`,
            edits: (sources as SourceRow[]).flatMap((s) => [
              cellEdit(text, s, i, raw(text, trimmed(text, s.cells[j]!))),
              cellEdit(text, s, j, raw(text, trimmed(text, s.cells[i]!))),
            ]),
          }
        : undefined;
    const rowsText = where.length === 1 ? "this row" : `${where.length} rows (the first here)`;
    push(
      scan,
      diagnostic(
        "table-swapped-cells",
        at(scan, first.children[i]!),
        `the ${a.label} and ${b.label} cells of ${rowsText} hold each other's values`,
        `swap the two cells${fix ? "; npm run check -- --fix does it" : ""}`,
      ),
      fix,
    );
  }
}

/** The edits that put the master columns in master order, other columns staying where they are. */
function reorderFix(
  text: string,
  sources: readonly SourceRow[],
  order: readonly { index: number }[],
  sorted: readonly { index: number; column: MasterColumn }[],
): Fix {
  const slots = order.map((o) => o.index);
  const edits = sources.map((row) => {
    const cells = row.cells.map((c) => raw(text, c));
    const next = [...cells];
    for (const [k, slot] of slots.entries()) next[slot] = cells[sorted[k]!.index]!;
    return rowEdit(row, next);
  });
  return {
    line: sources[0]!.line,
    note: `master columns put in order: ${sorted.map((s) => s.column.label).join(" · ")} (${sources.length} lines)`,
    edits,
  };
}

/** Where a row one cell short lost its cell: the one place where an empty cell makes every other cell right. */
function locateMissing(
  cells: readonly string[],
  width: number,
  columns: ReadonlyMap<number, MasterColumn>,
  recordFor: (cells: readonly string[]) => TableRecord | undefined,
  problemAt: (cells: readonly string[], i: number, record: TableRecord | undefined) => Problem | undefined,
): number | undefined {
  if (cells.length !== width - 1) return undefined;
  const fits: number[] = [];
  for (let k = 0; k <= cells.length; k++) {
    const candidate = [...cells.slice(0, k), "", ...cells.slice(k)];
    const record = recordFor(candidate);
    if ([...columns.keys()].every((i) => i === k || !problemAt(candidate, i, record))) fits.push(k);
  }
  return fits.length === 1 ? fits[0] : undefined;
}

function cellCountFinding(file: string, row: TableRow, width: number, missing: { index: number; label: string } | undefined): Diagnostic {
  const n = row.children.length;
  const message = `this row has ${n} cells; the header has ${width}`;
  if (missing) {
    const before = row.children[missing.index];
    const last = row.children[n - 1]!;
    const place = before ? cellPlace(file, before) : { file, line: last.position?.end.line ?? 1, col: last.position?.end.column ?? 1 };
    const name = missing.label ? `the ${missing.label} cell (column ${missing.index + 1})` : `the cell of column ${missing.index + 1}`;
    return diagnostic(
      "table-cell-count",
      place,
      `${message}: ${name} seems to be missing`,
      `add it${before ? " before this cell" : " at the end of the row"}`,
    );
  }
  const place = n > width ? cellPlace(file, row.children[width]!) : cellPlace(file, row.children[n - 1] ?? row.children[0]!);
  return diagnostic("table-cell-count", place, message);
}

/**
 * A delimiter row whose cell count differs from the line above: Markdown makes no table of it, so the
 * parser left a paragraph; its written lines say what was meant. When every later row of it has the
 * header's count, the missing delimiter cells are the one right answer.
 */
function delimiterFindings(file: string, text: string, starts: readonly number[], paragraph: Paragraph): Finding[] {
  const out: Finding[] = [];
  const first = paragraph.position?.start.line;
  const last = paragraph.position?.end.line;
  if (first === undefined || last === undefined) return out;
  const rowAt = (line: number): SourceRow => {
    const start = starts[line - 1]!;
    const end = lineEnd(text, starts, line);
    const prefix = /^[ \t]*(?:>[ \t]?)*/.exec(text.slice(start, end))![0].length;
    return splitRow(text, line, start + prefix, end);
  };
  for (let line = first; line < last; line++) {
    const delimiter = rowAt(line + 1);
    if (!isDelimiterRow(text.slice(delimiter.start, delimiter.end))) continue;
    const head = rowAt(line);
    if (!head.lead && !head.trail && head.cells.length < 2) continue;
    const want = head.cells.length;
    const have = delimiter.cells.length;
    if (want === have) continue;
    const later: SourceRow[] = [];
    for (let l = line + 2; l <= last; l++) later.push(rowAt(l));
    const fix: Fix | undefined =
      have < want && later.every((r) => r.cells.length === want)
        ? {
            line: line + 1,
            note: `delimiter row given ${want} cells, one per header cell`,
            edits: [rowEdit(delimiter, [...delimiter.cells.map((c) => raw(text, c)), ...Array<string>(want - have).fill(" --- ")])],
          }
        : undefined;
    const col = trimmed(text, { start: delimiter.start, end: delimiter.end }).start - starts[line]! + 1;
    out.push({
      diagnostic: diagnostic(
        "table-delimiter",
        { file, line: line + 1, col },
        `this delimiter row has ${plural(have, "cell")}; the header above has ${want}, so this is no table: it renders as a paragraph of pipes`,
        `write ${want} cells, one --- per header cell${fix ? "; npm run check -- --fix does it" : ""}`,
      ),
      ...(fix ? { fix } : {}),
    });
  }
  return out;
}

function parse(file: string, text: string): { tree: Root } | { error: Diagnostic } {
  try {
    return { tree: parserFor(file).parse(text) as Root };
  } catch (err) {
    const e = err as { line?: number; column?: number; reason?: string; message: string };
    return { error: diagnostic("mdx-syntax", { file, line: e.line ?? 1, col: e.column ?? 1 }, e.reason ?? e.message) };
  }
}

function tableFindings(file: string, text: string, tree: Root, ctx: TableLintContext): Finding[] {
  const starts = lineStarts(text);
  const out: Finding[] = [];
  let style: SourceRow | undefined;
  visit(tree, (node) => {
    if (node.type === "table") {
      const table = node as Table;
      out.push(...lintTable(file, text, starts, table, ctx, style));
      const pos = table.position?.start;
      if (!style && pos) style = splitRow(text, pos.line, starts[pos.line - 1]! + pos.column - 1, lineEnd(text, starts, pos.line));
    } else if (node.type === "paragraph") out.push(...delimiterFindings(file, text, starts, node as Paragraph));
  });
  return out;
}

export function lintMarkdown(file: string, text: string, ctx: TableLintContext): Diagnostic[] {
  const parsed = parse(file, text);
  if ("error" in parsed) return [parsed.error];
  return [...tableFindings(file, text, parsed.tree, ctx).map((f) => f.diagnostic), ...codeInContent(file, parsed.tree)];
}

/**
 * The page with every table finding that has one right answer fixed, and what changed (line and note per
 * fix). Fixes whose edits overlap (a label and the column order on one header) are applied in rounds:
 * each round lints the text the last one wrote, so every fix applies to what the page now says.
 */
export function fixMarkdown(
  file: string,
  text: string,
  ctx: TableLintContext,
): { text: string; changes: { line: number; note: string }[] } {
  const changes: { line: number; note: string }[] = [];
  for (let round = 0; round < 10; round++) {
    const parsed = parse(file, text);
    if ("error" in parsed) break;
    const taken: Fix[] = [];
    // An insertion counts as covering the character after it, so it never lands inside another fix's text.
    const overlaps = (a: Edit, b: Edit) => a.start < Math.max(b.end, b.start + 1) && b.start < Math.max(a.end, a.start + 1);
    for (const { fix } of tableFindings(file, text, parsed.tree, ctx)) {
      if (!fix || fix.edits.some((e) => /[\r\n]/.test(e.text))) continue;
      if (taken.some((t) => t.edits.some((a) => fix.edits.some((b) => overlaps(a, b))))) continue;
      taken.push(fix);
    }
    if (!taken.length) break;
    const edits = taken.flatMap((f) => f.edits).sort((a, b) => b.start - a.start);
    for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    changes.push(...taken.map((f) => ({ line: f.line, note: f.note })));
  }
  return { text, changes: changes.sort((a, b) => a.line - b.line) };
}

type MdxNode = {
  type: string;
  name?: string | null;
  value?: unknown;
  attributes?: MdxNode[];
  data?: { estree?: Program };
  position?: { start: { line: number; column: number } };
};

const HTML_CODE = /<\s*\/?\s*([a-z][a-z0-9-]*)|\bon[a-z]+\s*=|javascript:/gi;

/** Everything in a page that would run code at build time or in the reader's browser: rule mdx-code. */
function codeInContent(file: string, tree: Root): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (node: MdxNode, message: string, hint: string) =>
    out.push(diagnostic("mdx-code", { file, line: node.position?.start.line ?? 1, col: node.position?.start.column ?? 1 }, message, hint));
  const allowed = new Set<string>(MDX_COMPONENTS);
  visit(tree, (n) => {
    const node = n as MdxNode;
    switch (node.type) {
      case "mdxjsEsm":
        push(
          node,
          "import and export statements run code when the site builds",
          `use the site's components directly, without importing them: ${MDX_COMPONENTS.join(", ")}`,
        );
        break;
      case "mdxFlowExpression":
      case "mdxTextExpression":
        // {/* comments */} are the one expression with no code in it.
        if (node.data?.estree?.body.length !== 0)
          push(
            node,
            "a {…} expression runs code when the site builds",
            "write the text out, or use a component; inside a code span write it as `{…}`",
          );
        break;
      case "mdxJsxFlowElement":
      case "mdxJsxTextElement": {
        const name = node.name ?? "";
        if (/^[A-Z]/.test(name) || name.includes(".")) {
          if (!allowed.has(name)) push(node, `<${name}> is not one of the site's components`, `use one of ${MDX_COMPONENTS.join(", ")}`);
        } else if (REFUSED_ELEMENTS.has(name.toLowerCase())) {
          push(node, `<${name}> can load or run code in the reader's browser`, "describe it in prose or link to it instead");
        }
        for (const attr of node.attributes ?? []) {
          if (attr.type === "mdxJsxExpressionAttribute") {
            push(
              attr.position ? attr : node,
              "a {...spread} attribute runs code when the site builds",
              "write each attribute out with a literal value",
            );
          } else if (/^on/i.test(attr.name ?? "")) {
            push(attr.position ? attr : node, `the event handler ${attr.name} runs code in the reader's browser`, "remove it");
          } else if (typeof attr.value === "string" && /^\s*(javascript|vbscript|data):/i.test(attr.value)) {
            push(
              attr.position ? attr : node,
              `a ${attr.value.split(":")[0]}: URL runs code in the reader's browser`,
              "link to an http(s) address or a page of this site",
            );
          } else if (attr.value && typeof attr.value === "object" && !isLiteralData((attr.value as MdxNode).data?.estree)) {
            push(
              attr.position ? attr : node,
              `the value of ${attr.name} is code, not data`,
              'attribute values may be text, numbers, true/false, or lists and objects of them, such as columns={["name", "type"]}',
            );
          }
        }
        break;
      }
      case "html": {
        // Raw HTML in .md pages reaches the page as it is written.
        for (const m of String(node.value).matchAll(HTML_CODE)) {
          const tag = m[1]?.toLowerCase();
          if (tag !== undefined && !REFUSED_ELEMENTS.has(tag)) continue;
          push(
            node,
            tag ? `<${tag}> can load or run code in the reader's browser` : `${m[0].trim()} runs code in the reader's browser`,
            "remove it; describe it in prose or link to it instead",
          );
          break;
        }
        break;
      }
    }
  });
  return out;
}

/** The records `names` find, as text: what a page's remembered lint results depend on besides its bytes. */
function namedRecords(ctx: TableLintContext, names: readonly string[]): string {
  const lookup = { ...ctx, onLookup: undefined };
  return Bun.hash(JSON.stringify(names.map((name) => recordsNamed(lookup, name)))).toString(36);
}

/** Hand-written pages are small; a larger one is a mistake or an attack. */
export const MAX_CONTENT_FILE_BYTES = 4 * 1024 * 1024;

/** @param cache per-page results remembered by content (src/core/cache/lint-cache.ts); none by default */
export function lintContent(
  root: string,
  ctx: TableLintContext,
  dir = "content",
  cache?: LintCache,
): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const refuse = (file: string, r: Refusal) => diagnostics.push(diagnostic(r.rule, fileStart(file), r.message, r.hint));
  for (const entry of walkInside(root, dir)) {
    // The site reads all of content/, so an unsafe entry is reported whatever its name.
    if (entry.kind === "refused") {
      refuse(entry.rel, entry.refusal);
      continue;
    }
    if (!/\.mdx?$/.test(entry.rel)) continue;
    const read = readInside(root, entry.rel, MAX_CONTENT_FILE_BYTES);
    if ("refusal" in read) {
      refuse(entry.rel, read.refusal);
      continue;
    }
    const text = read.bytes.toString("utf8");
    sources.set(entry.rel, text);
    // Remembered by the page's bytes and the scope names; valid while the records its rows named are unchanged.
    const key = { scopeNames: ctx.scopeNames };
    const cached = cache?.get(entry.rel, read.bytes, key);
    if (cached && cached.records === namedRecords(ctx, cached.names)) {
      diagnostics.push(...cached.diagnostics);
      continue;
    }
    const names = new Set<string>();
    const found = lintMarkdown(entry.rel, text, { ...ctx, onLookup: (name) => names.add(name) });
    cache?.set(entry.rel, read.bytes, key, { diagnostics: found, names: [...names], records: namedRecords(ctx, [...names]) });
    diagnostics.push(...found);
  }
  return { diagnostics, sources };
}
