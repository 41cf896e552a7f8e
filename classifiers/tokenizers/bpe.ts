// BPE model of a Hugging Face tokenizer.json (models/bpe in HF tokenizers), for byte-level vocabularies
// (GPT-2, gpt-neox, Llama 3) and SentencePiece-converted ones (Llama 2, Mistral: byte fallback, unk fusing).
//
// A word is turned into initial symbols (one per character, or per byte for byte-level vocabularies), then the
// pair with the lowest merge rank is merged until no pair has a merge; ties go to the leftmost pair. That is the
// order HF's priority queue produces (ordered by rank, then position). Short words use a scan over a compacting
// array, long ones a binary heap over a linked list; both allocate nothing per merge.

/** Open-addressing hash table (id a, id b) -> (rank, merged id). */
class MergeTable {
  private mask: number;
  private ka: Int32Array;
  private kb: Int32Array;
  private rank: Int32Array;
  private out: Int32Array;
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap <<= 1;
    this.mask = cap - 1;
    this.ka = new Int32Array(cap).fill(-1);
    this.kb = new Int32Array(cap);
    this.rank = new Int32Array(cap);
    this.out = new Int32Array(cap);
  }
  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    while (true) {
      const k = this.ka[h];
      if (k === -1 || (k === a && this.kb[h] === b)) return h;
      h = (h + 1) & this.mask;
    }
  }
  set(a: number, b: number, rank: number, out: number): void {
    const h = this.slot(a, b);
    this.ka[h] = a;
    this.kb[h] = b;
    this.rank[h] = rank;
    this.out[h] = out;
  }
  /** Slot index of the pair, or -1. */
  find(a: number, b: number): number {
    const h = this.slot(a, b);
    return this.ka[h] === -1 ? -1 : h;
  }
  rankAt(h: number): number {
    return this.rank[h];
  }
  outAt(h: number): number {
    return this.out[h];
  }
}

export interface BpeJson {
  type: 'BPE';
  vocab: Record<string, number>;
  merges: (string | [string, string])[];
  unk_token?: string | null;
  continuing_subword_prefix?: string | null;
  end_of_word_suffix?: string | null;
  fuse_unk?: boolean;
  byte_fallback?: boolean;
  ignore_merges?: boolean;
  dropout?: number | null;
}

