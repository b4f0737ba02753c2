import { SAMPLE_BASE_TS } from "../../src/app/core/sample-data.ts";
import type { Metric } from "../../src/app/core/types.ts";

export function metric(over: Partial<Metric> = {}): Metric {
  return { name: "http.latency", value: 100, namespace: "api", scope: "Public", tenant: "acme", ts: SAMPLE_BASE_TS, props: {}, ...over };
}
