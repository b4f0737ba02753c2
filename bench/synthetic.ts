/**
 * Synthetic records for the benchmarks: this repository's data/ plus generated flags, so a build or check
 * can be measured at a scale the real records do not reach. The benches own it; a test imports it only to
 * hold the same records (the 10,000-flag project must check clean; output at scale), never the other way.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  // They guard no code and name no proof, so none may claim a release (flag-without-proof).
  const statuses = ["Planned", "In Progress"];
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

/** A flag record whose owner does not exist: exactly one error (unknown-reference) each, for output at scale. */
export function wrongOwnerFlag(i: number): string {
  return `
- name: BAD_${String(i).padStart(6, "0")}
  type: Release
  category: Core
  domain: Platform
  scope: [Enterprise]
  tier: Free
  impact: Low
  status: Planned
  approval: Pending
  description: Record ${i} names an owner that does not exist.
  owner: Nobody ${i}
  introduced: "2026-01-01"
`;
}

/** The 10,000-flag set of bench/check.ts and bench/parse.ts: file `f` of SYNTH_ records, 1,000 per file (about 385 KB). */
export function scaleFlagsFile(f: number, perFile = 1000, total = 10_000 - 27): string {
  let text = "# yaml-language-server: $schema=../../src/generated/schema/features.schema.json\n";
  for (let i = f * perFile; i < Math.min((f + 1) * perFile, total); i++) {
    text += `- name: SYNTH_${String(i).padStart(5, "0")}
  type: Release
  category: Performance
  domain: Ingestion
  scope: [Enterprise, Internal]
  tier: Enterprise
  impact: Low
  status: Planned
  approval: Pending
  description: "Synthetic flag ${i}: measures the loader, validator and generators at scale."
  owner: Platform Lead
  introduced: "2026-01-${String((i % 28) + 1).padStart(2, "0")}"
  expires: "2027-06-30"
  modules: [src/app/features/synth-${i}.ts]

`;
  }
  return text;
}

/**
 * A project in `dir` with 10,000 flags: data/ with features.yaml split into data/features/00-real.yaml plus
 * ten files of scaleFlagsFile, and the files records point at (check wants them to exist).
 * Returns the path of one synthetic file, for benches that edit one.
 */
export function tenThousandFlags(dir: string): string {
  cpSync(join(REPO, "data"), join(dir, "data"), { recursive: true });
  rmSync(join(dir, "data/features.yaml"));
  mkdirSync(join(dir, "data/features"));
  writeFileSync(
    join(dir, "data/features/00-real.yaml"),
    readFileSync(join(REPO, "data/features.yaml"), "utf8").replace("=../src/", "=../../src/"),
  );
  for (let f = 0; f < 10; f++) writeFileSync(join(dir, `data/features/${String(f + 1).padStart(2, "0")}-synth.yaml`), scaleFlagsFile(f));
  // check wants what records point at to exist: the tests they name as proof, and a Done component's location.
  for (const name of readdirSync(join(REPO, "data"))) {
    if (!name.endsWith(".yaml")) continue;
    const text = readFileSync(join(REPO, "data", name), "utf8");
    const paths = [...text.matchAll(/\btest\/[\w./-]+\.ts\b/g)].map((m) => m[0]);
    for (const m of text.matchAll(/^\s*location: ([\w./-]+)/gm)) paths.push(m[1]!);
    for (const path of paths) {
      if (!existsSync(join(REPO, path))) continue;
      mkdirSync(join(dir, path, ".."), { recursive: true });
      cpSync(join(REPO, path), join(dir, path), { recursive: true });
    }
  }
  return join(dir, "data/features/05-synth.yaml");
}
