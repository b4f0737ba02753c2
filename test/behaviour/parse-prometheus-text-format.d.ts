/** The shape parse-prometheus-text-format 1.1.1 returns (prom2json's), for the flag proofs; the package ships no types. */
declare module "parse-prometheus-text-format" {
  export interface PromMetric {
    labels?: Record<string, string>;
    value?: string;
    quantiles?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface PromFamily {
    name: string;
    help: string;
    /** Upper case: COUNTER, GAUGE, SUMMARY, HISTOGRAM or UNTYPED. */
    type: string;
    metrics: PromMetric[];
  }
  /** Parses exposition text; throws on a line it cannot read. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
