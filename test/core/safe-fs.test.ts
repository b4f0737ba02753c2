/**
 * safe-fs answers from a folder's remembered real path and one lstat of the path itself: these hold that every
 * way a link can lead out of the repository is still refused (a link at the end, a linked folder on the way,
 * a link inside a linked folder), that links staying inside are followed, and that listings take each entry's
 * kind from the folder listing without following a link blindly.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { digestInside, isFileInside, kindInside, listInside, oneLook, readInside, walkInside } from "../../src/core/fs/safe-fs.ts";
import { sha256 } from "../../src/core/fs/digest-memo.ts";

const TMP = mkdtempSync(join(tmpdir(), "takeoff-safe-fs-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A repository with links of every kind, and a secret beside it. */
function tree() {
  const base = mkdtempSync(join(TMP, "t-"));
  const root = join(base, "repo");
  const outside = join(base, "outside");
  mkdirSync(join(outside, "deep"), { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "secret");
  writeFileSync(join(outside, "deep/secret.txt"), "deep secret");
  mkdirSync(join(root, "data/inner"), { recursive: true });
  writeFileSync(join(root, "data/a.yaml"), "a: 1\n");
  writeFileSync(join(root, "data/inner/b.yaml"), "b: 2\n");
  symlinkSync(join(outside, "secret.txt"), join(root, "data/leak.yaml")); // a link at the end
  symlinkSync(outside, join(root, "data/out")); // a linked folder on the way out
  symlinkSync("inner", join(root, "data/alias")); // a linked folder staying inside
  symlinkSync("a.yaml", join(root, "data/same.yaml")); // a linked file staying inside
  symlinkSync(join(root, "data"), join(root, "data/inner/loop")); // a cycle
  execFileSync("mkfifo", [join(root, "data/pipe")]);
  return { root };
}

describe("reads through links", () => {
  test("a link leaving the repository is refused wherever it is on the path", () => {
    const { root } = tree();
    for (const rel of ["data/leak.yaml", "data/out/secret.txt", "data/out/deep/secret.txt", "data/alias/../out/secret.txt"]) {
      const read = readInside(root, rel, 1024);
      expect("refusal" in read ? read.refusal.rule : "read").toBe("outside-repository");
      const digest = digestInside(root, rel, 1024);
      expect("refusal" in digest ? digest.refusal.rule : "read").toBe("outside-repository");
      expect(kindInside(root, rel)).toBe("absent");
      expect(isFileInside(root, rel)).toBe(false);
    }
    const listed = listInside(root, "data/out");
    expect(listed !== undefined && "refusal" in listed ? listed.refusal.rule : "listed").toBe("outside-repository");
  });

  test("links staying inside are followed, and answer as what they name", () => {
    const { root } = tree();
    const same = digestInside(root, "data/same.yaml", 1024);
    expect(same).toEqual({ digest: sha256("a: 1\n") });
    expect(digestInside(root, "data/alias/b.yaml", 1024)).toEqual({ digest: sha256("b: 2\n") });
    expect(kindInside(root, "data/alias")).toBe("folder");
    expect(kindInside(root, "data/alias/b.yaml")).toBe("file");
    expect(kindInside(root, ".")).toBe("folder");
  });

  test("a folder where a file belongs, a FIFO and a missing path are refused, not read or waited on", () => {
    const { root } = tree();
    const folder = readInside(root, "data/inner", 1024);
    expect("refusal" in folder ? folder.refusal.rule : "read").toBe("not-a-file");
    const pipe = digestInside(root, "data/pipe", 1024);
    expect("refusal" in pipe ? pipe.refusal.rule : "read").toBe("not-a-file");
    const missing = digestInside(root, "data/nope.yaml", 1024);
    expect("refusal" in missing ? missing.refusal.message : "read").toContain("ENOENT");
    const underFile = digestInside(root, "data/a.yaml/x", 1024);
    expect("refusal" in underFile ? underFile.refusal.rule : "read").toBe("unreadable-file");
    expect(listInside(root, "data/nope")).toBeUndefined();
  });
});

describe("folders' real paths, remembered for one look only", () => {
  test("a folder replaced by a link after a look is refused in the next one, and outside any look", () => {
    const { root } = tree();
    writeFileSync(join(root, "data/inner/secret.txt"), "inside");
    const read = (rel: string) => {
      const r = readInside(root, rel, 1024);
      return "refusal" in r ? r.refusal.rule : r.bytes.toString();
    };
    expect(oneLook(() => [read("data/inner/b.yaml"), read("data/inner/secret.txt")])).toEqual(["b: 2\n", "inside"]);
    expect(read("data/inner/secret.txt")).toBe("inside");
    // A checkout (or anything else) swaps the folder for a link leading out, with a file of the same name there.
    rmSync(join(root, "data/inner"), { recursive: true });
    writeFileSync(join(root, "../outside/secret.txt"), "outside");
    symlinkSync(join(root, "../outside"), join(root, "data/inner"));
    expect(read("data/inner/secret.txt")).toBe("outside-repository");
    expect(oneLook(() => read("data/inner/secret.txt"))).toBe("outside-repository");
    const digest = digestInside(root, "data/inner/secret.txt", 1024);
    expect("refusal" in digest ? digest.refusal.rule : "read").toBe("outside-repository");
  });
});

describe("listings", () => {
  test("each entry's kind, links judged by where they lead", () => {
    const { root } = tree();
    const listed = listInside(root, "data");
    if (listed === undefined || "refusal" in listed) throw new Error("data/ not listed");
    expect(listed.map((e) => [e.rel, e.kind === "refused" ? `refused:${e.refusal.rule}` : e.kind])).toEqual([
      ["data/a.yaml", "file"],
      ["data/alias", "dir"],
      ["data/inner", "dir"],
      ["data/leak.yaml", "refused:outside-repository"],
      ["data/out", "refused:outside-repository"],
      ["data/pipe", "refused:not-a-file"],
      ["data/same.yaml", "file"],
    ]);
  });

  test("a walk follows an inside link once, never out, and ends on a cycle", () => {
    const { root } = tree();
    const walked = walkInside(root, "data").map((e) => (e.kind === "refused" ? `${e.rel} refused` : e.rel));
    expect(walked).toEqual([
      "data/a.yaml",
      "data/alias/b.yaml",
      "data/leak.yaml refused",
      "data/out refused",
      "data/pipe refused",
      "data/same.yaml",
    ]);
  });
});

describe("listings remembered by the folder's identity", () => {
  /** Until the folder's times are past the racy window, nothing is remembered: wait it out once. */
  const settled = () => Bun.sleep(2100);

  test("an added, removed or retyped entry is seen, and a link is judged again where it leads", async () => {
    const base = mkdtempSync(join(TMP, "memo-"));
    const root = join(base, "repo");
    mkdirSync(join(root, "d"), { recursive: true });
    mkdirSync(join(root, "elsewhere"));
    writeFileSync(join(root, "d/a.txt"), "a");
    writeFileSync(join(root, "d/b.txt"), "b");
    writeFileSync(join(root, "elsewhere/target"), "t");
    symlinkSync("../elsewhere/target", join(root, "d/link"));
    await settled();
    const kinds = () => {
      const listed = listInside(root, "d");
      if (listed === undefined || "refusal" in listed) throw new Error("d/ not listed");
      return listed.map((e) => `${e.rel}:${e.kind}`);
    };
    expect(kinds()).toEqual(["d/a.txt:file", "d/b.txt:file", "d/link:file"]);
    expect(kinds()).toEqual(["d/a.txt:file", "d/b.txt:file", "d/link:file"]); // remembered now
    // The link's folder is untouched, but what it leads to became a folder.
    rmSync(join(root, "elsewhere/target"));
    mkdirSync(join(root, "elsewhere/target"));
    expect(kinds()).toEqual(["d/a.txt:file", "d/b.txt:file", "d/link:dir"]);
    writeFileSync(join(root, "d/c.txt"), "c");
    rmSync(join(root, "d/a.txt"));
    rmSync(join(root, "d/b.txt"));
    mkdirSync(join(root, "d/b.txt"));
    expect(kinds()).toEqual(["d/b.txt:dir", "d/c.txt:file", "d/link:dir"]);
    await settled();
    expect(kinds()).toEqual(["d/b.txt:dir", "d/c.txt:file", "d/link:dir"]);
    rmSync(join(root, "d/b.txt"), { recursive: true });
    expect(kinds()).toEqual(["d/c.txt:file", "d/link:dir"]);
  });
});
