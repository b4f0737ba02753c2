/**
 * The compare page's URLs, shared by the pages, the static server (src/site/serve.ts) and the form's
 * script, with nothing heavy to import: /build-variants/compare/ is the form, /build-variants/compare/A/B/
 * the page for one ordered pair, and /build-variants/compare/?a=A&b=B (what the form submits) is answered
 * with the pair page when both name variants.
 */

/** The folder of the compare pages (KIND_INFO.variants.path + "compare"; test/site checks they agree). */
export const COMPARE_SEGMENTS = ["build-variants", "compare"] as const;
export const COMPARE_PATH = `/${COMPARE_SEGMENTS.join("/")}/`;

/** A variant name (and its page slug): what data/variants.yaml allows, so it is safe as a path segment. */
export const VARIANT_SEGMENT = /^[a-z][a-z0-9-]{0,62}$/;

export function comparePairPath(a: string, b: string): string {
  return `${COMPARE_PATH}${a}/${b}/`;
}

/**
 * The pair page a `?a=…&b=…` query asks for: both present exactly once, both valid variant names, and
 * different; anything else (missing, repeated, malformed, the same twice) is undefined, and the form answers.
 */
export function comparePairOf(params: URLSearchParams): { a: string; b: string } | undefined {
  const a = params.getAll("a");
  const b = params.getAll("b");
  if (a.length !== 1 || b.length !== 1) return undefined;
  const [x, y] = [a[0]!, b[0]!];
  if (!VARIANT_SEGMENT.test(x) || !VARIANT_SEGMENT.test(y) || x === y) return undefined;
  return { a: x, b: y };
}
