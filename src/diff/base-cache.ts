/**
 * What makes an unchanged base cost nothing: the base's whole snapshot in the head's store under the base's
 * git tree. The key holds everything else the snapshot depends on: the code that computes it (this
 * module's imports reach the snapshot, verify, check and the schema; the store adds the packages they
 * import and the Bun version), the date that `expires` is judged against, and package-lock.json (the base
 * is built with the head's node_modules). A second diff against the same base makes no worktree and runs no
 * build for it.
 *
 * Proof results are stored too, because proving takes a minute: the working tree's results each time a
 * diff runs, and a base's when the diff proved it. Each record of them lists its proof's inputs with their
 * digests, so a later diff reuses, record by record, whatever backs a proof of its base (judgeProofs
 * re-hashes the listed files in the base's tree).
 */
import { fileDigest, isRecord, openStore } from "../core/cache/store.ts";
import type { ProveResults } from "../core/model/proof.ts";
import { SnapshotSchema, type Snapshot } from "./snapshot.ts";

/** The outline of prove results; the rest is checked by readProveResults when they are used. */
function isStoredProofs(v: unknown): v is ProveResults {
  return isRecord(v) && typeof v.version === "number" && isRecord(v.inputs) && typeof v.generatedAt === "string" && typeof v.bunVersion === "string" &&
    Array.isArray(v.records) && v.records.every((r) => isRecord(r) && typeof r.kind === "string" && typeof r.name === "string");
}

export class BaseCache {
  private readonly store;
  private readonly lock: string;

  constructor(root: string) {
    this.store = openStore(root, [import.meta.url]);
    this.lock = fileDigest(root, "package-lock.json") ?? "";
  }

  /** The base snapshot of `tree`, if an earlier diff stored one under the same code, date and packages. */
  snapshot(tree: string, today: string): Snapshot | undefined {
    return this.store.get(`diff-base:${tree}`, this.store.key(tree, today, this.lock), (v) => (isRecord(v) ? SnapshotSchema.parse(v.snapshot) : undefined));
  }

  saveSnapshot(tree: string, today: string, snapshot: Snapshot): void {
    this.store.set(`diff-base:${tree}`, this.store.key(tree, today, this.lock), { snapshot });
  }

  /** Stored results of `npm run prove`: the working tree's last ("head"), or a base's by its git tree. */
  proofsFor(slot: string): ProveResults | undefined {
    // Shape only: a stored result is written into the base's tree and read back by readProveResults, which validates it whole.
    return this.store.get(`diff-proofs:${slot}`, this.store.key("proofs", slot), (v) => (isStoredProofs(v) ? v : undefined));
  }

  saveProofs(slot: string, results: ProveResults): void {
    this.store.set(`diff-proofs:${slot}`, this.store.key("proofs", slot), results);
  }
}
