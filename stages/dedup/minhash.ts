// MinHash signatures over character or word shingles. The hot loop works on a reused UTF-8 buffer and typed
// arrays: each shingle is hashed in place (MurmurHash3_x86_32 of its bytes) and permuted with 32-bit arithmetic;
// nothing is allocated per shingle.
import { encodeScratch, murmur3 } from './hash.ts';
import { datatroveNormalizeBytes, normalizer, type Normalization } from './normalize.ts';
import { drawPermutations } from './random.ts';

export interface MinHashConfig {
  /** 'char': n consecutive code points of the (normalised) text; 'word': n consecutive words. */
  unit: 'char' | 'word';
  ngram: number;
  normalize: Normalization;
  num_perm: number;
  bands: number;
  rows: number;
  seed: number;
  /** Which reference's a,b draw to reproduce. */
  draw: 'nemo' | 'datatrove';
  /**
   * 'u32': ((h*a + b) mod (2^61-1)) & 0xFFFFFFFF evaluated as cuDF evaluates it with uint32 operands, i.e. the
   * product and sum wrap mod 2^32 before the (then inert) mod; 'mod61': the same formula with numpy uint64
   * arithmetic (product wraps mod 2^64, then mod 2^61-1, then the low 32 bits), as datatrove/datasketch compute it.
   */
  permutation: 'u32' | 'mod61';
  /** Seed of MurmurHash3_x86_32 per shingle; 'a0' = the first permutation's a (NeMo passes seeds[0][0]). */
  hash_seed: number | 'a0';
  /** Documents with fewer than one full shingle (but some content): 'whole' hashes all of it as one shingle, 'skip' gives no signature. */
  short_docs: 'whole' | 'skip';
}

const TWO32 = 4294967296;

export class MinHasher {
  readonly cfg: MinHashConfig;
  readonly aLo: Uint32Array;
  readonly bLo: Uint32Array;
  private readonly aHi: Uint32Array;
  private readonly bHi: Uint32Array;
  private readonly aL16: Float64Array;
  private readonly aH16: Float64Array;
  readonly hash_seed: number;
  private readonly norm: (t: string) => string;
  private offs = new Int32Array(1 << 14);
  private nbuf = new Uint8Array(1 << 16);
  /** Number of shingles of the last document (after the short-doc rule); 0 when it got no signature. */
  lastShingles = 0;

  constructor(cfg: MinHashConfig) {
    if (cfg.bands * cfg.rows > cfg.num_perm) throw new Error(`bands × rows (${cfg.bands}×${cfg.rows}) exceeds num_perm (${cfg.num_perm})`);
    if (cfg.ngram < 1) throw new Error('ngram must be ≥ 1');
    this.cfg = cfg;
    const p = drawPermutations(cfg.draw, cfg.num_perm, cfg.seed);
    this.aLo = p.aLo; this.bLo = p.bLo; this.aHi = p.aHi; this.bHi = p.bHi;
    this.aL16 = new Float64Array(cfg.num_perm);
    this.aH16 = new Float64Array(cfg.num_perm);
    for (let i = 0; i < cfg.num_perm; i++) {
      this.aL16[i] = this.aLo[i] & 0xffff;
      this.aH16[i] = this.aLo[i] >>> 16;
    }
    this.hash_seed = cfg.hash_seed === 'a0' ? this.aLo[0] : cfg.hash_seed >>> 0;
    this.norm = normalizer(cfg.normalize);
  }

  /** The normalised text the shingles are cut from. */
  normalized(text: string): string {
    return this.norm(text);
  }

