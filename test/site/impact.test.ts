/** Size/Impact of a flag shows its largest measured change, negative when the flag retires code. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordsHash } from "../../src/core/model/model.ts";
import { siteConfig } from "../../src/site/config.ts";
import { createSite } from "../../src/site/data.ts";
import { flagCost, flagCostNote, largestDelta } from "../../src/site/format.ts";
import { buildTable } from "../../src/site/table.ts";
import { RESULTS_PATH } from "../../src/verify/results-file.ts";

const REPO = join(import.meta.dir, "../..");
const TMP = mkdtempSync(join(tmpdir(), "takeoff-impact-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

test("largestDelta keeps the sign of the largest change", () => {
  expect(largestDelta([])).toBeUndefined();
  expect(largestDelta([{ gzip: -120 }, { gzip: -30 }])).toBe(-120);
  expect(largestDelta([{ gzip: 40 }, { gzip: -30 }])).toBe(40);
});

test("a flag that only makes bundles smaller shows its negative delta, not 0 B", () => {
  const plain = createSite(siteConfig({ SITE_ROOT: REPO, SITE_RESULTS_ROOT: join(TMP, "none") }));
  const flags = plain.model.records.features.map((f) => f.record.name);
  const results = {
    generatedAt: "2026-12-01T00:00:00Z",
    bunVersion: Bun.version,
    recordsHash: recordsHash(plain.model),
    ok: true,
    variants: [],
    flags: flags.map((name) => ({
      name,
      addOne: [],
      leaveOneOut:
        name === "MOCK_API"
          ? [
              { variant: "dev", raw: -2400, gzip: -812 },
              { variant: "test", raw: -2000, gzip: -640 },
            ]
          : [{ variant: "prod", raw: 100, gzip: 50 }],
      dead: false,
      eliminated: true,
    })),
    // No analysed sources to compare: fresh as far as sources go (the size is what is tested here).
    callSites: { files: [], sites: [] },
  };
  mkdirSync(join(TMP, ".cache/verify"), { recursive: true });
  writeFileSync(join(TMP, RESULTS_PATH), JSON.stringify(results));
  const site = createSite(siteConfig({ SITE_ROOT: REPO, SITE_RESULTS_ROOT: TMP }));
  const table = buildTable(site, "features");
  const impact = table.columns.findIndex((c) => c.id === "impact");
  const row = table.rows.find((r) => r.cells[0]!.text === "MOCK_API")!;
  expect(row.cells[impact]!.text).toContain("−812\u00a0B gzip");
});

test("flagCost: what a flag adds where it ships (leave-one-out), else what it would add; the table names gzip", () => {
  const shipped = flagCost({
    leaveOneOut: [
      { variant: "prod", gzip: 260 },
      { variant: "staging", gzip: 277 },
    ],
    addOne: [{ variant: "lite", gzip: 900 }],
  });
  // An add-one measurement in a variant without the flag is not what the flag costs where it ships.
  expect(shipped).toEqual({ gzip: 277, variant: "staging", shipped: true });
  expect(flagCostNote(shipped!)).toContain("staging");
  expect(flagCost({ leaveOneOut: [], addOne: [{ variant: "lite", gzip: 90 }] })).toEqual({ gzip: 90, variant: "lite", shipped: false });
  expect(flagCost(undefined)).toBeUndefined();
});
