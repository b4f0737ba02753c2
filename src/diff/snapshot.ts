/**
 * One side of a diff as plain data: the records, what verify measured and proved (sizes, flag costs, call
 * sites), the claims with their evidence, and every diagnostic of check and verify. Computed by the same
 * functions `npm run check`, `npm run verify` and `npm run prove` run, over a project root: the working
 * tree for the head, a temporary worktree for the base. Plain data so the base's snapshot can be cached by
 * its git tree (base-cache.ts) and compared without either tree at hand (compare.ts).
 *
 * The schema below is the snapshot's one definition: its types are inferred from it, and a cached entry is
 * read back through it, so a stale or forged entry is a miss, never data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hashContent } from "../core/cache/store.ts";
import { matchesAny } from "../verify/owned-modules.ts";
import { z } from "zod";
import { runCheck } from "../core/check.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { proofEvidence, statusEvidence } from "../core/model/evidence.ts";
import { EvidenceSchema } from "../core/model/proof-state.ts";
import type { Model } from "../core/model/model.ts";
import { isProved, judgeProofs, PROVE_RESULTS, type ProveResults } from "../core/model/proof.ts";
import {
  CallSiteSchema,
  FlagResultSchema,
  GuardSchema,
  SizesSchema,
  VariantResultSchema,
  type CallSite as CallSiteFact,
  type VerifyResults,
} from "../verify/results-file.ts";
import type { Entry } from "../core/model/records.ts";
import type { Diagnostic } from "../core/report/diagnostics.ts";
import { KINDS } from "../core/schema/kinds.ts";
import { runVerify } from "../verify/run-verify.ts";

/**
 * A call site as the diff compares it: where it is, the function around it and the guard's condition (the
 * guard's line span moves with any edit above it, so it is left out).
 */
export const CallSite = CallSiteSchema.pick({ file: true, line: true, fn: true }).extend({
  guard: GuardSchema.pick({ kind: true, condition: true }).nullable(),
});

export const SnapshotSchema = z.strictObject({
  records: z.array(z.strictObject({ kind: z.enum(KINDS), name: z.string(), fields: z.record(z.string(), z.unknown()) })),
  /** Verify ran to the end: sizes and flag costs below are measured (false when records or the Bun pin were wrong). */
  verified: z.boolean(),
  variants: z.array(
    VariantResultSchema.pick({ name: true, features: true, budget: true }).extend({
      /** Null when the variant did not build. */
      sizes: SizesSchema.nullable(),
      /** sha256 of the bundle's code: equal hashes are identical bytes, whatever the compressed sizes say. Null when it did not build. */
      sha256: z.string().nullable(),
      /** sha256 of the bundle with the minifier's local names blanked: equal shapes are the same code, renamed. */
      shape: z.string().nullable(),
    }),
  ),
  flags: z.array(
    /** Its leave-one-out bytes (what it adds to each variant that ships it), add-one bytes and whether it is dead, as verify measured them. */
    FlagResultSchema.pick({ name: true, leaveOneOut: true, addOne: true, dead: true }).extend({
      sites: z.array(CallSite),
      /**
       * sha256 of the flag's own code: the statements its call sites guard and the modules it owns or
       * replaces. While it is unchanged, a move in its leave-one-out bytes comes from other code (the
       * minifier renaming around an unrelated change), not from this flag.
       */
      code: z.string(),
    }),
  ),
  claims: z.array(
    z.strictObject({
      kind: z.enum(KINDS),
      name: z.string(),
      status: z.string().optional(),
      approval: z.string().optional(),
      budget: z.int().optional(),
      evidence: EvidenceSchema.optional(),
    }),
  ),
  diagnostics: z.array(
    z.strictObject({
      rule: z.string(),
      severity: z.enum(["error", "warning"]),
      file: z.string(),
      line: z.int(),
      col: z.int(),
      message: z.string(),
    }),
  ),
  proofs: z.strictObject({
    /**
     * fresh: the tree's own results backed every proof; reused: some results came from elsewhere (the working
     * tree's, or stored by an earlier diff) for identical inputs of that proof; proved: run now; none.
     */
    source: z.enum(["fresh", "reused", "proved", "none"]),
    /** sha256 of the results that were there to judge (the candidates' record fingerprints): a stored base is taken again when they change. */
    fingerprint: z.string(),
    /** Proofs no fresh result backed. */
    stale: z.int(),
    generatedAt: z.string().optional(),
  }),
  /** Bun.build calls this snapshot cost, and toggle sizes taken from the content caches instead. */
  builds: z.int(),
  cachedFlagSets: z.int(),
});

