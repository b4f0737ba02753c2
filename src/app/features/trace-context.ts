/**
 * TRACE_CONTEXT: W3C traceparent parsing, validation and propagation on metrics.
 */
import { hexDigest } from "../core/hash.ts";
import type { Metric, Stage, StageOutcome, TraceRef } from "../core/types.ts";

export interface TraceContext {
  version: string;
  traceId: string;
  parentId: string;
  flags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a traceparent header; null when invalid (per spec the header is then ignored). */
export function parseTraceparent(header: string): TraceContext | null {
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return null;
  const [, version = "", traceId = "", parentId = "", flags = "", rest] = m;
  if (version === "ff") return null;
  if (version === "00" && rest !== undefined) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { version: "00", traceId, parentId, flags: parseInt(flags, 16) };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.parentId}-${ctx.flags.toString(16).padStart(2, "0")}`;
}

export function isSampled(ctx: TraceContext): boolean {
  return (ctx.flags & 1) === 1;
}

/** Child context: same trace, new deterministic span id derived from the parent and `salt`. */
export function childContext(ctx: TraceContext, salt: string): TraceContext {
  let spanId = hexDigest(`${ctx.traceId}:${ctx.parentId}:${salt}`, 8);
  if (/^0+$/.test(spanId)) spanId = "0000000000000001";
  return { ...ctx, parentId: spanId };
}

/** Attaches a TraceRef to each metric: its own valid traceparent, else the run context, else none. */
export class TraceContextStage implements Stage {
  readonly name = "trace-context";
  invalid = 0;
  inherited = 0;
  #seq = 0;

  constructor(readonly runContext: TraceContext | null = null) {}

  process(metric: Metric): StageOutcome {
    let parent: TraceContext | null = null;
    if (metric.traceparent !== undefined) {
      parent = parseTraceparent(metric.traceparent);
      if (!parent) this.invalid++;
    }
    if (!parent && this.runContext) {
      parent = this.runContext;
      this.inherited++;
    }
    const { traceparent: _raw, ...rest } = metric;
    if (!parent) return rest;
    const child = childContext(parent, `${metric.namespace}/${metric.name}#${this.#seq++}`);
    const trace: TraceRef = { traceId: parent.traceId, parentId: parent.parentId, spanId: child.parentId, sampled: isSampled(parent) };
    return { ...rest, traceparent: formatTraceparent(child), trace };
  }
}

export interface TraceSummary {
  traceId: string;
  metrics: number;
  namespaces: string[];
}

export function summarizeTraces(samples: readonly Metric[]): TraceSummary[] {
  const by = new Map<string, { metrics: number; namespaces: Set<string> }>();
  for (const m of samples) {
    if (!m.trace) continue;
    const e = by.get(m.trace.traceId) ?? { metrics: 0, namespaces: new Set<string>() };
    e.metrics++;
    e.namespaces.add(m.namespace);
    by.set(m.trace.traceId, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([traceId, e]) => ({ traceId, metrics: e.metrics, namespaces: [...e.namespaces].sort() }));
}
