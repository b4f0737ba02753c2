/**
 * Two lists compared as multisets by a key: an item of `after` is added unless an item of `before` with its key
 * is still unmatched (two equal items need two), and an item of `before` is removed unless one of `after` matches
 * it. Each side keeps its order; the first of equal items are the ones matched.
 */
export function multisetDiff<T>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (item: T) => string,
  keyOfBefore: (item: T) => string = keyOf,
): { added: T[]; removed: T[] } {
  return { added: unmatched(after, keyOf, before, keyOfBefore), removed: unmatched(before, keyOfBefore, after, keyOf) };
}

function unmatched<T>(items: readonly T[], keyOf: (item: T) => string, against: readonly T[], keyOfAgainst: (item: T) => string): T[] {
  const left = new Map<string, number>();
  for (const x of against) left.set(keyOfAgainst(x), (left.get(keyOfAgainst(x)) ?? 0) + 1);
  return items.filter((x) => {
    const n = left.get(keyOf(x)) ?? 0;
    if (n > 0) left.set(keyOf(x), n - 1);
    return n === 0;
  });
}
