// A port of spaCy's rule-based English tokenizer (`spacy.blank("en")`) and its `sentencizer`, as datatrove uses
// them to split English words and sentences. Algorithm after spaCy v3.6.1 `spacy/tokenizer.pyx`
// (`_tokenize_affixes`, `_split_affixes`, `_attach_tokens`, `_apply_special_cases`) and
// `spacy/pipeline/sentencizer.pyx` (`predict`); rule data extracted from spaCy's English definitions into
// en_data.json by extract_spacy_data.py (see that file for the exact source files and commit).
//
// Offsets and lengths here are UTF-16 units (JS string indices); every comparison the algorithm makes is
// between lengths of the same kind, so the result equals spaCy's code-point-based one.
import { readFileSync } from 'node:fs';
import { isPySpaceCode, pyRegexToJs } from '../pystr.ts';

interface EnData {
  source: string;
  prefixes: string[];
  suffixes: string[];
  infixes: string[];
  url_pattern: string;
  exceptions: Record<string, string[]>;
  sentencizer_punct_chars: string[];
}

/** Tokens of one text: token strings, their start offsets, and whether each one is whitespace-only. */
export interface SpacyTokens {
  text: string;
  tokens: string[];
  starts: number[];
  /** 1 for whitespace-only tokens (spaCy keeps them as tokens; datatrove drops them from word lists). */
  space: Uint8Array;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  terminal: boolean;
}

const ONLY_LETTERS = /^[A-Za-z]+$/;
const ONLY_DIGITS = /^[0-9]+$/;
const IS_PUNCT = /^\p{P}+$/u;

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

function isAllSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isPySpaceCode(s.charCodeAt(i))) return false;
  return s.length > 0;
}

export class SpacyEnglishTokenizer {
  private readonly specials: Map<string, string[]>;
  /**
   * A filter in front of `specials`: bit set for (length, first unit, last unit) of every special-case key, so the
   * affix loop's lookups of substrings that cannot be a key skip the Map (hashing a fresh substring and probing).
   */
  private readonly specialShape = new Uint8Array(1 << 16);
  private readonly prefixRe: RegExp;
  private readonly suffixRe: RegExp;
  /** suffixRe, sticky (tried at chosen start positions) and the search window it needs (see findSuffix). */
  private readonly suffixSticky: RegExp;
  private readonly suffixWindow: number;
  private readonly infixRe: RegExp;
  /** The infix alternation, sticky: tried only at positions where an infix can start. */
  private readonly infixSticky: RegExp;
  /** A character that can start an English infix match; strings without one skip the infix regex. */
  private readonly infixTrigger: RegExp;
  /** infixTrigger precomputed over the BMP (1 = can start an infix; high surrogates = 1, decided by the regex). */
  private readonly infixStart: Uint8Array;
  private readonly urlRe: RegExp;
  private readonly punctChars: Set<string>;
  private readonly trie: TrieNode = { next: new Map(), terminal: false };
  /** Chunks memoised before the memo (and the piece ids) are reset (spaCy keeps the same kind of cache). */
  private readonly cacheLimit: number;