export type Snapshot = z.infer<typeof SnapshotSchema>;
export type SnapshotCallSite = z.infer<typeof CallSite>;
type Claim = Snapshot["claims"][number];

export interface SnapshotOptions {
  /** YYYY-MM-DD that `expires` is judged against: the same for both sides. */
  today: string;
  /** Use the store (node_modules/.cache/takeoff/); both sides read it, only the head writes. */
  cache: boolean;
  /** Run the proofs (bun test) when no results match this tree's inputs. */
  prove: boolean;
  /** Results from elsewhere (the working tree's, base-cache.ts): each of their records backs a proof whose inputs are identical here. */
  storedProofs?: readonly ProveResults[];
  /** Write reused results into the tree's .cache/prove/ so check judges claims by them (the base's throwaway tree only). */
  materializeProofs?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  onPhase?: (message: string) => void;
}

export interface TakenSnapshot {
  snapshot: Snapshot;
  /** The results the claims were judged by, to store for later diffs. */
  proofs: ProveResults | undefined;
}

export async function takeSnapshot(root: string, options: SnapshotOptions): Promise<TakenSnapshot> {
  options.onPhase?.("verify");
  const run = await runVerify(root, { today: options.today, write: false, cache: options.cache });
  const model = run.model;
  const { results: proofs, judged, source, stale, fingerprint } = await proofsFor(root, model, options);
  options.onPhase?.("check");
  const check = runCheck(root, { cache: options.cache });

  const diagnostics = new Map<string, Snapshot["diagnostics"][number]>();
  for (const d of [...check.diagnostics, ...run.diagnostics]) {
    // Whether a proof is fresh is shown with its claim's evidence; as a diagnostic it would be news in every
    // diff whose sides hold different results, whatever the change did.
    if (d.rule === "proof-stale") continue;
    const plain = plainDiagnostic(d);
    diagnostics.set(JSON.stringify(plain), plain);
  }
  const sites = run.facts?.callSites.sites ?? [];
  const snapshot: Snapshot = {
    records: allEntries(model).map(recordFact),
    verified: run.variants.length > 0,
    variants: run.variants.map((v) => ({
      name: v.name,
      features: [...v.features],
      budget: v.budget,
      sizes: v.sizes ? { raw: v.sizes.raw, gzip: v.sizes.gzip, brotli: v.sizes.brotli } : null,
      sha256: v.sha256 ?? null,
      shape: v.shape ?? null,
    })),
    flags: run.impacts.map((i) => ({
      name: i.name,
      leaveOneOut: i.leaveOneOut.map((d) => ({ ...d })),
      addOne: i.addOne.map((d) => ({ ...d })),
      dead: i.dead,
      sites: sites
        .filter((s) => s.flag === i.name)
        .map((s) => ({
          file: s.file,
          line: s.line,
          fn: s.fn,
          guard: s.guard ? { kind: s.guard.kind, condition: s.guard.condition } : null,
        })),
      code: flagCode(
        root,
        model.flag(i.name)?.record,
        sites.filter((s) => s.flag === i.name),
        run.facts?.files.map((f) => f.path) ?? [],
      ),
    })),
    claims: claimsOf(root, model, run.results, judged),
    diagnostics: [...diagnostics.values()],
    proofs: { source, fingerprint, stale, ...(proofs ? { generatedAt: proofs.generatedAt } : {}) },
    builds: run.builds,
    cachedFlagSets: run.cached.flagSets,
  };
  return { snapshot: SnapshotSchema.parse(snapshot), proofs };
}

/** sha256 of the results there are to judge a tree by: the record fingerprints of each candidate. */
export function candidatesFingerprint(candidates: readonly ProveResults[]): string {
  const hash = new Bun.CryptoHasher("sha256");
  for (const c of candidates) for (const r of c.records) hash.update(`${r.kind}\0${r.name}\0${r.fingerprint}\n`);
  return hash.digest("hex");
}

interface JudgedProofs {
  /** The fresh results; undefined when none backs any proof. */
  results: ProveResults | undefined;
  /** The results as judged, with why each proof without a fresh result is not backed: what the evidence reads. */
  judged: ProveResults | undefined;
  source: Snapshot["proofs"]["source"];
  /** Proofs no fresh result backs. */
  stale: number;
  fingerprint: string;
}

/**
 * The proof results claims are judged by, record by record (judgeProofs): the tree's own where they back a
 * proof, else a stored result whose inputs are identical here; with --prove, the proofs left are run.
 */
