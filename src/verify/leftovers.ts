/**
 * What must never reach an output: the `bun:bundle` module (it does not exist at run time) and a
 * `feature(` call the bundler did not fold. Either means a flag test slipped past the bundler and both of
 * its branches shipped.
 */
import type { BuildOutput } from "./build-variants.ts";

export interface Leftover {
  output: string;
  what: string;
  /** First occurrence; `count` says how many there are. */
  offset: number;
  count: number;
  excerpt: string;
}

const PATTERNS: [RegExp, string][] = [
  [/bun:bundle/g, 'the module "bun:bundle"'],
  [/(?<![\w$])feature\(/g, "an unfolded feature( call"],
];

export function findLeftovers(outputs: BuildOutput[]): Leftover[] {
  const dec = new TextDecoder();
  const out: Leftover[] = [];
  for (const o of outputs) {
    if (o.kind === "sourcemap") continue; // maps keep dead code in sourcesContent by design
    const text = dec.decode(o.bytes);
    for (const [re, what] of PATTERNS) {
      const found = [...text.matchAll(re)];
      const first = found[0];
      if (!first) continue;
      const start = Math.max(0, first.index - 30);
      out.push({
        output: o.path,
        what,
        offset: first.index,
        count: found.length,
        excerpt: text.slice(start, first.index + 40).replace(/\s+/g, " "),
      });
    }
  }
  return out;
}