  constructor(data: EnData, cacheLimit = 500_000) {
    this.cacheLimit = cacheLimit;
    // sized for the cache limit at load <= 1/2 (up to 2^20 slots, 32 MB): no rehashing while the memo fills
    let slots = 1 << 12;
    while (slots < 2 * cacheLimit && slots < 1 << 20) slots <<= 1;
    this.slots = new Int32Array(slots * SLOT_INTS);
    this.specials = new Map(Object.entries(data.exceptions));
    for (const k of this.specials.keys()) if (k.length > 0) this.specialShape[shapeKey(k)] = 1;
    // spacy.util.compile_{prefix,suffix,infix}_regex: empty pieces are skipped
    const pre = data.prefixes.filter((p) => p.trim() !== '').map((p) => '^' + p);
    const suf = data.suffixes.filter((p) => p.trim() !== '').map((p) => p + '$');
    const inf = data.infixes.filter((p) => p.trim() !== '');
    this.prefixRe = new RegExp(pyRegexToJs(pre.join('|')), 'u');
    this.suffixRe = new RegExp(pyRegexToJs(suf.join('|')), 'u');
    this.suffixSticky = new RegExp(this.suffixRe.source, 'uy');
    // the longest match of any suffix alternative but the dot run (Infinity: cannot tell, search the whole chunk)
    let window = 0;
    for (const alt of data.suffixes.filter((x) => x.trim() !== '')) {
      if (alt === '\\.\\.+') continue;
      window = Math.max(window, maxMatchUnits(alt));
    }
    this.suffixWindow = window;
    this.infixRe = new RegExp(pyRegexToJs(inf.join('|')), 'gu');
    // English infixes start with one of: . … (ellipses), an icon symbol, + - * ^ , : < > = / or a hyphen (- – — ~)
    const icons = data.infixes.find((p) => p.startsWith('[\\u00A6'));
    if (!icons) throw new Error('spaCy data: icon class not found among infixes');
    this.infixTrigger = new RegExp(pyRegexToJs('[.\u2026+\\-*^,:<>=/\u2013\u2014~' + icons.slice(1, -1) + ']'), 'u');
    this.infixSticky = new RegExp(this.infixRe.source, 'uy');
    this.infixStart = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdbff) this.infixStart[c] = 1; // astral: let the regex decide
      else if (c >= 0xdc00 && c <= 0xdfff) this.infixStart[c] = 0; // never start inside a pair
      else if (this.infixTrigger.test(String.fromCharCode(c))) this.infixStart[c] = 1;
    }
    this.urlRe = new RegExp(pyRegexToJs(data.url_pattern), 'u');
    this.punctChars = new Set(data.sentencizer_punct_chars);
    // Tokenizer.add_special_case: special cases that contain an affix or a space are also matched over the
    // token sequence their text gets without special cases (the final PhraseMatcher pass).
    for (const key of [...this.specials.keys()].sort()) {
      if (this.findPrefix(key) || this.hasInfix(key) || this.findSuffix(key) || key.includes(' ')) {
        const pattern = this.tokenize(key, false).tokens;
        if (pattern.length === 0) continue;
        // a one-token pattern whose special case is that same single token changes nothing: skip it
        const sp = this.specials.get(key)!;
        if (pattern.length === 1 && sp.length === 1 && sp[0] === pattern[0]) continue;
        let node = this.trie;
        for (const t of pattern) {
          let nx = node.next.get(t);
          if (!nx) {
            nx = { next: new Map(), terminal: false };
            node.next.set(t, nx);
          }
          node = nx;
        }
        node.terminal = true;
        this.rootShape[shapeKey(pattern[0])] = 1;
        for (let x = 1; x < pattern.length; x++) {
          this.innerTokens.add(pattern[x]);
          this.innerShape[shapeKey(pattern[x])] = 1;
        }
        if (pattern.some(isAllSpace)) this.wsInPattern = true;
      }
    }
  }

  /** Tokens of the special-case patterns after their first, and their shapes (see idFlags bit 3). */
  private readonly innerTokens = new Set<string>();
  private readonly innerShape = new Uint8Array(1 << 16);
  /** (length, first unit, last unit) shapes of the first tokens of the special-case patterns (see isRoot). */
  private readonly rootShape = new Uint8Array(1 << 16);

  /** Some special-case pattern has a whitespace token (not so in spaCy's English data; see sentenceStartOffsets). */
  private wsInPattern = false;

  private isSpecial(s: string): boolean {
    return s.length > 0 && this.specialShape[shapeKey(s)] === 1 && this.specials.has(s);
  }

  private findPrefix(s: string): number {
    // Every English prefix starts with a non-alphanumeric character except the currencies US$, C$ and A$.
    const c = s.charCodeAt(0);
    if (isAsciiAlnum(c) && !(s.startsWith('US$') || s.startsWith('C$') || s.startsWith('A$'))) return 0;
    const m = this.prefixRe.exec(s);
    return m ? m[0].length : 0;
  }

  private findSuffix(s: string): number {
    // No English suffix ends in an ASCII digit; one ending in an ASCII letter is 's/'S (straight or curly
    // apostrophe) or a unit after an ASCII digit.
    const n = s.length;
    const c = s.charCodeAt(n - 1);
    if (c >= 0x30 && c <= 0x39) return 0;
    if (isAsciiAlnum(c)) {
      const p = s.charCodeAt(n - 2);
      if (p !== 0x27 && p !== 0x2019 && !/[0-9]/.test(s)) return 0;
    }
    if (this.suffixWindow === Infinity) {
      const m = this.suffixRe.exec(s);
      return m ? m[0].length : 0;
    }
    // Every suffix alternative is anchored at the end, so the leftmost match is the first start position where the
    // sticky alternation matches. No bounded alternative matches more than suffixWindow units, and the one unbounded
    // alternative (a run of two or more dots) only starts inside the text's trailing dot run: earlier starts cannot
    // match, and the search begins at the first one that can (unanchored exec would try every position).
    let start = n > this.suffixWindow ? n - this.suffixWindow : 0;
    if (c === 0x2e) {
      let r = n - 1;
      while (r > 0 && s.charCodeAt(r - 1) === 0x2e) r--;
      if (n - r >= 2 && r < start) start = r;
    }
    const re = this.suffixSticky;
    for (let p = start; p < n; p++) {
      re.lastIndex = p;
      if (re.test(s)) return n - p;
    }
    return 0;
  }

  private hasInfix(s: string): boolean {
    this.infixRe.lastIndex = 0;
    const ok = this.infixRe.test(s);
    this.infixRe.lastIndex = 0;
    return ok;
  }

  /** Pieces of one non-whitespace chunk (spaCy `_tokenize`: `_split_affixes` + `_attach_tokens`). */
  private chunkPieces(chunk: string, withSpecials: boolean): readonly string[] {
    if (withSpecials) {
      const sp = chunk.length > 0 && this.specialShape[shapeKey(chunk)] === 1 ? this.specials.get(chunk) : undefined;
      if (sp) return sp;
      // fast path: pure ASCII letters or digits can match no prefix, suffix, infix or URL
      if (ONLY_LETTERS.test(chunk) || ONLY_DIGITS.test(chunk)) return [chunk];
    }
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    let s = chunk;
    let lastSize = -1;
    while (s.length > 0 && s.length !== lastSize) {
      if (withSpecials && this.isSpecial(s)) break;
      lastSize = s.length;
      const preLen = this.findPrefix(s);
      let prefix = '';
      let minusPre = '';
      if (preLen !== 0) {
        prefix = s.slice(0, preLen);
        minusPre = s.slice(preLen);
        if (minusPre && withSpecials && this.isSpecial(minusPre)) {
          s = minusPre;
          prefixes.push(prefix);
          break;
        }
      }
      const sufLen = this.findSuffix(s.slice(preLen));
      let suffix = '';
      let minusSuf = '';
      if (sufLen !== 0) {
        suffix = s.slice(s.length - sufLen);
        minusSuf = s.slice(0, s.length - sufLen);
        if (minusSuf && withSpecials && this.isSpecial(minusSuf)) {
          s = minusSuf;
          suffixes.push(suffix);
          break;
        }
      }
      if (preLen && sufLen && preLen + sufLen <= s.length) {
        s = s.slice(preLen, s.length - sufLen);
        prefixes.push(prefix);
        suffixes.push(suffix);
      } else if (preLen) {
        s = minusPre;
        prefixes.push(prefix);
      } else if (sufLen) {
        s = minusSuf;
        suffixes.push(suffix);
      }
    }
    const out = prefixes;
    if (s) {
      const sp = withSpecials && this.isSpecial(s) ? this.specials.get(s) : undefined;
      if (sp) out.push(...sp);
      // every match of spaCy's URL pattern has a '.' (in the host name or the IPv4 address)
      else if (s.includes('.') && this.urlRe.test(s)) out.push(s);
      else this.splitInfixes(s, out);
    }
    for (let i = suffixes.length - 1; i >= 0; i--) out.push(suffixes[i]);
    return out;
  }

  private splitInfixes(s: string, out: string[]): void {
    // Same matches as re.finditer over the alternation: every infix starts at a trigger character, so the
    // leftmost match is the first trigger position where the sticky alternation matches.
    const re = this.infixSticky;
    const table = this.infixStart;
    let start = 0;
    let any = false;
    let pos = 0;
    while (pos < s.length) {
      if (table[s.charCodeAt(pos)] === 0) {
        pos++;
        continue;
      }
      re.lastIndex = pos;
      const m = re.exec(s);
      if (!m) {
        pos++;
        continue;
      }
      any = true;
      const a = pos;
      const b = a + m[0].length;
      pos = b > a ? b : a + 1;
      if (a === 0) continue; // spaCy skips an infix at the very start (start_before_infixes == 0)
      if (a !== start) out.push(s.slice(start, a));
      if (a !== b) out.push(s.slice(a, b));
      start = b;
    }
    if (!any) {
      out.push(s);
      return;
    }
    if (start < s.length) out.push(s.slice(start));
  }

  /** spaCy `Tokenizer.__call__` (special cases on) or `_tokenize_affixes(text, False)` (off). */
  tokenize(text: string, withSpecials = true): SpacyTokens {
    if (!withSpecials) return this.tokenizeNoSpecials(text);
    const t = this.run(text);
    const tokens: string[] = new Array<string>(t.n);
    const starts: number[] = new Array<number>(t.n);
    for (let i = 0; i < t.n; i++) {
      tokens[i] = this.idStr[t.ids[i]];
      starts[i] = t.starts[i];
    }
    return { text, tokens, starts, space: t.space.slice(0, t.n) };
  }

  /** `_tokenize_affixes(text, False)`: only used to build the special-case patterns (no memo, no matching). */
  private tokenizeNoSpecials(text: string): SpacyTokens {
    const tokens: string[] = [];
    const starts: number[] = [];
    const space: number[] = [];
    const n = text.length;
    let start = 0;
    let inWs = n > 0 && isPySpaceCode(text.charCodeAt(0));
    const emit = (a: number, b: number, ws: boolean): void => {
      const chunk = text.slice(a, b);
      const pieces = ws ? [chunk] : this.chunkPieces(chunk, false);
      for (const p of pieces) {
        tokens.push(p);
        starts.push(a);
        space.push(ws ? 1 : 0);
        a += p.length;
      }
    };
    for (let i = 0; i < n; i++) {
      const ws = isPySpaceCode(text.charCodeAt(i));
      if (ws !== inWs) {
        if (start < i) emit(start, i, inWs);
        start = text.charCodeAt(i) === 0x20 ? i + 1 : i;
        inWs = !inWs;
      }
    }
    if (start < n) emit(start, n, inWs);
    return { text, tokens, starts, space: Uint8Array.from(space) };
  }

  // --- The tokenizer pass with special cases, allocation-free for strings seen before.
  //
  // Every string the pass meets -- a chunk (a maximal run of whitespace / non-whitespace, minus the single trailing
  // ' ' spaCy folds into the token before it) or a piece of one -- is an entry of one open-addressing table keyed by
  // a hash of its UTF-16 units (for chunks, computed during the scan). An entry's number is its string's id (equal
  // strings, equal ids; `idStr` maps back), so a chunk that is its own single token, as most words are, needs no
  // second lookup, and no string-keyed Map is involved. The table holds hundreds of thousands of entries, far beyond
  // the CPU caches, so what a lookup costs is the cache lines it reads: a slot is 8 ints (half a line) and holds keys
  // of up to 6 units itself, so a short one-token chunk costs one line.
  //   slot: [hash, key length (0 = empty slot), meta, id, pieces offset, key units 0-5 two per int | key offset]
  //   meta: piece count | whitespace << 16 | roots << 17 | tokenized << 18 | self << 19
  //     tokenized: the entry's own pieces are known (an entry made for a piece gets them when first met as a chunk);
  //     self: the chunk is one piece, itself (no piece data); roots: some piece can start a special-case pattern.
  //   pool at the pieces offset: (piece id, piece length) per piece, then, when roots is set, their count and
  //   indices. Keys longer than 6 units are in the pool at the key offset, also two units per int.
  // Tokens of a pass are written as ids / offsets / whitespace flags into reused typed arrays.

  /** Entry id -> its string. */
  private idStr: string[] = [];
  /**
   * Per id: bit 1 = a sentencizer punctuation character, bit 2 = only \p{P} characters, bit 3 = a token of some
   * special-case pattern after its first (a pattern walk stops at a token without it).
   */
  private idFlags = new Uint8Array(1024);
  /** Incremented whenever the ids are renumbered (memo reset); word-id consumers check it. */
  epoch = 0;
  private slots: Int32Array;
  // large from the start: the memory is only committed as it is written, and growing copies (and faults in) it again
  private pool = new Int32Array(1 << 22);
  private poolLen = 0;
  /** Entries in the table (= idStr.length). */
  private tabCount = 0;
  /** Token buffers of the last run (ids, UTF-16 start offsets, whitespace flags) and a second set for rebuilds. */
  private buf: TokenBuf = newBuf(1024);
  private alt: TokenBuf = newBuf(1024);
  private cands = new Int32Array(256);
  private nCands = 0;

  /** Id of string p (an entry is made, untokenized, if p was never met). */
  private pieceId(p: string): number {
    let h = HASH_SEED;
    for (let x = 0; x < p.length; x++) h = Math.imul(h ^ p.charCodeAt(x), HASH_MUL);
    h = mixHash(h);
    let s = this.find(p, 0, p.length, h);
    if (s < 0) s = this.insert(p, 0, p.length, h, p);
    return this.slots[s + S_ID];
  }

  private resetMemo(): void {
    // the table and pool keep their size: a long run refills them to about the same size
    this.idStr = [];
    this.slots.fill(0);
    this.poolLen = 0;
    this.tabCount = 0;
    this.epoch++;
  }

  /** Slot of the entry for text[a, b) (mixed hash h), or -1. */
  private find(text: string, a: number, b: number, h: number): number {
    const slots = this.slots;
    const len = b - a;
    const mask = (slots.length >> 3) - 1;
    let j = h & mask;
    for (;;) {
      const s = j << 3;
      const klen = slots[s + S_LEN];
      if (klen === 0) return -1;
      if (slots[s] === h && klen === len) {
        if (len <= INLINE_KEY ? samePacked(slots, s + S_KEY, text, a, len) : samePacked(this.pool, slots[s + S_KEY], text, a, len)) return s;
      }
      j = (j + 1) & mask;
    }
  }

  /** Makes the (untokenized) entry for text[a, b) = str, known to be absent; returns its slot. */
  private insert(text: string, a: number, b: number, h: number, str: string): number {
    if ((this.tabCount + 1) * 2 > this.slots.length >> 3) this.growTable();
    const slots = this.slots;
    const mask = (slots.length >> 3) - 1;
    let j = h & mask;
    while (slots[(j << 3) + S_LEN] !== 0) j = (j + 1) & mask;
    const s = j << 3;
    const len = b - a;
    const id = this.tabCount++;
    slots[s] = h;
    slots[s + S_LEN] = len;
    slots[s + S_META] = 0;
    slots[s + S_ID] = id;
    slots[s + S_POFF] = 0;
    if (len <= INLINE_KEY) {
      slots[s + S_KEY] = 0;
      slots[s + S_KEY + 1] = 0;
      slots[s + S_KEY + 2] = 0;
      pack(slots, s + S_KEY, text, a, len);
    } else {
      const off = this.alloc((len + 1) >> 1);
      pack(this.pool, off, text, a, len);
      slots[s + S_KEY] = off;
    }
    this.idStr.push(str);
    if (id >= this.idFlags.length) {
      const f = new Uint8Array(this.idFlags.length * 2);
      f.set(this.idFlags);
      this.idFlags = f;
    }
    // sentencizer punctuation and \p{P}-only strings never start with an ASCII letter or digit
    this.idFlags[id] = (isAsciiAlnum(str.charCodeAt(0)) ? 0 : (this.punctChars.has(str) ? 2 : 0) | (IS_PUNCT.test(str) ? 4 : 0)) |
      (this.innerShape[shapeKey(str)] === 1 && this.innerTokens.has(str) ? 8 : 0);
    return s;
  }

  /** Offset of `need` fresh ints at the end of the pool. */
  private alloc(need: number): number {
    if (this.poolLen + need > this.pool.length) {
      const p = new Int32Array(Math.max(this.pool.length * 2, this.poolLen + need));
      p.set(this.pool.subarray(0, this.poolLen));
      this.pool = p;
    }
    const off = this.poolLen;
    this.poolLen += need;
    return off;
  }

  /** Slot of chunk text[a, b) with scan hash h0, made and tokenized on first sight. */
  private entry(text: string, a: number, b: number, h0: number, ws: boolean): number {
    const h = mixHash(h0);
    let s = this.find(text, a, b, h);
    if (s < 0) s = this.insert(text, a, b, h, text.slice(a, b));
    if ((this.slots[s + S_META] & M_TOKENIZED) === 0) s = this.tokenizeEntry(s, ws);
    return s;
  }

  /** Computes the pieces of the entry in slot s as a chunk; returns its slot (piece entries may move it). */
  private tokenizeEntry(s: number, ws: boolean): number {
    const id = this.slots[s + S_ID];
    const chunk = this.idStr[id];
    // whitespace chunks never contain affixes, infixes or URLs: one token
    const pieces = ws ? null : this.chunkPieces(chunk, true);
    const wsBit = ws ? M_WS : 0;
    if (pieces === null || (pieces.length === 1 && pieces[0] === chunk)) {
      const roots = !ws && this.isRoot(chunk) ? M_ROOTS : 0;
      this.slots[s + S_META] = 1 | wsBit | roots | M_TOKENIZED | M_SELF;
      return s;
    }
    const k = pieces.length;
    if (this.pieceIds.length < k) this.pieceIds = new Int32Array(2 * k);
    const ids = this.pieceIds;
    let nRoots = 0;
    for (let x = 0; x < k; x++) {
      ids[x] = this.pieceId(pieces[x]);
      if (this.isRoot(pieces[x])) nRoots++;
    }
    const off = this.alloc(2 * k + (nRoots ? 1 + nRoots : 0));
    const pool = this.pool;
    let w = off;
    for (let x = 0; x < k; x++) {
      pool[w++] = ids[x];
      pool[w++] = pieces[x].length;
    }
    if (nRoots) {
      pool[w++] = nRoots;
      for (let x = 0; x < k; x++) if (this.isRoot(pieces[x])) pool[w++] = x;
    }
    // the piece entries made above may have grown (rehashed) the table: find this entry again by its id
    let slots = this.slots;
    if (slots[s + S_ID] !== id || slots[s + S_LEN] === 0) {
      const mask = (slots.length >> 3) - 1;
      let j = this.hashOfId(chunk) & mask;
      while (slots[(j << 3) + S_ID] !== id || slots[(j << 3) + S_LEN] === 0) j = (j + 1) & mask;
      s = j << 3;
    }
    slots = this.slots;
    slots[s + S_POFF] = off;
    slots[s + S_META] = k | wsBit | (nRoots ? M_ROOTS : 0) | M_TOKENIZED;
    return s;
  }

  /** Scratch for the piece ids of the chunk being tokenized. */
  private pieceIds = new Int32Array(16);

  /** Whether a special-case pattern starts with token `p` (a shape filter in front of the trie's Map). */
  private isRoot(p: string): boolean {
    return p.length > 0 && this.rootShape[shapeKey(p)] === 1 && this.trie.next.has(p);
  }

  private hashOfId(str: string): number {
    let h = HASH_SEED;
    for (let x = 0; x < str.length; x++) h = Math.imul(h ^ str.charCodeAt(x), HASH_MUL);
    return mixHash(h);
  }

  private growTable(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2); // twice as many slots
    const mask = (slots.length >> 3) - 1;
    for (let s = 0; s < old.length; s += SLOT_INTS) {
      if (old[s + S_LEN] === 0) continue;
      let j = old[s] & mask;
      while (slots[(j << 3) + S_LEN] !== 0) j = (j + 1) & mask;
      slots.set(old.subarray(s, s + SLOT_INTS), j << 3);
    }
    this.slots = slots;
  }

  /** Appends the pieces of the chunk in slot `s` (starting at text offset `a`) to the token buffer. */
  private pushChunk(s: number, a: number): void {
    const slots = this.slots;
    const meta = slots[s + S_META];
    const space = (meta >> 16) & 1;
    let t = this.buf;
    if ((meta & M_SELF) !== 0) {
      if (t.n === t.ids.length) t = this.buf = growBuf(t, t.n + 1);
      if ((meta & M_ROOTS) !== 0) this.addCands(t.n, null, 0, 1);
      t.ids[t.n] = slots[s + S_ID];
      t.starts[t.n] = a;
      t.lens[t.n] = slots[s + S_LEN];
      t.space[t.n] = space;
      t.n++;
      return;
    }
    const k = meta & 0xffff;
    const pool = this.pool;
    let p = slots[s + S_POFF];
    if (t.n + k > t.ids.length) t = this.buf = growBuf(t, t.n + k);
    if ((meta & M_ROOTS) !== 0) this.addCands(t.n, pool, p + 2 * k + 1, pool[p + 2 * k]);
    let off = a;
    for (let x = 0; x < k; x++) {
      t.ids[t.n] = pool[p];
      t.starts[t.n] = off;
      t.lens[t.n] = pool[p + 1];
      t.space[t.n] = space;
      t.n++;
      off += pool[p + 1];
      p += 2;
    }
  }

  /** Records token indices base + pool[r..r+nr) (or just `base` when pool is null) as special-case candidates. */
  private addCands(base: number, pool: Int32Array | null, r: number, nr: number): void {
    if (this.nCands + nr > this.cands.length) {
      const c = new Int32Array((this.nCands + nr) * 2);
      c.set(this.cands);
      this.cands = c;
    }
    if (pool === null) this.cands[this.nCands++] = base;
    else for (let x = 0; x < nr; x++) this.cands[this.nCands++] = base + pool[r + x];
  }

  /** spaCy `Tokenizer.__call__` into `this.buf` (special cases applied). */
  private run(text: string): TokenBuf {
    // the filters of one document ask for its words, then its sentences: the last text's tokens are kept
    if (text === this.lastRunText) return this.buf;
    this.lastRunText = null;
    if (this.tabCount >= this.cacheLimit) this.resetMemo(); // only between texts: ids stay valid within one
    this.buf.n = 0;
    this.nCands = 0;
    const n = text.length;
    if (n === 0) return this.buf;
    let start = 0;
    let inWs = isPySpaceCode(text.charCodeAt(0));
    let h = HASH_SEED;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const ws = isPySpaceCode(c);
      if (ws !== inWs) {
        if (start < i) this.pushChunk(this.entry(text, start, i, h, inWs), start);
        inWs = ws;
        h = HASH_SEED;
        if (c === 0x20) {
          // a single ' ' after a token is that token's trailing space, not a token
          start = i + 1;
          continue;
        }
        start = i;
      }
      h = Math.imul(h ^ c, HASH_MUL);
    }
    if (start < n) this.pushChunk(this.entry(text, start, n, h, inWs), start);
    if (this.nCands !== 0) {
      const spans = this.specialSpans(text, this.buf, this.cands.subarray(0, this.nCands));
      if (spans !== null) this.rebuild(spans);
    }
    this.lastRunText = text;
    return this.buf;
  }

  /**
   * spaCy `_apply_special_cases`: find special-case token sequences, keep non-overlapping ones; returns the kept
   * spans whose text is a special case (in token order), or null when applying them changes nothing.
   */
  private specialSpans(text: string, t: TokenBuf, cands: Int32Array): SpecialSpan[] | null {
    const { ids, starts } = t;
    const str = this.idStr;
    const root = this.trie.next;
    let matches: [number, number][] | null = null;
    for (let c = 0; c < cands.length; c++) {
      const i = cands[c];
      let node = root.get(str[ids[i]]);
      let j = i + 1;
      while (node) {
        if (node.terminal) (matches ??= []).push([i, j]);
        if (j >= t.n || (this.idFlags[ids[j]] & 8) === 0) break;
        node = node.next.get(str[ids[j]]);
        j++;
      }
    }
    if (!matches) return null;
    // _filter_special_spans: longest first, then leftmost; a span is kept unless its first or last token is taken
    matches.sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[0] - b[0]);
    const seen = new Set<number>();
    const kept: [number, number][] = [];
    for (const [a, b] of matches) {
      if (!seen.has(a) && !seen.has(b - 1)) kept.push([a, b]);
      for (let k = a; k < b; k++) seen.add(k);
    }
    kept.sort((x, y) => x[0] - y[0]);
    // most matches re-find a special case the chunk pass already applied (e.g. "it's"): nothing to change
    const spans: SpecialSpan[] = [];
    let changes = false;
    for (const [a, b] of kept) {
      const sp = this.specials.get(text.slice(starts[a], starts[b - 1] + str[ids[b - 1]].length));
      if (!sp) continue;
      spans.push({ a, b, pieces: sp });
      if (changes) continue;
      if (sp.length !== b - a) changes = true;
      else for (let k = 0; k < sp.length; k++) if (sp[k] !== str[ids[a + k]]) changes = true;
    }
    return changes ? spans : null;
  }

  /** Replaces each span of `this.buf` by its special case's tokens (into the spare buffer, then swapped). */
  private rebuild(spans: readonly SpecialSpan[]): void {
    const src = this.buf;
    let dst = this.alt;
    dst.n = 0;
    let si = 0;
    let i = 0;
    while (i < src.n) {
      if (si < spans.length && spans[si].a === i) {
        const { b, pieces } = spans[si++];
        let off = src.starts[i];
        if (dst.n + pieces.length > dst.ids.length) dst = growBuf(dst, dst.n + pieces.length);
        for (const p of pieces) {
          dst.ids[dst.n] = this.pieceId(p);
          dst.starts[dst.n] = off;
          dst.lens[dst.n] = p.length;
          dst.space[dst.n] = isAllSpace(p) ? 1 : 0;
          dst.n++;
          off += p.length;
        }
        i = b;
      } else {
        if (dst.n + 1 > dst.ids.length) dst = growBuf(dst, dst.n + 1);
        dst.ids[dst.n] = src.ids[i];
        dst.starts[dst.n] = src.starts[i];
        dst.lens[dst.n] = src.lens[i];
        dst.space[dst.n] = src.space[i];
        dst.n++;
        i++;
      }
    }
    this.alt = src;
    this.buf = dst;
  }

  /** Sentence start token indices by spaCy's sentencizer (`Sentencizer.predict`). */
  sentenceStarts(t: SpacyTokens): number[] {
    const n = t.tokens.length;
    if (n === 0) return [];
    const out = [0];
    let seenPeriod = false;
    for (let i = 0; i < n; i++) {
      const tok = t.tokens[i];
      const inPunct = this.punctChars.has(tok);
      if (seenPeriod && !inPunct && !(t.space[i] === 0 && IS_PUNCT.test(tok))) {
        if (i !== 0) out.push(i);
        seenPeriod = false;
      } else if (inPunct) seenPeriod = true;
    }
    return out;
  }

  /** Words as datatrove's `split_into_words(text, "eng")` returns them (whitespace tokens removed). */
  words(text: string): string[] {
    const t = this.run(text);
    let m = 0;
    for (let i = 0; i < t.n; i++) if (t.space[i] === 0) m++;
    const out = new Array<string>(m);
    const ids = new Int32Array(m);
    const starts = new Int32Array(m);
    const lens = new Int32Array(m);
    m = 0;
    for (let i = 0; i < t.n; i++) {
      if (t.space[i] === 0) {
        ids[m] = t.ids[i];
        starts[m] = t.starts[i];
        lens[m] = t.lens[i];
        out[m++] = this.idStr[t.ids[i]];
      }
    }
    wordIdsByList.set(out, { ids, epoch: this.epoch, owner: this, text, starts, lens });
    return out;
  }

  /**
   * Piece ids of a word list returned by `words()` (equal words, equal ids), while they are still valid (the memo
   * has not been reset since): lets consumers memoise per-word properties by id instead of by string.
   */
  wordIds(words: readonly string[]): Int32Array | null {
    const e = wordIdsByList.get(words);
    return e !== undefined && e.owner === this && e.epoch === this.epoch ? e.ids : null;
  }

  /**
   * The text positions of a word list returned by `words()` (by any instance): lets consumers read the words'
   * characters from the one contiguous text instead of from thousands of separate strings.
   */
  wordSpans(words: readonly string[]): WordSpans | null {
    const e = wordIdsByList.get(words);
    return e === undefined ? null : { text: e.text, starts: e.starts, lens: e.lens };
  }

  /** datatrove `split_into_sentences(text, "eng")`: parts covering the whole text, cut at sentence ends. */
  sentences(text: string): string[] {
    const t = this.tokenize(text);
    const st = this.sentenceStarts(t);
    const ends: number[] = [];
    for (let k = 0; k < st.length; k++) {
      const last = k + 1 < st.length ? st[k + 1] - 1 : t.tokens.length - 1;
      ends.push(t.starts[last] + t.tokens[last].length);
    }
    const cuts = ends.slice(0, -1);
    const out: string[] = [];
    let a = 0;
    for (const b of cuts) {
      out.push(text.slice(a, b));
      a = b;
    }
    out.push(text.slice(a));
    return out;
  }

  private lastFiresText: string | null = null;
  /** The text whose tokens `buf` holds (null while a run is under way). */
  private lastRunText: string | null = null;
  private lastFires: Int32Array = new Int32Array(0);

  /**
   * UTF-16 start offsets (ascending) of the tokens of `text` at which the sentencizer starts a new sentence, token 0
   * excepted; the last text's answer is kept.
   *
   * The sentence count of a line of `text` (a `splitlines()` line, stripped) is 1 + the offsets inside it: the line's
   * tokens are the text's tokens in its range, because every line break is inside a whitespace token (only a single
   * ' ' is folded into the token before it) and no special-case pattern contains a whitespace token (checked when the
   * tokenizer is built), so no special case spans two lines; and the sentencizer starts each line in the same state
   * as on its own, because it never carries a pending period across a whitespace token.
   */
  sentenceStartOffsets(text: string): Int32Array {
    if (this.lastFiresText === text) return this.lastFires;
    if (this.wsInPattern) throw new Error('sentenceStartOffsets: a special-case pattern contains whitespace');
    const t = this.run(text);
    const flags = this.idFlags;
    const out: number[] = [];
    let seenPeriod = false;
    for (let i = 0; i < t.n; i++) {
      const f = flags[t.ids[i]];
      const inPunct = (f & 2) !== 0;
      if (seenPeriod && !inPunct && !(t.space[i] === 0 && (f & 4) !== 0)) {
        if (i !== 0) out.push(t.starts[i]);
        seenPeriod = false;
      } else if (inPunct) seenPeriod = true;
    }
    this.lastFires = Int32Array.from(out);
    this.lastFiresText = text;
    return this.lastFires;
  }

  /** `len(split_into_sentences(text))`: at least 1 (the sentencizer over the token buffer, flags by piece id). */
  sentenceCount(text: string): number {
    const t = this.run(text);
    if (t.n === 0) return 1;
    const flags = this.idFlags;
    let count = 1;
    let seenPeriod = false;
    for (let i = 0; i < t.n; i++) {
      const f = flags[t.ids[i]];
      const inPunct = (f & 2) !== 0;
      if (seenPeriod && !inPunct && !(t.space[i] === 0 && (f & 4) !== 0)) {
        if (i !== 0) count++;
        seenPeriod = false;
      } else if (inPunct) seenPeriod = true;
    }
    return count;
  }
}

