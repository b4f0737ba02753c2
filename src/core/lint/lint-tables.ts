/**
 * Lints hand-written tables in content/ against the master table standard. Tables come from a real
 * Markdown parser (remark-parse + remark-gfm, plus remark-mdx for .mdx), so pipes in code spans, escaped
 * pipes and MDX expressions never confuse it; every error points at the offending cell.
 */
import type { Root, Table, TableCell } from "mdast";
import { toString } from "mdast-util-to-string";
import { visit } from "unist-util-visit";
import type { Program } from "estree";
import { diagnostic, fileStart, type Diagnostic, type Place } from "../report/diagnostics.ts";
import { isLiteralData, MDX_COMPONENTS, REFUSED_ELEMENTS } from "./mdx-policy.ts";
import { readInside, walkInside, type Refusal } from "../fs/safe-fs.ts";
import {
  ALL_SCOPES,
  LABEL_ALIASES,
  MASTER_COLUMNS,
  parseStatusCell,
  STATUSES,
  TABLE_REQUIRED_KEYS,
  type MasterColumn,
  type MasterKey,
} from "../schema/columns.ts";
import { ALL_TYPES } from "../schema/kinds.ts";
import { didYouMean, listOf } from "../report/suggest.ts";
import type { LintCache } from "../cache/lint-cache.ts";

export interface TableLintContext {
  scopeNames: readonly string[];
}

/** All the lint needs of a unified processor: text in, an mdast tree out. */
interface MarkdownParser {
  parse(text: string): unknown;
}

let parsers: { md: MarkdownParser; mdx: MarkdownParser } | undefined;
/** remark loads with the first page to lint: a check whose pages all come from the lint cache never loads it. */
function parserFor(file: string): MarkdownParser {
  if (!parsers) {
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
  const at = (cell: TableCell) => cellPlace(file, cell);
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
      out.push(diagnostic("table-label", at(h.cell), `"${h.text}" is not a master column label`, `write it exactly as "${column.label}"`));
    }
    const order = MASTER_COLUMNS.indexOf(column);
    if ([...columns.values()].includes(column)) {
      out.push(diagnostic("table-duplicate-column", at(h.cell), `the ${column.label} column appears twice`));
      continue;
    }
    if (order < lastOrder) {
      out.push(diagnostic("table-order", at(h.cell), `"${column.label}" is out of order; master columns go ${MASTER_COLUMNS.map((c) => c.label).join(" · ")}`));
    }
    lastOrder = Math.max(lastOrder, order);
    columns.set(i, column);
  }
  const present = new Set([...columns.values()].map((c) => c.key));
  const missing = TABLE_REQUIRED_KEYS.filter((k) => !present.has(k)).map((k) => MASTER_COLUMNS.find((c) => c.key === k)!.label);
  if (missing.length) {
    out.push(diagnostic("table-missing-column", at(header.children[0]!), `a master table must include ${listOf(missing, 8, "and")}`, `add the column${missing.length > 1 ? "s" : ""} in master order`));
  }

  for (const row of rows) {
    if (row.children.length !== header.children.length) {
      const place = row.children.length > header.children.length ? at(row.children[header.children.length]!) : at(row.children[row.children.length - 1] ?? row.children[0]!);
      out.push(diagnostic("table-cell-count", place, `this row has ${row.children.length} cells; the header has ${header.children.length}`));
    }
    for (const [i, column] of columns) {
      const cell = row.children[i];
      if (!cell) continue;
      const problem = checkCell(column, toString(cell).trim(), ctx);
      if (problem) out.push(diagnostic("table-value", at(cell), problem.message, problem.hint));
    }
  }
  return out;
}

export function lintMarkdown(file: string, text: string, ctx: TableLintContext): Diagnostic[] {
  const parser = parserFor(file);
  let tree: Root;
  try {
    tree = parser.parse(text) as Root;
  } catch (err) {
    const e = err as { line?: number; column?: number; reason?: string; message: string };
    return [diagnostic("mdx-syntax", { file, line: e.line ?? 1, col: e.column ?? 1 }, e.reason ?? e.message)];
  }
  const out: Diagnostic[] = [];
  visit(tree, "table", (table: Table) => {
    out.push(...lintTable(file, table, ctx));
  });
  out.push(...codeInContent(file, tree));
  return out;
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
        push(node, "import and export statements run code when the site builds", `use the site's components directly, without importing them: ${MDX_COMPONENTS.join(", ")}`);
        break;
      case "mdxFlowExpression":
      case "mdxTextExpression":
        // {/* comments */} are the one expression with no code in it.
        if (node.data?.estree?.body.length !== 0) push(node, "a {…} expression runs code when the site builds", "write the text out, or use a component; inside a code span write it as `{…}`");
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
            push(attr.position ? attr : node, "a {...spread} attribute runs code when the site builds", "write each attribute out with a literal value");
          } else if (/^on/i.test(attr.name ?? "")) {
            push(attr.position ? attr : node, `the event handler ${attr.name} runs code in the reader's browser`, "remove it");
          } else if (typeof attr.value === "string" && /^\s*(javascript|vbscript|data):/i.test(attr.value)) {
            push(attr.position ? attr : node, `a ${attr.value.split(":")[0]}: URL runs code in the reader's browser`, "link to an http(s) address or a page of this site");
          } else if (attr.value && typeof attr.value === "object" && !isLiteralData((attr.value as MdxNode).data?.estree)) {
            push(attr.position ? attr : node, `the value of ${attr.name} is code, not data`, 'attribute values may be text, numbers, true/false, or lists and objects of them, such as columns={["name", "type"]}');
          }
        }
        break;
      }
      case "html": {
        // Raw HTML in .md pages reaches the page as it is written.
        for (const m of String(node.value).matchAll(HTML_CODE)) {
          const tag = m[1]?.toLowerCase();
          if (tag !== undefined && !REFUSED_ELEMENTS.has(tag)) continue;
          push(node, tag ? `<${tag}> can load or run code in the reader's browser` : `${m[0].trim()} runs code in the reader's browser`, "remove it; describe it in prose or link to it instead");
          break;
        }
        break;
      }
    }
  });
  return out;
}

/** Hand-written pages are small; a larger one is a mistake or an attack. */
export const MAX_CONTENT_FILE_BYTES = 4 * 1024 * 1024;

/** @param cache per-page results remembered by content (src/core/cache/lint-cache.ts); none by default */
export function lintContent(root: string, ctx: TableLintContext, dir = "content", cache?: LintCache): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
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
    const cached = cache?.get(entry.rel, read.bytes, ctx);
    const found = cached ?? lintMarkdown(entry.rel, text, ctx);
    if (!cached) cache?.set(entry.rel, read.bytes, ctx, found);
    diagnostics.push(...found);
  }
  return { diagnostics, sources };
}