/** GPT-2's reversible byte -> printable character map. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map: string[] = new Array(256);
  for (const b of bs) map[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (map[b] === undefined) {
      map[b] = String.fromCharCode(256 + n);
      n++;
    }
  }
  return map;
}

const SHORT = 96; // words up to this many symbols use the O(n^2) scan

export class BpeModel {
  readonly vocab: Map<string, number>;
  readonly byteLevel: boolean;
  private merges: MergeTable;
  private unkId: number;
  private fuseUnk: boolean;
  private byteFallback: boolean;
  private ignoreMerges: boolean;
  /** Byte-level: byte -> id of its mapped character (-1 when missing). */
  private byteIds = new Int32Array(256).fill(-1);
  private byteChars: string[] = bytesToUnicode();
  /** Byte fallback: byte -> id of `<0xXX>` (-1 when missing). */
  private fallbackIds = new Int32Array(256).fill(-1);
  private hasAllFallback = false;
  /** Non-byte-level: single BMP char code -> id (-1 when not in the vocabulary). */
  private charIds = new Int32Array(65536).fill(-1);

  // scratch buffers
  private sym = new Int32Array(256);
  private pr = new Int32Array(256); // rank of pair (i, i+1) or 0x7fffffff
  private po = new Int32Array(256); // merged id of pair (i, i+1)
  private utf8 = new Uint8Array(1024);
  private enc = new TextEncoder();
  // heap path
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private alive = new Uint8Array(0);
  private heapRank = new Int32Array(0);
  private heapPos = new Int32Array(0);
  private heapOut = new Int32Array(0);

  constructor(json: BpeJson, byteLevel: boolean) {
    if (json.continuing_subword_prefix || json.end_of_word_suffix) {
      throw new Error('BPE continuing_subword_prefix / end_of_word_suffix are not implemented');
    }
    if (json.dropout) throw new Error('BPE dropout is not implemented');
    this.byteLevel = byteLevel;
    this.vocab = new Map(Object.entries(json.vocab));
    this.fuseUnk = json.fuse_unk === true;
    this.byteFallback = json.byte_fallback === true;
    this.ignoreMerges = json.ignore_merges === true;
    this.unkId = json.unk_token != null ? (this.vocab.get(json.unk_token) ?? -1) : -1;
    if (json.unk_token != null && this.unkId < 0) throw new Error(`unk_token ${json.unk_token} is not in the vocabulary`);
    this.merges = new MergeTable(json.merges.length);
    for (let r = 0; r < json.merges.length; r++) {
      const m = json.merges[r];
      let a: string;
      let b: string;
      if (typeof m === 'string') {
        const sp = m.indexOf(' ');
        if (sp < 0) throw new Error(`bad merge "${m}"`);
        a = m.slice(0, sp);
        b = m.slice(sp + 1);
      } else {
        a = m[0];
        b = m[1];
      }
      const ia = this.vocab.get(a);
      const ib = this.vocab.get(b);
      const io = this.vocab.get(a + b);
      if (ia === undefined) throw new Error(`merge token ${JSON.stringify(a)} is not in the vocabulary`);
      if (ib === undefined) throw new Error(`merge token ${JSON.stringify(b)} is not in the vocabulary`);
      if (io === undefined) throw new Error(`merge result ${JSON.stringify(a + b)} is not in the vocabulary`);
      this.merges.set(ia, ib, r, io);
    }
    for (let b = 0; b < 256; b++) {
      this.byteIds[b] = this.vocab.get(this.byteChars[b]) ?? -1;
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      this.fallbackIds[b] = this.vocab.get(`<0x${hex}>`) ?? -1;
    }
    this.hasAllFallback = this.fallbackIds.every((x) => x >= 0);
    for (const [tok, id] of this.vocab) {
      if (tok.length === 1) this.charIds[tok.charCodeAt(0)] = id;
    }
  }

  private grow(n: number): void {
    let cap = this.sym.length;
    while (cap < n) cap *= 2;
    this.sym = new Int32Array(cap);
    this.pr = new Int32Array(cap);
    this.po = new Int32Array(cap);
  }

  /** Ids of the last encodeWord() call: the first `n` entries (n = its return value). */
  get ids(): Int32Array {
    return this.sym;
  }

  /** Encodes one word (a pre-tokenized piece); returns the number of ids, which are in `ids`. */
  encodeWord(word: string): number {
    let n: number;
    if (this.byteLevel) n = this.initBytes(word);
    else n = this.initChars(word);
    if (n < 0) {
      this.sym[0] = -n - 1; // whole word matched (ignore_merges)
      return 1;
    }
    if (n <= 1) return n;
    if (n <= SHORT) return this.mergeShort(n);
    return this.mergeHeap(n);
  }

  /** Byte-level initial symbols; returns the symbol count, or -(id+1) when ignore_merges finds the whole word. */
  private initBytes(word: string): number {
    const wl = word.length;
    if (this.utf8.length < wl * 3) this.utf8 = new Uint8Array(wl * 3 + 16);
    let nb: number;
    // fast ASCII path
    let ascii = true;
    for (let i = 0; i < wl; i++) {
      const c = word.charCodeAt(i);
      if (c >= 128) {
        ascii = false;
        break;
      }
      this.utf8[i] = c;
    }
    if (ascii) nb = wl;
    else nb = this.enc.encodeInto(word, this.utf8).written;
    if (this.ignoreMerges) {
      let key = '';
      for (let i = 0; i < nb; i++) key += this.byteChars[this.utf8[i]];
      const id = this.vocab.get(key);
      if (id !== undefined) return -id - 1;
    }
    if (this.sym.length < nb) this.grow(nb);
    const sym = this.sym;
    for (let i = 0; i < nb; i++) {
      const id = this.byteIds[this.utf8[i]];
      if (id < 0) {
        // Byte-level vocabularies contain all 256 byte characters; one that lacks some behaves like HF with an
        // unk token if it has one.
        if (this.unkId < 0) throw new Error(`byte 0x${this.utf8[i].toString(16)} has no token and there is no unk_token`);
        sym[i] = this.unkId;
      } else sym[i] = id;
    }
    return nb;
  }

  /** Per-character initial symbols with byte fallback and unk fusing (SentencePiece-converted BPE). */
  private initChars(word: string): number {
    if (this.ignoreMerges) {
      const id = this.vocab.get(word);
      if (id !== undefined) return -id - 1;
    }
    const wl = word.length;
    if (this.sym.length < wl * 4) this.grow(wl * 4);
    const sym = this.sym;
    let n = 0;
    let unkPending = false;
    for (let i = 0; i < wl; ) {
      const c = word.charCodeAt(i);
      let id = -1;
      let w = 1;
      let cp = c;
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < wl ? word.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          w = 2;
          cp = word.codePointAt(i)!;
          id = this.vocab.get(word.slice(i, i + 2)) ?? -1;
        } else {
          // a lone surrogate reaches HF tokenizers as U+FFFD (lossy UTF-8 conversion of the JS string)
          cp = 0xfffd;
          id = this.charIds[cp];
        }
      } else id = this.charIds[c];
      if (id >= 0) {
        if (unkPending) {
          sym[n++] = this.unkId;
          unkPending = false;
        }
        sym[n++] = id;
      } else if (this.byteFallback && this.hasAllFallback) {
        // all bytes of the character as <0xXX> tokens. (With every <0xXX> present no unk can be pending here;
        // HF decides per character whether its bytes exist, which only differs for incomplete byte vocabularies.)
        n = this.pushUtf8(cp, n);
      } else if (this.unkId >= 0) {
        if (unkPending && !this.fuseUnk) sym[n++] = this.unkId;
        unkPending = true;
      } else {
        // no unk token: HF drops the character
      }
      i += w;
    }
    if (unkPending) sym[n++] = this.unkId;
    return n;
  }

  private pushUtf8(cp: number, n: number): number {
    const sym = this.sym;
    const f = this.fallbackIds;
    if (cp < 0x80) sym[n++] = f[cp];
    else if (cp < 0x800) {
      sym[n++] = f[0xc0 | (cp >> 6)];
      sym[n++] = f[0x80 | (cp & 63)];
    } else if (cp < 0x10000) {
      // lone surrogates are encoded as U+FFFD, like Rust's lossy conversion of a JS string
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      sym[n++] = f[0xe0 | (cp >> 12)];
      sym[n++] = f[0x80 | ((cp >> 6) & 63)];
      sym[n++] = f[0x80 | (cp & 63)];
    } else {
      sym[n++] = f[0xf0 | (cp >> 18)];
      sym[n++] = f[0x80 | ((cp >> 12) & 63)];
      sym[n++] = f[0x80 | ((cp >> 6) & 63)];
      sym[n++] = f[0x80 | (cp & 63)];
    }
    return n;
  }

  private mergeShort(n: number): number {
    const sym = this.sym;
    const pr = this.pr;
    const po = this.po;
    const mt = this.merges;
    const NONE = 0x7fffffff;
    for (let i = 0; i + 1 < n; i++) {
      const h = mt.find(sym[i], sym[i + 1]);
      if (h < 0) pr[i] = NONE;
      else {
        pr[i] = mt.rankAt(h);
        po[i] = mt.outAt(h);
      }
    }
    while (n > 1) {
      let best = NONE;
      let bi = -1;
      for (let i = 0; i + 1 < n; i++) {
        if (pr[i] < best) {
          best = pr[i];
          bi = i;
        }
      }
      if (bi < 0) break;
      sym[bi] = po[bi];
      // remove symbol bi+1 and pair bi+1 (plain loops: copyWithin's call cost dominates on short arrays)
      for (let i = bi + 1; i + 1 < n; i++) {
        sym[i] = sym[i + 1];
        pr[i] = pr[i + 1];
        po[i] = po[i + 1];
      }
      n--;
      if (bi > 0) {
        const h = mt.find(sym[bi - 1], sym[bi]);
        if (h < 0) pr[bi - 1] = NONE;
        else {
          pr[bi - 1] = mt.rankAt(h);
          po[bi - 1] = mt.outAt(h);
        }
      }
      if (bi + 1 < n) {
        const h = mt.find(sym[bi], sym[bi + 1]);
        if (h < 0) pr[bi] = NONE;
        else {
          pr[bi] = mt.rankAt(h);
          po[bi] = mt.outAt(h);
        }
      }
    }
    return n;
  }

  // --- heap path for long words: linked list of symbols + binary min-heap on (rank, pos) ---

  private heapN = 0;

  private heapPush(rank: number, pos: number, out: number): void {
    let i = this.heapN++;
    const hr = this.heapRank;
    const hp = this.heapPos;
    const ho = this.heapOut;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hr[p] < rank || (hr[p] === rank && hp[p] < pos)) break;
      hr[i] = hr[p];
      hp[i] = hp[p];
      ho[i] = ho[p];
      i = p;
    }
    hr[i] = rank;
    hp[i] = pos;
    ho[i] = out;
  }

  /** Pops the top into (popRank, popPos, popOut). */
  private popRank = 0;
  private popPos = 0;
  private popOut = 0;
  private heapPop(): void {
    const hr = this.heapRank;
    const hp = this.heapPos;
    const ho = this.heapOut;
    this.popRank = hr[0];
    this.popPos = hp[0];
    this.popOut = ho[0];
    const n = --this.heapN;
    if (n === 0) return;
    const r = hr[n];
    const p = hp[n];
    const o = ho[n];
    let i = 0;
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (hr[c + 1] < hr[c] || (hr[c + 1] === hr[c] && hp[c + 1] < hp[c]))) c++;
      if (r < hr[c] || (r === hr[c] && p < hp[c])) break;
      hr[i] = hr[c];
      hp[i] = hp[c];
      ho[i] = ho[c];
      i = c;
    }
    hr[i] = r;
    hp[i] = p;
    ho[i] = o;
  }

  private mergeHeap(n: number): number {
    if (this.prev.length < n) {
      const cap = n * 2;
      this.prev = new Int32Array(cap);
      this.next = new Int32Array(cap);
      this.alive = new Uint8Array(cap);
      this.heapRank = new Int32Array(cap * 2);
      this.heapPos = new Int32Array(cap * 2);
      this.heapOut = new Int32Array(cap * 2);
    }
    const sym = this.sym;
    const prev = this.prev;
    const next = this.next;
    const alive = this.alive;
    const mt = this.merges;
    this.heapN = 0;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      alive[i] = 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const h = mt.find(sym[i], sym[i + 1]);
      if (h >= 0) this.heapPush(mt.rankAt(h), i, mt.outAt(h));
    }
    while (this.heapN > 0) {
      // Every merge pushes at most two entries, and each pop removes one: the heap never exceeds 2n entries
      // because at most n-1 merges happen.
      this.heapPop();
      const pos = this.popPos;
      if (alive[pos] === 0) continue;
      const nx = next[pos];
      if (nx < 0) continue;
      const h = mt.find(sym[pos], sym[nx]);
      if (h < 0 || mt.outAt(h) !== this.popOut) continue; // stale entry
      sym[pos] = this.popOut;
      alive[nx] = 0;
      const nn = next[nx];
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      const pv = prev[pos];
      if (pv >= 0) {
        const h2 = mt.find(sym[pv], sym[pos]);
        if (h2 >= 0) this.heapPush(mt.rankAt(h2), pv, mt.outAt(h2));
      }
      if (nn >= 0) {
        const h3 = mt.find(sym[pos], sym[nn]);
        if (h3 >= 0) this.heapPush(mt.rankAt(h3), pos, mt.outAt(h3));
      }
    }
    let k = 0;
    for (let i = 0; i >= 0 && i < n; i = next[i]) sym[k++] = sym[i];
    return k;
  }

  /** Pair rank lookup for tests/diagnostics. */
  hasMerge(a: number, b: number): boolean {
    return this.merges.find(a, b) >= 0;
  }
}
