/**
 * ALERTING: real-time threshold alert rules with a "for" duration, producing
 * pending / firing / resolved events per rule and series.
 */
import { seriesKey } from "../core/aggregate.ts";
import type { Metric } from "../core/types.ts";

export type AlertOp = ">" | ">=" | "<" | "<=";

export interface AlertRule {
  name: string;
  metric: string;
  op: AlertOp;
  threshold: number;
  forMs: number;
  /** Only metrics of this namespace. */
  namespace?: string | undefined;
}

export type AlertState = "pending" | "firing" | "resolved";

export interface AlertEvent {
  rule: string;
  series: string;
  state: AlertState;
  ts: number;
  value: number;
}

export function defaultAlertRules(): AlertRule[] {
  return [
    { name: "latency-high", metric: "http.latency", op: ">", threshold: 500, forMs: 30_000 },
    { name: "queue-backlog", metric: "queue.depth", op: ">=", threshold: 10, forMs: 0 },
  ];
}

function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new Error(`bad duration: ${text}`);
  const n = Number(m[1]);
  return m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : m[2] === "h" ? n * 3_600_000 : n * 1000;
}

/** "name:metric>value[:for]" e.g. "slow:http.latency>=300:1m". */
export function parseAlertRule(spec: string): AlertRule {
  const m = /^([\w.-]+):([\w.:-]+?)(>=|<=|>|<)(-?\d+(?:\.\d+)?)(?::(\w+))?$/.exec(spec);
  if (!m) throw new Error(`bad alert rule: ${spec} (expected NAME:METRIC>VALUE[:FOR])`);
  return { name: m[1]!, metric: m[2]!, op: m[3] as AlertOp, threshold: Number(m[4]), forMs: m[5] ? durationMs(m[5]) : 0 };
}

function breaches(op: AlertOp, value: number, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

export class AlertEngine {
  readonly #state = new Map<string, { since: number; firing: boolean }>();
  readonly events: AlertEvent[] = [];

  constructor(readonly rules: readonly AlertRule[]) {}

  /** Feed samples in time order; returns the events this sample caused. */
  evaluate(m: Metric): AlertEvent[] {
    const emitted: AlertEvent[] = [];
    for (const rule of this.rules) {
      if (rule.metric !== m.name || (rule.namespace !== undefined && rule.namespace !== m.namespace)) continue;
      const series = seriesKey(m);
      const id = `${rule.name}\u0000${series}`;
      const st = this.#state.get(id);
      const emit = (state: AlertState): void => {
        emitted.push({ rule: rule.name, series, state, ts: m.ts, value: m.value });
      };
      if (breaches(rule.op, m.value, rule.threshold)) {
        if (!st) {
          const firing = rule.forMs === 0;
          this.#state.set(id, { since: m.ts, firing });
          emit(firing ? "firing" : "pending");
        } else if (!st.firing && m.ts - st.since >= rule.forMs) {
          st.firing = true;
          emit("firing");
        }
      } else if (st) {
        this.#state.delete(id);
        if (st.firing) emit("resolved");
      }
    }
    this.events.push(...emitted);
    return emitted;
  }

  /** Currently firing rule/series pairs. */
  firing(): string[] {
    return [...this.#state]
      .filter(([, s]) => s.firing)
      .map(([id]) => id.replace("\u0000", " "))
      .sort();
  }
}
