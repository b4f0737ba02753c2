/**
 * `feature("NAME")` calls naming a flag `data/features.yaml` does not declare, found by `npm run check`:
 * the bundler folds an undeclared name to false without a word, and a typo such as `feature("CSV_EXPORT_2")`
 * would otherwise wait for the type checker or verify. The files are those a variant can bundle: every file
 * reachable from a variant's entry through imports (the same union verify analyses). Each file's calls and
 * imports come from the flag-call cache, so after a data-only edit nothing is parsed, and the names are
 * judged against the current records on every run.
 *
 * Every file is read through src/core/fs/safe-fs.ts, so the check's verdict cache counts it as an input and
 * drops a clean verdict when any of them changes.
 */
import { posix } from "node:path";
import { diagnostic, type Diagnostic } from "../report/diagnostics.ts";
import { didYouMean } from "../report/suggest.ts";
import { digestInside, kindInside, readInside } from "../fs/safe-fs.ts";
import type { FlagCallCache } from "../cache/flag-call-cache.ts";
import type { Model } from "../model/model.ts";
import { EXTENSIONS } from "../../verify/places.ts";

/** Source files larger than this are left to the bundler. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * A relative import resolved as verify resolves it (places.ts resolveRelative), through safe-fs. A specifier
 * naming a file already read (`./store.ts`, imported from many files) needs no second look: it is the first
 * candidate, so nothing can shadow it.
 */
function resolveImport(root: string, from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (base.startsWith("../") || base === "..") return undefined;
  if (known.has(base)) return base;
  for (const ext of EXTENSIONS) if (kindInside(root, base + ext) === "file") return base + ext;
  return undefined;
}

export function undeclaredFlagCalls(root: string, model: Model, cache: FlagCallCache): Diagnostic[] {
  const declared = model.records.features.map((f) => f.record.name);
  const known = new Set(declared);
  const out: Diagnostic[] = [];
  const queue = [...new Set(model.records.variants.map((v) => v.record.entry))];
  const reached = new Set<string>();
  /** Paths known to be files in this walk (read, or found by resolving an import). */
  const files = new Set<string>();
  while (queue.length) {
    const path = queue.shift()!;
    if (reached.has(path)) continue;
    reached.add(path);
    // A missing or refused entry is verify's to report (missing-entry); a missing import the bundler's.
    const found = digestInside(root, path, MAX_SOURCE_BYTES);
    if ("refusal" in found) continue;
    const facts = cache(path, found.digest, () => {
      const read = readInside(root, path, MAX_SOURCE_BYTES);
      return "refusal" in read ? undefined : read.bytes.toString("utf8");
    });
    if (!facts) continue;
    files.add(path);
    for (const c of facts.calls) {
      if (known.has(c.flag)) continue;
      out.push(
        diagnostic(
          "undeclared-flag",
          { file: path, line: c.line, col: c.col },
          `flag ${JSON.stringify(c.flag)} is not declared in data/features.yaml; the bundler would fold it to false silently`,
          didYouMean(c.flag, declared) ?? "declare it in data/features.yaml, then run `npm run generate`",
        ),
      );
    }
    for (const spec of facts.imports) {
      const target = resolveImport(root, path, spec, files);
      if (target) files.add(target);
      if (target && !reached.has(target)) queue.push(target);
    }
  }
  return out;
}
