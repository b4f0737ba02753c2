import { ownerLabel, type AggregateRow, type Grouping, type Metric, type Point, type Stats, type StatsExtender } from "./types.ts";

/** count/sum/min/max/mean of `values` (all zero for an empty list). */
export function basicStats(values: readonly number[]): Stats {
  if (values.length === 0) return { count: 0, sum: 0, min: 0, max: 0, mean: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: values.length, sum, min, max, mean: sum / values.length };
}

/** Default grouping: one row per namespace and metric name. */
export const namespaceGrouping: Grouping = {
  id: "namespace/name",
  key: (m) => `${m.namespace}/${m.name}`,
};

/** The full key of a series: `tenant@Scope:namespace/name`, unique across scopes and tenants. */
export function seriesKey(m: Metric): string {
  return `${ownerLabel(m)}:${m.namespace}/${m.name}`;
}

/** Groups samples with `grouping` and computes stats per group; rows sorted by key. */
export function aggregateSamples(
  samples: readonly Metric[],
  grouping: Grouping = namespaceGrouping,
  extend?: StatsExtender,
): AggregateRow[] {
  const groups = new Map<string, { first: Metric; values: number[] }>();
  for (const m of samples) {
    const key = grouping.key(m);
    const g = groups.get(key);
    if (g) g.values.push(m.value);
    else groups.set(key, { first: m, values: [m.value] });
  }
  const rows: AggregateRow[] = [];
  for (const [key, { first, values }] of groups) {
    const stats: Stats = { ...basicStats(values), ...(extend ? extend(values) : {}) };
    const row: AggregateRow = { key, name: first.name, namespace: first.namespace, stats };
    if (grouping.byOwner) {
      row.scope = first.scope;
      row.tenant = first.tenant;
    }
    if (first.unit !== undefined) row.unit = first.unit;
    rows.push(row);
  }
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Samples grouped into time-ordered series, keyed by `grouping`. */
export function groupSeries(samples: readonly Metric[], grouping: Grouping = namespaceGrouping): Map<string, Point[]> {
  const series = new Map<string, Point[]>();
  for (const m of samples) {
    const key = grouping.key(m);
    const list = series.get(key) ?? [];
    list.push({ ts: m.ts, value: m.value });
    series.set(key, list);
  }
  for (const list of series.values()) list.sort((a, b) => a.ts - b.ts);
  return new Map([...series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
