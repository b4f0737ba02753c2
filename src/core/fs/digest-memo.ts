/**
 * sha256 digests of files (and folders' listings), remembered by the identity of the file they were read from:
 * device, inode, size, and modification and change times in nanoseconds. Every freshness question here (is a proof's input, a
 * check input, the code unchanged?) is a question about content digests; this only spares re-reading a file
 * whose identity shows it was not written since it was hashed, which is how git's index answers the same
 * question. The change time cannot be set by a user process (writing, `touch -d`, renaming over the file all
 * move it), so no edit keeps an old identity.
 *
 * Racy files: a file written in the same clock tick as it is hashed could be written again within that tick
 * and keep its times. So a digest is remembered only for a file whose times are at least RACY_NS old when it
 * is hashed; newer files are hashed on every ask.
 *
 * The memo is kept in memory by every process; a command run again and again (check) loads and saves it in
 * its store (src/core/cache/store.ts). Tests edit files faster than the racy window, so they gain nothing.
 */
import { readFileSync, type BigIntStats, statSync } from "node:fs";

const RACY_NS = 2_000_000_000n;

/** [dev, ino, size, mtimeNs, ctimeNs]: the identity a digest was taken from. */
const identityOf = (st: BigIntStats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

/** sha256 (hex) of bytes. */
export const sha256 = (bytes: string | Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

export class DigestMemo {
  private readonly memo = new Map<string, { id: string; digest: string }>();
  private changed = false;
  private loadedFrom: string | undefined;

  /** `now` in nanoseconds since the epoch, the clock file times are set by (injected by tests). */
  constructor(private readonly now: () => bigint = () => BigInt(Date.now()) * 1_000_000n) {}

  /**
   * The digest of the regular file at absolute path `path` whose stat (taken with `bigint: true`) is `st`:
   * remembered when its identity is unchanged, else `read()` is hashed (and remembered when not racy). `read`
   * may return undefined (the file could not be read after all): then so does this.
   */
  digest(path: string, st: BigIntStats, read: () => Uint8Array | undefined): string | undefined {
    return this.remember(path, st, () => {
      const bytes = read();
      return bytes === undefined ? undefined : sha256(bytes);
    });
  }

  /**
   * What `compute` says of the file or folder at `key` (its absolute path, a folder's ending in "/") whose
   * stat is `st`, remembered by its identity as a digest is. A folder's listing qualifies: adding, removing or
   * renaming an entry (the only ways to change an entry's name or kind) moves the folder's own times.
   */
  remember(key: string, st: BigIntStats, compute: () => string | undefined): string | undefined {
    const id = identityOf(st);
    const known = this.memo.get(key);
    if (known?.id === id) return known.digest;
    const value = compute();
    if (value === undefined) return undefined;
    const now = this.now();
    if (now - st.mtimeNs >= RACY_NS && now - st.ctimeNs >= RACY_NS) {
      this.memo.set(key, { id, digest: value });
      this.changed = true;
    } else if (known) {
      this.memo.delete(key);
      this.changed = true;
    }
    return value;
  }

  /** Adds what a saved memo (dump's text) holds; a broken one adds nothing: every file is hashed. */
  load(text: string): void {
    try {
      const saved: unknown = JSON.parse(text);
      if (saved === null || typeof saved !== "object" || Array.isArray(saved)) return;
      for (const [path, entry] of Object.entries(saved)) {
        if (
          Array.isArray(entry) &&
          entry.length === 2 &&
          typeof entry[0] === "string" &&
          typeof entry[1] === "string" &&
          !this.memo.has(path)
        )
          this.memo.set(path, { id: entry[0], digest: entry[1] });
      }
    } catch {
      // Nothing remembered: it only costs time.
    }
  }

  /** Loads the memo saved at `file`, once per memo: a missing or broken file adds nothing. */
  loadFile(file: string): void {
    if (this.loadedFrom === file) return;
    this.loadedFrom = file;
    try {
      this.load(readFileSync(file, "utf8"));
    } catch {
      // No memo yet: every file is hashed this time.
    }
  }

  /**
   * Takes over what `other`, another memo of this run, holds (the bin's launcher's: the same code, loaded
   * apart from the bundle), with what it loaded from and whether it has digests still to save.
   */
  adopt(other: DigestMemo): void {
    for (const [path, entry] of other.memo) if (!this.memo.has(path)) this.memo.set(path, entry);
    this.changed ||= other.changed;
    this.loadedFrom ??= other.loadedFrom;
  }

  /** The memo as text to save, or undefined when nothing changed since it was loaded or last dumped. */
  dump(): string | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return JSON.stringify(Object.fromEntries([...this.memo].map(([path, { id, digest }]) => [path, [id, digest]])));
  }
}

/** The process's memo: every digest asked through safe-fs and the store goes through it. */
export const digestMemo = new DigestMemo();

/** The digest of a regular file (of at most `maxBytes`) by path (no confinement: for the code's own files and confined callers), or undefined. */
export function fileDigestOf(path: string, maxBytes = Number.POSITIVE_INFINITY): string | undefined {
  let st: BigIntStats;
  try {
    st = statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
  if (!st.isFile() || Number(st.size) > maxBytes) return undefined;
  return digestMemo.digest(path, st, () => {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  });
}
