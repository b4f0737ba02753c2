/**
 * What makes an unchanged base cost nothing: its whole snapshot in the head's store under the base's git
 * tree, the date `expires` is judged against and package-lock.json (the base is built with the head's
 * node_modules); the code is in every key. A second diff against the same base then makes no worktree and
 * runs no build for it. Prove results are kept too (proving takes a minute): the working tree's each time a
 * diff runs, a base's when the diff proved it; a later diff reuses, record by record, whatever backs a
 * proof of its base (judgeProofs re-hashes the inputs each record lists, in the base's tree).
 */
import { fileDigest, isRecord, openStore } from "../core/cache/store.ts";
import type { ProveResults } from "../core/model/proof.ts";
import { SnapshotSchema, type Snapshot } from "./snapshot.ts";

/** The outline of prove results; the rest is checked by readProveResults when they are used. */
function isStoredProofs(v: unknown): v is ProveResults {
  return (
    isRecord(v) &&
    typeof v.version === "number" &&
    isRecord(v.inputs) &&
    typeof v.generatedAt === "string" &&
    typeof v.bunVersion === "string" &&
    Array.isArray(v.records) &&
    v.records.every((r) => isRecord(r) && typeof r.kind === "string" && typeof r.name === "string")
  );
}

export class BaseCache {
  private readonly store;
  private readonly lock: string;

  constructor(root: string) {
    this.store = openStore(root);
    this.lock = fileDigest(root, "package-lock.json") ?? "";
  }

  /** The base snapshot of `tree`, if an earlier diff stored one under the same code, date and packages. */
  snapshot = (tree: string, today: string): Snapshot | undefined =>
    this.store.get(`diff-base:${tree}`, this.store.key(tree, today, this.lock), (v) =>
      isRecord(v) ? SnapshotSchema.parse(v.snapshot) : undefined,
    );
  saveSnapshot = (tree: string, today: string, snapshot: Snapshot) =>
    this.store.set(`diff-base:${tree}`, this.store.key(tree, today, this.lock), { snapshot });

  /** Stored results of `npm run prove`: the working tree's last ("head"), or a base's by its git tree (in shape only: readProveResults validates them whole). */
  proofsFor = (slot: string): ProveResults | undefined =>
    this.store.get(`diff-proofs:${slot}`, this.store.key(slot), (v) => (isStoredProofs(v) ? v : undefined));
  saveProofs = (slot: string, results: ProveResults) => this.store.set(`diff-proofs:${slot}`, this.store.key(slot), results);
}
