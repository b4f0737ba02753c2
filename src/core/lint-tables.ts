/**
 * Lints hand-written tables in content/ against the master table standard. Tables come from a real
 * Markdown parser (remark-parse + remark-gfm, plus remark-mdx for .mdx), so pipes in code spans, escaped
 * pipes and MDX expressions never confuse it; every error points at the offending cell.
 */
import type { Root, Table, TableCell } from "mdast";
import { toString } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkMdx from "remark-mdx";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import type { Diagnostic } from "./diagnostics.ts";
import { readInside, walkInside, type Refusal } from "./safe-fs.ts";
import {
  ALL_SCOPES,
  LABEL_ALIASES,
  MASTER_COLUMNS,
  parseStatusCell,
  STATUSES,
  TABLE_REQUIRED_KEYS,
  type MasterColumn,
  type MasterKey,
} from "./schema/columns.ts";
import { ALL_TYPES } from "./schema/kinds.ts";
import { didYouMean, listOf } from "./suggest.ts";

export interface TableLintContext {
  scopeNames: readonly string[];
}

const mdParser = unified().use(remarkParse).use(remarkGfm);
const mdxParser = unified().use(remarkParse).use(remarkGfm).use(remarkMdx);

type Place = { line: number; col: number };

function cellPlace(cell: TableCell): Place {
  const start = cell.children[0]?.position?.start ?? cell.position?.start;
  return { line: start?.line ?? 1, col: start?.column ?? 1 };
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

function checkCell(column: MasterColumn, text: string, ctx: TableLintContext): { message: string; hint?: string } | undefined {
  const label = column.label;
  if (text === "") return { message: `the ${label} cell is empty`, hint: `every row needs a ${label}` };
  const allowed = allowedValues(column, ctx);
  if (!allowed) return undefined;
  if (column.key === "status") {
    if (parseStatusCell(text)) return undefined;
    const bare = text.replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, "");
    return { message: `"${text}" is not an allowed ${label}; expected ${listOf(allowed)}`, hint: didYouMean(bare, allowed) };
  }
  const values = column.key === "scope" ? text.split(",").map((s) => s.trim()) : [text];
  for (const v of values) {
    if (!allowed.includes(v)) {
      return { message: `"${v}" is not an allowed ${label}; expected ${listOf(allowed)}`, hint: didYouMean(v, allowed) };
    }
  }
  return undefined;
}

function lintTable(file: string, table: Table, ctx: TableLintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (place: Place, rule: string, message: string, hint?: string) =>
    out.push({ file, ...place, rule, message, ...(hint ? { hint } : {}) });
  const [header, ...rows] = table.children;
  if (!header) return out;
  const headers = header.children.map((cell) => ({ cell, text: toString(cell).trim(), match: classifyHeader(toString(cell).trim()) }));
  if (!headers.some((h) => h.match)) return out; // not a master table

  const columns = new Map<number, MasterColumn>();
  let lastOrder = -1;
  for (const [i, h] of headers.entries()) {
    if (!h.match) continue;
    const { column, exact } = h.match;
    if (!exact) {
      push(cellPlace(h.cell), "table-label", `"${h.text}" is not a master column label`, `write it exactly as "${column.label}"`);
    }
    const order = MASTER_COLUMNS.indexOf(column);
    if ([...columns.values()].includes(column)) {
      push(cellPlace(h.cell), "table-duplicate-column", `the ${column.label} column appears twice`);
      continue;
    }
    if (order < lastOrder) {
      push(cellPlace(h.cell), "table-order", `"${column.label}" is out of order; master columns go ${MASTER_COLUMNS.map((c) => c.label).join(" · ")}`);
    }
    lastOrder = Math.max(lastOrder, order);
    columns.set(i, column);
  }
  const present = new Set([...columns.values()].map((c) => c.key));
  const missing = TABLE_REQUIRED_KEYS.filter((k) => !present.has(k)).map((k) => MASTER_COLUMNS.find((c) => c.key === k)!.label);
  if (missing.length) {
    push(cellPlace(header.children[0]!), "table-missing-column", `a master table must include ${listOf(missing, 8, "and")}`, `add the column${missing.length > 1 ? "s" : ""} in master order`);
  }

  for (const row of rows) {
    if (row.children.length !== header.children.length) {
      const place = row.children.length > header.children.length ? cellPlace(row.children[header.children.length]!) : cellPlace(row.children[row.children.length - 1] ?? row.children[0]!);
      push(place, "table-cell-count", `this row has ${row.children.length} cells; the header has ${header.children.length}`);
    }
    for (const [i, column] of columns) {
      const cell = row.children[i];
      if (!cell) continue;
      const problem = checkCell(column, toString(cell).trim(), ctx);
      if (problem) push(cellPlace(cell), "table-value", problem.message, problem.hint);
    }
  }
  return out;
}

export function lintMarkdown(file: string, text: string, ctx: TableLintContext): Diagnostic[] {
  const parser = file.endsWith(".mdx") ? mdxParser : mdParser;
  let tree: Root;
  try {
    tree = parser.parse(text) as Root;
  } catch (err) {
    const e = err as { line?: number; column?: number; reason?: string; message: string };
    return [{ file, line: e.line ?? 1, col: e.column ?? 1, rule: "mdx-syntax", message: e.reason ?? e.message }];
  }
  const out: Diagnostic[] = [];
  visit(tree, "table", (table: Table) => {
    out.push(...lintTable(file, table, ctx));
  });
  return out;
}

/** Hand-written pages are small; a larger one is a mistake or an attack. */
export const MAX_CONTENT_FILE_BYTES = 4 * 1024 * 1024;

export function lintContent(root: string, ctx: TableLintContext, dir = "content"): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const refuse = (file: string, r: Refusal) => diagnostics.push({ file, line: 1, col: 1, rule: r.rule, message: r.message, ...(r.hint ? { hint: r.hint } : {}) });
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
    diagnostics.push(...lintMarkdown(entry.rel, text, ctx));
  }
  return { diagnostics, sources };
}
