/** Small deterministic hashes shared by several features (sampling, trace ids, mock data). */

/** 32-bit FNV-1a over the UTF-16 code units of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3 fmix32 finaliser: spreads FNV's weak low bits over the whole word. */
export function mix32(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `bytes` bytes (2*bytes hex chars) derived deterministically from `text`. */
export function hexDigest(text: string, bytes: number): string {
  let out = "";
  let round = 0;
  while (out.length < bytes * 2) {
    out += fnv1a32(`${round}:${text}`).toString(16).padStart(8, "0");
    round++;
  }
  return out.slice(0, bytes * 2);
}
