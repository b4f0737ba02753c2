/**
 * Six runnable patterns for compile-time flags with `feature()` from "bun:bundle".
 *
 *   bun run src/examples/registry-features.ts
 *   bun run --feature=DEBUG src/examples/registry-features.ts
 *   bun run --feature=ENTERPRISE --feature=MOCK_API src/examples/registry-features.ts
 *   bun build --feature=ENTERPRISE --minify src/examples/registry-features.ts --outdir dist/enterprise
 *
 * Rules every example follows (the bundler enforces most of them):
 *  - only `import { feature } from "bun:bundle"` (a namespace/default import or a re-export
 *    builds but ships BOTH branches and fails at runtime, because bun:bundle does not exist then);
 *  - the argument is a plain string literal declared in src/generated/registry.ts
 *    (an undeclared name silently folds to false: only the type checker catches typos);
 *  - the call sits directly in an `if` or ternary condition, never in a variable or a return.
 * The branch that is off is removed at build time, together with every module only it uses.
 */
import { feature } from "bun:bundle";
import { aggregateSamples, namespaceGrouping } from "../app/core/aggregate.ts";
import { sampleMetrics } from "../app/core/sample-data.ts";
import type { Grouping, Serializer } from "../app/core/types.ts";
import { aggregateByTenant, tenantGrouping } from "../app/features/enterprise.ts";
import { createLegacySerializer } from "../app/features/legacy-serializer.ts";
import { generateMockMetrics } from "../app/features/mock-api.ts";
import { createV2Serializer } from "../app/features/v2-serializer.ts";
import {
  MESSAGE_RATE_LIMIT_STREAM_MESSAGES,
  PER_TENANT_CONNECTION_LIMIT_CONNECTIONS,
  RETENTION_CLEANUP_RETENTION_WINDOW,
} from "../generated/limits.ts";

const print = (line: string): void => console.log(line);
const metrics = sampleMetrics().slice(0, 12);

// (1) if / else: each arm is kept or removed as a whole.
print("(1) if/else");
if (feature("DEBUG")) {
  // Only debug builds carry the verbose dump.
  const rows = aggregateSamples(metrics);
  print(`    debug logger: verbose, ${rows.length} aggregate rows: ${rows.map((r) => r.key).join(", ")}`);
} else {
  print("    debug logger: quiet");
}

// (2) ternary: picks one implementation; the other expression is dropped.
print("(2) ternary");
const grouping: Grouping = feature("ENTERPRISE") ? tenantGrouping() : namespaceGrouping;
print(`    grouping ${grouping.id}: first key ${grouping.key(metrics[0]!)}`);

// (3) negated legacy path: turning V2_SERIALIZER on REMOVES the legacy serializer from the build.
print("(3) negated legacy path");
let serializer: Serializer;
if (!feature("V2_SERIALIZER")) {
  serializer = createLegacySerializer();
} else {
  serializer = createV2Serializer();
}
print(`    serializer ${serializer.id}: ${serializer.serialize(metrics).length} chars for ${metrics.length} metrics`);

// (4) a flag-owned module loaded with import(): without the flag the module is not even bundled.
print("(4) dynamic import");
if (feature("SLA_DASHBOARD")) {
  const { computeSla, renderSlaReport } = await import("../app/features/sla-dashboard.ts");
  for (const line of renderSlaReport(computeSla(sampleMetrics())).split("\n")) print(`    ${line}`);
} else {
  print("    SLA dashboard: not in this build");
}

// (5) combined flags: both must be on (&& inside the if condition is allowed).
print("(5) combined flags");
if (feature("ENTERPRISE") && feature("MOCK_API")) {
  const mock = generateMockMetrics({ seed: 7, count: 60 });
  for (const t of aggregateByTenant(mock)) print(`    tenant ${t.tenant}: ${t.samples} mock samples in ${t.series} series`);
} else if (feature("MOCK_API")) {
  print(`    mock data without tenants: ${generateMockMetrics({ seed: 7, count: 60 }).length} samples`);
} else {
  print("    ENTERPRISE+MOCK_API demo: not in this build");
}

// (6) per-variant configuration: an object of settings chosen by flags (nested ternaries). The limits are the
// security controls' numbers (data/security.yaml, generated into src/generated/limits.ts): an example never
// types its own, so what it prints is what the records say and the application enforces.
print("(6) per-variant configuration");
const limits = {
  retentionDays: RETENTION_CLEANUP_RETENTION_WINDOW,
  maxConnectionsPerTenant: PER_TENANT_CONNECTION_LIMIT_CONNECTIONS,
  messagesPerMinute: MESSAGE_RATE_LIMIT_STREAM_MESSAGES,
};
const config = feature("ENTERPRISE")
  ? { tier: "enterprise", ...limits, dataSource: "tenant streams" }
  : feature("DEBUG")
    ? { tier: "development", ...limits, dataSource: "local sample" }
    : { tier: "production", ...limits, dataSource: "ingest API" };
const source = feature("MOCK_API") ? "mock generator (seeded)" : config.dataSource;
print(
  `    tier=${config.tier} retention=${config.retentionDays}d connections/tenant=${config.maxConnectionsPerTenant} msgs/min=${config.messagesPerMinute} source=${source}`,
);