async function proofsFor(root: string, model: Model, options: SnapshotOptions): Promise<JudgedProofs> {
  const candidates = options.storedProofs ?? [];
  const fingerprint = candidatesFingerprint(candidates);
  let judged = judgeProofs(root, root, model, candidates);
  const own = judgeProofs(root, root, model);
  const fromElsewhere = (judged.results?.records.length ?? 0) > (own.results?.records.length ?? 0);
  if (fromElsewhere && options.materializeProofs && judged.results) {
    // Through the results file, so check's proof stage judges the claims by them, and the prover keeps them.
    writeAtomic(join(root, PROVE_RESULTS), `${JSON.stringify({ ...judged.results, stale: undefined }, null, 2)}\n`, root, {
      durable: false,
    });
    judged = judgeProofs(root, root, model);
  }
  let source: Snapshot["proofs"]["source"] = !judged.results?.records.length ? "none" : fromElsewhere ? "reused" : "fresh";
  if (options.prove && (judged.stale.length || !judged.results)) {
    options.onPhase?.("prove (bun test)");
    // Loaded on demand: the prover is needed only with --prove. It runs the tree's own test files, only those not backed yet.
    const { runProve } = await import("../prove/prove.ts");
    const outcome = await runProve(root, { bun: process.execPath, env: options.env });
    if (outcome.results) {
      judged = judgeProofs(root, root, model);
      source = "proved";
    }
  }
  return {
    results: judged.results?.records.length ? judged.results : undefined,
    judged: judged.results,
    source,
    stale: judged.stale.length,
    fingerprint,
  };
}

/**
 * The hash of a flag's own code: the text of each statement its call sites guard (line numbers left out, so
 * an edit above it does not count) and the content of every analysed file its `modules` or `replaces` match.
 */
function flagCode(
  root: string,
  record: { modules?: readonly string[]; replaces?: readonly string[] } | undefined,
  sites: CallSiteFact[],
  files: string[],
): string {
  const texts = new Map<string, string[]>();
  const lines = (file: string) => {
    let l = texts.get(file);
    if (!l) {
      try {
        l = readFileSync(join(root, file), "utf8").split("\n");
      } catch {
        l = [];
      }
      texts.set(file, l);
    }
    return l;
  };
  const parts: string[] = [];
  for (const s of [...sites].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))) {
    const [from, to] = s.guard ? [s.guard.start, s.guard.end] : [s.line, s.line];
    parts.push(
      s.file,
      lines(s.file)
        .slice(from - 1, to)
        .join("\n"),
    );
  }
  for (const file of [...files].sort()) {
    if (matchesAny(file, record?.modules) || matchesAny(file, record?.replaces)) parts.push(file, lines(file).join("\n"));
  }
  return hashContent(...parts);
}

/** Every record, kinds in schema order, each kind in file order. */
function allEntries(model: Model): Entry[] {
  return KINDS.flatMap((kind): Entry[] => model.records[kind]);
}

function plainDiagnostic(d: Diagnostic): Snapshot["diagnostics"][number] {
  return { rule: d.rule, severity: d.severity ?? "error", file: d.file, line: d.line, col: d.col, message: d.message };
}

function recordFact(e: Entry): Snapshot["records"][number] {
  const { name, ...fields } = e.record;
  // A JSON round trip: records are plain YAML data, and the snapshot must hold nothing else.
  return { kind: e.kind, name, fields: JSON.parse(JSON.stringify(fields)) };
}

/**
 * Every record that claims something: its status, approval, a variant's budget, and the evidence behind
 * it. Records that name a proof are judged by their proof's results whatever their status (a failing test
 * matters before Done too); the others by the evidence the site shows for a Done (bundle proofs, a
 * location that exists). Both are the evidence the site shows (core/model/evidence.ts), word for word.
 */
function claimsOf(root: string, model: Model, results: VerifyResults | undefined, proofs: ProveResults | undefined): Claim[] {
  const out: Claim[] = [];
  for (const e of allEntries(model)) {
    const r: Readonly<Record<string, unknown>> = e.record;
    const status = typeof r.status === "string" ? r.status : undefined;
    const approval = typeof r.approval === "string" ? r.approval : undefined;
    const budget = e.kind === "variants" ? e.record.budget : undefined;
    const evidence =
      isProved(e) && e.record.proof ? proofEvidence(e, { model, proofs }) : statusEvidence(e, { root, model, results, proofs });
    if (status === undefined && evidence === undefined) continue;
    out.push({
      kind: e.kind,
      name: e.record.name,
      ...(status ? { status } : {}),
      ...(approval ? { approval } : {}),
      ...(budget !== undefined ? { budget } : {}),
      ...(evidence ? { evidence } : {}),
    });
  }
  return out;
}
