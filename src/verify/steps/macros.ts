/**
 * Verify step 1b, before any build: refuse a tree with a Bun macro import (macro-imports.ts). A macro runs
 * while Bun bundles, so the builds of step 2 (and the size helper's) would run the tree's code inside verify.
 */
import type { Found, VerifyContext } from "./context.ts";
import type { VerifyTools } from "./tools.ts";

/** `refused` when the tree imports a macro anywhere: the caller stops before building anything. */
export async function refuseMacroImports(
  ctx: Pick<VerifyContext, "startPhase" | "endPhase">,
  tools: Pick<VerifyTools, "scanMacros">,
): Promise<{ refused: boolean } & Found> {
  ctx.startPhase();
  const scan = await tools.scanMacros();
  ctx.endPhase("macro imports", `${scan.files} script files, ${scan.parsed} parsed`);
  return { refused: scan.diagnostics.length > 0, diagnostics: scan.diagnostics, texts: scan.texts };
}
