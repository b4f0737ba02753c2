/**
 * The flags a build reports are generated from the records (src/generated/features.ts): one literal
 * feature("NAME") per flag in record order, so a build keeps exactly its own names; and the app's options
 * go through the one argument parser, each one the usage text names.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emitEnabledFeatures, ENABLED_FEATURES_PATH } from "../../src/core/emit/emit-enabled-features.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { parseArgs, USAGE } from "../../src/app/core/args.ts";
import { flagRules } from "../../src/verify/flag-rules.ts";

const ROOT = join(import.meta.dir, "../..");
const { model } = loadModel(ROOT);
const names = model.records.features.map((f) => f.record.name);

describe("enabledFeatures from the records", () => {
  test("src/generated/features.ts is what the records render", () => {
    expect(readFileSync(join(ROOT, ENABLED_FEATURES_PATH), "utf8")).toBe(emitEnabledFeatures(model));
  });

  test("one literal feature() per flag, in record order", () => {
    const text = emitEnabledFeatures(model);
    const listed = [...text.matchAll(/^ {2}if \(feature\("([A-Z0-9_]+)"\)\) on\.push\("\1"\);$/gm)].map((m) => m[1]);
    expect(listed).toEqual(names);
  });

  test("a build with some flags lists exactly those, in record order", async () => {
    const on = [names.at(-1)!, names[0]!];
    const built = await Bun.build({ entrypoints: [join(ROOT, ENABLED_FEATURES_PATH)], features: on, target: "bun", minify: true });
    expect(built.success).toBe(true);
    const text = await built.outputs[0]!.text();
    const kept = names.filter((n) => text.includes(JSON.stringify(n)));
    expect(kept).toEqual([names[0]!, names.at(-1)!]);
  });

  test("a flag only the generated list tests is still stale: the list tests every declared flag", () => {
    const flag = model.records.features[0]!;
    const rules = (files: string[]) => flagRules([flag], { [flag.record.name]: files }, "2000-01-01").map((d) => d.rule);
    expect(rules([ENABLED_FEATURES_PATH])).toEqual(["stale-flag"]);
    expect(rules([ENABLED_FEATURES_PATH, "src/app/app.ts"])).toEqual([]);
  });
});

describe("the app's options", () => {
  test("every option the usage text names parses and sets its field", () => {
    const named = [...new Set([...USAGE.matchAll(/--([a-z0-9-]+)/g)].map((m) => m[1]!))].filter((n) => n !== "feature" && n !== "help");
    expect(named.length).toBeGreaterThan(25);
    const sample: Record<string, string> = { now: "5", scope: "Public", tenant: "acme" };
    for (const name of named) {
      const argv = name === "serve" ? ["--serve"] : [`--${name}=${sample[name] ?? "7"}`];
      if (name === "tenant") argv.push("--scope=Public");
      const field = name === "alert" ? "alerts" : name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      const o = parseArgs(argv) as unknown as Record<string, unknown>;
      expect({ name, set: o[field] !== undefined }).toEqual({ name, set: true });
    }
  });

  test("repeated --alert keeps every rule in order; integers are numbers", () => {
    expect(parseArgs(["--alert=a:x>1", "--alert", "b:y<2"]).alerts).toEqual(["a:x>1", "b:y<2"]);
    expect(parseArgs(["--port=0", "--serve-ms=5"])).toMatchObject({ port: 0, serveMs: 5 });
    expect(() => parseArgs(["--port=x"])).toThrow("--port must be an integer >= 0");
    expect(() => parseArgs(["--out"])).toThrow("--out needs a value");
    expect(parseArgs(["--help"]).help).toBe(true);
  });
});