interface SpecialSpan {
  /** token range [a, b) */
  a: number;
  b: number;
  /** the special case's tokens replacing it */
  pieces: readonly string[];
}

interface TokenBuf {
  n: number;
  ids: Int32Array;
  starts: Int32Array;
  /** UTF-16 length of each token */
  lens: Int32Array;
  space: Uint8Array;
}

/** Writes text[a, a + len) two UTF-16 units per int (low half first) at arr[at...]. */
function pack(arr: Int32Array, at: number, text: string, a: number, len: number): void {
  let x = 0;
  for (; x + 1 < len; x += 2) arr[at + (x >> 1)] = text.charCodeAt(a + x) | (text.charCodeAt(a + x + 1) << 16);
  if (x < len) arr[at + (x >> 1)] = text.charCodeAt(a + x);
}

/** Whether arr[at...] holds text[a, a + len) as `pack` wrote it. */
function samePacked(arr: Int32Array, at: number, text: string, a: number, len: number): boolean {
  let x = 0;
  for (; x + 1 < len; x += 2) {
    if (arr[at + (x >> 1)] !== (text.charCodeAt(a + x) | (text.charCodeAt(a + x + 1) << 16))) return false;
  }
  return x === len || arr[at + (x >> 1)] === text.charCodeAt(a + x);
}

