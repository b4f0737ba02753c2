/**
 * The report up to the exports: the header, the aggregates and recent samples, then each flag's analysis
 * section in a fixed order (the pipeline stages' own sections among them, where compose/pipeline.ts added them).
 */
import { feature } from "bun:bundle";
import { groupSeries, seriesKey } from "../core/aggregate.ts";
import { fmtNum, isoDate, section, table } from "../core/format.ts";
import { errorMessage } from "../core/tracker.ts";
import { ownerLabel, type AggregateRow, type Owner } from "../core/types.ts";
import { enabledFeatures } from "../../generated/features.ts";
import { SCOPE_NAMES } from "../../generated/limits.ts";
import { AlertEngine, defaultAlertRules, parseAlertRule } from "../features/alerting.ts";
import { detectAll } from "../features/anomaly-detection.ts";
import { aggregateByTenant } from "../features/enterprise.ts";
import type { Reported } from "./run.ts";

function rowCells(r: AggregateRow): string[] {
  const s = r.stats;
  const base = [r.key, String(s.count), fmtNum(s.sum), fmtNum(s.min), fmtNum(s.max), fmtNum(s.mean)];
  return feature("HISTOGRAMS") ? [...base, fmtNum(s.p50 ?? 0), fmtNum(s.p95 ?? 0), fmtNum(s.p99 ?? 0)] : base;
}

/** Header, ingest counts, aggregates and the last samples with properties. */
export function reportData(run: Reported): void {
  const { out, tracker, loaded, rows, visible } = run;
  const enabled = enabledFeatures();
  out("MasterPerfTracker report");
  out(`features: ${enabled.length ? enabled.join(",") : "none"}`);
  out(`source: ${loaded.source}`);
  out(`clock: ${isoDate(run.now)}`);
  const drops = tracker.stageCounters().flatMap((c) => Object.entries(c.drops).map(([reason, n]) => `${c.stage}/${reason}=${n}`));
  const droppedCount = tracker.stageCounters().reduce((a, c) => a + Object.values(c.drops).reduce((x, y) => x + y, 0), 0);
  out(`ingest: ${loaded.metrics.length} in, ${tracker.samples().length} stored, ${droppedCount} dropped, ${run.rejected.length} rejected`);
  if (drops.length) out(`dropped: ${drops.join(", ")}`);
  for (const e of loaded.errors) out(`input error: line ${e.line}: ${e.error}`);

  out(section("aggregates"));
  const headers = ["key", "count", "sum", "min", "max", "mean"];
  for (const line of table(feature("HISTOGRAMS") ? [...headers, "p50", "p95", "p99"] : headers, rows.map(rowCells))) out(line);

  out(section("samples with properties (last 5)"));
  for (const m of visible.filter((s) => Object.keys(s.props).length > 0).slice(-5)) {
    const trace = feature("TRACE_CONTEXT") && m.trace ? ` trace=${m.trace.traceId.slice(0, 8)}` : "";
    out(`${feature("ENTERPRISE") ? seriesKey(m) : `${m.namespace}/${m.name}`} ${fmtNum(m.value)} ${JSON.stringify(m.props)}${trace}`);
  }
}

/** The analysis sections: tenants, isolation, the pipeline stages', anomalies, alerts, SLAs. */
export async function reportAnalysis(run: Reported): Promise<void> {
  const { out, visible } = run;
  if (feature("ENTERPRISE")) {
    out(section("tenants"));
    const tenants = aggregateByTenant(visible);
    for (const line of table(
      ["scope", "tenant", "samples", "series", "namespaces", "mean ms"],
      tenants.map((t) => [
        t.scope,
        t.tenant,
        String(t.samples),
        String(t.series),
        t.namespaces.join(","),
        t.meanLatencyMs === null ? "-" : fmtNum(t.meanLatencyMs),
      ]),
    ))
      out(line);
  }
  if (feature("SCOPE_ISOLATION")) {
    reportIsolation(run);
  }
  for (const write of run.sections.pipeline) write(run);
  if (feature("ANOMALY_DETECTION")) {
    out(section("anomalies"));
    const series = run.hooks.series ? run.hooks.series() : groupSeries(visible, run.tracker.grouping);
    const anomalies = run.inst.run("anomaly", () => detectAll(series));
    if (anomalies.length === 0) out("none");
    for (const a of anomalies)
      out(
        `${a.key} at ${isoDate(a.ts)}: value ${fmtNum(a.value)} z=${Number.isFinite(a.z) ? a.z.toFixed(2) : "inf"} (mean ${fmtNum(a.mean)}, std ${fmtNum(a.std)})`,
      );
  }
  if (feature("ALERTING")) {
    out(section("alerts"));
    const rules = run.opts.alerts.length ? run.opts.alerts.map(parseAlertRule) : defaultAlertRules();
    const engine = new AlertEngine(rules);
    run.inst.run("alerting", () => {
      for (const m of [...visible].sort((a, b) => a.ts - b.ts)) engine.evaluate(m);
    });
    out(`rules: ${rules.map((r) => `${r.name}(${r.metric}${r.op}${r.threshold} for ${r.forMs / 1000}s)`).join(", ")}`);
    for (const e of engine.events) out(`${isoDate(e.ts)} ${e.state.toUpperCase()} ${e.rule} ${e.series} value=${fmtNum(e.value)}`);
    out(`firing now: ${engine.firing().join("; ") || "none"}`);
  }
  if (feature("SLA_DASHBOARD")) {
    const { computeSla, renderSlaReport } = await import("../features/sla-dashboard.ts");
    out(section("sla dashboard"));
    for (const line of renderSlaReport(computeSla(visible)).split("\n")) out(line);
  }
}

/** SCOPE_ISOLATION: the caller, the records refused, and reads of another scope or tenant tried on its behalf. */
function reportIsolation({ out, caller, rejected, tracker }: Reported): void {
  out(section("scope isolation"));
  out(`caller: ${caller ? ownerLabel(caller) : "per metric (via, or its own scope and tenant)"}`);
  out(`rejected records: ${rejected.length}`);
  for (const r of rejected.slice(0, 5)) out(`  ${r}`);
  if (caller !== undefined) {
    // Probes: the same tenant in another scope, and another tenant in the same scope.
    const probes: Owner[] = [
      { scope: SCOPE_NAMES.find((s) => s !== caller.scope) ?? caller.scope, tenant: caller.tenant },
      { scope: caller.scope, tenant: caller.tenant === "other" ? "another" : "other" },
    ];
    for (const other of probes) {
      try {
        tracker.read(other, caller);
        out(`read ${ownerLabel(other)} as ${ownerLabel(caller)}: allowed`);
      } catch (error) {
        out(`read ${ownerLabel(other)} as ${ownerLabel(caller)}: denied (${errorMessage(error)})`);
      }
    }
  }
}
