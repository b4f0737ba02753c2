/** The repository itself: its records check clean (the type-check is `npm run typecheck`, run by .ci/run). */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyRepository } from "../../src/prove/repo-copy.ts";
import { REPO, runMain } from "../helpers/project.ts";

test("npm run check passes on the repository", async () => {
  // On a copy without .cache/: this test is itself a proof, so check must not judge claims by the results of an
  // earlier npm run prove (the test would be its own input, and a run without faults would fail it).
  const copy = copyRepository(REPO);
  try {
    const run = await runMain("check", copy.dir, ["--no-cache"]);
    expect(run.stderr).toMatch(/^check: \d+ records, generated files fresh, tables lint clean/m);
    expect(run.exitCode).toBe(0);
  } finally {
    copy.remove();
  }
});

// Type-checking the whole program is `npm run typecheck`: .ci/run runs it on the fresh clone before the
// tests, where it proves more (no .astro/ yet) and costs no test worker 20-45 s of CPU.

// The benches measure this project; a record rule that the synthetic copy does not satisfy (a Done component's
// location it lacks, say) would otherwise leave bench/check.ts failing unnoticed until someone runs it.
test("the benches' 10,000-flag project generates and checks clean", async () => {
  const { tenThousandFlags } = await import("../../bench/synthetic.ts");
  const dir = mkdtempSync(join(tmpdir(), "takeoff-bench-"));
  try {
    tenThousandFlags(dir);
    const generate = await runMain("generate", dir, ["--no-cache"]);
    expect({ exitCode: generate.exitCode, stderr: generate.stderr }).toMatchObject({ exitCode: 0 });
    const check = await runMain("check", dir, ["--no-cache"]);
    expect(check.stderr).toMatch(/^check: 100\d\d records/m);
    expect(check.exitCode).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