function newBuf(size: number): TokenBuf {
  return { n: 0, ids: new Int32Array(size), starts: new Int32Array(size), lens: new Int32Array(size), space: new Uint8Array(size) };
}

function growBuf(t: TokenBuf, need: number): TokenBuf {
  const b = newBuf(Math.max(need, t.ids.length * 2));
  b.ids.set(t.ids.subarray(0, t.n));
  b.starts.set(t.starts.subarray(0, t.n));
  b.lens.set(t.lens.subarray(0, t.n));
  b.space.set(t.space.subarray(0, t.n));
  b.n = t.n;
  return b;
}

/**
 * The most UTF-16 units a match of Python regex `src` can span, by its structure: lookarounds and anchors span none,
 * a class or `.` or a class escape at most 2 (an astral code point), a group its longest alternative, `?` nothing
 * more, `{m,n}` n times; Infinity for `*`, `+`, `{m,}` or anything this reading does not know (the caller then
 * searches without a window).
 */
export function maxMatchUnits(src: string): number {
  let i = 0;
  const alternation = (): number => {
    let best = 0;
    let cur = 0;
    for (;;) {
      if (i >= src.length || src[i] === ')') return Math.max(best, cur);
      if (src[i] === '|') {
        best = Math.max(best, cur);
        cur = 0;
        i++;
        continue;
      }
      let atom: number;
      const c = src[i];
      if (c === '(') {
        let zeroWidth = false;
        if (src.startsWith('(?<=', i) || src.startsWith('(?<!', i)) (i += 4, (zeroWidth = true));
        else if (src.startsWith('(?=', i) || src.startsWith('(?!', i)) (i += 3, (zeroWidth = true));
        else if (src.startsWith('(?:', i)) i += 3;
        else if (src.startsWith('(?', i)) return Infinity;
        else i += 1;
        const inner = alternation();
        if (src[i] !== ')') return Infinity;
        i++;
        atom = zeroWidth ? 0 : inner;
      } else if (c === '[') {
        i++;
        if (src[i] === '^') i++;
        if (src[i] === ']') i++;
        while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
        if (i >= src.length) return Infinity;
        i++;
        atom = 2;
      } else if (c === '\\') {
        const e = src[i + 1];
        if (e === 'u') (i += 6, (atom = 1));
        else if (e === 'U') (i += 10, (atom = 2));
        else if (e === 'x') (i += 4, (atom = 1));
        else if (e !== undefined && /[dDwWsS]/.test(e)) (i += 2, (atom = 2));
        else if (e !== undefined && /[bBAZ]/.test(e)) (i += 2, (atom = 0));
        else if (e !== undefined && /[0-9a-zA-Z]/.test(e)) return Infinity;
        else (i += 2, (atom = 1));
      } else if (c === '^' || c === '$') (i++, (atom = 0));
      else if (c === '.') (i++, (atom = 2));
      else if (c === '*' || c === '+' || c === '?' || c === '{') return Infinity;
      else (i++, (atom = 1));
      // quantifier
      if (src[i] === '?') i++;
      else if (src[i] === '*' || src[i] === '+') return Infinity;
      else if (src[i] === '{') {
        const m = /^\{(\d+)(?:,(\d*))?\}/.exec(src.slice(i));
        if (!m || m[2] === '') return Infinity;
        atom *= Number(m[2] ?? m[1]);
        i += m[0].length;
      }
      cur += atom;
    }
  };
  const n = alternation();
  return i === src.length ? n : Infinity;
}

