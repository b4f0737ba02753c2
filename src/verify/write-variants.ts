/**
 * dist/variants/<name>/: the outputs, the metafile and the flag set they were built with (the metafile
 * does not record flags). A variant's folder is replaced whole: written beside it under a temp name, then
 * swapped in by rename, so a reader never sees half of one build and half of another.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { assertInside } from "../core/fs/safe-fs.ts";
import type { Built } from "./build-variants.ts";
import { VARIANTS_DIR } from "../core/emit/emit-build-scripts.ts";
import type { Sizes } from "./results-file.ts";

export const VARIANT_INFO = "variant.json";

export interface VariantInfo {
  name: string;
  entry: string;
  features: string[];
  bunVersion: string;
  sizes: Sizes;
}

export function writeVariant(root: string, info: VariantInfo, built: Extract<Built, { ok: true }>): string {
  const base = join(root, VARIANTS_DIR);
  const final = join(base, info.name);
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(base, `.${info.name}.${stamp}.tmp`);
  const old = join(base, `.${info.name}.${stamp}.old`);
  // The schema already limits names to [a-z0-9-]; this holds even for a name that slipped past it.
  for (const path of [final, tmp, old]) assertInside(base, path, "variant folder", root);
  try {
    mkdirSync(tmp, { recursive: true });
    for (const o of built.outputs) {
      const path = join(tmp, o.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, o.bytes);
    }
    writeFileSync(join(tmp, "metafile.json"), `${JSON.stringify(built.metafile, null, 2)}\n`);
    writeFileSync(join(tmp, VARIANT_INFO), `${JSON.stringify(info, null, 2)}\n`);
    if (existsSync(final)) renameSync(final, old);
    renameSync(tmp, final);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  return `${VARIANTS_DIR}/${info.name}`;
}

/** Removes folders of variants that no longer exist; only folders verify wrote (they hold variant.json). */
export function pruneVariants(root: string, keep: Set<string>): string[] {
  const dir = join(root, VARIANTS_DIR);
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (keep.has(name) || name.startsWith(".")) continue;
    if (existsSync(join(dir, name, VARIANT_INFO))) {
      assertInside(dir, join(dir, name), "variant folder", root);
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(`${VARIANTS_DIR}/${name}`);
    }
  }
  return removed;
}
