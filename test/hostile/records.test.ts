/**
 * Records as an attacker writes them: every field that becomes a path, a shell word, a workflow
 * value or an object key is refused with its own rule, and the writers hold even when a value slips past.
 * Everything happens inside one temporary folder per test.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { locationEvidence } from "../../src/core/model/location.ts";
import { statusEvidence } from "../../src/core/model/evidence.ts";
import { emitRegistry } from "../../src/core/emit/emit-registry.ts";
import type { Entry } from "../../src/core/load/load-records.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { runCheck } from "../../src/core/check.ts";
import { buildCommand } from "../../src/core/emit/emit-build-scripts.ts";
import { emitWorkflow } from "../../src/core/emit/emit-workflow.ts";
import { writeVariant } from "../../src/verify/write-variants.ts";
import { makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

const variant = (fields: Record<string, string>) => {
  const base: Record<string, string> = {
    name: "x",
    type: "Development",
    category: "Delivery",
    domain: "Build",
    scope: "Development",
    tier: "Internal",
    status: "Planned",
    approval: "Pending",
    description: "x",
    entry: "src/app/main.ts",
    script: "build:x",
    budget: "100000",
    features: "[]",
    ...fields,
  };
  return `\n- ${Object.entries(base)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n  ")}\n`;
};

/** Diagnostics of check as "line rule" for one file. */
function checkRules(dir: string, file: string): string[] {
  return runCheck(dir, { freshness: false })
    .diagnostics.filter((d) => d.file === file)
    .map((d) => `${d.line} ${d.rule}`);
}

function withProject(fn: (dir: string) => void): void {
  const dir = makeProject();
  try {
    fn(dir);
  } finally {
    removeProject(dir);
  }
}

