// RPv2's DSIR importance weights (app/src/core/quality_signals/importance_weights.py, utils/dsir.py) from the
// user's count artefacts (`<dataset>.<lang>.<buckets>.counts.npy`, `<dataset>.<lang>.lambda.npy`, written by RPv2's
// artifacts/hash_dist.py).
//
// Features: for each raw (WordPunct) word and each raw bigram, bucket `abs(hash(x)) % buckets` is counted, where
// hash() is CPython 3.11's: SipHash-1-3 over the str's internal bytes (1, 2 or 4 bytes per character, by its widest
// character) keyed from PYTHONHASHSEED (RPv2's Dockerfile sets 42), and for a bigram the tuple hash (xxHash-style
// combination of the two str hashes). Score = features · (log(p_target + 1e-8) − log(p_source + 1e-8)), optionally
// plus log(Poisson(len(text); λ_target) + 1e-8) − log(Poisson(len(text); λ_source) + 1e-8); round(x, 8).
import type { DocView } from './view.ts';
import { pyRound8 } from './unicode.ts';

const M64 = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------------------------------------------
// CPython hash()

/** SipHash key of CPython's hash secret for PYTHONHASHSEED=seed (Python/bootstrap_hash.c lcg_urandom). */
export function hashSecret(seed: number): [bigint, bigint] {
  const buf = new Uint8Array(24);
  if (seed !== 0) {
    let x = seed >>> 0;
    for (let i = 0; i < 24; i++) {
      x = (Math.imul(x, 214013) + 2531011) >>> 0;
      buf[i] = (x >>> 16) & 0xff;
    }
  }
  const dv = new DataView(buf.buffer);
  return [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
}

// SipHash-1-3 on 32-bit halves (hi, lo) for speed.
function sip13(k0: bigint, k1: bigint, data: Uint8Array): bigint {
  const K0h = Number(k0 >> 32n) >>> 0, K0l = Number(k0 & 0xffffffffn) >>> 0;
  const K1h = Number(k1 >> 32n) >>> 0, K1l = Number(k1 & 0xffffffffn) >>> 0;
  let v0h = (K0h ^ 0x736f6d65) >>> 0, v0l = (K0l ^ 0x70736575) >>> 0;
  let v1h = (K1h ^ 0x646f7261) >>> 0, v1l = (K1l ^ 0x6e646f6d) >>> 0;
  let v2h = (K0h ^ 0x6c796765) >>> 0, v2l = (K0l ^ 0x6e657261) >>> 0;
  let v3h = (K1h ^ 0x74656462) >>> 0, v3l = (K1l ^ 0x79746573) >>> 0;

  const round = (): void => {
    // HALF_ROUND(v0, v1, v2, v3, 13, 16)
    let l = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0;
    v0l = l;
    l = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0;
    v2l = l;
    let th = ((v1h << 13) | (v1l >>> 19)) >>> 0, tl = ((v1l << 13) | (v1h >>> 19)) >>> 0;
    v1h = (th ^ v0h) >>> 0;
    v1l = (tl ^ v0l) >>> 0;
    th = ((v3h << 16) | (v3l >>> 16)) >>> 0;
    tl = ((v3l << 16) | (v3h >>> 16)) >>> 0;
    v3h = (th ^ v2h) >>> 0;
    v3l = (tl ^ v2l) >>> 0;
    let s = v0h;
    v0h = v0l;
    v0l = s; // rotate 32
    // HALF_ROUND(v2, v1, v0, v3, 17, 21)
    l = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0;
    v2l = l;
    l = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0;
    v0l = l;
    th = ((v1h << 17) | (v1l >>> 15)) >>> 0;
    tl = ((v1l << 17) | (v1h >>> 15)) >>> 0;
    v1h = (th ^ v2h) >>> 0;
    v1l = (tl ^ v2l) >>> 0;
    th = ((v3h << 21) | (v3l >>> 11)) >>> 0;
    tl = ((v3l << 21) | (v3h >>> 11)) >>> 0;
    v3h = (th ^ v0h) >>> 0;
    v3l = (tl ^ v0l) >>> 0;
    s = v2h;
    v2h = v2l;
    v2l = s;
  };

  const n = data.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const ml = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const mh = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    v3h = (v3h ^ mh) >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    round();
    v0h = (v0h ^ mh) >>> 0;
    v0l = (v0l ^ ml) >>> 0;
  }
  let bl = 0;
  let bh = ((n & 0xff) << 24) >>> 0;
  for (let j = n - 1; j >= i; j--) {
    const k = j - i;
    if (k >= 4) bh = (bh | (data[j] << (8 * (k - 4)))) >>> 0;
    else bl = (bl | (data[j] << (8 * k))) >>> 0;
  }
  v3h = (v3h ^ bh) >>> 0;
  v3l = (v3l ^ bl) >>> 0;
  round();
  v0h = (v0h ^ bh) >>> 0;
  v0l = (v0l ^ bl) >>> 0;
  v2l = (v2l ^ 0xff) >>> 0;
  round();
  round();
  round();
  const h = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  const l = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  return (BigInt(h) << 32n) | BigInt(l);
}

