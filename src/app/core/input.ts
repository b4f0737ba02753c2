import {
  INPUT_SANITIZATION_METRIC_NAME_LENGTH,
  INPUT_SANITIZATION_NAMESPACE_LENGTH,
  INPUT_SANITIZATION_UNIT_LENGTH,
  isScopeName,
  SCOPE_NAMES,
  type ScopeName,
} from "../../generated/limits.ts";
import type { Metric, Owner, Props } from "./types.ts";

/**
 * A namespace: letters, digits and `_ . : -`, at most the records' length (the same rule a subscription's
 * `namespace` parameter follows, so every stored namespace can be subscribed to).
 */
export const NAMESPACE_PATTERN = new RegExp(`^[A-Za-z0-9_.:-]{1,${INPUT_SANITIZATION_NAMESPACE_LENGTH}}$`);
/** Longest metric name and unit (data/security.yaml): longer ones are refused as they are read, before any copy is kept. */
export const MAX_NAME_LENGTH = INPUT_SANITIZATION_METRIC_NAME_LENGTH;
export const MAX_UNIT_LENGTH = INPUT_SANITIZATION_UNIT_LENGTH;

/** A tenant id: lower case letters, digits, "_" and "-", 63 characters at most. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** The tenant of metrics whose input names none (single-tenant deployments). */
export const DEFAULT_TENANT = "default";

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

/** `value` as a ScopeName of data/scopes.yaml; throws for any other value. */
export function scopeName(value: unknown, field = "scope"): ScopeName {
  if (!isScopeName(value)) throw new Error(`${field} must be one of ${SCOPE_NAMES.join(", ")}`);
  return value;
}

/** `value` as a tenant id; throws unless it matches TENANT_PATTERN. */
export function tenantId(value: unknown, field = "tenant"): string {
  if (typeof value !== "string" || !TENANT_PATTERN.test(value)) throw new Error(`${field} must match ${TENANT_PATTERN.source}`);
  return value;
}

/**
 * Validates one decoded JSON value and returns a Metric; throws an Error describing the first problem.
 * A metric without scope or tenant takes those of `owner` (the caller), else it needs a scope and its tenant is "default".
 */
export function normalizeMetric(raw: unknown, owner: Partial<Owner> = {}): Metric {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("metric must be a JSON object");
  const r = raw as Record<string, unknown>;
  const name = asString(r.name, "name");
  if (!name) throw new Error("name is required");
  const value = typeof r.value === "string" && r.value.trim() !== "" ? Number(r.value) : r.value;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error("value must be a finite number");
  const namespace = asString(r.namespace, "namespace") ?? "default";
  if (namespace === "") throw new Error("namespace must not be empty");
  const scope = scopeName(r.scope ?? owner.scope);
  const tenant = tenantId(r.tenant ?? owner.tenant ?? DEFAULT_TENANT);
  const metric: Metric = { name, value, namespace, scope, tenant, ts: parseTs(r.ts), props: normalizeProps(r.props) };
  const unit = asString(r.unit, "unit");
  if (unit !== undefined) metric.unit = unit;
  const traceparent = asString(r.traceparent, "traceparent");
  if (traceparent !== undefined) metric.traceparent = traceparent;
  if (r.via !== undefined && r.via !== null) {
    if (typeof r.via !== "object" || Array.isArray(r.via)) throw new Error("via must be an object {scope?, tenant?}");
    const via = r.via as Record<string, unknown>;
    metric.via = { scope: scopeName(via.scope ?? scope, "via.scope"), tenant: tenantId(via.tenant ?? tenant, "via.tenant") };
  }
  return metric;
}

/**
 * Why an input metric is refused before anything keeps it (its name, namespace or unit is longer than the
 * records allow, or its namespace could never be subscribed to), or undefined. Applied to input lines, not to
 * snapshots the application wrote itself.
 */
export function inputProblem(m: Metric): string | undefined {
  if (m.name.length > MAX_NAME_LENGTH) return `name is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAMESPACE_PATTERN.test(m.namespace))
    return `namespace must be 1 to ${INPUT_SANITIZATION_NAMESPACE_LENGTH} letters, digits, "_", ".", ":" or "-"`;
  if (m.unit !== undefined && m.unit.length > MAX_UNIT_LENGTH) return `unit is longer than ${MAX_UNIT_LENGTH} characters`;
  return undefined;
}

/** Parses JSON lines (blank lines and lines starting with # are skipped); `owner` as in normalizeMetric(). */
export function parseMetricLines(text: string, owner: Partial<Owner> = {}): ParseResult {
  const metrics: Metric[] = [];
  const errors: ParseError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const metric = normalizeMetric(JSON.parse(line), owner);
      const problem = inputProblem(metric);
      if (problem !== undefined) throw new Error(problem);
      metrics.push(metric);
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
