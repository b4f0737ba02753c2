/**
 * Two build variants side by side, as data for the compare pages: the flags only one of them has and
 * those both have, what each flag costs in each variant (its leave-one-out bytes from `npm run verify`),
 * both variants' sizes and the difference. Sizes appear only when verify's results are fresh; otherwise
 * the comparison says they are not measured.
 */
import type { Entry } from "../core/model/records.ts";
import { KIND_INFO } from "../core/schema/kinds.ts";
import { COMPARE_PATH, COMPARE_SEGMENTS, comparePairPath } from "./compare-url.ts";
import type { Site } from "./data.ts";
import type { RawGzip, Sizes } from "../verify/results-file.ts";

if (COMPARE_SEGMENTS[0] !== KIND_INFO.variants.path)
  throw new Error(`compare-url.ts: COMPARE_SEGMENTS must start with ${KIND_INFO.variants.path}`);

export type { Sizes };

export interface CompareSide {
  entry: Entry<"variants">;
  name: string;
  href: string;
  /** Measured sizes; undefined when not measured. */
  bytes: Sizes | undefined;
  budget: number;
}

export interface CompareFlag {
  name: string;
  href: string | undefined;
  /** Bytes the flag adds to A (leave-one-out: A minus A without it); undefined when A lacks it or it is not measured. */
  inA: RawGzip | undefined;
  inB: RawGzip | undefined;
}

export interface Comparison {
  a: CompareSide;
  b: CompareSide;
  onlyA: CompareFlag[];
  onlyB: CompareFlag[];
  both: CompareFlag[];
  /** B minus A; undefined unless both are measured. */
  diff: Sizes | undefined;
  /** Fresh verify results back the sizes. */
  measured: boolean;
  /** The same pair the other way round. */
  swapHref: string;
}

export { COMPARE_PATH };

/** The URL of the page comparing a with b. */
export function compareHref(site: Site, a: Entry<"variants">, b: Entry<"variants">): string {
  return comparePairPath(site.slugOf(a), site.slugOf(b));
}

/** Every ordered pair of different variants: one page each. */
export function comparePairs(site: Site): { a: Entry<"variants">; b: Entry<"variants">; href: string }[] {
  const variants = site.entries("variants");
  return variants.flatMap((a) => variants.filter((b) => b !== a).map((b) => ({ a, b, href: compareHref(site, a, b) })));
}

function side(site: Site, entry: Entry<"variants">): CompareSide {
  const r = site.results?.variants.find((v) => v.name === entry.record.name);
  return { entry, name: entry.record.name, href: site.urlOf(entry), bytes: r ? { ...r.bytes } : undefined, budget: entry.record.budget };
}

export function compareVariants(site: Site, a: Entry<"variants">, b: Entry<"variants">): Comparison {
  const inA = new Set(a.record.features);
  const inB = new Set(b.record.features);
  const cost = (flag: string, variant: Entry<"variants">, has: Set<string>) => {
    if (!has.has(flag)) return undefined;
    const d = site.results?.flags.find((f) => f.name === flag)?.leaveOneOut.find((x) => x.variant === variant.record.name);
    return d ? { raw: d.raw, gzip: d.gzip } : undefined;
  };
  const row = (name: string): CompareFlag => {
    const entry = site.model.flag(name);
    return { name, href: entry ? site.urlOf(entry) : undefined, inA: cost(name, a, inA), inB: cost(name, b, inB) };
  };
  const sa = side(site, a);
  const sb = side(site, b);
  const diff =
    sa.bytes && sb.bytes
      ? { raw: sb.bytes.raw - sa.bytes.raw, gzip: sb.bytes.gzip - sa.bytes.gzip, brotli: sb.bytes.brotli - sa.bytes.brotli }
      : undefined;
  return {
    a: sa,
    b: sb,
    onlyA: a.record.features.filter((f) => !inB.has(f)).map(row),
    onlyB: b.record.features.filter((f) => !inA.has(f)).map(row),
    both: a.record.features.filter((f) => inB.has(f)).map(row),
    diff,
    measured: site.results !== undefined,
    swapHref: compareHref(site, b, a),
  };
}

/** "+12.3%" of a change against its base; empty when the base is 0. */
export function percentChange(delta: number, base: number): string {
  if (!base) return "";
  const p = (delta / base) * 100;
  return `${p > 0 ? "+" : p < 0 ? "−" : ""}${Math.abs(p).toFixed(1)}%`;
}
