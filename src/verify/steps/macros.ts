/**
 * Verify step 1b, before any build: refuse a tree with a Bun macro import (macro-imports.ts). A macro runs
 * while Bun bundles, so the builds of step 2 (and the size helper's) would run the tree's code inside verify.
 */
import { findMacroImports } from "../macro-imports.ts";
import type { Loaded } from "./context.ts";

/** True when the tree imports a macro anywhere: the caller stops before building anything. */
export async function refuseMacroImports(ctx: Loaded): Promise<boolean> {
  ctx.startPhase();
  const scan = await findMacroImports(ctx.root, { cache: ctx.cache });
  for (const [file, text] of scan.texts) ctx.texts.set(file, text);
  ctx.diagnostics.push(...scan.diagnostics);
  ctx.endPhase("macro imports", `${scan.files} script files, ${scan.parsed} parsed`);
  return scan.diagnostics.length > 0;
}
