/**
 * A plain walk of a folder: every entry below `root`, repository-relative with forward slashes, in sorted order,
 * links reported as links (never followed). What a caller does with links and which folders it skips is its
 * own policy; the walk only keeps unreadable folders and vanished entries from stopping it.
 */
import { lstatSync, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";

export interface TreeEntry {
  /** Path relative to the root, such as src/app/main.ts. */
  rel: string;
  name: string;
  stat: Stats;
}

/** Entries below `root`; a folder `skip` accepts is neither yielded nor entered. */
export function* walkTree(root: string, skip: (name: string, parent: string) => boolean = () => false, rel = ""): Generator<TreeEntry> {
  let names: string[];
  try {
    names = readdirSync(join(root, rel)).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (skip(name, rel)) continue;
    const child = rel ? `${rel}/${name}` : name;
    let stat: Stats;
    try {
      stat = lstatSync(join(root, child));
    } catch {
      continue;
    }
    yield { rel: child, name, stat };
    if (stat.isDirectory()) yield* walkTree(root, skip, child);
  }
}
