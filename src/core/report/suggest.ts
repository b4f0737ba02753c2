/** "Did you mean" for near misses: a case-insensitive match wins, then the closest edit distance. */

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, dp[i - 2]![j - 2]! + 1);
      dp[i]![j] = v;
    }
  }
  return dp[a.length]![b.length]!;
}

export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const exactish = candidates.find((c) => c.toLowerCase() === lower);
  if (exactish) return exactish;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  // A suggestion further than a third of the word away is noise, not help.
  return best !== undefined && bestScore <= Math.max(1, Math.floor(Math.max(input.length, best.length) / 3)) ? best : undefined;
}

export function didYouMean(input: unknown, candidates: readonly string[]): string | undefined {
  if (typeof input !== "string") return undefined;
  const c = closest(input, candidates);
  return c === undefined ? undefined : `did you mean "${c}"?`;
}

/** `"a", "b" or "c"` for messages; long lists are cut with a count. */
export function listOf(values: readonly string[], max = 8, conjunction: "or" | "and" = "or"): string {
  const q = values.map((v) => JSON.stringify(v));
  if (q.length <= 1) return q.join("");
  if (q.length > max) return `${q.slice(0, max).join(", ")} … (${q.length - max} more)`;
  return `${q.slice(0, -1).join(", ")} ${conjunction} ${q[q.length - 1]}`;
}
