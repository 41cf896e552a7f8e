// Allocation-free n-gram statistics over a word list for the Gopher repetition rules, exact with respect to
// datatrove's string-based definitions:
//  - top n-gram: n-grams are `" ".join(words[i:i+n])`; words never contain a space, so two n-grams are equal
//    exactly when their word sequences are equal (compared by word id);
//  - duplicated n-grams: n-grams are `"".join(words[i:i+n])`, so different word sequences can be equal strings
//    ("ab"+"c" == "a"+"bc"): they are compared by their characters (polynomial hashes of the concatenation at word
//    boundaries, then a character check). For n >= 5 a prefilter shared by every n first rules out the positions
//    whose n-grams cannot equal any other (see `candidates`); the greedy scans only visit the others.
// The UTF-16 units of each word are memoised by word id; per-list arrays are reused.
// Hash tables are open-addressing over typed arrays; a hash hit is always verified, so collisions only cost time.
import { cpLen } from '../text/pystr.ts';
import type { WordSpans } from '../text/spacy/tokenizer.ts';

/** Polynomial hash base: the hash of units u0..uk is sum(u_i * B^(k-i)) mod 2^32 (odd B). */
const B = 0x01000193;

/**
 * Reused hash-table storage of `scanTuples` (one table at a time is live), one 4-int cell per slot so that a probe
 * touches one cache line: [stamp, first start, count, hash]; a slot is occupied when its stamp is the current
 * generation.
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

/** Reused one-int-per-slot hash table storage (cleared per use). */
let slotStore = new Int32Array(1024);
function clearedSlots(size: number): Int32Array {
  if (slotStore.length < size) slotStore = new Int32Array(Math.max(size, slotStore.length * 2));
  slotStore.fill(0, 0, size);
  return slotStore;
}

/** Reused per-position arrays of the table scans (hash and count of the n-gram first seen at a position). */
const perPosition = { hash: new Int32Array(1024), count: new Int32Array(1024) };
function positions(n: number): typeof perPosition {
  if (perPosition.hash.length < n) {
    const size = Math.max(n, perPosition.hash.length * 2);
    perPosition.hash = new Int32Array(size);
    perPosition.count = new Int32Array(size);
  }
  return perPosition;
}

/** B^k mod 2^32 for k < pow.length (grown on demand, shared by every instance). */
let pow = Uint32Array.of(1);
function powers(n: number): Uint32Array {
  if (pow.length <= n) {
    const p = new Uint32Array(Math.max(n + 1, pow.length * 2));
    p.set(pow);
    for (let k = pow.length; k < p.length; k++) p[k] = Math.imul(p[k - 1], B) >>> 0;
    pow = p;
  }
  return pow;
}

/**
 * UTF-16 units compared by the duplicate-n-gram prefilter (see `candidates`). Larger: fewer positions share a key,
 * but more positions are "short" (their 5 words have fewer units) and always candidates.
 */
const T = 12;

/**
 * Per-word-id memo, one 8-int record per id (a lookup reads one cache line): [meta, pool offset, 12 units two per
 * int]; meta = 1 (memoised) | 2 (has a high surrogate) | UTF-16 length << 2. A word of more than 12 units has all its
 * units in `pool` at the pool offset. `epoch` names the id space.
 */
interface WordMemo {
  epoch: number;
  rec: Int32Array;
  pool: Uint16Array;
  used: number;
}

const INLINE = 12;

function newMemo(): WordMemo {
  return { epoch: -1, rec: new Int32Array(8 * 1024), pool: new Uint16Array(1 << 14), used: 0 };
}

/** For global ids (valid across lists, e.g. the spaCy tokenizer's piece ids); reset when the id space changes. */
const globalMemo = newMemo();
/** For ids made by the constructor (valid for one list); reset by each list. */
const localMemo = newMemo();
const POOL_MAX = 1 << 24;
let localEpoch = 0;

