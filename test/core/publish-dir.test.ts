/**
 * The one publish primitive (src/core/fs/publish-dir.ts) and the variant writer built on it: a folder is
 * replaced whole. Killed right after each point of the swap (a child that SIGKILLs itself through the
 * injected hooks), in both swap modes, the target holds the previous folder or the new one, whole, except in
 * the one gap of the two-rename fallback, which the next run's recovery closes by restoring the previous one;
 * the next run also removes what the dead writer left. Failing at each point in-process, the target is whole
 * at once. The site build's own crash tests are in test/hostile/site-build.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type DirSlot,
  discardStage,
  prepareStage,
  publishDir,
  type PublishPoint,
  recoverDir,
  stageOf,
} from "../../src/core/fs/publish-dir.ts";
import { recoverVariant, VARIANT_INFO, writeVariant } from "../../src/verify/write-variants.ts";
import { caseDirs } from "../helpers/case-dirs.ts";

const REPO = join(import.meta.dir, "..", "..");
const CHILD = join(REPO, "test", "helpers", "publish-killed.ts");
const caseDir = caseDirs("takeoff-publish-dir");

const POINTS = {
  exchange: ["swap", "old-removed", ""],
  rename: ["rename-out", "rename-stage", "old-removed", ""],
} as const;

function read(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

const slotIn = (base: string): DirSlot => ({ target: join(base, "out"), targetBase: base, stageBase: base, key: "out" });
const complete = (dir: string) => existsSync(join(dir, "complete"));

/** A previous output: a page and the file that says it is complete. */
function writeOld(base: string): void {
  mkdirSync(join(base, "out"), { recursive: true });
  writeFileSync(join(base, "out", "page"), "old");
  writeFileSync(join(base, "out", "complete"), "");
}

async function child(what: "dir" | "variant", base: string, point: string, mode: string) {
  const proc = Bun.spawn([process.execPath, CHILD, what, base, point || "none", mode], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { signal: proc.signalCode === null ? null : String(proc.signalCode), code: proc.exitCode, stdout, stderr };
}

describe("publishDir killed at each point", () => {
  for (const [mode, points] of Object.entries(POINTS)) {
    test(`${mode} swap: the target is the previous folder or the new one, whole; the next run restores and cleans up`, async () => {
      for (const point of points) {
        const base = caseDir();
        writeOld(base);
        const r = await child("dir", base, point, mode);
        if (point) expect({ point, signal: r.signal }).toEqual({ point, signal: "SIGKILL" });
        else expect({ point, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ point, code: 0, stdout: mode, stderr: "" });
        const gap = point === "rename-out";
        // Between the two renames nothing stands at the target: the one gap of the fallback.
        expect({ point, page: read(join(base, "out", "page")) }).toEqual({ point, page: gap ? undefined : "new" });

        const recovery = recoverDir(slotIn(base), { complete });
        expect({ point, page: read(join(base, "out", "page")), restored: recovery.restored !== undefined }).toEqual({
          point,
          page: gap ? "old" : "new",
          restored: gap,
        });
        expect({ point, left: readdirSync(base) }).toEqual({ point, left: ["out"] });
      }
    }, 60_000);
  }

  test("the first publish (no target yet), killed right after it: the new folder stands, nothing is left", async () => {
    const base = caseDir();
    const r = await child("dir", base, "swap", "exchange");
    expect(r.signal).toBe("SIGKILL");
    expect(read(join(base, "out", "page"))).toBe("new");
    recoverDir(slotIn(base), { complete });
    expect(readdirSync(base)).toEqual(["out"]);
  });
});

describe("publishDir failing at each point", () => {
  for (const [mode, points] of Object.entries(POINTS)) {
    test(`${mode} swap: the target is whole at once (set back when the failure comes between the renames)`, () => {
      for (const point of points.filter(Boolean)) {
        const base = caseDir();
        writeOld(base);
        const slot = slotIn(base);
        const stage = prepareStage(slot);
        writeFileSync(join(stage, "page"), "new");
        const after = (p: PublishPoint) => {
          if (p === point) throw new Error(`injected at ${p}`);
        };
        expect(() => publishDir(slot, stage, { after, exchange: mode === "rename" ? false : undefined })).toThrow(`injected at ${point}`);
        expect({ point, page: read(join(base, "out", "page")) }).toEqual({ point, page: point === "rename-out" ? "old" : "new" });
        discardStage(slot, stage);
        expect({ point, left: readdirSync(base) }).toEqual({ point, left: ["out"] });
      }
    });
  }
});

describe("recoverDir", () => {
  test("leaves the stage of a writer that is still running alone", () => {
    const base = caseDir();
    writeOld(base);
    const live = stageOf(slotIn(base), process.pid);
    mkdirSync(live);
    expect(recoverDir(slotIn(base), { complete }).removed).toBe(0);
    expect(existsSync(live)).toBe(true);
  });

  test("with no target and no folder set aside, restores a complete stage of a dead writer, never an incomplete one", () => {
    const dead = Bun.spawnSync(["true"]).pid;
    const base = caseDir();
    const slot = slotIn(base);
    mkdirSync(stageOf(slot, dead));
    writeFileSync(join(stageOf(slot, dead), "page"), "half");
    expect(recoverDir(slot, { complete }).restored).toBeUndefined();
    expect(existsSync(slot.target)).toBe(false);
    expect(readdirSync(base)).toEqual([]);

    mkdirSync(stageOf(slot, dead));
    writeFileSync(join(stageOf(slot, dead), "page"), "whole");
    writeFileSync(join(stageOf(slot, dead), "complete"), "");
    expect(recoverDir(slot, { complete }).restored).toBe(stageOf(slot, dead));
    expect(read(join(slot.target, "page"))).toBe("whole");
  });
});

describe("the variant writer killed at each point", () => {
  const built = (text: string) => ({
    ok: true as const,
    features: [],
    outputs: [{ path: "main.js", bytes: new TextEncoder().encode(text), kind: "entry-point" }],
    raw: text.length,
    metafile: { inputs: {}, outputs: {} },
    ms: 0,
  });
  const info = { name: "prod", entry: "src/app/main.ts", features: [], bunVersion: Bun.version, sizes: { raw: 3, gzip: 3, brotli: 3 } };
  const variant = (root: string) => ({
    main: read(join(root, "dist/variants/prod/main.js")),
    whole: existsSync(join(root, "dist/variants/prod", VARIANT_INFO)),
  });

  for (const [mode, points] of Object.entries(POINTS)) {
    test(`${mode} swap: dist/variants/prod is the previous build or the new one, whole; the next write recovers and leaves nothing behind`, async () => {
      for (const point of points) {
        const root = caseDir();
        writeVariant(root, info, built("old"));
        const r = await child("variant", root, point, mode);
        if (point) expect({ point, signal: r.signal }).toEqual({ point, signal: "SIGKILL" });
        else expect({ point, code: r.code, stderr: r.stderr }).toEqual({ point, code: 0, stderr: "" });
        const gap = point === "rename-out";
        expect({ point, ...variant(root) }).toEqual({ point, main: gap ? undefined : "new", whole: !gap });

        recoverVariant(root, "prod");
        expect({ point, ...variant(root) }).toEqual({ point, main: gap ? "old" : "new", whole: true });
        expect({ point, left: readdirSync(join(root, "dist/variants")) }).toEqual({ point, left: ["prod"] });

        writeVariant(root, info, built("next"));
        expect({ point, ...variant(root), left: readdirSync(join(root, "dist/variants")) }).toEqual({
          point,
          main: "next",
          whole: true,
          left: ["prod"],
        });
      }
    }, 60_000);
  }
});
