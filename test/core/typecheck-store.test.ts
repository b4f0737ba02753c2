/**
 * The typecheck proof's incremental runs (test/helpers/typecheck.ts) never let through what a whole-program
 * check reports: on a small project of its own (node_modules holding only a link to the repository's
 * typescript, so the store, under the real node_modules, is the project's own), each case warms the store on a
 * clean tree, then breaks the program where a re-check must find it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { typecheck, typecheckSlot } from "../helpers/typecheck.ts";
import { REPO } from "../helpers/project.ts";

const TSC = 60_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project: `files` under src/, a strict tsconfig, node_modules/typescript linked to the repository's. */
function project(files: Record<string, string>, tsconfig: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-tsc-"));
  dirs.push(dir);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(REPO, "node_modules/typescript"), join(dir, "node_modules/typescript"), "dir");
  const options = {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    target: "ESNext",
    module: "Preserve",
    types: [],
    lib: ["ESNext"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["src"], ...tsconfig }));
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

const CLEAN = {
  "src/unit.ts": "export function unit(): number {\n  return 1;\n}\n",
  "src/user.ts": 'import { unit } from "./unit.ts";\nexport const twice: number = unit() * 2;\n',
  "src/globals.d.ts": "declare global {\n  var LIMIT: number;\n}\nexport {};\n",
  "src/limit.ts": "export const limit: number = globalThis.LIMIT + 1;\n",
};

describe("typecheck, incremental", () => {
  test(
    "a run leaves its build info in the store, and the next run starts from it",
    () => {
      const dir = project(CLEAN);
      expect(existsSync(typecheckSlot(dir))).toBe(false);
      expect(typecheck(dir)).toEqual({ exitCode: 0, output: "", reused: false });
      expect(typecheckSlot(dir).startsWith(join(dir, "node_modules", ".cache", "takeoff", "typecheck"))).toBe(true);
      expect(existsSync(typecheckSlot(dir))).toBe(true);
      expect(typecheck(dir)).toEqual({ exitCode: 0, output: "", reused: true });
      // The run's own folder is gone; only the store keeps the build info.
      expect(existsSync(join(dir, ".cache", "typecheck")) ? readdirSync(join(dir, ".cache", "typecheck")) : []).toEqual([]);
    },
    TSC,
  );

  test("a tree where Astro has run (its global .astro/types.d.ts) keeps a build info apart from one where it has not", () => {
    const dir = project(CLEAN);
    const without = typecheckSlot(dir);
    write(dir, { ".astro/types.d.ts": "export {};\n" });
    expect(typecheckSlot(dir)).not.toBe(without);
    rmSync(join(dir, ".astro"), { recursive: true });
    expect(typecheckSlot(dir)).toBe(without);
  });

  test(
    "an unchanged file is checked again when what it imports changes: the error is reported there",
    () => {
      const dir = project(CLEAN);
      expect(typecheck(dir).exitCode).toBe(0);
      write(dir, { "src/unit.ts": 'export function unit(): string {\n  return "1";\n}\n' });
      const run = typecheck(dir);
      expect(run.reused).toBe(true);
      expect(run.exitCode).not.toBe(0);
      expect(run.output).toContain("src/user.ts");
    },
    TSC,
  );

  test(
    "a changed global declaration checks every file again",
    () => {
      const dir = project(CLEAN);
      expect(typecheck(dir).exitCode).toBe(0);
      write(dir, { "src/globals.d.ts": "declare global {\n  var LIMIT: string;\n}\nexport {};\n" });
      const run = typecheck(dir);
      expect(run.reused).toBe(true);
      expect(run.exitCode).not.toBe(0);
      expect(run.output).toContain("src/limit.ts");
    },
    TSC,
  );

  test(
    "a damaged build info in the store, or one of another program, costs a whole check, never an error",
    () => {
      const other = project({ "src/other.ts": "export const other = 1;\n" });
      expect(typecheck(other).exitCode).toBe(0);
      const broken = { ...CLEAN, "src/user.ts": 'import { unit } from "./unit.ts";\nexport const twice: string = unit() * 2;\n' };
      for (const info of ["{ not json", "", readFileSync(typecheckSlot(other), "utf8")]) {
        const dir = project(broken);
        mkdirSync(join(typecheckSlot(dir), ".."), { recursive: true });
        writeFileSync(typecheckSlot(dir), info);
        const run = typecheck(dir);
        expect({
          info: info.slice(0, 10),
          reused: run.reused,
          failed: run.exitCode !== 0,
          names: run.output.includes("src/user.ts"),
        }).toEqual({
          info: info.slice(0, 10),
          reused: true,
          failed: true,
          names: true,
        });
      }
    },
    TSC,
  );

  test(
    "a build info the tree itself holds is never read, even where its tsconfig names it",
    () => {
      // The tree's own build info, made on a clean tree, then the program broken: a tsc that read it would
      // believe every file unchanged since and report nothing.
      const dir = project(CLEAN, {});
      const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
      tsconfig.compilerOptions = { ...tsconfig.compilerOptions, incremental: true, tsBuildInfoFile: "./forged.tsbuildinfo" };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
      const made = Bun.spawnSync([process.execPath, join(dir, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir], { cwd: dir });
      expect(made.exitCode).toBe(0);
      const forged = JSON.parse(readFileSync(join(dir, "forged.tsbuildinfo"), "utf8"));
      // Claim the broken file's new text was checked clean: its version is what tsc will hash it to.
      write(dir, { "src/user.ts": 'import { unit } from "./unit.ts";\nexport const twice: string = unit() * 2;\n' });
      const version = new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, "src/user.ts"), "utf8")).digest("hex");
      const index = (forged.fileNames as string[]).indexOf("./src/user.ts");
      expect(index).toBeGreaterThan(-1);
      const entry = forged.fileInfos[index];
      forged.fileInfos[index] = typeof entry === "string" ? version : { ...entry, version, signature: version };
      writeFileSync(join(dir, "forged.tsbuildinfo"), JSON.stringify(forged));
      const run = typecheck(dir);
      expect(run.exitCode).not.toBe(0);
      expect(run.output).toContain("src/user.ts");
    },
    TSC,
  );
});