/** A successful build of one one-byte bundle: what a hostile variant name would have verify write. */
const ONE_BYTE_BUILD = {
  ok: true as const,
  features: [],
  outputs: [{ path: "main.js", bytes: new Uint8Array([49]), kind: "entry-point" }],
  raw: 1,
  metafile: { inputs: {}, outputs: {} },
  ms: 0,
};
describe("records that would become paths, shell words and keys", () => {
  test("A variant name that climbs out of dist/variants is refused at check", () =>
    withProject((dir) => {
      for (const name of ['"../../content"', '"../../../OUTSIDE_WRITE"', '"."', '".."', '"a/b"', "Prod", '"x\\ny"']) {
        writeFileSync(
          join(dir, "data/variants.yaml"),
          readFileSync(join(REPO, "test/fixtures/base/data/variants.yaml"), "utf8") + variant({ name }),
        );
        expect(checkRules(dir, "data/variants.yaml")).toContain("30 invalid-variant-name");
      }
    }));

  test("Verify with such a name writes nothing: content/ stays, nothing appears beside the repository", async () => {
    const parent = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
    const dir = join(parent, "repo");
    try {
      cpSync(join(REPO, "test/fixtures/verify/base"), dir, { recursive: true });
      const before = readdirSync(join(dir, "data")).sort();
      mkdirSync(join(dir, "content"), { recursive: true });
      writeFileSync(join(dir, "content/keep.md"), "# kept\n");
      appendFileSync(
        join(dir, "data/variants.yaml"),
        variant({ name: '"../../content"' }) + variant({ name: '"../../../OUTSIDE_WRITE"', script: "build:y" }),
      );
      const run = await runMain("verify", dir);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("invalid-variant-name");
      expect(readFileSync(join(dir, "content/keep.md"), "utf8")).toBe("# kept\n");
      expect(readdirSync(parent)).toEqual(["repo"]);
      expect(readdirSync(join(dir, "data")).sort()).toEqual(before);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("The variant writer refuses a folder outside dist/variants even for a name that slipped past the schema", () => {
    const parent = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
    const dir = join(parent, "repo");
    try {
      mkdirSync(join(dir, "content"), { recursive: true });
      writeFileSync(join(dir, "content/keep.md"), "kept");
      for (const name of ["../../content", "../../../OUTSIDE", ".", ".."]) {
        const info = { name, entry: "src/app/main.ts", features: [], bunVersion: Bun.version, sizes: { raw: 1, gzip: 1, brotli: 1 } };
        expect(() => writeVariant(dir, info, ONE_BYTE_BUILD)).toThrow(/refusing to write/);
      }
      expect(readFileSync(join(dir, "content/keep.md"), "utf8")).toBe("kept");
      expect(readdirSync(parent)).toEqual(["repo"]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("A committed dist symlink cannot redirect variant writes into the repository's sources", () => {
    const dir = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
    try {
      mkdirSync(join(dir, "content/variants"), { recursive: true });
      Bun.spawnSync(["ln", "-s", "content", join(dir, "dist")]);
      const info = { name: "prod", entry: "src/app/main.ts", features: [], bunVersion: Bun.version, sizes: { raw: 1, gzip: 1, brotli: 1 } };
      expect(() => writeVariant(dir, info, ONE_BYTE_BUILD)).toThrow(/refusing to write/);
      expect(readdirSync(join(dir, "content/variants"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("An entry with shell syntax or outside the repository is refused at check", () =>
    withProject((dir) => {
      const cases = [
        '"src/app/main.ts;touch${IFS}PWNED;#"',
        "../p/src/app/main.ts",
        "/etc/passwd.ts",
        "src/app/main.js",
        '"src/app/$(id).ts"',
        "src/../../x.ts",
      ];
      for (const entry of cases) {
        writeFileSync(
          join(dir, "data/variants.yaml"),
          readFileSync(join(REPO, "test/fixtures/base/data/variants.yaml"), "utf8") + variant({ entry }),
        );
        expect(checkRules(dir, "data/variants.yaml")).toContain("39 invalid-path");
      }
    }));

  test("Generated build scripts quote every value: hostile values reach bun as one argument each and run nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
    try {
      // A stand-in bun that records its arguments, first on PATH.
      writeFileSync(join(dir, "bun"), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "${dir}/argv"\n`, { mode: 0o755 });
      const hostile = { name: "x$(touch PWNED1)\ny", entry: "src/app/main.ts;touch${IFS}PWNED2;#", features: ["A'B", "`touch PWNED3`"] };
      const command = buildCommand(hostile);
      const run = Bun.spawnSync(["sh", "-c", command], { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin` } });
      expect(run.exitCode).toBe(0);
      expect(readdirSync(dir).filter((f) => f.startsWith("PWNED"))).toEqual([]);
      const argv = readFileSync(join(dir, "argv"), "utf8").split("\0").slice(0, -1);
      expect(argv).toEqual([
        "build",
        hostile.entry,
        "--target=bun",
        "--minify",
        `--outdir=dist/variants/${hostile.name}`,
        `--metafile=dist/variants/${hostile.name}/metafile.json`,
        "--feature=A'B",
        "--feature=`touch PWNED3`",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("The workflow matrix carries hostile values as data and hands the script to the shell through the environment", () => {
    const text = emitWorkflow({
      variants: [{ name: "a\n        run: touch PWNED", script: "build:x; touch PWNED #", entry: "src/app/main.ts", features: [] }],
    });
    const doc = parse(text) as {
      jobs: { build: { strategy: { matrix: { include: unknown[] } }; steps: { run?: string; env?: Record<string, string> }[] } };
    };
    expect(doc.jobs.build.strategy.matrix.include).toEqual([{ variant: "a\n        run: touch PWNED", script: "build:x; touch PWNED #" }]);
    const step = doc.jobs.build.steps.find((s) => s.env?.SCRIPT);
    expect(step?.run).toBe('npm run "$SCRIPT"');
    expect(text).not.toContain("run: npm run ${{");
  });

  test("__proto__, constructor and prototype are refused as names of any kind", () =>
    withProject((dir) => {
      writeFileSync(
        join(dir, "data/variants.yaml"),
        readFileSync(join(REPO, "test/fixtures/base/data/variants.yaml"), "utf8") + variant({ name: "constructor" }),
      );
      expect(checkRules(dir, "data/variants.yaml")).toContain("30 reserved-name");
      const team = readFileSync(join(dir, "data/team.yaml"), "utf8");
      writeFileSync(join(dir, "data/team.yaml"), team.replace(/^- name: .*$/m, "- name: __proto__"));
      expect(checkRules(dir, "data/team.yaml")).toContain("2 reserved-name");
    }));

  test("The emitted registry keeps a __proto__ variant as an own key, never as the prototype", async () => {
    const { model } = loadModel(join(REPO, "test/fixtures/base"));
    const v = model.records.variants[0]!;
    const hijack = { ...v, record: { ...v.record, name: "__proto__" } };
    const text = emitRegistry({ ...model, records: { ...model.records, variants: [hijack, ...model.records.variants.slice(1)] } });
    const dir = mkdtempSync(join(tmpdir(), "takeoff-hostile-"));
    try {
      writeFileSync(join(dir, "registry.ts"), text);
      const mod = (await import(join(dir, "registry.ts"))) as { VARIANTS: Record<string, { budget: number }> };
      expect(Object.keys(mod.VARIANTS)).toEqual(["__proto__", ...model.records.variants.slice(1).map((x) => x.record.name)]);
      expect(Object.getPrototypeOf(mod.VARIANTS)).toBe(Object.prototype);
      expect((mod.VARIANTS as { budget?: number }).budget).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("A component location outside the repository is refused, and never shown as proven", () =>
    withProject((dir) => {
      const file = join(dir, "data/components.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("location: tsconfig.json", "location: ../../../etc/passwd"));
      expect(checkRules(dir, "data/components.yaml")).toContain("9 invalid-path");
      // Where a component lives is checked confined to the repository; that it exists backs the location only.
      expect(locationEvidence("../../../etc/passwd", dir).state).toBe("unproven");
      // A link inside the repository that leads out proves nothing either.
      Bun.spawnSync(["ln", "-s", "/etc", join(dir, "etc-link")]);
      expect(locationEvidence("etc-link/passwd", dir).state).toBe("unproven");
      writeFileSync(join(dir, "real.txt"), "x");
      expect(locationEvidence("real.txt", dir).state).toBe("proven");
      const { model } = loadModel(join(REPO, "test/fixtures/base"));
      const c = model.records.components[0]!;
      const done = { ...c, record: { ...c.record, status: "Done", location: "real.txt" } } as Entry<"components"> as Entry;
      expect(statusEvidence(done, { root: dir, model, results: undefined, proofs: undefined })?.state).toBe("unproven");
    }));

  test("Control characters in record text are refused at check and never reach generated code", () =>
    withProject((dir) => {
      const file = join(dir, "data/features.yaml");
      const text = readFileSync(file, "utf8");
      const first = /description: .*$/m.exec(text)![0];
      for (const bad of ['"\\e]52;c;SGVsbG8=\\a\\e[2K\\rfine"', '"nul\\0byte"', '"bidi \\u202e txt"', '"c1 \\x9b31m"']) {
        writeFileSync(file, text.replace(first, `description: ${bad}`));
        const result = runCheck(dir, { freshness: false });
        expect(result.diagnostics.map((d) => d.rule)).toContain("control-character");
      }
      // Even if such text reached the emitter, the comment it writes holds no control character.
      const { model } = loadModel(join(REPO, "test/fixtures/base"));
      const f = model.records.features[0]!;
      const out = emitRegistry({
        ...model,
        records: { ...model.records, features: [{ ...f, record: { ...f.record, description: "a\u0000b\u001b[2Kc" } }] },
      });
      expect(out).not.toMatch(/[\u0000\u001b]/);
    }));
});

test("the hostile tests leave nothing in the repository", () => {
  expect(existsSync(join(REPO, "PWNED"))).toBe(false);
  expect(existsSync(join(REPO, "../OUTSIDE_WRITE"))).toBe(false);
});
