/**
 * Verify step 1, load: the records through the same loader as `npm run check`, and the Bun version
 * package.json pins (sizes from another runtime are not comparable). Either kind of error stops the run.
 */
import { diagnostic, fileStart, type Diagnostic } from "../../core/report/diagnostics.ts";
import { loadModel } from "../../core/model/model.ts";
import { readInside } from "../../core/fs/safe-fs.ts";
import { parseYamlSource, placeOf } from "../../core/load/yaml-source.ts";
import { PACKAGE_JSON } from "../../core/emit/emit-build-scripts.ts";
import { MAX_FRAME_SOURCE_BYTES, type Found, type Records, type VerifyContext } from "./context.ts";

export function loadRecords(ctx: Pick<VerifyContext, "root">): Records & Found {
  const { model, diagnostics, sources } = loadModel(ctx.root);
  const texts = new Map([...sources].map(([file, src]) => [file, src.text]));
  const variants = model.records.variants;
  const flags = model.records.features;
  return {
    model,
    variants,
    flags,
    flagByName: new Map(flags.map((f) => [f.record.name, f])),
    variantByName: new Map(variants.map((v) => [v.record.name, v])),
    diagnostics: [...pinnedBun(ctx.root, texts), ...diagnostics],
    texts,
  };
}

/** The Bun version package.json pins; sizes from another runtime are not comparable. */
function pinnedBun(root: string, texts: Map<string, string>): Diagnostic[] {
  const read = readInside(root, PACKAGE_JSON, MAX_FRAME_SOURCE_BYTES);
  const text = "refusal" in read ? undefined : read.bytes.toString("utf8");
  if (text === undefined)
    return [
      diagnostic(
        "bun-version",
        fileStart(PACKAGE_JSON),
        "package.json is missing; it must pin the Bun version",
        "run from the repository root",
      ),
    ];
  texts.set(PACKAGE_JSON, text);
  const { source, diagnostics: unreadable } = parseYamlSource(PACKAGE_JSON, text);
  if (unreadable.length)
    return unreadable.map((d) =>
      diagnostic("bun-version", d, `package.json cannot be read, so the pinned Bun is unknown: ${d.message}`, d.hint),
    );
  const pkg = (source.data ?? {}) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
  const section =
    pkg.devDependencies?.bun !== undefined ? "devDependencies" : pkg.dependencies?.bun !== undefined ? "dependencies" : undefined;
  const pin = section ? pkg[section]!.bun : undefined;
  if (pin === Bun.version) return [];
  return [
    diagnostic(
      "bun-version",
      placeOf(source, section ? [section, "bun"] : []),
      pin === undefined
        ? `package.json does not pin Bun; verify runs on ${Bun.version}`
        : `verify runs on Bun ${Bun.version} but package.json pins ${JSON.stringify(pin)}`,
      "run verify with the pinned Bun (node_modules/.bin/bun, via npm run verify) or pin an exact version in devDependencies",
    ),
  ];
}
