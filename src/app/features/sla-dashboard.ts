/**
 * SLA_DASHBOARD: SLA report per namespace: availability (non-5xx requests) and latency SLO
 * attainment (share of latency samples under the threshold), rendered as text.
 * Loaded with a dynamic import() inside its feature branch.
 */
import { bar } from "../core/format.ts";
import type { Metric } from "../core/types.ts";

export interface SloSpec {
  requestMetric: string;
  latencyMetric: string;
  availabilityTarget: number;
  latencyThresholdMs: number;
  latencyTarget: number;
}

export interface SlaRow {
  namespace: string;
  requests: number;
  failures: number;
  availability: number | null;
  latencySamples: number;
  withinThreshold: number;
  attainment: number | null;
  availabilityMet: boolean | null;
  latencyMet: boolean | null;
}

export function defaultSlo(): SloSpec {
  return {
    requestMetric: "http.requests",
    latencyMetric: "http.latency",
    availabilityTarget: 0.99,
    latencyThresholdMs: 300,
    latencyTarget: 0.95,
  };
}

export function isFailure(m: Metric): boolean {
  const status = Number(m.props.status);
  return (Number.isFinite(status) && status >= 500) || m.props.ok === "false";
}

export function computeSla(samples: readonly Metric[], spec: SloSpec = defaultSlo()): SlaRow[] {
  const by = new Map<string, { requests: number; failures: number; lat: number; within: number }>();
  for (const m of samples) {
    if (m.name !== spec.requestMetric && m.name !== spec.latencyMetric) continue;
    const e = by.get(m.namespace) ?? { requests: 0, failures: 0, lat: 0, within: 0 };
    if (m.name === spec.requestMetric) {
      e.requests += m.value;
      if (isFailure(m)) e.failures += m.value;
    } else {
      e.lat++;
      if (m.value <= spec.latencyThresholdMs) e.within++;
    }
    by.set(m.namespace, e);
  }
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([namespace, e]) => {
      const availability = e.requests ? (e.requests - e.failures) / e.requests : null;
      const attainment = e.lat ? e.within / e.lat : null;
      return {
        namespace,
        requests: e.requests,
        failures: e.failures,
        availability,
        latencySamples: e.lat,
        withinThreshold: e.within,
        attainment,
        availabilityMet: availability === null ? null : availability >= spec.availabilityTarget,
        latencyMet: attainment === null ? null : attainment >= spec.latencyTarget,
      };
    });
}

function pct(x: number | null): string {
  return x === null ? "   n/a" : `${(x * 100).toFixed(2).padStart(6)}%`;
}

function verdict(met: boolean | null): string {
  return met === null ? "-" : met ? "MET" : "BREACHED";
}

export function renderSlaReport(rows: readonly SlaRow[], spec: SloSpec = defaultSlo()): string {
  const lines = [
    `SLA dashboard: availability target ${(spec.availabilityTarget * 100).toFixed(2)}%, latency target ${(spec.latencyTarget * 100).toFixed(0)}% <= ${spec.latencyThresholdMs}ms`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.namespace.padEnd(8)} availability ${pct(r.availability)} ${bar(r.availability ?? 0)} ${verdict(r.availabilityMet)} (${r.requests - r.failures}/${r.requests})`,
      `${"".padEnd(8)} latency SLO  ${pct(r.attainment)} ${bar(r.attainment ?? 0)} ${verdict(r.latencyMet)} (${r.withinThreshold}/${r.latencySamples})`,
    );
  }
  if (rows.length === 0) lines.push("no request or latency samples");
  return lines.join("\n");
}
