/**
 * Verify steps run alone: each takes what earlier steps returned and its tools, and returns what it adds.
 * Here with fake tools (no Bun.build, no brotli, no helper process, no cache on disk), over the verify
 * fixture's records (read only).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { BuildOutput, BuildRequest, Built } from "../../src/verify/build-variants.ts";
import { flagSetKey } from "../../src/verify/build-variants.ts";
import type { FlagSetSize } from "../../src/verify/measure-flag-sets.ts";
import type { Sizes } from "../../src/verify/results-file.ts";
import type { VariantOutcome } from "../../src/verify/results.ts";
import type { SizeJob } from "../../src/verify/size-worker.ts";
import { startBuilds } from "../../src/verify/steps/build.ts";
import { openContext } from "../../src/verify/steps/context.ts";
import { loadRecords } from "../../src/verify/steps/load.ts";
import { proveDeadCode } from "../../src/verify/steps/probe.ts";
import type { Builder, FlagSets, Meter } from "../../src/verify/steps/tools.ts";

const ROOT = join(import.meta.dir, "../fixtures/verify/base");
const TODAY = "2026-06-01";

/** A builder that builds nothing: each request is recorded and answered with one output naming its flags. */
function fakeBuilder(): Builder & { requests: BuildRequest[] } {
  const requests: BuildRequest[] = [];
  return {
    requests,
    get count() {
      return requests.length;
    },
    async build(req) {
      requests.push(req);
      const bytes = new TextEncoder().encode(`built ${flagSetKey(req.features)}`);
      return {
        ok: true,
        features: [...req.features],
        outputs: [{ path: "main.js", bytes, kind: "entry-point" }],
        raw: bytes.byteLength,
        metafile: { inputs: {}, outputs: {} },
        ms: 0,
      };
    },
  };
}

/** Sizes that say which output they measured: raw is its byte length. */
const fakeMeter: Meter = {
  async measure(outputs: BuildOutput[]): Promise<Sizes> {
    const raw = outputs.reduce((s, o) => s + o.bytes.byteLength, 0);
    return { raw, gzip: raw + 1000, brotli: raw + 2000 };
  },
};

function fakeFlagSets(): FlagSets & { jobs: SizeJob[] } {
  const jobs: SizeJob[] = [];
  return {
    jobs,
    helperBuilds: 0,
    cached: 0,
    stop() {},
    measure(all) {
      jobs.push(...all);
      return all.map((_, i): Promise<FlagSetSize> => Promise.resolve({ raw: 90_000 + i, gzip: 80_000 + i }));
    },
  };
}

function loaded() {
  const ctx = openContext(ROOT, { today: TODAY, write: false, cache: false });
  const { diagnostics, texts, ...records } = loadRecords(ctx);
  expect(diagnostics).toEqual([]);
  expect(texts?.size).toBeGreaterThan(0);
  return { ...ctx, ...records };
}

