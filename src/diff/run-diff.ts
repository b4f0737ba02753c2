/**
 * `npm run diff` as a function: the head (the working tree at `root`) against a base commit. The head's
 * snapshot is taken first, so its content caches are fresh when the base reads them; the base comes from
 * the snapshot cache when its git tree was measured before under the same code, else from a temporary
 * worktree (worktree.ts) measured by this same code. Then one pure comparison (compare.ts).
 */
import { realpathSync } from "node:fs";
import type { ProveResults } from "../core/model/proof.ts";
import { BaseCache } from "./base-cache.ts";
import { compareSnapshots, type DiffReport } from "./compare.ts";
import { topLevel } from "../core/git.ts";
import { defaultBase, refProblem, resolveCommit, shortSha, treeOf } from "./git.ts";
import { candidatesFingerprint, takeSnapshot, type Snapshot } from "./snapshot.ts";
import { withWorktree } from "./worktree.ts";
import { findMacroImports } from "../verify/macro-imports.ts";
import { formatHeadline } from "../core/report/diagnostics.ts";
import { todayUtc } from "../core/time/dates.ts";

export interface DiffOptions {
  /** A git ref; default: the merge base of HEAD with the default branch. */
  base?: string;
  /** YYYY-MM-DD that `expires` is judged against, on both sides (default: today, UTC). */
  today?: string;
  /** Run the proofs (bun test, about a minute each) for a side whose results are not fresh. */
  prove: boolean;
  /** Size changes below this many bytes are summarised, not listed (default DEFAULT_MIN_CHANGE). */
  minChange?: number;
  /** Use the content caches and the base snapshot cache (default true; false measures both sides afresh). */
  cache: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Progress, one line each, for stderr. */
  onProgress?: (message: string) => void;
}

export type DiffOutcome = { report: DiffReport } | { usage: string } | { error: string };

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

