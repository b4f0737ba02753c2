/**
 * check keeps the parsed prove results in the store by the digest of the results file: the same content is
 * parsed once, a rewritten file is read again, and an entry that is not well-formed results is a miss.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/core/cache/store.ts";
import { PROVE_RESULTS, PROVE_RESULTS_VERSION, type ProveResults, readResultsFile } from "../../src/core/model/proof.ts";

const TMP = mkdtempSync(join(tmpdir(), "results-kept-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const proof = (name: string, inputs: string[]) => ({
  kind: "criteria" as const,
  name,
  tests: ["test/a.test.ts"],
  matched: 1,
  passed: 1,
  failed: 0,
  skipped: 0,
  duration: 0.1,
  variants: [],
  failures: [],
  cases: [{ name: "a", status: "passed" as const, duration: 0.1 }],
  provedAt: "2026-12-01T00:00:00Z",
  spec: "s",
  inputs,
  fingerprint: "f",
});
const results = (generatedAt: string): ProveResults => ({
  version: PROVE_RESULTS_VERSION,
  generatedAt,
  bunVersion: Bun.version,
  inputs: { "a.ts": "1", "b.ts": "2" },
  records: [proof("One", ["a.ts", "b.ts"]), proof("Two", ["a.ts", "b.ts"]), proof("Three", ["a.ts"])],
});

test("the same results are read back from the store, a rewritten file afresh, a forged entry never", () => {
  const root = join(TMP, "project");
  mkdirSync(join(root, ".cache/prove"), { recursive: true });
  const file = join(root, PROVE_RESULTS);
  const store = openStore(root);
  writeFileSync(file, JSON.stringify(results("first")));
  expect(readResultsFile(root, store)).toEqual({ results: results("first") });
  const [entry] = readdirSync(store.dir).filter((n) => n.startsWith("prove-results"));
  expect(entry).toBeDefined();
  // Each input list is kept once, as positions in the digests: two proofs share one.
  const kept = JSON.parse(readFileSync(join(store.dir, entry!), "utf8"));
  expect(kept.value.inputLists).toEqual([[0, 1], [0]]);
  expect(readResultsFile(root, store)).toEqual({ results: results("first") });

  writeFileSync(file, JSON.stringify(results("second")));
  expect(readResultsFile(root, store)).toEqual({ results: results("second") });

  // An entry under the right key whose value is not results (a list index out of range): read from the file.
  const now = JSON.parse(readFileSync(join(store.dir, entry!), "utf8"));
  now.value.records[0].inputs = 7;
  writeFileSync(join(store.dir, entry!), JSON.stringify(now));
  expect(readResultsFile(root, store)).toEqual({ results: results("second") });
  // Without a store the file is read and parsed as it lies there.
  expect(readResultsFile(root)).toEqual({ results: results("second") });
});

test("results listing an input without a digest are used as read, and not kept", () => {
  const root = join(TMP, "undigested");
  mkdirSync(join(root, ".cache/prove"), { recursive: true });
  const odd = { ...results("odd"), records: [proof("One", ["a.ts", "c.ts"])] };
  writeFileSync(join(root, PROVE_RESULTS), JSON.stringify(odd));
  const store = openStore(root);
  expect(readResultsFile(root, store)).toEqual({ results: odd });
  // Nothing was written: not even the store's folder.
  expect(existsSync(store.dir)).toBe(false);
});
