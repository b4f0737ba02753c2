/**
 * CSV_EXPORT: RFC 4180 CSV (CRLF line breaks, fields with comma, quote, CR or LF quoted, quotes doubled).
 */
import type { AggregateRow } from "../core/types.ts";

export type CsvValue = string | number | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6)) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], records: readonly (readonly CsvValue[])[]): string {
  return `${[header, ...records].map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}

/** Parses RFC 4180 text back into records (used to verify exports). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export function aggregatesToCsv(rows: readonly AggregateRow[]): string {
  const withOwner = rows.some((r) => r.tenant !== undefined);
  const withPct = rows.some((r) => r.stats.p50 !== undefined);
  const header = [
    ...(withOwner ? ["scope", "tenant"] : []),
    "namespace",
    "name",
    "unit",
    "count",
    "sum",
    "min",
    "max",
    "mean",
    ...(withPct ? ["p50", "p95", "p99"] : []),
  ];
  const records = rows.map((r) => [
    ...(withOwner ? [r.scope, r.tenant] : []),
    r.namespace,
    r.name,
    r.unit,
    r.stats.count,
    r.stats.sum,
    r.stats.min,
    r.stats.max,
    r.stats.mean,
    ...(withPct ? [r.stats.p50, r.stats.p95, r.stats.p99] : []),
  ]);
  return toCsv(header, records);
}
