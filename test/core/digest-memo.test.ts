/**
 * The digest memo answers "is this file unchanged?" without reading it only while the file keeps the identity
 * it was hashed with, and never for a file written within the racy window of its hashing.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DigestMemo, sha256 } from "../../src/core/fs/digest-memo.ts";

const TMP = mkdtempSync(join(tmpdir(), "digest-memo-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SECOND = 1_000_000_000n;
const stat = (path: string) => statSync(path, { bigint: true });
const unread = () => {
  throw new Error("read although the memo knew the file");
};

test("a file hashed after the racy window is not read again while its identity holds, and is once it changes", () => {
  const path = join(TMP, "old.txt");
  writeFileSync(path, "one");
  const later = () => stat(path).ctimeNs + 3n * SECOND;
  const memo = new DigestMemo(later);
  expect(memo.digest(path, stat(path), () => Buffer.from("one"))).toBe(sha256("one"));
  expect(memo.digest(path, stat(path), unread)).toBe(sha256("one"));
  writeFileSync(path, "two");
  expect(memo.digest(path, stat(path), () => Buffer.from("two"))).toBe(sha256("two"));
});

test("a file hashed within the racy window is read on every ask", () => {
  const path = join(TMP, "racy.txt");
  writeFileSync(path, "one");
  const memo = new DigestMemo(() => stat(path).ctimeNs + SECOND / 2n);
  expect(memo.digest(path, stat(path), () => Buffer.from("one"))).toBe(sha256("one"));
  // Same identity, but it could have been written again in the same clock tick: read, and its bytes rule.
  expect(memo.digest(path, stat(path), () => Buffer.from("uno"))).toBe(sha256("uno"));
  expect(memo.dump()).toBeUndefined();
});

test("a saved memo is loaded by another process's memo; a broken one is an empty memo", () => {
  const path = join(TMP, "saved.txt");
  writeFileSync(path, "one");
  const later = () => stat(path).ctimeNs + 3n * SECOND;
  const first = new DigestMemo(later);
  first.digest(path, stat(path), () => Buffer.from("one"));
  const text = first.dump()!;
  expect(first.dump()).toBeUndefined();
  const second = new DigestMemo(later);
  second.load(text);
  expect(second.digest(path, stat(path), unread)).toBe(sha256("one"));
  for (const broken of ["", "null", "[1]", '{"x":[1,2]}', '{"x":"y"}']) {
    const memo = new DigestMemo(later);
    memo.load(broken);
    expect(memo.digest(path, stat(path), () => Buffer.from("one"))).toBe(sha256("one"));
  }
});

test("entries handed over by the launcher's memo are saved with the run's; entries loaded from the saved memo are not saved again", () => {
  const path = join(TMP, "handed.txt");
  writeFileSync(path, "one");
  const later = () => stat(path).ctimeNs + 3n * SECOND;
  const launcher = new DigestMemo(later);
  launcher.digest(path, stat(path), () => Buffer.from("one"));
  const run = new DigestMemo(later);
  run.adopt(launcher);
  expect(run.digest(path, stat(path), unread)).toBe(sha256("one"));
  const handed = run.dump()!;
  expect(JSON.parse(handed)).toEqual({ [path]: [expect.any(String), sha256("one")] });
  const fromFile = new DigestMemo(later);
  fromFile.load(handed);
  expect(fromFile.dump()).toBeUndefined();
  const again = new DigestMemo(later);
  again.adopt(fromFile);
  expect(again.dump()).toBeUndefined();
});

test("a memo file is read once per memo, and an adopted memo's file is not read again", () => {
  const saved = join(TMP, "digests.json");
  const one = join(TMP, "once.txt");
  const two = join(TMP, "twice.txt");
  writeFileSync(one, "one");
  writeFileSync(two, "two");
  const later = () => stat(two).ctimeNs + 3n * SECOND;
  const memoOf = (path: string, text: string) => {
    const m = new DigestMemo(later);
    m.digest(path, stat(path), () => Buffer.from(text));
    return m.dump()!;
  };
  writeFileSync(saved, memoOf(one, "one"));
  const launcher = new DigestMemo(later);
  launcher.loadFile(saved);
  // The file now remembers another file: a memo that read it again would know that one too.
  writeFileSync(saved, memoOf(two, "two"));
  launcher.loadFile(saved);
  const run = new DigestMemo(later);
  run.adopt(launcher);
  run.loadFile(saved);
  expect(run.digest(one, stat(one), unread)).toBe(sha256("one"));
  let reads = 0;
  const read = () => {
    reads++;
    return Buffer.from("two");
  };
  expect(run.digest(two, stat(two), read)).toBe(sha256("two"));
  expect(reads).toBe(1);
});
