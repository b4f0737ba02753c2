/**
 * The writer's loop runs `bun scripts/check.ts` after every edit, and loading the checker from source is
 * most of its cost: Bun transpiles and links some 300 modules (our TypeScript, zod, yaml, remark) on every
 * start. So a command can load its heavy part from one bundle instead: Bun.build output (CommonJS with
 * bytecode, so Bun neither transpiles nor parses it) under node_modules/.cache/takeoff/bundle/<name>/,
 * beside the code (not the project checked), rebuilt when any of its inputs changes.
 *
 * Freshness: the manifest lists every input of the build (Bun's metafile: our sources and every package
 * file) with its size and modification time, and the Bun version; one stat per input decides. A build is
 * written to a folder of its own and then named by the manifest (written atomically), so a concurrent run
 * never loads half a bundle. CommonJS output keeps each module's own import.meta.url (inlined as the source
 * path), so code fingerprints and paths relative to a module mean the same in the bundle.
 *
 * Any failure (no Bun.build, a build error, an unwritable cache) falls back to loading the sources:
 * slower, never wrong. TAKEOFF_BUNDLE=0 always loads the sources.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_ROOT, CODE_ROOT } from "../core/cache/content-cache.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import type { Io } from "./io.ts";

interface Manifest {
  bun: string;
  entry: string;
  /** Build folder, relative to the bundle's folder. */
  build: string;
  file: string;
  /** [path relative to CODE_ROOT, size, mtimeMs] of every input. */
  inputs: [string, number, number][];
}

/** Where bundle `name` lives. */
export const bundleDir = (name: string) => join(CODE_ROOT, CACHE_ROOT, "bundle", name);

function readManifest(dir: string): Manifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    return typeof m.build === "string" && typeof m.file === "string" && Array.isArray(m.inputs) ? m : undefined;
  } catch {
    return undefined;
  }
}

function unchanged(inputs: Manifest["inputs"]): boolean {
  for (const [rel, size, mtime] of inputs) {
    try {
      const st = statSync(join(CODE_ROOT, rel));
      if (st.size !== size || st.mtimeMs !== mtime) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** A fresh bundle of `entry` (absolute path) in `dir`: its file, or undefined when it is missing or stale. */
export function freshBundle(dir: string, entry: string): string | undefined {
  const m = readManifest(dir);
  if (!m || m.bun !== Bun.version || m.entry !== relative(CODE_ROOT, entry) || !unchanged(m.inputs)) return undefined;
  return join(dir, m.build, m.file);
}

/** Builds `entry` into a new folder of `dir` and names it in the manifest; returns the bundle's file. */
export async function buildBundle(dir: string, entry: string): Promise<string> {
  const started = Date.now();
  const result = await Bun.build({ entrypoints: [entry], target: "bun", format: "cjs", bytecode: true, metafile: true, minify: true });
  if (!result.success || !result.metafile) throw new Error(`bundle ${entry}: ${result.logs.map(String).join("; ")}`);
  const inputs: Manifest["inputs"] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = resolve(input);
    const st = statSync(abs);
    // Edited while the build read it (or too recently to tell by the clock): this build may hold the old
    // text, so it is not recorded as fresh; the caller loads the sources this time.
    if (st.mtimeMs > started - 1000) throw new Error(`bundle ${entry}: ${abs} changed during the build`);
    inputs.push([relative(CODE_ROOT, abs), st.size, st.mtimeMs]);
  }
  const entryOutput = result.outputs.find((o) => o.kind === "entry-point");
  if (!entryOutput) throw new Error(`bundle ${entry}: no entry point in the output`);
  const file = entryOutput.path.replace(/^\.\//, "");
  const build = `${process.pid}-${Date.now().toString(36)}`;
  const out = join(dir, build);
  try {
    mkdirSync(out, { recursive: true });
    for (const o of result.outputs) writeFileSync(join(out, o.path.replace(/^\.\//, "")), new Uint8Array(await o.arrayBuffer()));
    const manifest: Manifest = { bun: Bun.version, entry: relative(CODE_ROOT, entry), build, file, inputs };
    writeAtomic(join(dir, "manifest.json"), JSON.stringify(manifest), CODE_ROOT);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
  // Earlier builds: a run that read the old manifest a moment ago may still be loading one, so keep any
  // younger than a minute.
  for (const name of readdirSync(dir)) {
    if (name === build || name === "manifest.json" || name.startsWith(".")) continue;
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs > 60_000) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {}
  }
  return join(out, file);
}

/**
 * The module at `entry` (a URL relative to the caller, e.g. `new URL("../core/check.ts", import.meta.url)`)
 * from its bundle, building it first when it is missing or stale; `fromSource` (the same module's plain
 * `import()`) when bundles are off or anything goes wrong.
 */
export async function loadBundled<M>(name: string, entry: URL, fromSource: () => Promise<M>, env: Io["env"]): Promise<M> {
  if (env.TAKEOFF_BUNDLE === "0") return fromSource();
  const path = fileURLToPath(entry);
  const dir = bundleDir(name);
  try {
    const file = freshBundle(dir, path) ?? (await buildBundle(dir, path));
    return require(file) as M;
  } catch {
    return fromSource();
  }
}
