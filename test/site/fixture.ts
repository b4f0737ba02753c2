/**
 * Fixture data for the site tests: a copy of data/ plus records whose text is hostile (script tags, event
 * handler attributes, quotes, javascript: links), and a verify results file computed for those records so
 * measured sizes and charts render.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel, recordsHash, type Model } from "../../src/core/model/model.ts";
import {
  claimingVariants,
  fingerprintOf,
  proofSpec,
  provedEntries,
  PROVE_RESULTS,
  PROVE_RESULTS_VERSION,
  type ProveResults,
  type RecordProof,
} from "../../src/core/model/proof.ts";
import type { JunitCase } from "../../src/prove/junit.ts";
import { proofInputsNow, summarize } from "../../src/prove/prove.ts";
import { schemaComment } from "../../src/core/load/load-records.ts";
import type { Kind } from "../../src/core/schema/kinds.ts";
import type { VerifyResults } from "../../src/verify/results-file.ts";
import { callSitesOf } from "../../src/verify/call-sites.ts";
import { globFiles } from "../../src/verify/places.ts";
import { loadSourceGraph } from "../../src/verify/source-graph.ts";
import { REPO } from "../helpers/project.ts";

export { REPO };

/** Text that must render inert everywhere. Each payload sets window.__xss if it ever runs. */
export const HOSTILE = {
  teamName: `Eve <img src=x onerror="window.__xss='team'"> "O'Brien"`,
  description:
    `Fixture <script>window.__xss='script'</script> with "double" and 'single' quotes, ` +
    `an <img src=x onerror="window.__xss='img'"> tag, a [bad link](javascript:window.__xss='link') ` +
    `and a [good link](https://example.com/docs) and \`<code>\`.`,
  module: `<svg onload="window.__xss='svg'">`,
  purpose: `Purpose [click](JaVaScRiPt:window.__xss='case') [tab](java\tscript:window.__xss='tab') [data](data:text/html,<script>alert(1)</script>) "quoted" </textarea></script>`,
  // A valid path followed by a hostile note: the note must still render inert.
  location: `src/app/ javascript:window.__xss='location'`,
};

export const FIXTURE_FLAG = "XSS_FIXTURE";
export const FIXTURE_COMPONENT = `Widget "<script>window.__xss='component'</script>"`;

function yamlString(s: string): string {
  return JSON.stringify(s); // JSON strings are valid YAML double-quoted scalars
}

function writeKind(dataDir: string, kind: Kind, name: string, body: string): void {
  const rel = `data/${kind}/${name}`;
  mkdirSync(join(dataDir, kind), { recursive: true });
  writeFileSync(join(dataDir, kind, name), `${schemaComment(kind, rel)}\n${body}`);
}

/** Copies data/ to `${dir}/data` and adds the hostile records. Returns the data folder. */
export function writeFixtureData(dir: string): string {
  const dataDir = join(dir, "data");
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(join(REPO, "data"), dataDir, { recursive: true });
  writeKind(
    dataDir,
    "team",
    "fixture.yaml",
    `- name: ${yamlString(HOSTILE.teamName)}
  type: Team
  domain: Operations
  responsibility: ${yamlString(HOSTILE.description)}
  timeline: Ongoing
  contact: ${yamlString("mailto:eve@example.com")}
`,
  );
  writeKind(
    dataDir,
    "features",
    "fixture.yaml",
    `- name: ${FIXTURE_FLAG}
  type: Experiment
  category: Security
  domain: Platform
  scope: [Internal]
  tier: Internal
  impact: Low
  status: Planned
  approval: Pending
  description: ${yamlString(HOSTILE.description)}
  owner: ${yamlString(HOSTILE.teamName)}
  introduced: "2026-01-01"
  modules: [${yamlString(HOSTILE.module)}]
`,
  );
  writeKind(
    dataDir,
    "components",
    "fixture.yaml",
    `- name: ${yamlString(FIXTURE_COMPONENT)}
  type: Code
  category: Security
  domain: Platform
  scope: all
  status: Planned
  purpose: ${yamlString(HOSTILE.purpose)}
  location: ${yamlString(HOSTILE.location)}
  productionReady: "No"
`,
  );
  return dataDir;
}

