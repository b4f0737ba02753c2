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
import { isViewInput, RECORD_VIEW_MODULE, VIEW_INPUTS, viewDigest } from "./record-view.ts";
import type { ProvedEntry } from "./proof.ts";

/**
 * Inputs of every proof besides its tests' graph: Bun's and the test runner's configuration and the installed
 * packages (by the lock file). The records are an input through the graph: see recordInputs.
 */
export const COMMON_PROOF_INPUTS = ["bunfig.toml", "package.json", "tsconfig.json", "package-lock.json"] as const;

/** The module that reads data/: a proof whose graph reaches it, other than through a record view, depends on all of data/. */
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

  /** Every repository file reachable from `entries` (repository paths), sorted; the imports of `opaque` are not followed. */
  reach(entries: readonly string[], opaque?: string): string[] {
    const seen = new Set<string>();
    const stack = [...entries];
    while (stack.length) {
      const rel = stack.pop()!;
      if (seen.has(rel)) continue;
      seen.add(rel);
      if (rel !== opaque) stack.push(...this.importsOf(rel));
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
 * tests build, the common inputs, and the inputs the proof declares (a folder as `dir/` with every file in
 * it; a module's own graph is followed too). Folders are listed both as `dir/` (their listing) and file by file.
 */
export function proofInputs(root: string, model: Model, e: ProvedEntry, graph = new ModuleGraph(root)): string[] {
  const proof = e.record.proof;
  if (!proof) return [];
  const declared: readonly string[] = proof.inputs ?? [];
  const inputs = new Set<string>();
  for (const i of [...COMMON_PROOF_INPUTS, ...declared]) for (const f of expand(root, i)) inputs.add(f);
  const roots = [...proof.tests, ...appEntries(model), ...[...inputs].filter((f) => MODULE.test(f))];
  for (const f of graph.reach(roots)) inputs.add(f);
  for (const f of recordInputs(root, graph, roots)) inputs.add(f);
  return [...inputs].sort();
}

/**
 * What of the records the modules `roots` load depend on (their graph read without following the view
 * module's own imports): all of data/ when something in it loads the records, the views when it reads them
 * only through views, else nothing. A test that reads a record file any other way declares it in `proof.inputs`.
 */
export function recordInputs(root: string, graph: ModuleGraph, roots: readonly string[]): string[] {
  const reached = graph.reach(roots, RECORD_VIEW_MODULE);
  if (reached.includes(RECORDS_LOADER)) return expand(root, "data/");
  return reached.includes(RECORD_VIEW_MODULE) ? [...VIEW_INPUTS] : [];
}
