/**
 * What a proof's outcome depends on, file by file, so that each proof goes stale exactly when one of its own
 * inputs changes. `npm run prove` computes the list (the module graph, taken from Bun); `check`, the site and
 * `npm run diff` only re-hash the listed files, which keeps the writer's loop fast.
 *
 * The graph is read with `Bun.Transpiler#scanImports` and resolved with `Bun.resolveSync`: neither runs any
 * code of the tree. (`Bun.build` and `Bun.Transpiler#scan` run Bun macros, `import … with { type: "macro" }`,
 * while they parse; scanImports only lists the import statements.)
 */
import { dirname, relative, resolve, sep } from "node:path";
import { digestInside, isInside, listInside, readInside, walkInside } from "../fs/safe-fs.ts";
import type { Model } from "./model.ts";
import { isViewInput, VIEW_MODULES, viewDigest, viewInput, type ViewName } from "./record-view.ts";
import type { ProvedEntry } from "./proof.ts";

/**
 * Inputs of every proof besides its tests' graph: Bun's and the test runner's configuration and the installed
 * packages (by the lock file). The records are an input through the graph: see recordInputs.
 */
export const COMMON_PROOF_INPUTS = ["bunfig.toml", "package.json", "tsconfig.json", "package-lock.json"] as const;

/** The module that reads data/: a proof whose run graph reaches it, other than through a record view, depends on all of data/. */
export const RECORDS_LOADER = "src/core/load/load-records.ts";

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const MODULE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * The digest of one input as a fingerprint reads it: a file by its bytes (a refused or missing path by
 * why), a folder (`dir/`) by the names and kinds of every entry below it, so an added file is a change.
 */
export function inputDigest(root: string, input: string, model?: Model): string {
  if (isViewInput(input)) return model ? viewDigest(model, input) : "unknown";
  const hash = new Bun.CryptoHasher("sha256");
  if (input.endsWith("/")) {
    const dir = input.slice(0, -1);
    const listed = listInside(root, dir);
    if (listed === undefined) return "absent";
    if ("refusal" in listed) return `refused:${listed.refusal.rule}`;
    for (const e of walkVisible(root, dir)) hash.update(`${e.kind}:${e.rel}${e.kind === "refused" ? `:${e.refusal.rule}` : ""}\0`);
    return hash.digest("hex");
  }
  const read = digestInside(root, input, MAX_INPUT_BYTES);
  if ("refusal" in read) return /ENOENT/.test(read.refusal.message) ? "absent" : `refused:${read.refusal.rule}`;
  return read.digest;
}

/**
 * The entries below a folder input, without hidden ones inside it (test/.work/, a build's scratch space):
 * outputs, not sources. A hidden file a test imports is an input all the same, through the module graph.
 */
const walkVisible = (root: string, dir: string) => walkInside(root, dir, { hidden: false });

/** The files a folder input stands for (the folder's own entry first), or the file itself. */
function expand(root: string, input: string): string[] {
  if (!input.endsWith("/")) return [input];
  const dir = input.slice(0, -1);
  return [input, ...walkVisible(root, dir).flatMap((e) => (e.kind === "file" ? [e.rel] : []))];
}

/**
 * The repository files a module loads, transitively, itself included: static imports, re-exports,
 * literal dynamic imports and require calls, resolved as Bun resolves them. Packages (node_modules, covered
 * by package-lock.json), Bun's and Node's built-in modules and anything outside the repository are left out.
 * Memoised per instance: proofs share most of their graph.
 */
export class ModuleGraph {
  private readonly imports = new Map<string, string[]>();
  private readonly transpilers = new Map<string, Bun.Transpiler>();

  constructor(private readonly root: string) {}

  /** Every repository file reachable from `entries` (repository paths), sorted; the imports of the `opaque` modules are not followed. */
  reach(entries: readonly string[], opaque: readonly string[] = []): string[] {
    const seen = new Set<string>();
    const stack = [...entries];
    while (stack.length) {
      const rel = stack.pop()!;
      if (seen.has(rel)) continue;
      seen.add(rel);
      if (!opaque.includes(rel)) stack.push(...this.importsOf(rel));
    }
    return [...seen].sort();
  }

  private transpiler(rel: string): Bun.Transpiler {
    const ext = /\.([cm]?)([jt])sx?$/.exec(rel);
    const loader = rel.endsWith("x") ? (ext?.[2] === "t" ? "tsx" : "jsx") : ext?.[2] === "t" ? "ts" : "js";
    let t = this.transpilers.get(loader);
    if (!t) this.transpilers.set(loader, (t = new Bun.Transpiler({ loader })));
    return t;
  }

