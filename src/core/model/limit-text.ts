/**
 * Numbers defined once: a control's requirement writes its limits as `{Limit name}`, and every place that shows
 * the text fills them from the record's `limits` (which also become the constants the application reads). A
 * number typed into the text would go stale the day the limit changes, so check refuses it, and refuses a
 * limit the text never mentions or a placeholder naming none.
 */
import { fieldValue, type Entry } from "./records.ts";
import { fieldKeys, fieldMeta, type Kind, type RecordOf } from "../schema/kinds.ts";
import { closest } from "../report/suggest.ts";

/** One row of a control's `limits`, as the schema defines it. */
type Limit = NonNullable<RecordOf<"security">["limits"]>[number];

/** `{Name}`: a limit's name between braces, on one line. */
const PLACEHOLDER = /\{([^{}\n]+)\}/g;
/**
 * A number as a writer types one: 10, 1,000, 2.5, 90d; not a digit inside a word (v2, sha256) and not a part
 * of a date, time or path (2026-01-18, 10:30, 1/2).
 */
const NUMBER = /(?<![\w.,\-/:])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]|[.\-/:]\d)|(?<![\w.,\-/:])\d+(?:\.\d+)?(?![\d,]|[.\-/:]\d)/g;

function limitsOf(entry: Entry): readonly Limit[] {
  return entry.kind === "security" ? (entry.record.limits ?? []) : [];
}

/** `text` with each `{Name}` replaced by the value of the limit of that name; an unknown name stays as written. */
export function fillLimits(text: string, limits: readonly Limit[]): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const limit = limits.find((l) => l.name === name);
    return limit ? String(limit.value) : whole;
  });
}

/** A field's text as readers see it: with its limits filled in when the schema says the field writes them. */
export function fieldText(entry: Entry, key: string): string | undefined {
  const value = fieldValue(entry, key);
  if (typeof value !== "string") return undefined;
  return limitTextFields(entry.kind).includes(key) ? fillLimits(value, limitsOf(entry)) : value;
}

export type LimitTextProblem =
  /** `{name}` names no limit; `meant` is the limit it most likely means. */
  | { kind: "unknown"; name: string; index: number; meant: Limit | undefined }
  | { kind: "literal"; limit: Limit; index: number; written: string }
  /** Limits the text neither writes nor types nor misspells (each of those is reported where it stands). */
  | { kind: "missing"; limits: Limit[] };

/** What keeps `text` from taking its numbers from `limits`, with the index in the text where it is. */
export function limitTextProblems(text: string, limits: readonly Limit[]): LimitTextProblem[] {
  const out: LimitTextProblem[] = [];
  const accounted = new Set<Limit>();
  const names = limits.map((l) => l.name);
  for (const m of text.matchAll(PLACEHOLDER)) {
    const limit = limits.find((l) => l.name === m[1]);
    if (limit) {
      accounted.add(limit);
      continue;
    }
    const meant = limits.find((l) => l.name === closest(m[1]!, names));
    if (meant) accounted.add(meant);
    out.push({ kind: "unknown", name: m[1]!, index: m.index, meant });
  }
  // Numbers outside placeholders (blanked, so a digit in a limit's name is not read as one).
  const bare = text.replace(PLACEHOLDER, (whole) => " ".repeat(whole.length));
  for (const m of bare.matchAll(NUMBER)) {
    const limit = limits.find((l) => l.value === Number(m[0].replaceAll(",", "")));
    if (!limit) continue;
    accounted.add(limit);
    out.push({ kind: "literal", limit, index: m.index, written: m[0] });
  }
  const missing = limits.filter((l) => !accounted.has(l));
  if (missing.length) out.push({ kind: "missing", limits: missing });
  return out;
}

/**
 * Numbers in `text` (outside placeholders) that equal one of `limits`: a flag's description typing the number
 * of a control that relies on the flag would keep saying it the day the control's limit changes.
 */
export function typedLimits<L extends { value: number }>(
  text: string,
  limits: readonly L[],
): { limit: L; index: number; written: string }[] {
  const bare = text.replace(PLACEHOLDER, (whole) => " ".repeat(whole.length));
  return [...bare.matchAll(NUMBER)].flatMap((m) => {
    const limit = limits.find((l) => l.value === Number(m[0].replaceAll(",", "")));
    return limit ? [{ limit, index: m.index, written: m[0] }] : [];
  });
}

/** The fields of a kind that write its limits as placeholders (none for most kinds), found once per kind. */
const LIMIT_FIELDS = new Map<Kind, string[]>();
export function limitTextFields(kind: Kind): string[] {
  let keys = LIMIT_FIELDS.get(kind);
  if (!keys) LIMIT_FIELDS.set(kind, (keys = fieldKeys(kind).filter((key) => fieldMeta(kind, key)?.fillsLimits)));
  return keys;
}

/** A record's limits and, for each field that writes them, its text. */
export function limitTexts(entry: Entry, keys: readonly string[]): { key: string; text: string; limits: readonly Limit[] }[] {
  return keys.flatMap((key) => {
    const text = fieldValue(entry, key);
    return typeof text === "string" ? [{ key, text, limits: limitsOf(entry) }] : [];
  });
}