  /**
   * Calls `fn(h)` with the 32-bit hash of every shingle (duplicates included), following the short-doc rule.
   * Returns the number of shingles. Used by the signature loop and by verification.
   */
  forEachShingleHash(text: string, fn: (h: number) => void): number {
    let bytes: Uint8Array, len: number;
    if (this.cfg.normalize === 'datatrove') {
      if (this.nbuf.length < text.length * 3) this.nbuf = new Uint8Array(text.length * 4);
      bytes = this.nbuf;
      len = datatroveNormalizeBytes(text, bytes);
    } else {
      const t = this.norm(text);
      ({ bytes, len } = encodeScratch(t));
    }
    if (len === 0) return 0;
    const n = this.cfg.ngram;
    const seed = this.hash_seed;
    // boundaries: for 'char', the byte offset of every code point; for 'word', word starts and ends
    if (this.cfg.unit === 'char') {
      let cps = 0;
      if (this.offs.length < len + 2) this.offs = new Int32Array(len * 2 + 2);
      const offs = this.offs;
      for (let i = 0; i < len; i++) if ((bytes[i] & 0xc0) !== 0x80) offs[cps++] = i;
      offs[cps] = len;
      if (cps < n) {
        if (this.cfg.short_docs === 'skip') return 0;
        fn(murmur3(bytes, 0, len, seed));
        return 1;
      }
      const count = cps - n + 1;
      for (let k = 0; k < count; k++) fn(murmur3(bytes, offs[k], offs[k + n], seed));
      return count;
    }
    // words: exactly one 0x20 between words
    if (this.offs.length < len + 2) this.offs = new Int32Array(len + 2);
    const starts = this.offs;
    let words = 0;
    starts[words++] = 0;
    for (let i = 0; i < len; i++) if (bytes[i] === 0x20) starts[words++] = i + 1;
    if (words < n) {
      if (this.cfg.short_docs === 'skip') return 0;
      fn(murmur3(bytes, 0, len, seed));
      return 1;
    }
    const count = words - n + 1;
    starts[words] = len + 1; // virtual start after the end: word w ends at starts[w+1]-1
    for (let k = 0; k < count; k++) fn(murmur3(bytes, starts[k], starts[k + n] - 1, seed));
    return count;
  }

  private hashes = new Uint32Array(1 << 14);
  private hL = new Float64Array(1 << 14);
  private hH = new Float64Array(1 << 14);