  private importsOf(rel: string): string[] {
    const known = this.imports.get(rel);
    if (known) return known;
    const out: string[] = [];
    this.imports.set(rel, out);
    if (!MODULE.test(rel) || rel.endsWith(".d.ts")) return out;
    const read = readInside(this.root, rel, MAX_INPUT_BYTES);
    if ("refusal" in read) return out;
    let specifiers: { path: string }[];
    try {
      // Bun runs a file with a #! line, but the transpiler refuses one: blank it, keeping offsets.
      const text = read.bytes.toString("utf8").replace(/^#![^\n]*/, (line) => " ".repeat(line.length));
      specifiers = this.transpiler(rel).scanImports(text);
    } catch {
      // Source Bun cannot parse: the test run fails on it, and its bytes are an input all the same.
      return out;
    }
    const from = resolve(this.root, dirname(rel));
    // import(`../cli/${name}.ts`): Bun cannot say which file; every module of that folder may be the one.
    for (const m of read.bytes.toString("utf8").matchAll(/\b(?:import|require)\(\s*`(\.{1,2}\/[^`$]*\/)[^`/]*\$\{/g)) {
      const dir = relative(this.root, resolve(from, m[1]!)).split(sep).join("/");
      const listed = isInside(this.root, resolve(from, m[1]!)) ? listInside(this.root, dir) : undefined;
      if (listed && !("refusal" in listed)) for (const e of listed) if (e.kind === "file" && MODULE.test(e.rel)) out.push(e.rel);
    }
    for (const { path } of specifiers) {
      if (/^(?:bun|node):/.test(path)) continue;
      let target: string;
      try {
        target = Bun.resolveSync(path, from);
      } catch {
        continue;
      }
      if (!isInside(this.root, target)) continue;
      const r = relative(this.root, target).split(sep).join("/");
      if (r.startsWith("node_modules/") || r.includes("/node_modules/")) continue;
      out.push(r);
    }
    return out;
  }
}

/** Variant entries (src/app/main.ts …): the tests build them at run time with Bun.build, so their graph is an input. */
export function appEntries(model: Model): string[] {
  return [...new Set(model.records.variants.map((v) => v.record.entry))].sort();
}

/**
 * Every input of one record's proof, sorted: its test files and all they load, the graph of the app the
 * tests build, the common inputs, the inputs the proof declares (a folder as `dir/` with every file in
 * it; a module's own graph is followed too) and the files it only reads (`reads`, the same way). Folders are
 * listed both as `dir/` (their listing) and file by file.
 *
 * The records are an input through what the proof runs (recordInputs): its tests' graph, the app, and the
 * modules of its `inputs`. Modules it only reads count only when nothing it runs reads a record: a type check
 * of src/ runs no line of the loader there, so it depends on no record (and `npm run prove` runs such a proof
 * in a copy of the repository without data/, so a test that ran a read module after all fails there rather
 * than hiding the records it loaded). When what it runs reads records anyway, the read modules count as run,
 * as if declared under `inputs`: `reads` never hides more than that.
 */
export function proofInputs(root: string, model: Model, e: ProvedEntry, graph = new ModuleGraph(root)): string[] {
  const proof = e.record.proof;
  if (!proof) return [];
  const inputs = new Set<string>();
  const expanded = (list: readonly string[]) => list.flatMap((i) => expand(root, i));
  const run = expanded([...COMMON_PROOF_INPUTS, ...(proof.inputs ?? [])]);
  const read = expanded(proof.reads ?? []);
  for (const f of [...run, ...read]) inputs.add(f);
  const runRoots = [...proof.tests, ...appEntries(model), ...run.filter((f) => MODULE.test(f))];
  const readRoots = read.filter((f) => MODULE.test(f));
  for (const f of graph.reach([...runRoots, ...readRoots])) inputs.add(f);
  const records = recordInputs(root, graph, runRoots);
  for (const f of records.length ? recordInputs(root, graph, [...runRoots, ...readRoots]) : []) inputs.add(f);
  return [...inputs].sort();
}

/**
 * True when a proof with these inputs reads no record (no file of data/, no record view): `npm run prove`
 * runs its tests in a copy of the repository without data/, so that is shown, not assumed.
 */
export function readsNoRecord(inputs: readonly string[]): boolean {
  return !inputs.some((i) => i === "data/" || i.startsWith("data/") || isViewInput(i));
}

/**
 * What of the records the modules `roots` run depend on (their graph read without following the view
 * modules' own imports): all of data/ when something in it loads the records, the views it loads when it
 * reads them only through view modules, else nothing. A test that reads a record file any other way declares
 * it in `proof.inputs`.
 */
export function recordInputs(root: string, graph: ModuleGraph, roots: readonly string[]): string[] {
  const modules = Object.entries(VIEW_MODULES) as [ViewName, string][];
  const reached = graph.reach(
    roots,
    modules.map(([, m]) => m),
  );
  if (reached.includes(RECORDS_LOADER)) return expand(root, "data/");
  return modules.filter(([, m]) => reached.includes(m)).map(([name]) => viewInput(name));
}
