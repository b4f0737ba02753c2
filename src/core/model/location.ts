/**
 * Where a component says it lives, checked: a file or folder of this repository (its real path inside it), or a
 * Bun built-in module. Used by the site's evidence and by check's unproven-claim, so both say the same.
 */
import { existsInside } from "../fs/safe-fs.ts";
import { isRepoPath } from "../schema/kinds.ts";
import { proven, unproven, type Evidence } from "./proof-state.ts";

/** A location backs a component when it is a file or folder of this repository (or a Bun built-in module). */
export function locationEvidence(location: string, root: string): Evidence {
  const path = location.split(/\s+/)[0] ?? "";
  if (path.startsWith("bun:")) return proven(`${path} is a Bun built-in module`);
  if (path && isRepoPath(path, { folder: true }) && existsInside(root, path)) return proven(`${path} exists in this repository`);
  return unproven(`${location} is not in this repository`);
}
