// Hash primitives for deduplication: MurmurHash3_x86_32 over byte ranges and 32-bit word ranges,
// and a 64-bit key made of two independently seeded 32-bit hashes. No allocation per call.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 of bytes[start, end) with `seed`; returns an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = seed | 0;
  const len = end - start;
  const blockEnd = start + (len & ~3);
  let i = start;
  for (; i < blockEnd; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= bytes[i + 2] << 16;
    // falls through
    case 2:
      k ^= bytes[i + 1] << 8;
    // falls through
    case 1:
      k ^= bytes[i];
      k = Math.imul(k, C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, C2);
      h ^= k;
  }
  h ^= len;
  return fmix32(h);
}

/** MurmurHash3_x86_32 of the little-endian bytes of words[start, end) (same value as hashing those bytes). */
export function murmur3Words(words: Uint32Array, start: number, end: number, seed: number): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) {
    let k = Math.imul(words[i], C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= (end - start) * 4;
  return fmix32(h);
}

const enc = new TextEncoder();
let scratch = new Uint8Array(1 << 16);

/** UTF-8 encodes `text` into a shared scratch buffer (grown as needed); returns the byte length. */
export function encodeScratch(text: string): { bytes: Uint8Array; len: number } {
  const need = text.length * 3;
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const r = enc.encodeInto(text, scratch);
  return { bytes: scratch, len: r.written };
}

/** MurmurHash3_x86_32 of a string's UTF-8 bytes. */
export function murmur3String(text: string, seed = 0): number {
  const { bytes, len } = encodeScratch(text);
  return murmur3(bytes, 0, len, seed);
}

/** Two 32-bit halves of a 64-bit content key (seeds 0x2545f491 and 0x9e3779b9), used for exact/URL dedup. */
export function key64(text: string): [number, number] {
  const { bytes, len } = encodeScratch(text);
  return [murmur3(bytes, 0, len, 0x2545f491), murmur3(bytes, 0, len, 0x9e3779b9)];
}
