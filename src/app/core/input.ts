import type { Metric, Props } from "./types.ts";

export interface ParseError {
  line: number;
  error: string;
}

export interface ParseResult {
  metrics: Metric[];
  errors: ParseError[];
}

function asString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new Error(`${field} must be a string`);
  return value;
}

/** Property values become strings; keys are kept verbatim (INPUT_SANITIZATION validates them). */
export function normalizeProps(raw: unknown): Props {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new Error("props must be an object");
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v),
    ]),
  );
}

function parseTs(raw: unknown): number {
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string") {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error("ts must be epoch milliseconds or an ISO date");
}

/** Validates one decoded JSON value and returns a Metric; throws an Error describing the first problem. */
export function normalizeMetric(raw: unknown): Metric {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("metric must be a JSON object");
  const r = raw as Record<string, unknown>;
  const name = asString(r.name, "name");
  if (!name) throw new Error("name is required");
  const value = typeof r.value === "string" && r.value.trim() !== "" ? Number(r.value) : r.value;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error("value must be a finite number");
  const scope = asString(r.scope, "scope") ?? "default";
  if (scope === "") throw new Error("scope must not be empty");
  const metric: Metric = { name, value, scope, ts: parseTs(r.ts), props: normalizeProps(r.props) };
  const unit = asString(r.unit, "unit");
  if (unit !== undefined) metric.unit = unit;
  const tenant = asString(r.tenant, "tenant");
  if (tenant !== undefined) metric.tenant = tenant;
  const traceparent = asString(r.traceparent, "traceparent");
  if (traceparent !== undefined) metric.traceparent = traceparent;
  const via = asString(r.via, "via");
  if (via !== undefined) metric.via = via;
  return metric;
}

/** Parses JSON lines (blank lines and lines starting with # are skipped). */
export function parseMetricLines(text: string): ParseResult {
  const metrics: Metric[] = [];
  const errors: ParseError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      metrics.push(normalizeMetric(JSON.parse(line)));
    } catch (error) {
      errors.push({ line: i + 1, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { metrics, errors };
}

/** Latest timestamp of `metrics` (0 when empty): the default deterministic clock. */
export function latestTs(metrics: readonly Metric[]): number {
  let max = 0;
  for (const m of metrics) if (m.ts > max) max = m.ts;
  return max;
}
