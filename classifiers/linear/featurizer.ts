// Hashed word n-gram featurizer of the built-in linear classifier (the `featurizer.json` of its model directory).
//
// Words are maximal runs of letters, digits and combining marks (Unicode L, N, M; UTF-16 surrogates count as word
// characters), lower-cased per UTF-16 unit when that gives a single unit. Each word is hashed while it is scanned
// (FNV-1a over its code units, then a murmur3 finaliser): no strings are built. Unigrams and bigrams of adjacent
// words are mapped into the same 2^k buckets (like fastText's hashed bag of n-grams). A document's feature vector is
// log1p(count) per bucket, L2-normalised. Training (train.ts) and inference (the classify stage) call this same code.
import { fmix32 } from '../../stages/dedup/hash.ts';

export interface FeaturizerConfig {
  type: 'hashed-ngram';
  version: 1;
  /** log2 of the number of buckets (weights in the ONNX graph: 2^k per class). */
  bucketsLog2: number;
  /** Largest n-gram order: 1 = unigrams, 2 = unigrams + bigrams. */
  ngrams: 1 | 2;
  lowercase: boolean;
  seed: number;
  weighting: 'log1p-l2' | 'count-l2';
  /** Only the first maxChars UTF-16 units of a text are read (null: all). */
  maxChars: number | null;
}

export function defaultFeaturizerConfig(over: Partial<FeaturizerConfig> = {}): FeaturizerConfig {
  return { type: 'hashed-ngram', version: 1, bucketsLog2: 18, ngrams: 2, lowercase: true, seed: 0, weighting: 'log1p-l2', maxChars: 100_000, ...over };
}

export function parseFeaturizerConfig(x: unknown): FeaturizerConfig {
  const c = x as Partial<FeaturizerConfig> | null;
  if (!c || c.type !== 'hashed-ngram' || c.version !== 1) throw new Error('featurizer.json: expected {"type": "hashed-ngram", "version": 1, ...}');
  const k = c.bucketsLog2;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 4 || k > 26) throw new Error('featurizer.json: bucketsLog2 must be an integer in 4..26');
  if (c.ngrams !== 1 && c.ngrams !== 2) throw new Error('featurizer.json: ngrams must be 1 or 2');
  if (c.weighting !== 'log1p-l2' && c.weighting !== 'count-l2') throw new Error('featurizer.json: weighting must be log1p-l2 or count-l2');
  return {
    type: 'hashed-ngram',
    version: 1,
    bucketsLog2: k,
    ngrams: c.ngrams,
    lowercase: c.lowercase !== false,
    seed: (c.seed ?? 0) | 0,
    weighting: c.weighting,
    maxChars: c.maxChars ?? null,
  };
}

// Character tables over the BMP, built once: for each UTF-16 unit, 0 when it is not a word character, else the unit
// itself (IDENT) or its lower case (FOLD; the unit itself when its lower case is not a single unit).
let FOLD: Uint16Array | null = null;
let IDENT: Uint16Array | null = null;

function tables(): [Uint16Array, Uint16Array] {
  if (FOLD && IDENT) return [FOLD, IDENT];
  const fold = new Uint16Array(65536);
  const ident = new Uint16Array(65536);
  const re = /[\p{L}\p{N}\p{M}]/u;
  for (let c = 1; c < 65536; c++) {
    let word: boolean;
    let lower = c;
    if (c >= 0xd800 && c <= 0xdfff) word = true;
    else if (c < 128) {
      word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      if (c >= 65 && c <= 90) lower = c + 32;
    } else {
      const s = String.fromCharCode(c);
      word = re.test(s);
      const l = s.toLowerCase();
      if (l.length === 1) lower = l.charCodeAt(0);
    }
    if (word) {
      ident[c] = c;
      fold[c] = lower === 0 ? c : lower;
    }
  }
  FOLD = fold;
  IDENT = ident;
  return [fold, ident];
}

/** Features of a batch of documents, flattened: document i owns [offsets[i], offsets[i+1]). */
export interface FeatureBatch {
  ids: Int32Array;
  weights: Float32Array;
  offsets: Int32Array;
}

export class HashedNgramFeaturizer {
  readonly config: FeaturizerConfig;
  readonly buckets: number;
  private readonly mask: number;
  // Per-document open-addressing table bucket -> count: small enough to stay in cache, unlike a 2^k array.
  private keys: Int32Array;
  private cnt: Float32Array;
  private shift: number;
  private touched: Int32Array;
  private nTouched = 0;