  /** Computes the signature of `text` into `out` (length num_perm). Returns false when the doc gets no signature. */
  signature(text: string, out: Uint32Array): boolean {
    // collect shingle hashes (reused buffer), then permute in a tight loop per permutation
    let nh = 0;
    let hs = this.hashes;
    const count = this.forEachShingleHash(text, (h) => {
      if (nh === hs.length) {
        const g = new Uint32Array(hs.length * 2);
        g.set(hs);
        hs = this.hashes = g;
      }
      hs[nh++] = h;
    });
    this.lastShingles = count;
    if (count === 0) return false;
    const P = this.cfg.num_perm;
    if (this.cfg.permutation === 'u32') {
      for (let i = 0; i < nh; i++) if (hs[i] === 0) hs[i] = 1; // cuDF disallows a zero hash
      // unsigned minimum tracked in signed int32 space (x ^ 0x80000000) so the loop stays in small integers;
      // four permutations per pass over the shingle hashes
      const aLo = this.aLo, bLo = this.bLo;
      const h32 = new Int32Array(hs.buffer, 0, nh);
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const a0 = aLo[p] | 0, a1 = aLo[p + 1] | 0, a2 = aLo[p + 2] | 0, a3 = aLo[p + 3] | 0;
        const b0 = (bLo[p] ^ 0x80000000) | 0, b1 = (bLo[p + 1] ^ 0x80000000) | 0, b2 = (bLo[p + 2] ^ 0x80000000) | 0, b3 = (bLo[p + 3] ^ 0x80000000) | 0;
        let m0 = 0x7fffffff, m1 = 0x7fffffff, m2 = 0x7fffffff, m3 = 0x7fffffff;
        for (let i = 0; i < nh; i++) {
          const h = h32[i];
          const v0 = (Math.imul(h, a0) + b0) | 0;
          const v1 = (Math.imul(h, a1) + b1) | 0;
          const v2 = (Math.imul(h, a2) + b2) | 0;
          const v3 = (Math.imul(h, a3) + b3) | 0;
          if (v0 < m0) m0 = v0;
          if (v1 < m1) m1 = v1;
          if (v2 < m2) m2 = v2;
          if (v3 < m3) m3 = v3;
        }
        out[p] = m0 ^ 0x80000000; out[p + 1] = m1 ^ 0x80000000; out[p + 2] = m2 ^ 0x80000000; out[p + 3] = m3 ^ 0x80000000;
      }
      for (; p < P; p++) {
        const a = aLo[p] | 0, b = (bLo[p] ^ 0x80000000) | 0;
        let m = 0x7fffffff;
        for (let i = 0; i < nh; i++) {
          const v = (Math.imul(h32[i], a) + b) | 0;
          if (v < m) m = v;
        }
        out[p] = m ^ 0x80000000;
      }
    } else {
      // 64-bit arithmetic from 16-bit limbs in doubles (exact below 2^53), no `%` (fmod) in the loop
      if (this.hL.length < nh) { this.hL = new Float64Array(nh * 2); this.hH = new Float64Array(nh * 2); }
      const hL = this.hL, hH = this.hH;
      for (let i = 0; i < nh; i++) { hL[i] = hs[i] & 0xffff; hH[i] = hs[i] >>> 16; }
      for (let p = 0; p < P; p++) {
        const aL = this.aL16[p], aH = this.aH16[p], aHi = this.aHi[p] | 0, bLo = this.bLo[p], bHi = this.bHi[p];
        let m = 0xffffffff;
        for (let i = 0; i < nh; i++) {
          const xl = hL[i], xh = hH[i];
          const mid = xh * aL + xl * aH; // < 2^33
          const midHi = Math.floor(mid * 1.52587890625e-5); // / 2^16
          const low = xl * aL + (mid - midHi * 65536) * 65536 + bLo; // < 2^34
          const lowHi = Math.floor(low * 2.3283064365386963e-10); // / 2^32
          const lo = low - lowHi * TWO32;
          let hi = xh * aH + midHi + lowHi + bHi + (Math.imul(hs[i], aHi) >>> 0);
          hi -= Math.floor(hi * 2.3283064365386963e-10) * TWO32; // wrap mod 2^64
          // mod 2^61-1: (x & (2^61-1)) + (x >> 61), then subtract the prime once if needed
          let l2 = lo + (hi >>> 29);
          let h2 = hi & 0x1fffffff;
          if (l2 >= TWO32) { l2 -= TWO32; h2 += 1; }
          if (h2 > 0x1fffffff || (h2 === 0x1fffffff && l2 === 0xffffffff)) l2 = l2 === 0xffffffff ? 0 : l2 + 1;
          if (l2 < m) m = l2;
        }
        out[p] = m;
      }
    }
    return true;
  }

  /** ((h*a mod 2^64 + b) mod 2^64 mod (2^61-1)) & 0xFFFFFFFF with a,b < 2^61, h < 2^32 (numpy uint64 semantics). */
  permute61(h: number, p: number): number {
    const hL = h & 0xffff, hH = h >>> 16;
    const aL = this.aL16[p], aH = this.aH16[p];
    // h * aLo as a 64-bit value (lo32, hi32)
    const mid = hH * aL + hL * aH; // < 2^33
    const midLo = mid % 65536;
    const low = hL * aL + midLo * 65536; // < 2^33
    const lo1 = low % TWO32;
    let hi = (hH * aH + (mid - midLo) / 65536 + (low - lo1) / TWO32) % TWO32;
    // + h * aHi * 2^32 (only its low 32 bits survive mod 2^64)
    hi = (hi + (Math.imul(h, this.aHi[p]) >>> 0)) % TWO32;
    // + b
    let lo = lo1 + this.bLo[p];
    let carry = 0;
    if (lo >= TWO32) { lo -= TWO32; carry = 1; }
    hi = (hi + this.bHi[p] + carry) % TWO32;
    // mod 2^61-1: (x & (2^61-1)) + (x >> 61)
    let l2 = lo + (hi >>> 29);
    let h2 = hi & 0x1fffffff;
    if (l2 >= TWO32) { l2 -= TWO32; h2 += 1; }
    // subtract the prime once if needed: x >= 2^61-1
    if (h2 > 0x1fffffff || (h2 === 0x1fffffff && l2 === 0xffffffff)) l2 = (l2 + 1) % TWO32;
    return l2 >>> 0;
  }

  /** Sorted unique shingle hashes of a document (its shingle set, for true-Jaccard verification). */
  shingleSet(text: string): Uint32Array {
    const out: number[] = [];
    this.forEachShingleHash(text, (h) => out.push(h));
    const a = Uint32Array.from(out).sort();
    let w = 0;
    for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[w++] = a[i];
    return a.slice(0, w);
  }
}

/** Jaccard of two sorted unique hash sets. */
export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0, j = 0, inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { inter++; i++; j++; } else if (a[i] < b[j]) i++; else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** Fraction of equal positions: the MinHash estimate of Jaccard. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}