/** Start using `m` for ids of `epoch` (ids below `maxIdHint` for a fresh local id space): reset when it changes. */
function memoFor(m: WordMemo, epoch: number, maxIdHint: number): WordMemo {
  if (m.epoch !== epoch || m.used > POOL_MAX) {
    m.epoch = epoch;
    m.rec.fill(0, 0, Math.min(m.rec.length, epoch < 0 ? 8 * maxIdHint : m.rec.length));
    m.used = 0;
  }
  return m;
}

/** Memoise word `w` as id `id` in `m` (its record is empty); returns the record's meta. */
function memoise(m: WordMemo, id: number, w: string): number {
  if (8 * id + 8 > m.rec.length) {
    const r = new Int32Array(Math.max(8 * id + 8, m.rec.length * 2));
    r.set(m.rec);
    m.rec = r;
  }
  const rec = m.rec;
  const q = id << 3;
  const len = w.length;
  let meta = 1 | (len << 2);
  if (len > INLINE) {
    if (m.used + len > m.pool.length) {
      const u = new Uint16Array(Math.max(m.used + len, m.pool.length * 2));
      u.set(m.pool.subarray(0, m.used));
      m.pool = u;
    }
    const pool = m.pool;
    for (let k = 0; k < len; k++) {
      const c = w.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff) meta |= 2;
      pool[m.used + k] = c;
    }
    rec[q + 1] = m.used;
    m.used += len;
  } else {
    for (let k = 0; k < INLINE; k += 2) {
      const c0 = k < len ? w.charCodeAt(k) : 0;
      const c1 = k + 1 < len ? w.charCodeAt(k + 1) : 0;
      if ((c0 >= 0xd800 && c0 <= 0xdbff) || (c1 >= 0xd800 && c1 <= 0xdbff)) meta |= 2;
      rec[q + 2 + (k >> 1)] = c0 | (c1 << 16);
    }
  }
  rec[q] = meta;
  return meta;
}

/**
 * Reused per-list arrays of the instance named by `owner` (the filters build one instance at a time; another instance
 * rebuilds them): off[i] = UTF-16 offset of words[i] in S = "".join(words), units = S's UTF-16 units, h[c] = hash of
 * S[0, c); next[i] = the first duplicate-n-gram candidate >= i (valid when nextOwner is the owner too), cnt =
 * prefilter buckets.
 */
const lists = {
  owner: null as WordNgrams | null, off: new Int32Array(1024), units: new Uint16Array(4096), h: new Uint32Array(4096),
  nextOwner: null as WordNgrams | null, next: new Int32Array(1024), nCand: 0, cnt: new Uint8Array(1 << 14),
};

/** counts.count[i] = final count of the counts.n-gram at position i, from the last `topNgram` of counts.owner. */
const counts = { owner: null as WordNgrams | null, n: 0, count: new Int32Array(1024) };

/** `wordCounts` of the instance `owner`: per-position bounds and the bucket table. */
const wordCountScratch = {
  owner: null as WordNgrams | null, buckets: new Int32Array(64), perWord: new Int32Array(1024),
  /** mins[i] = least of perWord[i, i + minsN) for i + minsN <= n, for the instance minsOwner */
  minsOwner: null as WordNgrams | null, minsN: 0, mins: new Int32Array(1024),
};

export class WordNgrams {
  readonly words: readonly string[];
  readonly n: number;
  /** word id (equal strings, equal ids) */
  private readonly ids: Int32Array;
  /** id space of the ids (see `memoise`) */
  private readonly epoch: number;
  private readonly memo: WordMemo;
  /** number of ids made by the constructor (0 for global ids) */
  private readonly localIds: number;
  /** whether some word has a high surrogate (else code points = UTF-16 units); set by `boundaries` */
  private astral = false;
  /** where the words are in their text, when known: their units are then read from it (see `boundaries`) */
  private readonly spans: WordSpans | null;

