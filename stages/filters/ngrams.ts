// Allocation-free n-gram statistics over a word list for the Gopher repetition rules, exact with respect to
// datatrove's string-based definitions:
//  - top n-gram: n-grams are `" ".join(words[i:i+n])`; words never contain a space, so two n-grams are equal
//    exactly when their word sequences are equal (compared by word id);
//  - duplicated n-grams: n-grams are `"".join(words[i:i+n])`, so different word sequences can be equal strings
//    ("ab"+"c" == "a"+"bc"): they are compared by their characters (rolling hash, then a character check).
// Hash tables are open-addressing over typed arrays; a hash hit is always verified, so collisions only cost time.
import { cpLen } from '../text/pystr.ts';

const B = 0x01000193;

/**
 * Reused hash-table storage (one table at a time is live), one 4-int cell per slot so that a probe touches one cache
 * line: [stamp, first start, count, hash]; a slot is occupied when its stamp is the current generation.
 */
const scratch = { cells: new Int32Array(0), gen: 0 };

function table(n: number): typeof scratch {
  const size = tableSize(n);
  if (scratch.cells.length < size * 4) {
    scratch.cells = new Int32Array(size * 4);
    scratch.gen = 0;
  }
  scratch.gen++;
  if (scratch.gen === 0x7fffffff) {
    scratch.cells.fill(0);
    scratch.gen = 1;
  }
  return scratch;
}

/**
 * Per-word memo for word ids that stay valid across documents (the spaCy tokenizer's piece ids, see
 * `SpacyEnglishTokenizer.wordIds`): hash, B^len and code points of each id, computed the first time it is seen.
 * Reset when the id space changes (`epoch`).
 */
const idMemo = {
  epoch: -1, known: new Uint8Array(0), hw: new Uint32Array(0), pw: new Uint32Array(0), ipw: new Uint32Array(0), cps: new Int32Array(0),
};

function memoFor(epoch: number, maxId: number): typeof idMemo {
  if (idMemo.epoch !== epoch) {
    idMemo.epoch = epoch;
    idMemo.known = new Uint8Array(Math.max(1024, maxId + 1));
    idMemo.hw = new Uint32Array(idMemo.known.length);
    idMemo.pw = new Uint32Array(idMemo.known.length);
    idMemo.ipw = new Uint32Array(idMemo.known.length);
    idMemo.cps = new Int32Array(idMemo.known.length);
  } else if (maxId >= idMemo.known.length) {
    const size = Math.max(maxId + 1, idMemo.known.length * 2);
    const k = new Uint8Array(size);
    k.set(idMemo.known);
    const hw = new Uint32Array(size);
    hw.set(idMemo.hw);
    const pw = new Uint32Array(size);
    pw.set(idMemo.pw);
    const ipw = new Uint32Array(size);
    ipw.set(idMemo.ipw);
    const cps = new Int32Array(size);
    cps.set(idMemo.cps);
    Object.assign(idMemo, { known: k, hw, pw, ipw, cps });
  }
  return idMemo;
}

/** Polynomial hash of a word's UTF-16 units (mod 2^32) and B^len. */
function wordHash(w: string): [number, number] {
  let h = 0;
  let p = 1;
  for (let k = 0; k < w.length; k++) {
    h = (Math.imul(h, B) + w.charCodeAt(k)) >>> 0;
    p = Math.imul(p, B) >>> 0;
  }
  return [h, p];
}