/** The bytes CPython hashes for a str: its PEP 393 representation (1, 2 or 4 bytes per code point, little-endian). */
function strBytes(s: string): Uint8Array {
  const cps: number[] = [];
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    cps.push(c);
    if (c > max) max = c;
  }
  const kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
  const out = new Uint8Array(cps.length * kind);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    out[i * kind] = c & 0xff;
    if (kind >= 2) out[i * kind + 1] = (c >>> 8) & 0xff;
    if (kind === 4) out[i * kind + 2] = (c >>> 16) & 0xff;
  }
  return out;
}

/** CPython 3.11 `hash(s)` of a str as an unsigned 64-bit value (two's complement of the signed Py_hash_t). */
export function pyStrHash(s: string, key: [bigint, bigint]): bigint {
  if (s.length === 0) return 0n;
  const x = sip13(key[0], key[1], strBytes(s));
  return x === M64 ? M64 - 1n : x; // -1 is reserved: -2
}

const XXPRIME_1 = 11400714785074694791n;
const XXPRIME_2 = 14029467366897019727n;
const XXPRIME_5 = 2870177450012600261n;

/** CPython 3.11 `hash(tuple)` from its items' hashes (unsigned 64-bit in, unsigned 64-bit out). */
export function pyTupleHash(items: readonly bigint[]): bigint {
  let acc = XXPRIME_5;
  for (const lane of items) {
    acc = (acc + lane * XXPRIME_2) & M64;
    acc = ((acc << 31n) | (acc >> 33n)) & M64;
    acc = (acc * XXPRIME_1) & M64;
  }
  acc = (acc + (BigInt(items.length) ^ (XXPRIME_5 ^ 3527539n))) & M64;
  if (acc === M64) return 1546275796n;
  return acc;
}

/** Python `abs(h) % buckets` for an unsigned 64-bit hash read as signed. */
function bucketOf(h: bigint, buckets: bigint): number {
  const signed = h >= 1n << 63n ? h - (1n << 64n) : h;
  const a = signed < 0n ? -signed : signed;
  return Number(a % buckets);
}

/** RPv2 `hash_feature(raw_words, raw_bigrams, buckets)`: bucket counts of unigrams and bigrams. */
export function hashFeatures(rawWords: readonly string[], buckets: number, key: [bigint, bigint]): Float64Array {
  const counts = new Float64Array(buckets);
  const B = BigInt(buckets);
  const cache = new Map<string, bigint>();
  const hs: bigint[] = new Array(rawWords.length);
  for (let i = 0; i < rawWords.length; i++) {
    const w = rawWords[i];
    let h = cache.get(w);
    if (h === undefined) {
      h = pyStrHash(w, key);
      cache.set(w, h);
    }
    hs[i] = h;
    counts[bucketOf(h, B)]++;
  }
  for (let i = 0; i + 1 < rawWords.length; i++) counts[bucketOf(pyTupleHash([hs[i], hs[i + 1]]), B)]++;
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// .npy files

/** Reads a NumPy .npy array (little-endian int/uint/float, C order) as float64 values. */
export function readNpy(buf: Uint8Array): { shape: number[]; data: Float64Array } {
  if (buf[0] !== 0x93 || String.fromCharCode(...buf.subarray(1, 6)) !== 'NUMPY') throw new Error('not a .npy file');
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(buf.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) throw new Error(`.npy header not understood: ${header}`);
  const shape = shapeStr.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (fortran && shape.length > 1) throw new Error('.npy: Fortran-ordered arrays are not supported');
  const n = shape.reduce((a, b) => a * b, 1);
  const off = hstart + hlen;
  const m = /^([<|=])([iuf])(\d)$/.exec(descr);
  if (!m) throw new Error(`.npy dtype ${descr} not supported (need little-endian int/uint/float)`);
  const [, , kind, sizeStr] = m;
  const size = Number(sizeStr);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = off + i * size;
    if (kind === 'f') data[i] = size === 8 ? dv.getFloat64(p, true) : size === 4 ? dv.getFloat32(p, true) : NaN;
    else if (size === 8) data[i] = Number(kind === 'i' ? dv.getBigInt64(p, true) : dv.getBigUint64(p, true));
    else if (size === 4) data[i] = kind === 'i' ? dv.getInt32(p, true) : dv.getUint32(p, true);
    else if (size === 2) data[i] = kind === 'i' ? dv.getInt16(p, true) : dv.getUint16(p, true);
    else data[i] = kind === 'i' ? dv.getInt8(p) : dv.getUint8(p);
    if (Number.isNaN(data[i])) throw new Error(`.npy dtype ${descr} not supported`);
  }
  return { shape, data };
}

