/**
 * The friendly error map: turns Zod issues into diagnostics a doc writer understands, placed on the
 * offending value (or on the key, when the key itself is wrong).
 */
import { z } from "zod";
import { diagnostic, type Diagnostic } from "../report/diagnostics.ts";
import { isRuleId } from "../report/rules.ts";
import { fieldSchema, KIND_NOUN, type Kind } from "../schema/kinds.ts";
import { closest, didYouMean, listOf } from "../report/suggest.ts";
import { keyOffset, placeAt, placeOf, type PathSegment, type YamlSource } from "./yaml-source.ts";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): { present: boolean; value: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, seg)) return { present: false, value: undefined };
    cur = (cur as Record<string, unknown>)[seg];
  }
  return { present: true, value: cur };
}

/** The values an enum field allows (through optional and default wrappers); undefined for any other field. */
function enumValues(schema: z.ZodType | undefined): string[] | undefined {
  let s: unknown = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap();
  return s instanceof z.ZodEnum ? s.options.map(String) : undefined;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  array: "a list",
  object: "a mapping",
  boolean: "true or false",
};

/**
 * @param base path of the record inside the file (its index in the top-level list)
 * @param keys the record kind's allowed keys, for unknown-key hints
 */
export function issuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  src: YamlSource,
  kind: Kind,
  base: readonly PathSegment[],
  record: unknown,
  keys: readonly string[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const noun = KIND_NOUN[kind];
  const at = (path: readonly PathSegment[], onKey = false) => placeOf(src, [...base, ...path], onKey);

  // A misspelt key also shows up as its correct twin missing: report the misspelling only.
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys" || issue.path.length) continue;
    for (const key of issue.keys) {
      const intended = closest(key, keys);
      if (intended) misspelt.add(intended);
    }
  }

  for (const issue of issues) {
    const path = issue.path as PathSegment[];
    const field = path.filter((s) => typeof s === "string").join(".") || "record";
    const { present, value } = valueAt(record, path);

    if (issue.code === "unrecognized_keys") {
      const objectKeys = path.length === 0 ? keys : [];
      for (const key of issue.keys) {
        const hint = didYouMean(key, objectKeys) ?? (objectKeys.length ? `allowed keys: ${listOf(objectKeys, 20)}` : undefined);
        out.push(
          diagnostic("unknown-key", placeAt(src, keyOffset(src, [...base, ...path], key)), `unknown key "${key}" in a ${noun}`, hint),
        );
      }
      continue;
    }
    if (!present && path.length > 0) {
      const key = String(path[path.length - 1]);
      if (path.length === 1 && misspelt.has(key)) continue;
      const name = (record as { name?: unknown })?.name;
      const who = typeof name === "string" ? ` "${name}"` : "";
      const allowed = path.length === 1 ? enumValues(fieldSchema(kind, key)) : undefined;
      const hint = allowed
        ? `add a line "${key}: …" to this record with one of ${listOf(allowed, 20)}`
        : `add a line "${key}: …" to this record`;
      out.push(diagnostic("missing-key", at(path.slice(0, -1), true), `${noun}${who} is missing the required key "${key}"`, hint));
      continue;
    }
    switch (issue.code) {
      case "invalid_value": {
        const allowed = issue.values.map(String);
        out.push(
          diagnostic(
            "invalid-enum",
            at(path),
            `${describe(value)} is not an allowed ${field} for a ${noun}; expected ${listOf(allowed)}`,
            didYouMean(value, allowed),
          ),
        );
        break;
      }
      case "invalid_type":
        out.push(
          diagnostic("invalid-type", at(path), `${field} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describe(value)}`),
        );
        break;
      case "invalid_union":
        out.push(
          diagnostic(
            "invalid-type",
            at(path),
            `${field} must be ${field === "scope" ? 'a scope name, "all", or a list of scope names' : "one of the allowed forms"}, not ${describe(value)}`,
          ),
        );
        break;
      case "custom": {
        const id = (issue.params as { rule?: string } | undefined)?.rule;
        out.push(
          diagnostic(
            id !== undefined && isRuleId(id) ? id : "invalid-value",
            at(path),
            `${field}: ${describe(value)} is invalid: ${issue.message}`,
          ),
        );
        break;
      }
      case "too_small":
      case "too_big":
      case "invalid_format":
      case "not_multiple_of":
        out.push(diagnostic("invalid-value", at(path), `${field}: ${issue.message}`));
        break;
      default:
        out.push(diagnostic("invalid-value", at(path), `${field}: ${issue.message}`));
    }
  }
  return out;
}
