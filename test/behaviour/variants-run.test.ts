/**
 * The proof of the "Build variants run" criterion: every variant of data/variants.yaml, built as verify builds
 * it, runs as a real process, exits 0, and reports exactly the flags the records give it, no more, no fewer.
 * Each test is named `variant <name>: …`, so the prover records which variants ran.
 */
import { describe, expect, test } from "bun:test";
import { runCli, useHarness, VARIANTS } from "./harness.ts";

useHarness();

describe("build variants run", () => {
  test("the records name variants", () => expect(VARIANTS.length).toBeGreaterThan(0));

  for (const v of VARIANTS) {
    test(`variant ${v.name}: the bundle runs, exits 0 and reports exactly the flags it was built with`, async () => {
      const r = await runCli(v, ["--now=2026-01-15T12:00:00Z"]);
      expect({ code: r.code, err: r.err.split("\n").filter((l) => /error|panic|uncaught/i.test(l)) }).toEqual({ code: 0, err: [] });
      const line = r.out.split("\n").find((l) => l.startsWith("features: "));
      const reported = line === undefined || line === "features: none" ? [] : line.slice("features: ".length).split(",");
      expect(reported.sort()).toEqual([...v.features].sort());
    }, 60_000);
  }
});