/** Inverse of an odd number modulo 2^32 (Newton's iteration: each step doubles the correct low bits). */
function inverseOdd(a: number): number {
  let x = a; // correct to 3 bits for odd a
  for (let k = 0; k < 4; k++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}

const tmp = { hw: new Uint32Array(1024), pw: new Uint32Array(1024), ipw: new Uint32Array(1024) };

export class WordNgrams {
  readonly words: readonly string[];
  readonly n: number;
  /** word id (equal strings, equal ids) */
  private readonly ids: Int32Array;
  /** code points per word */
  private readonly cps: Int32Array;
  /**
   * Prefix hashes of the concatenated words: hp[i] = hash of "".join(words[:i]) (polynomial in B over UTF-16 units,
   * mod 2^32), pp[i] = B^(UTF-16 length of that prefix), ip[i] = pp[i]^-1, so that the hash of "".join(words[i:j])
   * is hp[j] - hp[i] * pp[j] * ip[i] in O(1) for every n.
   */
  private readonly hp: Uint32Array;
  private readonly pp: Uint32Array;
  private readonly ip: Uint32Array;

  /**
   * `ids`, when given, are word ids that are equal exactly when the words are (the tokenizer's piece ids, valid for
   * `epoch`): per-word work is then memoised by id across documents instead of redone with a string Map.
   */
  constructor(words: readonly string[], ids: Int32Array | null = null, epoch = -1) {
    this.words = words;
    const n = words.length;
    this.n = n;
    this.cps = new Int32Array(n);
    // per-word hash, B^len and its inverse are only needed to build the prefix arrays: reused scratch
    if (tmp.hw.length < n) {
      const size = Math.max(n, tmp.hw.length * 2);
      tmp.hw = new Uint32Array(size);
      tmp.pw = new Uint32Array(size);
      tmp.ipw = new Uint32Array(size);
    }
    const { hw, pw, ipw } = tmp;
    if (ids !== null && ids.length === n) {
      this.ids = ids;
      let maxId = 0;
      for (let i = 0; i < n; i++) if (ids[i] > maxId) maxId = ids[i];
      const m = memoFor(epoch, maxId);
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (m.known[id] === 0) {
          const [h, p] = wordHash(words[i]);
          m.hw[id] = h;
          m.pw[id] = p;
          m.ipw[id] = inverseOdd(p);
          m.cps[id] = cpLen(words[i]);
          m.known[id] = 1;
        }
        hw[i] = m.hw[id];
        pw[i] = m.pw[id];
        ipw[i] = m.ipw[id];
        this.cps[i] = m.cps[id];
      }
    } else {
      this.ids = new Int32Array(n);
      const idOf = new Map<string, number>();
      const perId: number[] = []; // id -> first index
      for (let i = 0; i < n; i++) {
        const w = words[i];
        let id = idOf.get(w);
        if (id === undefined) {
          id = perId.length;
          idOf.set(w, id);
          perId.push(i);
          const [h, p] = wordHash(w);
          hw[i] = h;
          pw[i] = p;
          ipw[i] = inverseOdd(p);
          this.cps[i] = cpLen(w);
        } else {
          const f = perId[id];
          hw[i] = hw[f];
          pw[i] = pw[f];
          ipw[i] = ipw[f];
          this.cps[i] = this.cps[f];
        }
        this.ids[i] = id;
      }
    }
    this.hp = new Uint32Array(n + 1);
    this.pp = new Uint32Array(n + 1);
    this.ip = new Uint32Array(n + 1);
    this.pp[0] = 1;
    this.ip[0] = 1;
    for (let i = 0; i < n; i++) {
      this.hp[i + 1] = (Math.imul(this.hp[i], pw[i]) + hw[i]) >>> 0;
      this.pp[i + 1] = Math.imul(this.pp[i], pw[i]) >>> 0;
      // B^len is odd (B is odd), so every prefix power is invertible mod 2^32
      this.ip[i + 1] = Math.imul(this.ip[i], ipw[i]) >>> 0;
    }
  }

  /** `len(top) * count(top)` for Counter(" ".join n-grams).most_common(1), first-inserted on ties; null if no n-gram. */
  topNgramChars(n: number): number | null {
    const top = this.topNgram(n);
    if (top === null) return null;
    let chars = n - 1;
    for (let k = 0; k < n; k++) chars += this.cps[top.start + k];
    return chars * top.count;
  }

  /** Occurrence count of each word n-gram (as a tuple) at the moment it is seen: out[i] = count of words[i:i+n] in words[:i+n]. */
  runningCounts(n: number): Int32Array {
    const total = Math.max(0, this.n - n + 1);
    const out = new Int32Array(total);
    this.scanTuples(n, (i, c) => {
      out[i] = c;
    });
    return out;
  }

  /** The most frequent word n-gram (tuple identity), earliest first occurrence on ties. */
  topNgram(n: number): { start: number; count: number } | null {
    const total = this.n - n + 1;
    if (total <= 0) return null;
    // the same counting as scanTuples, inlined (this runs for n = 2, 3, 4 on every document)
    const { cells, gen } = table(total);
    const mask = tableSize(total) - 1;
    const ids = this.ids;
    let bestCount = 0;
    let bestStart = 0;
    for (let i = 0; i < total; i++) {
      let h = 0x811c9dc5;
      for (let k = 0; k < n; k++) h = Math.imul(h ^ ids[i + k], 0x9e3779b1) >>> 0;
      h ^= h >>> 15;
      let j = h & mask;
      let c: number;
      let first: number;
      for (;;) {
        const q = j << 2;
        if (cells[q] !== gen) {
          cells[q] = gen;
          cells[q + 1] = i;
          cells[q + 2] = 1;
          cells[q + 3] = h;
          c = 1;
          first = i;
          break;
        }
        if (cells[q + 3] === h && this.sameIds(cells[q + 1], i, n)) {
          c = ++cells[q + 2];
          first = cells[q + 1];
          break;
        }
        j = (j + 1) & mask;
      }
      if (c > bestCount || (c === bestCount && first < bestStart)) {
        bestCount = c;
        bestStart = first;
      }
    }
    return { start: bestStart, count: bestCount };
  }

  private scanTuples(n: number, visit: (i: number, count: number, first: number) => void): void {
    const total = this.n - n + 1;
    if (total <= 0) return;
    const { cells, gen } = table(total);
    const mask = tableSize(total) - 1;
    const ids = this.ids;
    for (let i = 0; i < total; i++) {
      let h = 0x811c9dc5;
      for (let k = 0; k < n; k++) h = Math.imul(h ^ ids[i + k], 0x9e3779b1) >>> 0;
      h ^= h >>> 15;
      let j = h & mask;
      for (;;) {
        const q = j << 2;
        if (cells[q] !== gen) {
          cells[q] = gen;
          cells[q + 1] = i;
          cells[q + 2] = 1;
          cells[q + 3] = h;
          visit(i, 1, i);
          break;
        }
        if (cells[q + 3] === h && this.sameIds(cells[q + 1], i, n)) {
          visit(i, ++cells[q + 2], cells[q + 1]);
          break;
        }
        j = (j + 1) & mask;
      }
    }
  }

  /** Code points of words[i]. */
  cpAt(i: number): number {
    return this.cps[i];
  }

  /** datatrove `find_all_duplicate(words, n)`: greedy scan over `"".join` n-grams, characters of the repeats. */
  duplicateNgramChars(n: number): number {
    const last = this.n - n + 1;
    if (last <= 0) return 0;
    const { cells, gen } = table(last);
    const mask = tableSize(last) - 1;
    const { hp, pp, ip, cps } = this;
    let rep = 0;
    let i = 0;
    while (i < last) {
      const h = (hp[i + n] - Math.imul(hp[i], Math.imul(pp[i + n], ip[i]))) | 0;
      let j = Math.imul(h ^ (h >>> 16), 0x9e3779b1) >>> 0 & mask;
      let found = false;
      let q = j << 2;
      for (;;) {
        q = j << 2;
        if (cells[q] !== gen) break;
        if (cells[q + 3] === h && this.sameConcat(cells[q + 1], i, n)) {
          found = true;
          break;
        }
        j = (j + 1) & mask;
      }
      if (found) {
        for (let k = 0; k < n; k++) rep += cps[i + k];
        i += n;
      } else {
        cells[q] = gen;
        cells[q + 1] = i;
        cells[q + 3] = h;
        i += 1;
      }
    }
    return rep;
  }

  private sameIds(a: number, b: number, n: number): boolean {
    const ids = this.ids;
    for (let k = 0; k < n; k++) if (ids[a + k] !== ids[b + k]) return false;
    return true;
  }

  /** "".join(words[a:a+n]) == "".join(words[b:b+n]) */
  private sameConcat(a: number, b: number, n: number): boolean {
    if (this.sameIds(a, b, n)) return true;
    const w = this.words;
    let la = 0;
    let lb = 0;
    for (let k = 0; k < n; k++) {
      la += w[a + k].length;
      lb += w[b + k].length;
    }
    if (la !== lb) return false;
    let wa = a;
    let wb = b;
    let ia = 0;
    let ib = 0;
    for (let c = 0; c < la; c++) {
      while (ia >= w[wa].length) {
        wa++;
        ia = 0;
      }
      while (ib >= w[wb].length) {
        wb++;
        ib = 0;
      }
      if (w[wa].charCodeAt(ia) !== w[wb].charCodeAt(ib)) return false;
      ia++;
      ib++;
    }
    return true;
  }
}

function tableSize(n: number): number {
  let s = 16;
  while (s < n * 2) s *= 2;
  return s;
}
