/**
 * Dead-code elimination per flag, beyond the 8 variants: the app built with no flags, each flag alone,
 * all flags but one, and all flags. Each build goes through the verify core: no owned module may ship with
 * its flag off (metafile bytesInOutput), no replaced module with its flag on, nothing may be left of
 * bun:bundle, and the probe markers must show exactly the guarded arms the flags imply.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadModel } from "../../src/core/model/model.ts";
import { moduleBytes, VariantBuilder, type Built } from "../../src/verify/build-variants.ts";
import { findLeftovers } from "../../src/verify/leftovers.ts";
import { findLeaks, matchesAny } from "../../src/verify/owned-modules.ts";
import { probeFacts } from "../../src/verify/probe-markers.ts";
import { judgeProbe, probePlan } from "../../src/verify/probe-proof.ts";
import { loadSourceGraph } from "../../src/verify/source-graph.ts";

const ROOT = join(import.meta.dir, "../..");
const ENTRY = "src/app/main.ts";
const { model } = loadModel(ROOT);
const flags = model.records.features;
const FLAGS = flags.map((f) => f.record.name);
const flag = (name: string) => flags.find((f) => f.record.name === name)!;
/** `modules` is optional: a flag that only guards code in shared files (as the README's example) owns none. */
const owning = flags.filter((f) => (f.record.modules ?? []).length > 0);
const builder = new VariantBuilder(ROOT);
const graph = loadSourceGraph(ROOT, [ENTRY]);
const plan = probePlan(ROOT, probeFacts(graph));

type Ok = Extract<Built, { ok: true }>;

/** One build judged like a variant: leaks, leftovers, wrong arms, and bytes per module. */
async function judge(features: string[]) {
  const built = await builder.build({ entry: ENTRY, features });
  const probe = await builder.build({ entry: ENTRY, features, probe: { key: plan.key, plugin: plan.plugin! } });
  if (!built.ok || !probe.ok) throw new Error(`build failed for ${features.join(",")}`);
  const verdict = judgeProbe(plan, new Set(features), probe as Ok);
  return {
    leaks: findLeaks({ name: features.join(",") || "none", entry: ENTRY, features }, flags, built.metafile).map(
      (l) => `${l.module} (${l.flag})`,
    ),
    leftovers: findLeftovers(built.outputs).map((l) => l.what),
    wrongArms: [...verdict.shippedDead, ...verdict.removedLive].map((a) => a.id),
    checkedArms: verdict.checked,
    bytes: moduleBytes(built.metafile),
    raw: built.raw,
  };
}

const bytesOf = (bytes: Map<string, number>, globs: readonly string[] | undefined) =>
  [...bytes].filter(([path]) => matchesAny(path, globs)).reduce((s, [, n]) => s + n, 0);

describe("build variants", () => {
  test("every feature module is owned or replaced by exactly one flag", () => {
    const files = [...graph.files.keys()].filter((f) => f.startsWith("src/app/features/"));
    // Every feature module on disk is bundled by some variant (the count is the folder's, not typed here).
    expect(files.sort()).toEqual([...new Bun.Glob("src/app/features/**/*.ts").scanSync({ cwd: ROOT })].sort());
    for (const file of files) {
      const owners = flags
        .filter((f) => matchesAny(file, f.record.modules) || matchesAny(file, f.record.replaces))
        .map((f) => f.record.name);
      expect({ file, owners: owners.length }).toEqual({ file, owners: 1 });
    }
  });

  test("no flags: no owned module ships, the legacy serializer does, nothing of bun:bundle is left", async () => {
    const r = await judge([]);
    expect(r).toMatchObject({ leaks: [], leftovers: [], wrongArms: [] });
    expect(r.checkedArms).toBeGreaterThan(30);
    for (const f of owning)
      expect({ flag: f.record.name, bytes: bytesOf(r.bytes, f.record.modules) }).toEqual({ flag: f.record.name, bytes: 0 });
    expect(bytesOf(r.bytes, flag("V2_SERIALIZER").record.replaces)).toBeGreaterThan(0);
  });

  for (const name of FLAGS) {
    test(`${name} alone: its modules ship, nothing else's, and only its arms flip`, async () => {
      const r = await judge([name]);
      expect(r).toMatchObject({ leaks: [], leftovers: [], wrongArms: [] });
      if (owning.includes(flag(name))) expect(bytesOf(r.bytes, flag(name).record.modules)).toBeGreaterThan(0);
      // The negated legacy path disappears only with V2_SERIALIZER.
      expect(bytesOf(r.bytes, flag("V2_SERIALIZER").record.replaces) > 0).toBe(name !== "V2_SERIALIZER");
    });
  }

  test("leave-one-out from all flags: only the missing flag's modules are gone", async () => {
    for (const name of FLAGS) {
      const r = await judge(FLAGS.filter((f) => f !== name));
      expect({ name, leaks: r.leaks, leftovers: r.leftovers, wrongArms: r.wrongArms }).toEqual({
        name,
        leaks: [],
        leftovers: [],
        wrongArms: [],
      });
      for (const other of owning) {
        const on = other.record.name !== name;
        expect({ name, other: other.record.name, ships: bytesOf(r.bytes, other.record.modules) > 0 }).toEqual({
          name,
          other: other.record.name,
          ships: on,
        });
      }
    }
  });

  test("all flags on: every module ships, the legacy serializer is gone, the build is much larger", async () => {
    const all = await judge(FLAGS);
    expect(all).toMatchObject({ leaks: [], leftovers: [], wrongArms: [] });
    for (const f of owning)
      expect({ flag: f.record.name, ships: bytesOf(all.bytes, f.record.modules) > 0 }).toEqual({ flag: f.record.name, ships: true });
    expect(bytesOf(all.bytes, flag("V2_SERIALIZER").record.replaces)).toBe(0);
    expect(all.raw).toBeGreaterThan((await judge([])).raw * 2);
  });
});