describe("one verify step alone, with fake tools", () => {
  test("startBuilds asks the builder once per variant, measures each with the meter, and sends the flag sets no variant has to the flag-set tool", async () => {
    const input = loaded();
    const builder = fakeBuilder();
    const flagSets = fakeFlagSets();
    const out = startBuilds(input, { builder, meter: fakeMeter, flagSets });

    expect(out.diagnostics).toEqual([]);
    expect(out.missingEntries).toEqual([]);
    expect(builder.requests.map((r) => ({ entry: r.entry, features: [...r.features] }))).toEqual(
      input.variants.map((v) => ({ entry: v.record.entry, features: v.record.features })),
    );
    const measured = await Promise.all(out.measured);
    expect(measured.map((m) => m.sizes)).toEqual(
      input.variants.map((v) => {
        const raw = `built ${flagSetKey(v.record.features)}`.length;
        return { raw, gzip: raw + 1000, brotli: raw + 2000 };
      }),
    );

    // enterprise without ENTERPRISE is prod's flag set: that toggle reuses prod's build and its sizes.
    const variantSets = new Map(input.variants.map((v, i) => [flagSetKey(v.record.features), i]));
    const leave = out.toggleList.findIndex((t) => t.variant === "enterprise" && t.flag === "ENTERPRISE" && t.mode === "leave");
    expect(leave).toBeGreaterThanOrEqual(0);
    const toggled = await Promise.all(out.toggleSizes);
    expect(toggled).toHaveLength(out.toggleList.length);
    expect(variantSets.get(flagSetKey(out.toggleList[leave]!.features))).toBe(input.variants.findIndex((v) => v.record.name === "prod"));
    expect(toggled[leave]).toEqual(measured[variantSets.get(flagSetKey(out.toggleList[leave]!.features))!]!.sizes);
    // Every other toggle went to the flag-set tool, each distinct flag set once; none was built here.
    const others = out.toggleList.filter((t) => !variantSets.has(flagSetKey(t.features)));
    expect(flagSets.jobs.map((j) => flagSetKey(j.features)).sort()).toEqual([...new Set(others.map((t) => flagSetKey(t.features)))].sort());
    expect(builder.count).toBe(input.variants.length);
  });

  test("startBuilds returns a missing entry as its diagnostic instead of adding it to a shared list", () => {
    const input = loaded();
    const ghost = { ...input.variants[0]!, record: { ...input.variants[0]!.record, name: "ghost", entry: "src/nowhere.ts" } };
    const out = startBuilds(
      { ...input, variants: [...input.variants, ghost], impact: false },
      { builder: fakeBuilder(), meter: fakeMeter, flagSets: fakeFlagSets() },
    );
    expect(out.missingEntries.map((v) => v.record.name)).toEqual(["ghost"]);
    expect(out.diagnostics.map((d) => [d.rule, d.message])).toEqual([
      ["missing-entry", 'entry src/nowhere.ts of variant "ghost" does not exist'],
    ]);
    expect(out.toggleList).toEqual([]);
  });

  test("proveDeadCode returns each outcome with its marker proof and leaves the outcomes it was given as they were", async () => {
    const input = loaded();
    const outcome = (name: string): VariantOutcome => ({
      name,
      features: [],
      budget: 1,
      sizes: { raw: 1, gzip: 1, brotli: 1 },
      proofs: { markers: "skipped", ownedModules: "pass", leftovers: "pass" },
      problems: [],
    });
    const given = input.variants.map((v) => outcome(v.record.name));
    const broken: Built = { ok: false, features: [], problems: [{ message: "planted marker broke the build" }], ms: 0 };
    const builtByVariant = new Map(
      input.variants.map((v) => [
        v.record.name,
        { ok: true as const, features: [], outputs: [], raw: 0, metafile: { inputs: {}, outputs: {} }, ms: 0 },
      ]),
    );
    const progress: string[] = [];
    const out = await proveDeadCode({
      ...input,
      outcomes: given,
      plan: { arms: [], plugin: undefined, key: "" },
      // The first variant's probe failed although its plain build worked; the others had nothing to probe.
      probeBuilds: input.variants.map((_, i) => Promise.resolve(i === 0 ? broken : undefined)),
      builtByVariant,
      progress: (e) => void (e.kind === "variant" && progress.push(`${e.outcome.name}:${e.outcome.proofs.markers}`)),
    });
    const first = input.variants[0]!.record.name;
    expect(out.outcomes.map((o) => o.proofs.markers)).toEqual(input.variants.map((_, i) => (i === 0 ? "fail" : "skipped")));
    expect(out.outcomes[0]!.problems).toEqual([`variant "${first}": the probe build failed: planted marker broke the build`]);
    expect(out.diagnostics.map((d) => d.rule)).toEqual(["probe-mismatch"]);
    expect(progress).toEqual(input.variants.map((v, i) => `${v.record.name}:${i === 0 ? "fail" : "skipped"}`));
    expect(given.map((o) => [o.proofs.markers, o.problems.length])).toEqual(given.map(() => ["skipped", 0]));
  });
});