  /**
   * `ids`, when given, are word ids that are equal exactly when the words are (the tokenizer's piece ids, valid for
   * `epoch`): per-word work is then memoised by id across lists. Otherwise ids are made here.
   */
  constructor(words: readonly string[], ids: Int32Array | null = null, epoch = -1, spans: WordSpans | null = null) {
    this.words = words;
    const n = words.length;
    this.n = n;
    this.spans = spans !== null && spans.starts.length === n ? spans : null;
    if (ids !== null && ids.length === n && epoch >= 0) {
      this.ids = ids;
      this.epoch = epoch;
      this.memo = globalMemo;
      this.localIds = 0;
    } else {
      this.ids = new Int32Array(n);
      const idOf = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const w = words[i];
        let id = idOf.get(w);
        if (id === undefined) {
          id = idOf.size;
          idOf.set(w, id);
        }
        this.ids[i] = id;
      }
      this.epoch = -1 - (localEpoch++ & 0x3fffffff);
      this.memo = localMemo;
      this.localIds = idOf.size;
    }
  }

  /**
   * `boundaries` from the words' positions in their text: the units are copied from the one contiguous string (the
   * per-id records are thousands of scattered cache lines; the text is read in order).
   */
  private boundariesFromText(spans: WordSpans): typeof lists {
    const n = this.n;
    const { text, starts, lens } = spans;
    if (lists.off.length < n + 1) lists.off = new Int32Array(Math.max(n + 1, lists.off.length * 2));
    const off = lists.off;
    let o = 0;
    for (let i = 0; i < n; i++) {
      off[i] = o;
      o += lens[i];
    }
    off[n] = o;
    if (lists.units.length < o + 1) {
      lists.units = new Uint16Array(Math.max(o + 1, lists.units.length * 2));
      lists.h = new Uint32Array(lists.units.length);
    }
    const { units, h } = lists;
    let x = 0;
    let astral = false;
    h[0] = 0;
    for (let i = 0; i < n; i++) {
      const a = starts[i];
      const s = off[i];
      const len = lens[i];
      for (let k = 0; k < len; k++) {
        const u = text.charCodeAt(a + k);
        if (u >= 0xd800 && u <= 0xdbff) astral = true;
        units[s + k] = u;
        x = (Math.imul(x, B) + u) >>> 0;
        h[s + k + 1] = x;
      }
    }
    powers(Math.max(o, T));
    this.astral = astral;
    lists.owner = this;
    lists.nextOwner = null;
    return lists;
  }

  /** off, units and h (see `lists`) for this instance. */
  private boundaries(): typeof lists {
    if (lists.owner === this) return lists;
    if (this.spans !== null) return this.boundariesFromText(this.spans);
    const { words, n, ids } = this;
    const memo = memoFor(this.memo, this.epoch, this.localIds);
    if (lists.off.length < n + 1) lists.off = new Int32Array(Math.max(n + 1, lists.off.length * 2));
    const off = lists.off;
    // first the records' metas alone (independent loads: their cache misses overlap), then the units
    let o = 0;
    let flags = 0;
    for (let i = 0; i < n; i++) {
      off[i] = o;
      const q = ids[i] << 3;
      let meta = q < memo.rec.length ? memo.rec[q] : 0;
      if (meta === 0) meta = memoise(memo, ids[i], words[i]);
      flags |= meta;
      o += meta >>> 2;
    }
    if (lists.units.length < o + 1) {
      lists.units = new Uint16Array(Math.max(o + 1, lists.units.length * 2));
      lists.h = new Uint32Array(lists.units.length);
    }
    const { units, h } = lists;
    const { rec, pool } = memo;
    let x = 0;
    h[0] = 0;
    for (let i = 0; i < n; i++) {
      const q = ids[i] << 3;
      const s = off[i];
      const len = (i + 1 < n ? off[i + 1] : o) - s;
      if (len > INLINE) {
        const ps = rec[q + 1];
        for (let k = 0; k < len; k++) {
          const u = pool[ps + k];
          units[s + k] = u;
          x = (Math.imul(x, B) + u) >>> 0;
          h[s + k + 1] = x;
        }
      } else {
        for (let k = 0; k < len; k++) {
          const u = (rec[q + 2 + (k >> 1)] >>> ((k & 1) << 4)) & 0xffff;
          units[s + k] = u;
          x = (Math.imul(x, B) + u) >>> 0;
          h[s + k + 1] = x;
        }
      }
    }
    off[n] = o;
    powers(Math.max(o, T));
    this.astral = (flags & 2) !== 0;
    lists.owner = this;
    lists.nextOwner = null;
    return lists;
  }

  /** `len(top) * count(top)` for Counter(" ".join n-grams).most_common(1), first-inserted on ties; null if no n-gram. */
  topNgramChars(n: number): number | null {
    const top = this.topNgram(n);
    if (top === null) return null;
    return this.gramChars(top.start, n) * top.count;
  }

  /** Code points of " ".join(words[start:start+n]). */
  gramChars(start: number, n: number): number {
    let chars = n - 1;
    for (let k = 0; k < n; k++) chars += this.cpAt(start + k);
    return chars;
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
    // one int per slot (first position + 1, 0 = empty) keeps the table small enough for the L1/L2 caches; the hash
    // and count of an n-gram are kept at its first position
    const mask = tableSize(total) - 1;
    const slots = clearedSlots(mask + 1);
    const { hash, count } = positions(total);
    if (counts.count.length < total) counts.count = new Int32Array(Math.max(total, counts.count.length * 2));
    const pc = counts.count;
    const ids = this.ids;
    let bestCount = 0;
    let bestStart = 0;
    for (let i = 0; i < total; i++) {
      let h = 0x811c9dc5;
      for (let k = 0; k < n; k++) h = Math.imul(h ^ ids[i + k], 0x9e3779b1) >>> 0;
      h = (h ^ (h >>> 15)) | 0;
      let j = h & mask;
      let c: number;
      let first: number;
      for (;;) {
        const v = slots[j];
        if (v === 0) {
          slots[j] = i + 1;
          hash[i] = h;
          count[i] = 1;
          c = 1;
          first = i;
          break;
        }
        if (hash[v - 1] === h && this.sameIds(v - 1, i, n)) {
          first = v - 1;
          c = ++count[first];
          break;
        }
        j = (j + 1) & mask;
      }
      pc[i] = first;
      if (c > bestCount || (c === bestCount && first < bestStart)) {
        bestCount = c;
        bestStart = first;
      }
    }
    // the final count of each position's n-gram, for `topCharsBound`
    for (let i = 0; i < total; i++) pc[i] = count[pc[i]];
    counts.owner = this;
    counts.n = n;
    return { start: bestStart, count: bestCount };
  }

  /**
   * An upper bound of `topNgramChars(n)` (Infinity when there is no n-gram or n < 1): the most, over positions i, of
   * (UTF-16 units of words[i:i+n] + n - 1) * c(i), where c(i) is the count of the n'-gram at i from the last
   * `topNgram(n')` of this instance if n' <= n, else the least of the word-count bounds (`wordCounts`) of
   * words[i:i+n]. The top n-gram g occurs c times. At each of its positions, g's leading n'-gram occurs at least c
   * times (once per occurrence of g), and so does each of g's words (at c distinct positions); g's code points are at
   * most its UTF-16 units. So c * len(g) is at most the term of any position of g.
   */
  topCharsBound(n: number): number {
    const total = this.n - n + 1;
    if (total <= 0 || n < 1) return Infinity;
    const { off } = this.boundaries();
    const fromCounts = counts.owner === this && counts.n <= n;
    const c = fromCounts ? counts.count : this.wordCountMins(n - 1);
    let best = 0;
    if (!fromCounts && n > 1) {
      // the last window step fused into the bound's loop: mins[i] = least of perWord[i, i + n)
      const pw = wordCountScratch.perWord;
      const wide = off[this.n] + n > 0x7fffffff / this.n;
      for (let i = 0; i < total; i++) {
        const x = pw[i + n - 1];
        const m = x < c[i] ? x : c[i];
        c[i] = m;
        const b = wide ? (off[i + n] - off[i] + n - 1) * m : Math.imul(off[i + n] - off[i] + n - 1, m);
        if (b > best) best = b;
      }
      wordCountScratch.minsN = n;
    } else if (off[this.n] + n <= 0x7fffffff / this.n) {
      // no term reaches 2^31 (units + n - 1 <= off[N] + n, counts <= N): 32-bit products
      for (let i = 0; i < total; i++) {
        const b = Math.imul(off[i + n] - off[i] + n - 1, c[i]);
        if (b > best) best = b;
      }
    } else {
      for (let i = 0; i < total; i++) {
        const b = (off[i + n] - off[i] + n - 1) * c[i];
        if (b > best) best = b;
      }
    }
    return best;
  }

  /**
   * Per position i, the least of the word-count bounds of words[i:i+n] (`wordCounts`); made by extending the
   * windows of the previous call when it had a smaller n.
   */
  private wordCountMins(n: number): Int32Array {
    const c = wordCountScratch;
    if (c.minsOwner !== this || c.minsN > n) {
      const wc = this.wordCounts();
      if (c.mins.length < this.n) c.mins = new Int32Array(Math.max(this.n, c.mins.length * 2));
      const mins = c.mins;
      for (let i = 0; i < this.n; i++) mins[i] = wc[i];
      c.minsOwner = this;
      c.minsN = 1;
    }
    const { mins, perWord } = c;
    for (; c.minsN < n; c.minsN++) {
      const k = c.minsN;
      const total = this.n - k;
      for (let i = 0; i < total; i++) {
        const x = perWord[i + k];
        const m = mins[i];
        mins[i] = x < m ? x : m;
      }
    }
    return mins;
  }

  /**
   * Per position, an upper bound of the occurrences of words[i] in the list: the count of its bucket in a table of
   * word-id buckets (words sharing a bucket add up, so a bucket counts at least each of its words).
   */
  private wordCounts(): Int32Array {
    const c = wordCountScratch;
    if (c.owner === this) return c.perWord;
    const { n, ids } = this;
    let bits = 4;
    while (1 << bits < 2 * n) bits++;
    if (c.buckets.length < 1 << bits) c.buckets = new Int32Array(1 << bits);
    if (c.perWord.length < n) c.perWord = new Int32Array(Math.max(n, c.perWord.length * 2));
    const { buckets, perWord } = c;
    buckets.fill(0, 0, 1 << bits);
    const shift = 32 - bits;
    for (let i = 0; i < n; i++) {
      const b = Math.imul(ids[i], 0x9e3779b1) >>> shift;
      perWord[i] = b;
      buckets[b]++;
    }
    for (let i = 0; i < n; i++) perWord[i] = buckets[perWord[i]];
    c.owner = this;
    c.minsOwner = null;
    return perWord;
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
    return cpLen(this.words[i]);
  }

  /**
   * Positions that can hold a duplicated n-gram for some n >= 5, as `lists.next` (next[i] = first candidate >= i,
   * this.n when none) and `lists.nCand`. With S = "".join(words), off[i] the offset of word i in S and
   * m(i) = off[i+5] - off[i] the UTF-16 length of the 5-gram at i:
   *  - i is "short" when m(i) < T; otherwise its key K(i) is the hash of S[off[i], off[i]+T);
   *  - every position j <= this.n - 5 with off[j] + T <= len(S) puts K(j) into a bucket table (counting up to 2);
   *  - the candidates are the short positions and those whose bucket was hit at least twice.
   * Claim: if the n-grams at i != j (n >= 5, both positions visited by the n-scan, so i, j <= this.n - 5) are equal
   * strings, both are candidates. Their common length L = off[i+n] - off[i] = off[j+n] - off[j] is at least m(i)
   * and m(j) (n >= 5 words from the same start). If i is not short, L >= m(i) >= T, so j also has T units after
   * off[j] (off[j] + T <= off[j+n] <= len(S)) and S[off[j], off[j]+T) = S[off[i], off[i]+T) (prefixes of equal
   * strings), hence K(i) = K(j): two distinct positions put the same key into the same bucket, and i is a
   * candidate. Same for j.
   * So a non-candidate's n-gram equals no other position's n-gram, for every n >= 5. In datatrove's greedy scan such
   * a position is never found in the set (it is added and the scan moves on by one), and adding it changes no later
   * lookup (nothing equals it): skipping it without adding it gives the same repeated characters and the same
   * sequence of visited candidates. Hash collisions (of keys or buckets) only add candidates.
   */
  private candidates(): typeof lists {
    const c = this.boundaries();
    if (c.nextOwner === this) return c;
    const n = this.n;
    if (c.next.length < n + 1) c.next = new Int32Array(Math.max(n + 1, c.next.length * 2));
    const { off, h, next } = c;
    const pT = pow[T];
    const len = off[n];
    const n5 = n - 4; // positions with a 5-gram
    let bits = 10;
    while (bits < 24 && 1 << bits < n5 * 8) bits++;
    if (c.cnt.length < 1 << bits) c.cnt = new Uint8Array(1 << bits);
    const cnt = c.cnt;
    cnt.fill(0, 0, 1 << bits);
    const shift = 32 - bits;
    // next[i] holds i's bucket until the second loop replaces it
    for (let i = 0; i < n5; i++) {
      const s = off[i];
      if (s + T > len) break; // offsets only grow
      const k = (h[s + T] - Math.imul(h[s], pT)) | 0;
      const b = Math.imul(k ^ (k >>> 15), 0x9e3779b1) >>> shift;
      next[i] = b;
      if (cnt[b] < 2) cnt[b]++;
    }
    let nCand = 0;
    next[n] = n;
    for (let i = n - 1; i >= 0; i--) {
      if (i >= n5) {
        next[i] = n;
        continue;
      }
      // a position that is not short has T units after its offset, so its bucket was set above
      const cand = off[i + 5] - off[i] < T || cnt[next[i]] >= 2;
      if (cand) {
        next[i] = i;
        nCand++;
      } else next[i] = next[i + 1];
    }
    c.nCand = nCand;
    c.nextOwner = this;
    return c;
  }

  /** datatrove `find_all_duplicate(words, n)`: greedy scan over `"".join` n-grams, characters of the repeats. */
  duplicateNgramChars(n: number): number {
    const last = this.n - n + 1;
    if (last <= 0) return 0;
    // n >= 5: only the prefilter's candidates can repeat (see `candidates`); smaller n: every position
    const skip = n >= 5;
    const c = skip ? this.candidates() : this.boundaries();
    const { off, h, next } = c;
    const p = pow;
    const mask = tableSize(skip ? c.nCand : last) - 1;
    const slots = clearedSlots(mask + 1);
    const hash = positions(last).hash;
    let rep = 0;
    let i = skip ? next[0] : 0;
    while (i < last) {
      const s = off[i];
      const e = off[i + n];
      const hv = (h[e] - Math.imul(h[s], p[e - s])) | 0;
      let j = Math.imul(hv ^ (hv >>> 16), 0x9e3779b1) >>> 0 & mask;
      let found = false;
      for (;;) {
        const v = slots[j];
        if (v === 0) break;
        if (hash[v - 1] === hv && this.sameConcat(v - 1, i, n)) {
          found = true;
          break;
        }
        j = (j + 1) & mask;
      }
      if (found) {
        if (this.astral) for (let k = 0; k < n; k++) rep += this.cpAt(i + k);
        else rep += e - s;
        i += n;
      } else {
        slots[j] = i + 1;
        hash[i] = hv;
        i += 1;
      }
      if (skip) i = next[i];
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
    const { off, units } = lists; // boundaries() of this instance are current during a scan
    const sa = off[a];
    const sb = off[b];
    const la = off[a + n] - sa;
    if (off[b + n] - sb !== la) return false;
    for (let x = 0; x < la; x++) if (units[sa + x] !== units[sb + x]) return false;
    return true;
  }
}

function tableSize(n: number): number {
  let s = 16;
  while (s < n * 2) s *= 2;
  return s;
}