/** Writes `${dir}/.cache/verify/results.json` matching the records in dataDir (so the site shows them). */
export function writeFixtureResults(dir: string, dataDir: string): void {
  const { model } = loadModel(join(dataDir, ".."), "data");
  const variants = model.records.variants.map((v, i) => {
    const raw = 20_000 + v.record.features.length * 1_800 + i * 97;
    return {
      name: v.record.name,
      features: v.record.features,
      bytes: { raw, gzip: Math.round(raw * 0.31), brotli: Math.round(raw * 0.27) },
      budget: v.record.budget,
      withinBudget: raw <= v.record.budget,
      proofs: { markers: "pass" as const, ownedModules: "pass" as const, leftovers: "pass" as const },
      problems: [],
    };
  });
  const flags = model.records.features.map((f, i) => {
    const withIt = model.variantsWith(f.record.name).map((v) => v.record.name);
    const gzip = 150 + ((i * 137) % 900);
    return {
      name: f.record.name,
      addOne: model.records.variants
        .filter((v) => !withIt.includes(v.record.name))
        .map((v) => ({ variant: v.record.name, raw: gzip * 3, gzip })),
      leaveOneOut: withIt.map((v) => ({ variant: v, raw: gzip * 3, gzip })),
      dead: withIt.length === 0,
      eliminated: true,
    };
  });
  const results: VerifyResults = {
    generatedAt: "2026-01-31T12:00:00.000Z",
    bunVersion: "1.4.5",
    recordsHash: recordsHash(model),
    ok: variants.every((v) => v.withinBudget),
    variants,
    flags,
    // Real call sites of the repository's sources, found as verify finds them: the site links them to real lines.
    callSites: fixtureCallSites(model.records.variants.map((v) => v.record.entry)),
  };
  mkdirSync(join(dir, ".cache", "verify"), { recursive: true });
  writeFileSync(join(dir, ".cache", "verify", "results.json"), JSON.stringify(results, null, 2));
  writeFixtureProofs(dir, model);
}

/** The control whose fixture proof fails in one variant, and the one left unproven in one variant. */
export const FAILING_CONTROL = { name: "Scope Isolation", variant: "prod" };
export const UNPROVEN_CONTROL = { name: "Input Sanitization", variant: "lite" };

/**
 * `${dir}/.cache/prove/results.json` for the fixture records, fresh for the repository's inputs: every named
 * proof passes in every variant that ships it, but FAILING_CONTROL fails in one variant and UNPROVEN_CONTROL
 * has no test in one, so each state of the control × variant matrix renders.
 */
function writeFixtureProofs(dir: string, model: Model): void {
  // Summarized by the prover's own code from cases shaped as the JUnit report gives them, fresh for the inputs of this moment.
  const entries = provedEntries(model).filter((e) => e.record.proof);
  const { inputs, digests } = proofInputsNow(REPO, model, entries);
  const records: RecordProof[] = entries.map((e) => {
    const variants = claimingVariants(model, e).map((v) => v.record.name);
    const cases: JunitCase[] = (variants.length ? variants : [undefined]).flatMap((variant): JunitCase[] => {
      if (e.record.name === UNPROVEN_CONTROL.name && variant === UNPROVEN_CONTROL.variant) return [];
      const failing = e.record.name === FAILING_CONTROL.name && variant === FAILING_CONTROL.variant;
      const name = variant ? `variant ${variant}: behaves as the record says` : "holds";
      return [{ file: e.record.proof!.tests[0]!, suites: [], name, status: failing ? "failed" : "passed", time: 0.25 }];
    });
    const list = inputs.get(e)!;
    const r = summarize(e, cases, {
      provedAt: "2026-01-31T12:30:00.000Z",
      spec: proofSpec(e),
      inputs: list,
      fingerprint: fingerprintOf(Bun.version, proofSpec(e), list, digests),
    });
    // Every listed fault caught by the record's passing tests, but one of UNPROVEN_CONTROL's left missed.
    const faults = e.record.proof!.faults ?? [];
    if (faults.length) {
      r.faults = faults.map((f, i) =>
        e.record.name === UNPROVEN_CONTROL.name && i === faults.length - 1
          ? {
              id: f.id,
              what: f.what,
              state: "missed",
              failures: [],
              variants: [],
              reason: `${r.passed} of ${r.matched} tests of the proof still pass with it planted`,
              duration: 0.5,
            }
          : { id: f.id, what: f.what, state: "caught", failures: [`${r.cases[0]!.name}`], variants: r.variants.slice(0, 1), duration: 0.5 },
      );
    }
    return r;
  });
  const results: ProveResults = {
    version: PROVE_RESULTS_VERSION,
    generatedAt: "2026-01-31T12:30:00.000Z",
    bunVersion: Bun.version,
    inputs: digests,
    records,
  };
  mkdirSync(join(dir, ".cache", "prove"), { recursive: true });
  writeFileSync(join(dir, PROVE_RESULTS), JSON.stringify(results, null, 2));
}

/** The call sites `npm run verify` records for the repository's sources (variant entries plus the examples). */
export function fixtureCallSites(entries: string[]): NonNullable<VerifyResults["callSites"]> {
  return callSitesOf(loadSourceGraph(REPO, [...new Set(entries)], globFiles(REPO, ["src/examples/**/*.ts"])));
}
