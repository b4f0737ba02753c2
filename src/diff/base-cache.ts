/**
 * What makes an unchanged base cost nothing: the base's whole snapshot, stored in the head's content cache
 * (node_modules/.cache/takeoff/diff-base/) under the base's git tree. The key holds everything else the
 * snapshot depends on: the code that computes it (this module's imports reach the snapshot, verify, check
 * and the schema; the content cache adds the packages they import and the Bun version), the date that
 * `expires` is judged against, and package-lock.json (the base is built with the head's node_modules). A
 * second diff against the same base then makes no worktree and runs no build for it.
 *
 * Proof results are stored too (diff-proofs/, by the fingerprint of every input of the proofs), because
 * proving takes a minute: whenever a diff sees fresh results of `npm run prove` in the head, or proves a
 * side itself, it keeps them, and a later diff whose base has the same inputs reuses them.
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
  return isRecord(v) && typeof v.version === "number" && typeof v.fingerprint === "string" && typeof v.generatedAt === "string" && typeof v.bunVersion === "string" &&
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
      validate: (v, slot) => (isStoredProofs(v) && v.fingerprint === slot ? v : undefined),
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

  /** Stored results of `npm run prove` computed from inputs with this fingerprint. */
  proofsFor(fingerprint: string): ProveResults | undefined {
    return this.proofs.get(fingerprint, this.proofs.key(fingerprint));
  }

  saveProofs(results: ProveResults): void {
    this.proofs.set(results.fingerprint, this.proofs.key(results.fingerprint), results);
  }
}
