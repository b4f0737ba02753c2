/**
 * The one store (src/core/cache/store.ts): keys from content and code, entries validated before use, every
 * broken entry a miss, entries dropped when a file they list as a dep changes, writes that stay inside the
 * project; and the check verdict kept in it, which is dropped when anything the check read changes.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codeFingerprint, hashContent, isNumber, isRecord, openStore, STORE_DIR } from "../../src/core/cache/store.ts";
import { makeProject, removeProject, runMain } from "../helpers/project.ts";
import { sha256 } from "../../src/core/fs/digest-memo.ts";

// Processes and builds on a loaded 2-core machine: seconds, not the default 5.
setDefaultTimeout(60_000);

const TMP = mkdtempSync(join(tmpdir(), "takeoff-store-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const validate = (v: unknown) => (isRecord(v) && isNumber(v.n) ? { n: v.n } : undefined);

describe("keys", () => {
  test("content parts are length-prefixed: (ab, c) and (a, bc) differ", () => {
    expect(hashContent("ab", "c")).not.toBe(hashContent("a", "bc"));
    expect(hashContent("ab", "c")).toBe(hashContent("ab", "c"));
    expect(hashContent(new TextEncoder().encode("x"))).toBe(hashContent("x"));
  });

  test("the code fingerprint covers every file of the code that computes stored values, and the installed packages", () => {
    const tree = (name: string, dep: string, lock: string) => {
      const dir = join(TMP, name);
      mkdirSync(join(dir, "src/core/lib"), { recursive: true });
      mkdirSync(join(dir, "node_modules"), { recursive: true });
      writeFileSync(join(dir, "src/core/entry.ts"), 'import { x } from "./lib/dep.ts";\n');
      writeFileSync(join(dir, "src/core/lib/dep.ts"), dep);
      writeFileSync(join(dir, "node_modules/.package-lock.json"), lock);
      return dir;
    };
    const a = codeFingerprint(tree("a", "export const x = 1;\n", "yaml@1"));
    expect(codeFingerprint(tree("same-as-a", "export const x = 1;\n", "yaml@1"))).toBe(a);
    expect(codeFingerprint(tree("other-import", "export const x = 2;\n", "yaml@1"))).not.toBe(a);
    expect(codeFingerprint(tree("other-package", "export const x = 1;\n", "yaml@2"))).not.toBe(a);
    const late = tree("other-late", "export const x = 1;\n", "yaml@1");
    writeFileSync(join(late, "src/core/lib/late.ts"), "export const late = 2;\n");
    expect(codeFingerprint(late)).not.toBe(a);
  });
});

describe("entries", () => {
  test("a value comes back only under its key and in the shape the user accepts; anything else is a miss", () => {
    const root = join(TMP, "entries");
    mkdirSync(root, { recursive: true });
    const cache = openStore(root);
    const key = cache.key("content");
    expect(cache.dir).toBe(join(root, STORE_DIR));
    expect(cache.get("slot", key, validate)).toBeUndefined();
    cache.set("slot", key, { n: 1 });
    expect(cache.get("slot", key, validate)).toEqual({ n: 1 });
    expect(cache.get("slot", cache.key("other content"), validate)).toBeUndefined();
    expect(cache.get("other-slot", key, validate)).toBeUndefined();
    const file = join(cache.dir, "slot.json");
    for (const broken of [
      "",
      "{",
      "null",
      "[]",
      JSON.stringify({ key }),
      JSON.stringify({ key, value: { n: "1" } }),
      JSON.stringify({ key, value: null }),
      JSON.stringify({ key, deps: [], value: { n: 1 } }),
    ]) {
      writeFileSync(file, broken);
      expect(cache.get("slot", key, validate)).toBeUndefined();
    }
    // Slots with path characters become hashed file names, never paths.
    cache.set("../../escape", key, { n: 2 });
    expect(cache.get("../../escape", key, validate)).toEqual({ n: 2 });
    expect(readdirSync(cache.dir).every((n) => /^[a-z0-9.-]+\.json$/.test(n))).toBe(true);
    expect(readdirSync(root).sort()).toEqual(["node_modules"]);
  });

  test("an entry is stale once a file it lists as a dep reads differently, or is gone", () => {
    const root = join(TMP, "deps");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "input.txt"), "one");
    const cache = openStore(root);
    const key = cache.key("content");
    cache.set("slot", key, { n: 1 }, { "input.txt": sha256("one") });
    expect(cache.get("slot", key, validate)).toEqual({ n: 1 });
    writeFileSync(join(root, "input.txt"), "two");
    expect(cache.get("slot", key, validate)).toBeUndefined();
    writeFileSync(join(root, "input.txt"), "one");
    expect(cache.get("slot", key, validate)).toEqual({ n: 1 });
    rmSync(join(root, "input.txt"));
    expect(cache.get("slot", key, validate)).toBeUndefined();
  });

  test("a forged dep is never read outside the root, through a link to a device, or from a FIFO: a miss, not a hang", () => {
    const root = join(TMP, "forged-deps");
    mkdirSync(root, { recursive: true });
    symlinkSync("/dev/zero", join(root, "zero"));
    Bun.spawnSync(["mkfifo", join(root, "fifo")]);
    const cache = openStore(root);
    const key = cache.key("content");
    for (const dep of ["../../../../etc/hostname", "/dev/zero", "zero", "fifo", "missing"]) {
      cache.set("slot", key, { n: 1 }, { [dep]: hashContent("") });
      expect(cache.get("slot", key, validate)).toBeUndefined();
    }
  });

  test("a cache folder linked outside the project is never written, and no error escapes", () => {
    const root = join(TMP, "linked");
    const outside = join(TMP, "outside");
    mkdirSync(join(root, "node_modules"), { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(root, "node_modules", ".cache"));
    const cache = openStore(root);
    cache.set("slot", cache.key("x"), { n: 1 });
    expect(readdirSync(outside)).toEqual([]);
    expect(cache.get("slot", cache.key("x"), validate)).toBeUndefined();
  });
});

test("a check in a project whose node_modules/.cache links outside writes nothing there", async () => {
  const dir = makeProject();
  const outside = join(TMP, "outside-check");
  try {
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(dir, "node_modules", ".cache"));
    expect((await runMain("check", dir)).exitCode).toBe(0);
    expect((await runMain("check", dir)).stderr).not.toContain("unchanged since");
    expect(readdirSync(outside)).toEqual([]);
  } finally {
    removeProject(dir);
  }
});

describe("the check verdict", () => {
  test("is dropped when a file the check read beyond its fixed inputs changes (the prove results)", async () => {
    const dir = makeProject();
    try {
      expect((await runMain("check", dir)).exitCode).toBe(0);
      expect((await runMain("check", dir)).stderr).toContain("unchanged since the last clean check");
      // check looked for .cache/prove/results.json and found none: one appearing must be looked at.
      mkdirSync(join(dir, ".cache/prove"), { recursive: true });
      writeFileSync(join(dir, ".cache/prove/results.json"), "{}");
      const again = await runMain("check", dir);
      expect(again.exitCode).toBe(0);
      expect(again.stderr).not.toContain("unchanged since");
      expect((await runMain("check", dir)).stderr).toContain("unchanged since the last clean check");
      const entry = JSON.parse(readFileSync(join(dir, STORE_DIR, "verdict.json"), "utf8")) as { deps: Record<string, string> };
      expect(Object.keys(entry.deps)).toContain("read:.cache/prove/results.json");
    } finally {
      removeProject(dir);
    }
  });
});
