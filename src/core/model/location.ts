/**
 * Where a component says it lives, checked: a file or folder of this repository (its real path inside it), or a
 * Bun built-in module. Used by the site's evidence and by check's unproven-claim, so both say the same.
 */
import { existsInside } from "../fs/safe-fs.ts";
import { isRepoPath } from "../schema/kinds.ts";

/** Whether a check backs a claim, and why, in one sentence a reader understands (the site's evidence too). */
export interface Evidence {
  /** True when a check backs the claim. */
  backed: boolean;
  /** What backs it, or why it is not backed. */
  reason: string;
}

/** A location backs a component when it is a file or folder of this repository (or a Bun built-in module). */
export function locationEvidence(location: string, root: string): Evidence {
  const path = location.split(/\s+/)[0] ?? "";
  if (path.startsWith("bun:")) return { backed: true, reason: `${path} is a Bun built-in module` };
  if (path && isRepoPath(path, { folder: true }) && existsInside(root, path)) return { backed: true, reason: `${path} exists in this repository` };
  return { backed: false, reason: `${location} is not in this repository` };
}
