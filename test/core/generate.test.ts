import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emitJsonSchema } from "../../src/core/emit/emit-json-schema.ts";
import { emitRegistry } from "../../src/core/emit/emit-registry.ts";
import { STATUSES } from "../../src/core/schema/columns.ts";
import { TYPES } from "../../src/core/schema/kinds.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { writeAtomic } from "../../src/core/fs/write-atomic.ts";
import { makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));
function project(): string {
  const dir = makeProject();
  projects.push(dir);
  return dir;
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = `${rel}/${name}`;
      const st = statSync(join(dir, path));
      if (st.isDirectory()) walk(path);
      else out.set(path, `${st.mtimeMs}:${readFileSync(join(dir, path), "base64")}`);
    }
  };
  walk("src/generated");
  return out;
}

describe("generate", () => {
  test("a failing run leaves generated files byte-for-byte untouched", async () => {
    const dir = project();
    const before = snapshot(dir);
    const features = join(dir, "data/features.yaml");
    // One change that would alter the registry, one mistake that must stop everything.
    writeFileSync(
      features,
      readFileSync(features, "utf8").replace("name: ENTERPRISE", "name: ENTERPRISE_V2").replace("tier: Internal", "tier: Gold"),
    );
    const run = await runMain("generate", dir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("data/features.yaml:7:9: error invalid-enum");
    expect(run.stderr).toContain("generate: nothing written");
    expect(snapshot(dir)).toEqual(before);
  });

  test("writes only files whose content changed", async () => {
    const dir = project();
    const before = snapshot(dir);
    const again = await runMain("generate", dir);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain("already up to date");
    expect(snapshot(dir)).toEqual(before);

    const features = join(dir, "data/features.yaml");
    writeFileSync(
      features,
      readFileSync(features, "utf8").replace("description: Diagnostics.", "description: Diagnostics with */ inside."),
    );
    const changed = await runMain("generate", dir);
    expect(changed.stderr).toContain("generate: wrote src/generated/registry.ts\n");
    expect(readFileSync(join(dir, "src/generated/registry.ts"), "utf8")).toContain("/** Diagnostics with *\\/ inside. */");
    expect((await runMain("check", dir)).exitCode).toBe(0);
  });

  test("the repository's own generated files are fresh", async () => {
    const run = await runMain("check", REPO, ["--no-cache"]);
    expect(run.stderr).not.toContain("stale-generated");
  });
});

describe("check cache", () => {
  test("a clean result is reused only while every input is unchanged", async () => {
    const dir = project();
    expect((await runMain("check", dir)).stderr).not.toContain("unchanged since");
    const second = await runMain("check", dir);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain("unchanged since the last clean check");
    const features = join(dir, "data/features.yaml");
    writeFileSync(features, readFileSync(features, "utf8").replace("tier: Internal", "tier: Gold"));
    const third = await runMain("check", dir);
    expect(third.exitCode).toBe(1);
    expect(third.stderr).toContain("invalid-enum");
    // Failures are never cached: the same mistake is reported again, in full.
    expect((await runMain("check", dir)).stderr).toContain("invalid-enum");
    // A change to generated files (not only data) invalidates the cache too.
    writeFileSync(features, readFileSync(features, "utf8").replace("tier: Gold", "tier: Internal"));
    expect((await runMain("check", dir)).exitCode).toBe(0);
    writeFileSync(join(dir, "src/generated/registry.ts"), "// edited by hand\n");
    expect((await runMain("check", dir)).stderr).toContain("stale-generated");
  });

  test("a remembered verdict is dropped when a proof's test file disappears (check only asked whether it is a file)", async () => {
    const dir = project();
    const security = join(dir, "data/security.yaml");
    // A control's proof lists a fault its tests must catch (check never plants it).
    const fault = `    faults:\n      - id: open\n        what: reads are not checked\n        file: src/app/main.ts\n        find: check(read)\n        replace: "true"\n`;
    writeFileSync(security, `${readFileSync(security, "utf8").trimEnd()}\n  proof:\n    tests: [test/proof/a.test.ts]\n${fault}`);
    mkdirSync(join(dir, "test/proof"), { recursive: true });
    writeFileSync(join(dir, "test/proof/a.test.ts"), "// proof\n");
    expect((await runMain("check", dir)).exitCode).toBe(0);
    // Its content is not an input of check: an edit keeps the verdict …
    writeFileSync(join(dir, "test/proof/a.test.ts"), "// proof, edited\n");
    expect((await runMain("check", dir)).stderr).toContain("unchanged since the last clean check");
    // … its absence does not.
    rmSync(join(dir, "test/proof/a.test.ts"));
    const gone = await runMain("check", dir);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain("data/security.yaml:20:13: error proof-missing-file");
  });
});

describe("writeAtomic", () => {
  test("replaces whole files and leaves no temp file behind", () => {
    const dir = project();
    const path = join(dir, "out/file.txt");
    expect(writeAtomic(path, "one")).toBe(true);
    expect(writeAtomic(path, "one")).toBe(false);
    expect(writeAtomic(path, "two")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("two");
    expect(readdirSync(join(dir, "out"))).toEqual(["file.txt"]);
  });

  test("a failed write keeps the old target and cleans up", () => {
    const dir = project();
    const target = join(dir, "blocked");
    mkdirSync(join(target, "inner"), { recursive: true });
    expect(() => writeAtomic(target, "data")).toThrow();
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});

describe("emitted files", () => {
  const { model } = loadModel(join(REPO, "test/fixtures/base"));

  test("JSON Schema is draft-07, strict, with reference names as enums", () => {
    const schema = JSON.parse(emitJsonSchema("variants", model));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.type).toBe("array");
    expect(schema.items.additionalProperties).toBe(false);
    expect(schema.items.required).toEqual(expect.arrayContaining(["name", "type", "scope", "features", "budget"]));
    expect(schema.items.properties.features.items.enum).toEqual(["DEBUG", "ENTERPRISE"]);
    expect(schema.items.properties.scope.enum).toEqual(["Public", "Enterprise", "Development"]);
    expect(schema.items.properties.tier.enum).toEqual(["Free", "Pro", "Enterprise", "Internal"]);
  });

  test("FlagMeta and VariantMeta are typed from the schema: enums as unions, names as FlagName/VariantName", () => {
    const registry = emitRegistry(model);
    const union = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(" | ");
    expect(registry).toContain(`  readonly type: ${union(TYPES.features)};\n`);
    expect(registry).toContain(`  readonly status: ${union(STATUSES)};\n`);
    expect(registry).toContain("  readonly name: FlagName;\n");
    expect(registry).toContain("  readonly expires: string | null;\n");
    expect(registry).toContain("  readonly variants: readonly VariantName[];\n");
    expect(registry).toContain("  readonly features: readonly FlagName[];\n");
    expect(registry).toContain("  /** Size budget of the minified bundle, in bytes. */\n  readonly budget: number;\n");
  });

  test("the registry makes an undeclared flag a type error", () => {
    const dir = project();
    mkdirSync(join(dir, "src/app"), { recursive: true });
    writeFileSync(
      join(dir, "src/app/use.ts"),
      'import { feature } from "bun:bundle";\nif (feature("DEBUG")) console.log(1);\nif (feature("DEBUGG")) console.log(2);\n',
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "Preserve",
          moduleResolution: "bundler",
          target: "ESNext",
          types: ["bun"],
          typeRoots: [join(REPO, "node_modules/@types")],
          skipLibCheck: true,
        },
        include: ["src"],
      }),
    );
    const tsc = Bun.spawnSync([process.execPath, join(REPO, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: dir, stdout: "pipe" });
    const out = tsc.stdout.toString();
    expect(out).toContain("src/app/use.ts(3,13): error TS2345");
    expect(out).toContain('"DEBUGG"');
    expect(out.match(/error TS/g)?.length).toBe(1);
  }, 30000);
});
