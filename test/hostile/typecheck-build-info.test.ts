/**
 * CI's `npm run typecheck` must judge the program as it is. tsc reads a build info file when the tsconfig asks
 * for incremental checking, and trusts what it records for every file whose hash matches: a contribution could
 * commit a tsconfig naming a build info it forged, recording a broken file as checked without errors. The
 * script (read from package.json, as npm runs it) must fail on the broken program all the same.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Five tsc runs, a second or more each on a loaded 2-core machine.
setDefaultTimeout(120_000);

const REPO = join(import.meta.dir, "../..");
const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const TMP = mkdtempSync(join(tmpdir(), "takeoff-tsc-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const GOOD = "export const x: number = 1;\n";
const BROKEN = 'export const x: number = "one";\n';

/** The typecheck script's arguments after `tsc`, as package.json has them. */
function scriptArgs(): string[] {
  const script: string = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).scripts.typecheck;
  const [bin, ...args] = script.split(/\s+/);
  expect(bin).toBe("tsc");
  return args;
}

const tsc = (dir: string, args: string[]) => {
  const p = Bun.spawnSync([process.execPath, TSC, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { exitCode: p.exitCode, output: `${p.stdout.toString()}${p.stderr.toString()}` };
};

test("a build info the tree's tsconfig names, forged to record a broken file as clean, does not pass npm run typecheck", () => {
  const dir = mkdtempSync(join(TMP, "forged-"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, incremental: true, tsBuildInfoFile: "./forged.tsbuildinfo" },
      files: ["a.ts"],
    }),
  );
  const info = join(dir, "forged.tsbuildinfo");
  // The forger's recipe: the build info of a broken run, for the file's hash; that of a clean run, for the rest.
  writeFileSync(join(dir, "a.ts"), BROKEN);
  expect(tsc(dir, ["-p", "."]).exitCode).not.toBe(0);
  const broken = JSON.parse(readFileSync(info, "utf8"));
  writeFileSync(join(dir, "a.ts"), GOOD);
  expect(tsc(dir, ["-p", "."]).exitCode).toBe(0);
  const forged = JSON.parse(readFileSync(info, "utf8"));
  const at = forged.fileNames.findIndex((n: string) => n.endsWith("a.ts"));
  forged.fileInfos[at] = broken.fileInfos[at];
  writeFileSync(info, JSON.stringify(forged));
  writeFileSync(join(dir, "a.ts"), BROKEN);
  // The forgery works on a plain tsc (so this test can tell the difference) ...
  expect(tsc(dir, ["--noEmit", "-p", "."]).exitCode).toBe(0);
  // ... and not on the script.
  const run = tsc(dir, scriptArgs());
  expect(run.output).toContain("TS2322");
  expect(run.exitCode).not.toBe(0);
});