// ---------------------------------------------------------------------------------------------------------------
// Importance weights

/** ln(k!) for integer k >= 0 (exact sum below 256, Stirling series above; relative error ~1e-16). */
function logFactorial(k: number): number {
  if (k < 256) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1; // lgamma(x)
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x) - 1 / (1680 * x2 * x2 * x2 * x);
}

/** scipy.stats.poisson.pmf(k, mu) = exp(k·ln(mu) − ln(k!) − mu). */
export function poissonPmf(k: number, mu: number): number {
  if (mu === 0) return k === 0 ? 1 : 0;
  return Math.exp((k === 0 ? 0 : k * Math.log(mu)) - logFactorial(k) - mu);
}

/** The counts and mean length of one dataset (RPv2 artefacts). */
export interface DsirDataset {
  counts: Float64Array;
  /** Mean raw word count (RPv2's lambda MLE); needed for the length-corrected signals. */
  lambda?: number;
}

/** A target vs source model: log-ratio of the bucket distributions (+ lambdas). */
export class DsirWeights {
  readonly logDiff: Float64Array;
  readonly targetLambda?: number;
  readonly sourceLambda?: number;
  constructor(target: DsirDataset, source: DsirDataset) {
    if (target.counts.length !== source.counts.length) {
      throw new Error(`DSIR: target has ${target.counts.length} buckets, source ${source.counts.length}`);
    }
    const ts = target.counts.reduce((a, b) => a + b, 0);
    const ss = source.counts.reduce((a, b) => a + b, 0);
    this.logDiff = new Float64Array(target.counts.length);
    for (let i = 0; i < this.logDiff.length; i++) {
      this.logDiff[i] = Math.log(target.counts[i] / ts + 1e-8) - Math.log(source.counts[i] / ss + 1e-8);
    }
    this.targetLambda = target.lambda;
    this.sourceLambda = source.lambda;
  }

  /** The importance weight; `lengthCorrection` adds the Poisson length term (needs both lambdas). */
  score(features: Float64Array, docLength: number, lengthCorrection: boolean): number | null {
    if (docLength === 0) return null;
    let s = 0;
    for (let i = 0; i < features.length; i++) if (features[i] !== 0) s += features[i] * this.logDiff[i];
    if (!lengthCorrection) return pyRound8(s);
    if (this.targetLambda === undefined || this.sourceLambda === undefined) throw new Error('DSIR length correction needs both lambda files');
    const pt = poissonPmf(docLength, this.targetLambda);
    const ps = poissonPmf(docLength, this.sourceLambda);
    s += Math.log(pt + 1e-8) - Math.log(ps + 1e-8);
    return pyRound8(s);
  }
}

/** Hash features of a document from its view (raw WordPunct tokens), cached on the view. */
export function viewHashFeatures(view: DocView, buckets: number, seed: number): Float64Array {
  return view.memo(`dsir:${buckets}:${seed}`, () => {
    const words: string[] = new Array(view.rawWordCount);
    for (let i = 0; i < view.rawWordCount; i++) words[i] = view.rawWord(i);
    return hashFeatures(words, buckets, hashSecret(seed));
  });
}
