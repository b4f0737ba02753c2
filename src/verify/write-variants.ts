/**
 * dist/variants/<name>/: the outputs, the metafile and the flag set they were built with (the metafile
 * does not record flags). A variant's folder is replaced whole through the one publish primitive
 * (src/core/fs/publish-dir.ts): written into a stage folder beside it, then swapped in, so a reader never
 * sees half of one build and half of another, and what a killed verify left is recovered by the next write.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { assertInside } from "../core/fs/safe-fs.ts";
import { type DirSlot, discardStage, prepareStage, publishDir, type PublishHooks, recoverDir } from "../core/fs/publish-dir.ts";
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

/** A variant's folder and its stage folders, all in dist/variants/. */
export function variantSlot(root: string, name: string): DirSlot {
  const base = join(root, VARIANTS_DIR);
  return { target: join(base, name), targetBase: base, stageBase: base, key: name, root };
}

/** A variant folder is complete once it holds variant.json, which is written last. */
function complete(dir: string): boolean {
  try {
    return lstatSync(join(dir, VARIANT_INFO)).isFile();
  } catch {
    return false;
  }
}

/** Puts right what a verify killed while writing `name` left (see recoverDir): a variant set aside comes back. */
export function recoverVariant(root: string, name: string): void {
  recoverDir(variantSlot(root, name), { complete });
}

/** Writes one variant's folder whole; `hooks` are for tests only (they stop or fail the swap at a point). */
export function writeVariant(root: string, info: VariantInfo, built: Extract<Built, { ok: true }>, hooks: PublishHooks = {}): string {
  const slot = variantSlot(root, info.name);
  // The schema already limits names to [a-z0-9-]; this holds even for a name that slipped past it.
  assertInside(slot.targetBase, slot.target, "variant folder", root);
  recoverVariant(root, info.name);
  const stage = prepareStage(slot);
  try {
    for (const o of built.outputs) {
      const path = join(stage, o.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, o.bytes);
    }
    writeFileSync(join(stage, "metafile.json"), `${JSON.stringify(built.metafile, null, 2)}\n`);
    writeFileSync(join(stage, VARIANT_INFO), `${JSON.stringify(info, null, 2)}\n`);
    publishDir(slot, stage, hooks);
  } finally {
    discardStage(slot, stage);
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
