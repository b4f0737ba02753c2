/**
 * The package.json `build:<variant>` scripts: the same build verify does, for a developer to run alone with
 * the plain `bun build` CLI. package.json is merged, never overwritten: only the scripts the variants name
 * are replaced or added, a script that builds into dist/variants/ but names no variant is removed, and every
 * other key and script keeps its value and its place (2-space JSON, trailing newline).
 */
import type { RecordView } from "../model/record-view.ts";

/** A variant as the build files see it: the `build` record view, so the compiler refuses any other field. */
export type BuildVariant = RecordView<"build">["variants"][number];

export const PACKAGE_JSON = "package.json";
export const VARIANTS_DIR = "dist/variants";

/**
 * One shell word: safe characters as they are, anything else single-quoted. The schema already refuses
 * such values; quoting here means a value that slipped past it still cannot become a second command.
 */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** The CLI twin of verify's Bun.build: byte-identical output, and BUN_OPTIONS cleared so it cannot add flags. */
export function buildCommand(v: Pick<BuildVariant, "name" | "entry" | "features">): string {
  const out = `${VARIANTS_DIR}/${v.name}`;
  const words = [
    v.entry,
    "--target=bun",
    "--minify",
    `--outdir=${out}`,
    `--metafile=${out}/metafile.json`,
    ...v.features.map((f) => `--feature=${f}`),
  ];
  return `BUN_OPTIONS= bun build ${words.map(shellWord).join(" ")}`;
}

/** Script name → command, in record order; when two variants name one script, the first keeps it. */
export function buildScripts(view: RecordView<"build">): Map<string, string> {
  const scripts = new Map<string, string>();
  for (const v of view.variants) if (!scripts.has(v.script)) scripts.set(v.script, buildCommand(v));
  return scripts;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * package.json with the build scripts merged in. `current` is the file as it is (undefined: there is none,
 * so one holding only the scripts is made). Returns undefined when `current` is not a JSON object with a
 * `scripts` object (or none): there is nothing to merge into, and the file is left alone.
 */
export function emitPackageJson(view: RecordView<"build">, current: string | undefined): string | undefined {
  let pkg: unknown = {};
  if (current !== undefined) {
    try {
      pkg = JSON.parse(current.replace(/^\uFEFF/, ""));
    } catch {
      return undefined;
    }
  }
  if (!isObject(pkg) || (pkg.scripts !== undefined && !isObject(pkg.scripts))) return undefined;
  const generated = buildScripts(view);
  const scripts: [string, unknown][] = [];
  for (const [name, command] of Object.entries(pkg.scripts ?? {})) {
    if (generated.has(name)) scripts.push([name, generated.get(name)]);
    else if (!(typeof command === "string" && command.includes(`${VARIANTS_DIR}/`))) scripts.push([name, command]);
  }
  const present = new Set(scripts.map(([name]) => name));
  for (const [name, command] of generated) if (!present.has(name)) scripts.push([name, command]);
  // fromEntries defines own keys, so even a "__proto__" script stays a script; an existing key keeps its place.
  pkg.scripts = Object.fromEntries(scripts);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
