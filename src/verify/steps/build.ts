/**
 * Verify step 2, build: start every variant build and hand the impact toggles to the measurer. Nothing
 * here needs the TypeScript parser, so the builds run while the next step loads it. Each variant is
 * measured as soon as it is built: brotli starts while the toggles still build.
 */
import { readInside } from "../../core/fs/safe-fs.ts";
import { flagSetKey } from "../build-variants.ts";
import { toggles } from "../flag-impact.ts";
import { diagnostic } from "../../core/report/diagnostics.ts";
import { recordPlace } from "../../core/load/yaml-source.ts";
import { MAX_FRAME_SOURCE_BYTES, type Builds, type Found, type Loaded } from "./context.ts";
import type { VerifyTools } from "./tools.ts";

export function startBuilds(
  ctx: Pick<Loaded, "root" | "impact" | "variants" | "flags" | "model" | "variantByName">,
  tools: Pick<VerifyTools, "builder" | "meter" | "flagSets">,
): Builds & Found {
  const { root, variants, flags, model } = ctx;
  const { builder, meter, flagSets } = tools;
  // A missing entry makes the source graph partial: rules that need all of it (stale flags, owned globs) would only echo it.
  const missingEntries = variants.filter((v) => "refusal" in readInside(root, v.record.entry, MAX_FRAME_SOURCE_BYTES));
  const diagnostics = missingEntries.map((v) =>
    diagnostic(
      "missing-entry",
      recordPlace(v, ["entry"]),
      `entry ${v.record.entry} of variant "${v.record.name}" does not exist`,
      "fix the path; entries are relative to the repository root",
    ),
  );

  const realBuilds = variants.map((v) => builder.build({ entry: v.record.entry, features: v.record.features }));
  const measured = realBuilds.map((p) =>
    p.then(async (b) => (b.ok ? { built: b, sizes: await meter.measure(b.outputs) } : { built: b, sizes: undefined })),
  );
  const toggleList = ctx.impact ? toggles(variants, flags, (f) => model.scopesOf(f)) : [];
  // A toggle that lands on another variant's flag set (prod + MOCK_API = test) reuses that build.
  const variantKeys = new Map(variants.map((v, i) => [`${v.record.entry}|${flagSetKey(v.record.features)}`, i]));
  const jobKeys = new Map<string, number>();
  const jobs: { entry: string; features: string[] }[] = [];
  const toggleSource = toggleList.map((t) => {
    const entry = ctx.variantByName.get(t.variant)!.record.entry;
    const key = `${entry}|${flagSetKey(t.features)}`;
    const same = variantKeys.get(key);
    if (same !== undefined) return { variant: same };
    let job = jobKeys.get(key);
    if (job === undefined) {
      jobKeys.set(key, (job = jobs.length));
      jobs.push({ entry, features: t.features });
    }
    return { job };
  });
  const jobSizes = flagSets.measure(jobs);
  const toggleSizes = toggleSource.map((s) => ("variant" in s ? measured[s.variant!]!.then((m) => m.sizes) : jobSizes[s.job!]!));
  return { missingEntries, measured, toggleList, toggleSizes, diagnostics };
}