/** (length, first and last UTF-16 unit) hashed to 16 bits, for the special-case filter. */
function shapeKey(s: string): number {
  const h = Math.imul(Math.imul(s.length, 0x9e3779b1) ^ s.charCodeAt(0), 0x85ebca6b) ^ Math.imul(s.charCodeAt(s.length - 1), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xffff;
}

const HASH_SEED = 0x811c9dc5 | 0;
const HASH_MUL = 0x01000193;

/** The scan's FNV-style hash has weak low bits (they depend only on the units' low bits): mixed before masking. */
function mixHash(h0: number): number {
  const h = Math.imul(h0 ^ (h0 >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

// memo slot layout (see the comment above `idStr`)
const SLOT_INTS = 8;
const S_LEN = 1;
const S_META = 2;
const S_ID = 3;
const S_POFF = 4;
const S_KEY = 5;
const INLINE_KEY = 6;
const M_WS = 1 << 16;
const M_ROOTS = 1 << 17;
const M_TOKENIZED = 1 << 18;
const M_SELF = 1 << 19;

const wordIdsByList = new WeakMap<
  readonly string[],
  { ids: Int32Array; epoch: number; owner: SpacyEnglishTokenizer; text: string; starts: Int32Array; lens: Int32Array }
>();

/** Where the words of a list returned by `words()` are in their text: words[i] = text.slice(starts[i], starts[i] + lens[i]). */
export interface WordSpans {
  text: string;
  starts: Int32Array;
  lens: Int32Array;
}

let shared: SpacyEnglishTokenizer | null = null;

/** The process-wide English tokenizer (rules compiled once). */
export function englishTokenizer(): SpacyEnglishTokenizer {
  if (!shared) {
    const data = JSON.parse(readFileSync(new URL('./en_data.json', import.meta.url), 'utf8')) as EnData;
    shared = new SpacyEnglishTokenizer(data);
  }
  return shared;
}
