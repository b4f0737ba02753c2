/** Which tests of a run belong to a record's proof: shared by the prover and the fault planter. */
import type { ProvedEntry } from "../core/model/proof.ts";
import type { JunitCase } from "./junit.ts";

/** The cases of a run that a record's proof selects: its files, and its name as a describe or test name. */
export function selectCases(entry: ProvedEntry, cases: readonly JunitCase[]): JunitCase[] {
  const proof = entry.record.proof;
  if (!proof) return [];
  const files = new Set(proof.tests);
  return cases.filter((c) => files.has(c.file) && (proof.name === undefined || c.suites.includes(proof.name) || c.name === proof.name));
}
