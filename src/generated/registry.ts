// TEMPORARY hand-written registry; replaced by `npm run generate` output.
declare module "bun:bundle" {
  interface Registry {
    features:
      | "DEBUG" | "MOCK_API" | "ENTERPRISE" | "AUDIT_LOG" | "CLOUDWATCH" | "S3_EXPORT" | "RETENTION_POLICY"
      | "SCOPE_ISOLATION" | "INPUT_SANITIZATION" | "RBAC" | "RATE_LIMIT" | "LIVE_STREAM" | "CSV_EXPORT"
      | "PROMETHEUS_EXPORT" | "OTEL_EXPORT" | "HISTOGRAMS" | "SAMPLING" | "BATCHING" | "COMPRESSION"
      | "PII_REDACTION" | "TRACE_CONTEXT" | "V2_SERIALIZER" | "PROFILING" | "TIME_SERIES_STORAGE"
      | "ANOMALY_DETECTION" | "ALERTING" | "SLA_DASHBOARD";
  }
}
export {};
