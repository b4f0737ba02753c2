/**
 * What makes an unchanged base cost nothing: the base's whole snapshot, stored in the head's content cache
 * (node_modules/.cache/takeoff/diff-base/) under the base's git tree. The key holds everything else the
 * snapshot depends on: the code that computes it (this module's imports reach the snapshot, verify, check
 * and the schema; the content cache adds the packages they import and the Bun version), the date that
 * `expires` is judged against, and package-lock.json (the base is built with the head's node_modules). A
 * second diff against the same base then makes no worktree and runs no build for it.
 *
 * Proof results are stored too (diff-proofs/), because proving takes a minute: the working tree's results
 * each time a diff runs, and a base's when the diff proved it. Each record of them lists its proof's inputs
 * with their digests, so a later diff reuses, record by record, whatever backs a proof of its base
 * (judgeProofs re-hashes the listed files in the base's tree).
 */
import { join } from "node:path";
import { hashContent, isRecord, openCache } from "../core/cache/content-cache.ts";
import { readIfExists } from "../core/fs/write-atomic.ts";
import type { ProveResults } from "../core/model/proof.ts";
import { SnapshotSchema, type Snapshot } from "./snapshot.ts";

const CODE = [new URL("./snapshot.ts", import.meta.url), import.meta.url];

interface StoredBase {
  snapshot: Snapshot;
}

/** The outline of prove results; the rest is checked by readProveResults when they are used. */
function isStoredProofs(v: unknown): v is ProveResults {
  return isRecord(v) && typeof v.version === "number" && isRecord(v.inputs) && typeof v.generatedAt === "string" && typeof v.bunVersion === "string" &&
    Array.isArray(v.records) && v.records.every((r) => isRecord(r) && typeof r.kind === "string" && typeof r.name === "string");
}

export class BaseCache {
  private readonly snapshots;
  private readonly proofs;
  private readonly lock: string;

  constructor(private readonly root: string) {
    this.snapshots = openCache<StoredBase>(root, {
      name: "diff-base",
      code: CODE,
      validate: (v) => {
        if (!isRecord(v)) return undefined;
        const parsed = SnapshotSchema.safeParse(v.snapshot);
        return parsed.success ? { snapshot: parsed.data } : undefined;
      },
    });
    // Shape only: a stored result is written into the base's tree and read back by readProveResults, which validates it whole.
    this.proofs = openCache<ProveResults>(root, {
      name: "diff-proofs",
      code: [import.meta.url],
      validate: (v) => (isStoredProofs(v) ? v : undefined),
    });
    this.lock = hashContent(readIfExists(join(root, "package-lock.json")) ?? "");
  }

  private key(tree: string, today: string): string {
    return this.snapshots.key(tree, today, this.lock);
  }

  /** The base snapshot of `tree`, if an earlier diff stored one under the same code, date and packages. */
  snapshot(tree: string, today: string): Snapshot | undefined {
    return this.snapshots.get(tree, this.key(tree, today))?.snapshot;
  }

  saveSnapshot(tree: string, today: string, snapshot: Snapshot): void {
    this.snapshots.set(tree, this.key(tree, today), { snapshot });
  }

  /** Stored results of `npm run prove`: the working tree's last ("head"), or a base's by its git tree. */
  proofsFor(slot: string): ProveResults | undefined {
    return this.proofs.get(slot, this.proofs.key(slot));
  }

  saveProofs(slot: string, results: ProveResults): void {
    this.proofs.set(slot, this.proofs.key(slot), results);
  }
}
