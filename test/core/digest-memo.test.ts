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
  const handed = launcher.dump()!;
  const fromFile = new DigestMemo(later);
  fromFile.load(handed);
  expect(fromFile.dump()).toBeUndefined();
  const run = new DigestMemo(later);
  run.load(handed, true);
  expect(JSON.parse(run.dump()!)).toEqual(JSON.parse(handed));
});
