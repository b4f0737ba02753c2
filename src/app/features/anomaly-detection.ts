/**
 * ANOMALY_DETECTION: rolling z-score anomaly detection over time series.
 * Each point is compared with the mean and standard deviation of the preceding window.
 */
import type { Point } from "../core/types.ts";

export interface AnomalyOptions {
  threshold: number;
  window: number;
  minPoints: number;
}

export interface Anomaly {
  key: string;
  ts: number;
  value: number;
  mean: number;
  std: number;
  z: number;
}

export function defaultAnomalyOptions(): AnomalyOptions {
  return { threshold: 3, window: 20, minPoints: 5 };
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

export function zScore(value: number, mean: number, std: number): number {
  if (std === 0) return value === mean ? 0 : Math.sign(value - mean) * Infinity;
  return (value - mean) / std;
}

export function detectAnomalies(key: string, points: readonly Point[], options: AnomalyOptions = defaultAnomalyOptions()): Anomaly[] {
  if (!(options.window >= 1 && options.threshold > 0)) throw new RangeError("anomaly detection needs window >= 1 and threshold > 0");
  const out: Anomaly[] = [];
  for (let i = options.minPoints; i < points.length; i++) {
    const window = points.slice(Math.max(0, i - options.window), i).map((p) => p.value);
    const { mean, std } = meanStd(window);
    const p = points[i]!;
    const z = zScore(p.value, mean, std);
    if (Math.abs(z) >= options.threshold) out.push({ key, ts: p.ts, value: p.value, mean, std, z });
  }
  return out;
}

export function detectAll(series: ReadonlyMap<string, readonly Point[]>, options?: AnomalyOptions): Anomaly[] {
  return [...series].flatMap(([key, points]) => detectAnomalies(key, points, options));
}
