/**
 * Counted words in messages and pages, written one way everywhere: "1 file", "0 files", "2 tasks are".
 * English only; an irregular plural is passed as `many`.
 */

/** The word for a count of `n`: `one` for exactly 1, `many` (default: `one` + "s") otherwise, 0 included. */
export function wordFor(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** `n` and its word: "1 file", "3 files", "0 files". */
export function plural(n: number, one: string, many?: string): string {
  return `${n} ${wordFor(n, one, many)}`;
}
