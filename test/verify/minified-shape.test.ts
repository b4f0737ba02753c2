/**
 * The shape of a minified bundle (src/verify/minified-shape.ts): equal when only the minifier's local names
 * differ, different for any other change of the same length (a string, a number, a property, an object key,
 * a regular expression, text in a template).
 */
import { describe, expect, test } from "bun:test";
import { minifiedShape } from "../../src/verify/minified-shape.ts";

const CODE =
  '#!/usr/bin/env bun\n// @bun\nvar v=/^[a-z0-9]{0,62}$/,V="default";function H(e,n="scope"){return{count:e.length,sum:n,...Je(e)}}let t=`${H(v)}:${V}`,o=e?.drop?a:b;/* c */';

describe("minified shape", () => {
  test("renamed locals (H and V swapped, Je → Xe, a spread) keep the shape", () => {
    const renamed = CODE.replace(/\bH\b/g, "\u0000")
      .replace(/\bV\b/g, "H")
      .replace(/\u0000/g, "V")
      .replace("Je", "Xe")
      .replace("function V(e,n", "function V(q,n")
      .replace("count:e.length", "count:q.length")
      .replace("Xe(e)", "Xe(q)");
    expect(renamed).not.toBe(CODE);
    expect(minifiedShape(renamed)).toBe(minifiedShape(CODE));
  });

  test("every other change of the same length changes it", () => {
    const changes: [string, string][] = [
      ['"default"', '"defaulu"'],
      ["{0,62}", "{0,63}"],
      ["count:", "coun2:"],
      ["e?.drop", "e?.dros"],
      ["`${H(v)}:", "`${H(v)};"],
      ["/* c */", "/* d */"],
      ["return{", "return["],
    ];
    for (const [from, to] of changes) {
      expect(CODE.includes(from)).toBe(true);
      expect({ from, same: minifiedShape(CODE.replace(from, to)) === minifiedShape(CODE) }).toEqual({ from, same: false });
    }
  });
});
