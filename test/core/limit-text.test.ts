/** Numbers defined once: a requirement writes {Limit name}, shown filled; typed numbers and unknown names are caught. */
import { expect, test } from "bun:test";
import { fillLimits, limitTextProblems } from "../../src/core/model/limit-text.ts";

const LIMITS = [
  { name: "Connections", value: 10, unit: "per tenant" },
  { name: "Messages", value: 1000, unit: "per minute" },
  { name: "Window", value: 2.5, unit: "days" },
];
const kinds = (text: string) =>
  limitTextProblems(text, LIMITS).map((p) =>
    p.kind === "missing"
      ? `missing ${p.limits.map((l) => l.name).join(",")}`
      : p.kind === "literal"
        ? `literal ${p.written}@${p.index}`
        : `unknown ${p.name}@${p.index}->${p.meant?.name}`,
  );

test("placeholders are filled with the limit's value; an unknown one stays as written", () => {
  expect(fillLimits("At most {Connections} connections, {Messages} a minute, {Nope}.", LIMITS)).toBe(
    "At most 10 connections, 1000 a minute, {Nope}.",
  );
});

test("a text that writes every limit as a placeholder is clean, whatever else it numbers", () => {
  expect(
    kinds("At most {Connections} (code 1008, HTTP 429) and {Messages} a minute over {Window} days, since 2026-01-10, v10 and sha256."),
  ).toEqual([]);
});

test("a typed limit value is found where it stands, in any spelling of the number, and stands for its limit", () => {
  expect(kinds("At most 10 connections, 1,000 messages and {Window}.")).toEqual(["literal 10@8", "literal 1,000@24"]);
  expect(kinds("{Connections}, {Messages}, 2.5 days; 10x faster.")).toEqual(["literal 2.5@27", "literal 10@37"]);
  // Not a number of its own: inside a word, a date, a time or a path.
  expect(kinds("{Connections} {Messages} {Window} r10 2026-10-10 10:10 10/10")).toEqual([]);
});

test("a misspelt placeholder names the limit it likely means; limits not written at all are listed once", () => {
  expect(kinds("At most {Conections}.")).toEqual(["unknown Conections@8->Connections", "missing Messages,Window"]);
  expect(kinds("Nothing here.")).toEqual(["missing Connections,Messages,Window"]);
});
