/**
 * Bun.build of an entry with a set of flags, minified, target bun, with metafile: exactly what a variant
 * ships. Builds stay in memory (dist is written separately, atomically) and are cached per flag set for the
 * run, because variants, toggles and tests ask for the same sets again. Every call sets `features`
 * explicitly: inside a process, only that option decides which flags are on.
 */
import { relative, resolve } from "node:path";
import type { BunPlugin } from "bun";
import { toPosix } from "./places.ts";

export interface MetaInput {
  bytes: number;
  imports: { path: string; kind: string; original?: string }[];
}

export interface MetaOutput {
  bytes: number;
  inputs: Record<string, { bytesInOutput: number }>;
  imports: { path: string; kind: string }[];
  entryPoint?: string;
}

/** The bundler's metafile with input paths made root-relative (Bun writes them relative to the cwd). */
export interface Metafile {
  inputs: Record<string, MetaInput>;
  outputs: Record<string, MetaOutput>;
}

export interface BuildOutput {
  /** Path relative to the output directory, e.g. "main.js". */
  path: string;
  bytes: Uint8Array<ArrayBuffer>;
  kind: string;
}

export interface BuildProblem {
  message: string;
  /** Root-relative file and 1-based position when the bundler gave one. */
  file?: string;
  line?: number;
  col?: number;
}

export type Built =
  | { ok: true; features: string[]; outputs: BuildOutput[]; raw: number; metafile: Metafile; ms: number }
  | { ok: false; features: string[]; problems: BuildProblem[]; ms: number };

export interface BuildRequest {
  entry: string;
  features: readonly string[];
  /** Probe builds plant markers through a plugin; they are cached apart from real builds. */
  probe?: { key: string; plugin: BunPlugin };
  /** Background builds (impact toggles) should wait for `whenIdle()` so real and probe builds go first. */
  background?: boolean;
}

/** Every option verify builds with, for cache keys: a change here must change the key. */
export const BUILD_OPTIONS_ID = "target=bun;minify=true;metafile=true";

/** The set of flags as a cache key: order does not change what is built. */
export const flagSetKey = (features: readonly string[]) => [...new Set(features)].sort().join(",");

export class VariantBuilder {
  private cache = new Map<string, Promise<Built>>();
  private urgent = 0;
  private idle: (() => void)[] = [];
  /** Bun.build calls made, for the benchmark and progress. */
  count = 0;

  constructor(readonly root: string) {}

  build(req: BuildRequest): Promise<Built> {
    const key = `${req.entry}|${req.probe?.key ?? ""}|${flagSetKey(req.features)}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.run(req);
      this.cache.set(key, p);
      if (!req.background) {
        this.urgent++;
        void p.finally(() => {
          if (--this.urgent === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
      }
    }
    return p;
  }

  /**
   * Resolves when no foreground build is running. Bun builds one at a time per process, in order, so
   * background work that waits here never delays a variant or probe build by more than what is in flight.
   */
  whenIdle(): Promise<void> {
    return this.urgent === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  private async run(req: BuildRequest): Promise<Built> {
    const features = [...req.features];
    const started = performance.now();
    this.count++;
    try {
      const result = await Bun.build({
        entrypoints: [resolve(this.root, req.entry)],
        target: "bun",
        minify: true,
        metafile: true,
        features,
        plugins: req.probe ? [req.probe.plugin] : [],
      });
      if (!result.success)
        return { ok: false, features, problems: result.logs.map((l) => this.problem(l)), ms: performance.now() - started };
      const outputs = await Promise.all(
        result.outputs.map(async (o) => ({
          path: o.path.replace(/^\.\//, ""),
          bytes: new Uint8Array(await o.arrayBuffer()),
          kind: o.kind,
        })),
      );
      const raw = outputs.filter((o) => o.kind !== "sourcemap").reduce((s, o) => s + o.bytes.byteLength, 0);
      return {
        ok: true,
        features,
        outputs,
        raw,
        metafile: this.normalize(result.metafile ?? { inputs: {}, outputs: {} }),
        ms: performance.now() - started,
      };
    } catch (err) {
      const errors = err instanceof AggregateError ? err.errors : [err];
      return { ok: false, features, problems: errors.map((e) => this.problem(e)), ms: performance.now() - started };
    }
  }

  private problem(e: unknown): BuildProblem {
    const x = e as { message?: string; position?: { file?: string; line?: number; column?: number } | null };
    const pos = x.position;
    const file = pos?.file ? this.rel(pos.file) : undefined;
    return {
      message: String(x.message ?? e),
      ...(file && !file.startsWith("../") ? { file, line: Math.max(1, pos?.line ?? 1), col: Math.max(1, pos?.column ?? 1) } : {}),
    };
  }

  private rel(p: string): string {
    return toPosix(relative(this.root, resolve(process.cwd(), p)));
  }

  private normalize(meta: Bun.BuildMetafile): Metafile {
    const inputs: Metafile["inputs"] = {};
    for (const [path, info] of Object.entries(meta.inputs)) {
      inputs[this.rel(path)] = { bytes: info.bytes, imports: info.imports.map((i) => ({ ...i, path: this.rel(i.path) })) };
    }
    const outputs: Metafile["outputs"] = {};
    for (const [path, info] of Object.entries(meta.outputs)) {
      const ins: MetaOutput["inputs"] = {};
      for (const [p, v] of Object.entries(info.inputs)) ins[this.rel(p)] = { bytesInOutput: v.bytesInOutput };
      outputs[path.replace(/^\.\//, "")] = { ...info, inputs: ins, ...(info.entryPoint ? { entryPoint: this.rel(info.entryPoint) } : {}) };
    }
    return { inputs, outputs };
  }
}

/** Bytes each input module contributes to the outputs, summed over chunks. */
export function moduleBytes(meta: Metafile): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of Object.values(meta.outputs)) {
    for (const [path, v] of Object.entries(o.inputs)) out.set(path, (out.get(path) ?? 0) + v.bytesInOutput);
  }
  return out;
}

export function outputText(built: Extract<Built, { ok: true }>): string {
  const dec = new TextDecoder();
  return built.outputs
    .filter((o) => o.kind !== "sourcemap")
    .map((o) => dec.decode(o.bytes))
    .join("\n");
}