export async function runDiff(root: string, options: DiffOptions): Promise<DiffOutcome> {
  const progress = options.onProgress ?? (() => {});
  const top = topLevel(root);
  if (!top) return { usage: "npm run diff compares git commits: run it inside a git repository" };
  if (real(top) !== real(root)) return { usage: `run npm run diff from the repository root (${top})` };

  let base: { ref: string; commit: string };
  if (options.base !== undefined) {
    const problem = refProblem(options.base);
    if (problem) return { usage: problem };
    const commit = resolveCommit(root, options.base);
    if (!commit) return { usage: `--base ${JSON.stringify(options.base)} names no commit of this repository` };
    base = { ref: options.base, commit };
  } else {
    const found = defaultBase(root);
    if ("problem" in found) return { usage: found.problem };
    base = found;
  }
  const tree = treeOf(root, base.commit);
  if (!tree) return { error: `cannot read the tree of ${shortSha(base.commit)}` };
  const headCommit = resolveCommit(root, "HEAD");
  const today = options.today ?? todayUtc();
  const cache = options.cache ? new BaseCache(root) : undefined;
  const notes: string[] = [];
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(2);

  progress("diff: measuring the head (working tree)");
  const head = await takeSnapshot(root, { today, cache: options.cache, prove: options.prove, env: options.env });
  if (head.proofs) cache?.saveProofs("head", head.proofs);
  progress(
    `diff: head measured: ${head.snapshot.builds} builds, ${head.snapshot.cachedFlagSets} toggle sizes from the content cache (${seconds()} s)`,
  );

  // Results whose records may back the base's proofs, record by record (identical inputs of that proof):
  // the head's own, the last head's stored, and the base's own from an earlier --prove.
  const storedProofs = [head.proofs, cache?.proofsFor("head"), cache?.proofsFor(tree)].filter((r): r is ProveResults => r !== undefined);

  let baseSnapshot: Snapshot | undefined = cache?.snapshot(tree, today);
  // A stored base is taken again when other results could back its proofs now, or proofs are asked for.
  if (
    baseSnapshot &&
    baseSnapshot.proofs.stale + (baseSnapshot.proofs.source === "none" ? 1 : 0) > 0 &&
    (options.prove || baseSnapshot.proofs.fingerprint !== candidatesFingerprint(storedProofs))
  )
    baseSnapshot = undefined;
  if (baseSnapshot) {
    notes.push(`Base snapshot reused from the cache (git tree ${shortSha(tree)}): nothing was rebuilt for the base.`);
    progress("diff: base taken from the snapshot cache");
  } else {
    progress(`diff: measuring the base ${shortSha(base.commit)} in a temporary worktree`);
    try {
      const taken = await withWorktree(root, base.commit, async ({ dir }) => {
        // Nothing of the base may run here: a macro import would run inside this process as the base builds (or its tests, with --prove).
        const macros = await findMacroImports(dir, { cache: options.cache });
        if (macros.diagnostics.length)
          throw new Error(
            `it imports a Bun macro, so nothing of it is built or run:\n${macros.diagnostics.map((d) => `  ${formatHeadline(d)}`).join("\n")}`,
          );
        return takeSnapshot(dir, {
          today,
          cache: options.cache,
          prove: options.prove,
          env: options.env,
          storedProofs,
          materializeProofs: true,
        });
      });
      baseSnapshot = taken.snapshot;
      if (taken.snapshot.proofs.source === "proved" && taken.proofs) cache?.saveProofs(tree, taken.proofs);
      cache?.saveSnapshot(tree, today, baseSnapshot);
    } catch (e) {
      return { error: `the base ${shortSha(base.commit)} could not be measured: ${(e as Error).message}` };
    }
    progress(
      `diff: base measured: ${baseSnapshot.builds} builds, ${baseSnapshot.cachedFlagSets} toggle sizes from the content cache (${seconds()} s)`,
    );
  }

  notes.push(...proofNotes("base", baseSnapshot), ...proofNotes("head", head.snapshot));
  const report = compareSnapshots(
    baseSnapshot,
    head.snapshot,
    {
      base: { ref: base.ref, commit: base.commit },
      head: { ref: "working tree", commit: headCommit },
      notes,
    },
    { ...(options.minChange !== undefined ? { minChange: options.minChange } : {}) },
  );
  return { report };
}

/** What the evidence from tests rests on, per side: said in the report whenever a claim rests on tests. */
function proofNotes(side: "base" | "head", s: Snapshot): string[] {
  const tested = s.claims.some(
    (c) =>
      c.evidence &&
      (c.evidence.state === "unknown" || s.proofs.source !== "none") &&
      /tests? (passed|failed)|prove|proof/.test(c.evidence.reason),
  );
  if (!tested && !s.claims.some((c) => c.evidence?.state === "unknown")) return [];
  const stale = s.proofs.stale
    ? [
        `${s.proofs.stale} of the ${side}'s proofs have no results for their current inputs: shown as not proven (run npm run prove${side === "base" ? ", or diff --prove" : ""}).`,
      ]
    : [];
  if (stale.length && s.proofs.source !== "none") return [...proofNotes(side, { ...s, proofs: { ...s.proofs, stale: 0 } }), ...stale];
  switch (s.proofs.source) {
    case "fresh":
      return [`Proofs of the ${side}: results of npm run prove computed from its current inputs.`];
    case "reused":
      return [
        `Proofs of the ${side}: results of npm run prove whose inputs (each proof's tests and all they load, the app, data, lockfile) are identical, reused, not run again.`,
      ];
    case "proved":
      return [`Proofs of the ${side}: run now (bun test).`];
    case "none":
      return [
        side === "base"
          ? "Proofs of the base were not run: evidence from tests is shown as not proven in base (run with --prove)."
          : "Proofs of the head have no fresh results: evidence from tests is shown as not proven in head (run npm run prove, or diff --prove).",
      ];
  }
}