  constructor(config: FeaturizerConfig) {
    this.config = config;
    this.buckets = 1 << config.bucketsLog2;
    this.mask = this.buckets - 1;
    this.keys = new Int32Array(4096).fill(-1);
    this.cnt = new Float32Array(4096);
    this.shift = 32 - 12;
    this.touched = new Int32Array(2048);
    tables();
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCnt = this.cnt;
    const oldTouched = this.touched.subarray(0, this.nTouched);
    const cap = oldKeys.length * 2;
    this.keys = new Int32Array(cap).fill(-1);
    this.cnt = new Float32Array(cap);
    this.shift--;
    const touched = new Int32Array(cap >> 1);
    const m = cap - 1;
    for (let j = 0; j < oldTouched.length; j++) {
      const b = oldKeys[oldTouched[j]];
      let slot = Math.imul(b, 0x9e3779b1) >>> this.shift;
      while (this.keys[slot] !== -1) slot = (slot + 1) & m;
      this.keys[slot] = b;
      this.cnt[slot] = oldCnt[oldTouched[j]];
      touched[j] = slot;
    }
    this.touched = touched;
  }

  /** Counts the buckets of one text into the scratch table; returns the number of distinct buckets. */
  private scan(text: string): number {
    const [fold, ident] = tables();
    const cfg = this.config;
    const map = cfg.lowercase ? fold : ident;
    const bigrams = cfg.ngrams === 2;
    const seed = cfg.seed | 0;
    const mask = this.mask;
    const n = cfg.maxChars === null ? text.length : Math.min(text.length, cfg.maxChars);
    // hot loop: table state in locals (reloaded after the rare grow())
    let keys = this.keys;
    let cnt = this.cnt;
    let touched = this.touched;
    let shift = this.shift;
    let m = keys.length - 1;
    let nt = 0;
    let inWord = false;
    let h = 0;
    let prev = 0;
    let havePrev = false;
    let pending = 0; // buckets to count for the word just ended: 1 or 2
    let b0 = 0;
    let b1 = 0;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 32;
      const u = map[c];
      if (u !== 0) {
        if (!inWord) {
          inWord = true;
          h = 0x811c9dc5;
        }
        h = Math.imul(h ^ u, 0x01000193);
        continue;
      }
      if (!inWord) continue;
      inWord = false;
      const uni = fmix32(h ^ seed);
      b0 = uni & mask;
      pending = 1;
      if (bigrams && havePrev) {
        b1 = fmix32((Math.imul(prev, 0x9e3779b1) + uni) ^ 0x5bd1e995 ^ seed) & mask;
        pending = 2;
      }
      prev = uni;
      havePrev = true;
      for (let q = 0; q < pending; q++) {
        const bucket = q === 0 ? b0 : b1;
        let slot = Math.imul(bucket, 0x9e3779b1) >>> shift;
        for (;;) {
          const k = keys[slot];
          if (k === bucket) {
            cnt[slot] += 1;
            break;
          }
          if (k === -1) {
            keys[slot] = bucket;
            cnt[slot] = 1;
            touched[nt++] = slot;
            if (nt * 2 >= keys.length) {
              this.nTouched = nt;
              this.grow();
              keys = this.keys;
              cnt = this.cnt;
              touched = this.touched;
              shift = this.shift;
              m = keys.length - 1;
            }
            break;
          }
          slot = (slot + 1) & m;
        }
      }
    }
    this.nTouched = nt;
    return nt;
  }

  /** Moves the scratch counts into ids/weights at `at`, applying the weighting; clears the scratch table. */
  private emit(ids: Int32Array, weights: Float32Array, at: number): void {
    const m = this.nTouched;
    const log = this.config.weighting === 'log1p-l2';
    const keys = this.keys;
    const cnt = this.cnt;
    let ss = 0;
    for (let j = 0; j < m; j++) {
      const slot = this.touched[j];
      const v = log ? Math.log1p(cnt[slot]) : cnt[slot];
      ids[at + j] = keys[slot];
      keys[slot] = -1;
      weights[at + j] = v;
      ss += v * v;
    }
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < m; j++) weights[at + j] *= inv;
    }
    this.nTouched = 0;
  }

  featurize(text: string): { ids: Int32Array; weights: Float32Array } {
    const m = this.scan(text);
    const ids = new Int32Array(m);
    const weights = new Float32Array(m);
    this.emit(ids, weights, 0);
    return { ids, weights };
  }

  featurizeBatch(texts: readonly string[]): FeatureBatch {
    const offsets = new Int32Array(texts.length + 1);
    // distinct buckets per document are at most ~2 per word; a quarter of the characters is a close first guess
    let chars = 0;
    const mc = this.config.maxChars ?? Infinity;
    for (const t of texts) chars += Math.min(t.length, mc);
    let cap = Math.max(1024, Math.ceil(chars / 4));
    let ids = new Int32Array(cap);
    let weights = new Float32Array(cap);
    let at = 0;
    for (let i = 0; i < texts.length; i++) {
      const m = this.scan(texts[i]);
      if (at + m > cap) {
        while (at + m > cap) cap *= 2;
        const ni = new Int32Array(cap);
        ni.set(ids.subarray(0, at));
        const nw = new Float32Array(cap);
        nw.set(weights.subarray(0, at));
        ids = ni;
        weights = nw;
      }
      this.emit(ids, weights, at);
      at += m;
      offsets[i + 1] = at;
    }
    return { ids: ids.subarray(0, at), weights: weights.subarray(0, at), offsets };
  }
}
