/**
 * Synthetic records for the benchmarks: this repository's data/ plus generated flags, so a build or check
 * can be measured at a scale the real records do not reach. Benchmarks only; tests build their own
 * fixtures (test/helpers).
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { schemaComment } from "../src/core/load/load-records.ts";

const REPO = join(import.meta.dir, "..");

/** Copies data/ to `${dir}/data` and adds `count` synthetic flags. Returns the data folder. */
export function dataWithSyntheticFlags(dir: string, count: number): string {
  const dataDir = join(dir, "data");
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(join(REPO, "data"), dataDir, { recursive: true });
  addSyntheticFlags(dataDir, count);
  return dataDir;
}

/** Adds `count` synthetic flags in data/features/synthetic-*.yaml (500 per file, under the 1 MB limit). */
export function addSyntheticFlags(dataDir: string, count: number): void {
  const scopes = ["all", "[Enterprise, Internal]", "[Development, Internal]", "[Internal]"];
  const tiers = ["Free", "Pro", "Enterprise", "Internal"];
  const statuses = ["Planned", "In Progress", "Beta", "Done"];
  const domains = ["Platform", "Ingestion", "Aggregation", "Streaming", "Export", "Storage"];
  const perFile = 500;
  for (let file = 0; file * perFile < count; file++) {
    const lines: string[] = [];
    for (let i = file * perFile; i < Math.min(count, (file + 1) * perFile); i++) {
      const scope = scopes[i % scopes.length]!;
      const tier = scope === "all" ? "Free" : scope.includes("Enterprise") ? "Enterprise" : tiers[3]!;
      lines.push(`- name: SYNTHETIC_${String(i).padStart(4, "0")}
  type: Experiment
  category: Performance
  domain: ${domains[i % domains.length]}
  scope: ${scope}
  tier: ${tier}
  impact: Low
  status: ${statuses[i % statuses.length]}
  approval: Pending
  description: "Synthetic flag number ${i} for the 1,000-flag build benchmark; it guards no code."
  owner: Platform Lead
  introduced: "2026-01-01"
`);
    }
    const rel = `data/features/synthetic-${file}.yaml`;
    mkdirSync(join(dataDir, "features"), { recursive: true });
    writeFileSync(join(dataDir, "features", `synthetic-${file}.yaml`), `${schemaComment("features", rel)}\n${lines.join("\n")}`);
  }
}
