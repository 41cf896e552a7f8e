// The document view: everything the RPv2 signals (and the datatrove filters) need from one document, computed once
// in a single pass over the text and shared by every signal.
//
// What the single pass produces, following RedPajama-V2's core/document.py:
// - RPv2 lines (`([^\n]*\n|[^\n]+$)`) with code point spans and the per-line raw and normalised statistics;
// - the normalised words (`normalize(text).split()`), computed token by token (see `rpv2NormalizeToken`), with their
//   code point lengths, integer ids (first-occurrence order) and counts;
// - the raw words (NLTK WordPunct tokens) as UTF-16 ranges with their flags;
// - counts of the characters and substrings the content signals look for, and the sentence count.
// n-grams of normalised words are built lazily, level by level, as integer ids (see `ngrams`).
// Other line splittings (Python `splitlines()`, `split("\n")`) are available lazily for the filters.
import { CP_FLAGS, F_LOWER, F_NUMERIC, F_SPACE, F_TITLE, F_UPPER, F_WORD } from './unicode.ts';
import { pySplitlines, rpv2NormalizeToken } from './text.ts';

/**
 * Per-level n-gram data, sparse: only the start positions whose n-gram occurs more than once are listed (after the
 * first levels they are a small part of the document, and every level is built from the previous one's list).
 */
export class NgramLevel {
  readonly n: number;
  /** Number of n-gram start positions (max(0, N - n + 1)). */
  readonly positions: number;
  /** Start positions of the n-grams that occur at least twice, ascending. */
  readonly pos: Int32Array;
  /**
   * Id of the n-gram at each of those positions. Ids are numbered in order of first occurrence, but not densely: an
   * id may belong to an n-gram that occurs once (and so is in no list); `counts` tells them apart.
   */
  readonly ids: Int32Array;
  /** Occurrence count of each id (1 for the ids of n-grams that occur once). */
  readonly counts: Int32Array;
  /** Number of ids of repeated n-grams (distinct repeated n-grams). */
  readonly distinct: number;
  /** Number of k with pos[k + 1] === pos[k] + 1: the candidate positions of level n + 1. */
  readonly adjacent: number;

  constructor(n: number, positions: number, pos: Int32Array, ids: Int32Array, counts: Int32Array, distinct: number, adjacent: number) {
    this.n = n;
    this.positions = positions;
    this.pos = pos;
    this.ids = ids;
    this.counts = counts;
    this.distinct = distinct;
    this.adjacent = adjacent;
  }

  /** Dense form: for each start position 0..N-n, the n-gram's id when it occurs at least twice, else -1. */
  get rep(): Int32Array {
    const rep = new Int32Array(this.positions).fill(-1);
    for (let k = 0; k < this.pos.length; k++) rep[this.pos[k]] = this.ids[k];
    return rep;
  }
}

/** RPv2's bullet characters: • ‣ ▶ ◀ ◦ ■ □ ▪ ▫ and the en dash. */
function isBullet(c: number): boolean {
  return c === 0x2022 || c === 0x2023 || c === 0x25b6 || c === 0x25c0 || c === 0x25e6 || c === 0x25a0 || c === 0x25a1 ||
    c === 0x25aa || c === 0x25ab || c === 0x2013;
}

/** Per-token arrays of the document being built (the constructor is synchronous, so one set serves every view). */
const scratch: { wordLength: Int32Array; wordHash: Int32Array; rawBounds: Int32Array } = {
  wordLength: new Int32Array(1 << 12), wordHash: new Int32Array(1 << 12), rawBounds: new Int32Array(1 << 13),
};

/** Grows an Int32Array to hold at least `n` items, keeping its contents. */
function grow(a: Int32Array, n: number): Int32Array {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export class DocView {
  readonly text: string;
  /** `len(text)` in code points: the end of every document-level span. */
  readonly length: number;

  // --- RPv2 raw lines (one entry per line; code point spans and UTF-16 bounds)
  readonly lineCount: number;
  readonly lineStart: Int32Array;
  readonly lineEnd: Int32Array;
  readonly lineStart16: Int32Array;
  readonly lineEnd16: Int32Array;
  /** Characters with the Uppercase property in the raw line (including its `\n`). */
  readonly lineUpper: Int32Array;
  /** Raw line's `rstrip()` ends with `.`, `!`, `?` or `”`. */
  readonly lineTerminal: Uint8Array;
  /** Raw line's `rstrip()` ends with `...` or `…`. */
  readonly lineEllipsis: Uint8Array;
  /** Raw line's `lstrip()` starts with one of RPv2's ten bullet characters. */
  readonly lineBullet: Uint8Array;
  /** `len(normalize(line).split())`. */
  readonly lineWords: Int32Array;
  /** `len(normalize(line))` in code points. */
  readonly lineNormLength: Int32Array;
  /** Numeric characters (`isnumeric`) of `normalize(line)`. */
  readonly lineNumeric: Int32Array;
  /** Words of `normalize(line)` equal to `"javascript"`. */
  readonly lineJavascript: Int32Array;

  // --- normalised words: normalize(text).split()
  readonly words: string[];
  /** Code point length of each normalised word. */
  readonly wordLength: Int32Array;
  /** Id of each normalised word (ids numbered by first occurrence). */
  readonly wordIds: Int32Array;
  /** Distinct normalised words in first-occurrence order (`vocab[id]`). */
  readonly vocab: string[];
  /** Occurrences of each id. */
  readonly vocabCounts: Int32Array;
  /** Sum of the code point lengths of all normalised words. */
  readonly wordChars: number;

  // --- raw words: NLTK WordPunct tokens of the raw text
  readonly rawWordCount: number;
  /** UTF-16 [start, end) of each raw token, interleaved. */
  readonly rawWordBounds: Int32Array;
  /** Raw tokens for which Python `str.isupper()` holds. */
  readonly rawAllCaps: number;
  /** Raw tokens containing an ASCII letter. */
  readonly rawWithAsciiAlpha: number;

  // --- counts on the raw text
  readonly countOpenCurly: number;
  readonly countCloseCurly: number;
  readonly countHash: number;
  /** Non-overlapping occurrences of `...`. */
  readonly countDots3: number;
  /** Occurrences of `…` (U+2026). */
  readonly countEllipsisChar: number;
  /** Matches of `\b[^.!?]+[.!?]*` (Python Unicode `\b`). */
  readonly sentenceCount: number;

  private readonly levels: NgramLevel[] = [];
  private readonly memos = new Map<string, unknown>();
  /** (hash, id + 1) pairs by open addressing over the vocabulary (see the constructor). */
  private readonly vocabTable: Int32Array;

  constructor(text: string) {
    this.text = text;
    const L = text.length;

    // line arrays: at most one line per '\n' plus one
    let nl = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) nl++;
    const lineStart = new Int32Array(nl);
    const lineEnd = new Int32Array(nl);
    const lineStart16 = new Int32Array(nl);
    const lineEnd16 = new Int32Array(nl);
    const lineUpper = new Int32Array(nl);
    const lineTerminal = new Uint8Array(nl);
    const lineEllipsis = new Uint8Array(nl);
    const lineBullet = new Uint8Array(nl);
    const lineWords = new Int32Array(nl);
    const lineNormLength = new Int32Array(nl);
    const lineNumeric = new Int32Array(nl);
    const lineJavascript = new Int32Array(nl);

    const words: string[] = [];
    // filled in reused scratch (grown as needed, kept for the next document), copied out at the end
    let wordLength: Int32Array = scratch.wordLength;
    let rawBounds: Int32Array = scratch.rawBounds;
    let wordHash: Int32Array = scratch.wordHash;

    let lines = 0;
    let lineStartCp = 0;
    let lineStartU = 0;
    let upper = 0;
    let lWords = 0;
    let lNormLen = 0;
    let lNumeric = 0;
    let lJs = 0;

    // raw (WordPunct) token state
    let rawCls = 0; // 0 none, 1 word, 2 other
    let rawStart = 0;
    let rawCount = 0;
    let rawAlpha = false;
    let rawCased = false;
    let rawBlocked = false;
    let nAllCaps = 0;
    let nAsciiAlpha = 0;

    // normalised token state (a run of non-whitespace)
    let runStart = -1;
    let runPunct = false;
    let runNonAscii = false;
    let runLone = false; // the run holds a lone surrogate
    let runUpper = false;
    let runDigits = 0;
    // FNV-1a (strHash's loop) over the normalised units of an ASCII run: lowercased, ASCII punctuation skipped
    let runHash = FNV_SEED;

    // sentence regex state: 0 searching, 1 inside [^.!?]+, 2 inside [.!?]*
    let sState = 0;
    let sentences = 0;
    let prevWord = false;

    let curlyOpen = 0;
    let curlyClose = 0;
    let hashes = 0;
    let dots3 = 0;
    let dotRun = 0;
    let ellipsisChars = 0;
    let wordChars = 0;

    let cp = 0; // code point index

    // One pass; i === L is a sentinel (whitespace-like, no character) that closes the open token, run and line.
    // The closing steps are written inline (not as closures) so that the state stays in registers.
    for (let i = 0; i <= L; i++) {
      const i0 = i;
      let c = 0x20;
      let f = F_SPACE;
      const atEnd = i === L;
      if (!atEnd) {
        c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < L) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
            i++;
          }
        }
        f = c >= 0xd800 && c <= 0xdfff ? 0 : CP_FLAGS[c];
      }
      const isWord = (f & F_WORD) !== 0;
      const isSpace = (f & F_SPACE) !== 0;

      // --- WordPunct tokens: maximal runs of \w, or of [^\w\s]
      const k = isWord ? 1 : isSpace ? 0 : 2;
      if (k !== rawCls) {
        if (rawCls !== 0) {
          const b = rawCount * 2;
          if (b + 2 > rawBounds.length) rawBounds = grow(rawBounds, b + 2);
          rawBounds[b] = rawStart;
          rawBounds[b + 1] = i0;
          rawCount++;
          if (rawAlpha) nAsciiAlpha++;
          if (rawCased && !rawBlocked) nAllCaps++;
        }
        rawCls = k;
        rawStart = i0;
        rawAlpha = false;
        rawCased = false;
        rawBlocked = false;
      }
      if (k !== 0) {
        if (f & (F_LOWER | F_TITLE)) rawBlocked = true;
        else if (f & F_UPPER) rawCased = true;
        if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) rawAlpha = true;
      }

      // --- normalised words: whitespace-separated runs, ASCII punctuation deleted
      if (isSpace) {
        if (runStart >= 0) {
          let raw = text.slice(runStart, i0);
          // Python keeps lone surrogates apart even when deleting punctuation brings two together; JS would read the
          // two units as one code point, so lone surrogates get stand-ins that never pair (see loneSurrogateStandIns)
          if (runLone) raw = loneSurrogateStandIns(raw);
          const tok = rpv2NormalizeToken(raw, runPunct, runNonAscii, runUpper);
          runStart = -1;
          if (tok.length > 0) {
            let len = tok.length;
            let numeric = runDigits;
            if (runNonAscii) {
              len = 0;
              numeric = 0;
              for (let j = 0; j < tok.length; j++) {
                let t = tok.charCodeAt(j);
                if (t >= 0xd800 && t <= 0xdbff && j + 1 < tok.length) {
                  const d = tok.charCodeAt(j + 1);
                  if (d >= 0xdc00 && d <= 0xdfff) {
                    t = ((t - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
                    j++;
                  }
                }
                len++;
                if (CP_FLAGS[t] & F_NUMERIC) numeric++;
              }
            }
            const wi = words.length;
            words.push(tok);
            if (wi >= wordLength.length) {
              wordLength = grow(wordLength, wi + 1);
              wordHash = grow(wordHash, wordLength.length);
            }
            wordLength[wi] = len;
            wordHash[wi] = runNonAscii ? strHash(tok) : finishHash(runHash);
            wordChars += len;
            lNormLen += lWords === 0 ? len : len + 1;
            lWords++;
            lNumeric += numeric;
            if (len === 10 && tok === 'javascript') lJs++;
          }
        }
      } else {
        if (runStart < 0) {
          runStart = i0;
          runPunct = false;
          runNonAscii = false;
          runLone = false;
          runUpper = false;
          runDigits = 0;
          runHash = FNV_SEED;
        }
        if (c < 0x80) {
          if (c >= 0x41 && c <= 0x5a) {
            runUpper = true;
            runHash = Math.imul(runHash ^ (c + 0x20), FNV_PRIME);
          } else if (isAsciiPunctCode(c)) runPunct = true;
          else {
            if (c >= 0x30 && c <= 0x39) runDigits++;
            runHash = Math.imul(runHash ^ c, FNV_PRIME);
          }
        } else {
          runNonAscii = true;
          if (c >= 0xd800 && c <= 0xdfff) runLone = true;
        }
      }

      if (atEnd) {
        if (dotRun >= 3) dots3 += Math.floor(dotRun / 3);
        if (lineStartU >= L) break;
      } else {
        // --- sentences: \b[^.!?]+[.!?]*
        const isStop = c === 0x2e || c === 0x21 || c === 0x3f;
        if (sState === 2 && !isStop) sState = 0;
        if (sState === 0) {
          if (isWord !== prevWord && !isStop) {
            sentences++;
            sState = 1;
          }
        } else if (sState === 1 && isStop) sState = 2;
        prevWord = isWord;

        // --- character counts
        if (c === 0x2e) {
          dotRun++;
        } else {
          if (dotRun >= 3) dots3 += Math.floor(dotRun / 3);
          dotRun = 0;
          if (c === 0x7b) curlyOpen++;
          else if (c === 0x7d) curlyClose++;
          else if (c === 0x23) hashes++;
          else if (c === 0x2026) ellipsisChars++;
        }
        if (f & F_UPPER) upper++;
        cp++;
        if (c !== 0x0a) continue;
      }

      // --- close the RPv2 line ending here (after '\n', or the last line without one)
      const end16 = atEnd ? L : i + 1;
      lineStart[lines] = lineStartCp;
      lineEnd[lines] = cp;
      lineStart16[lines] = lineStartU;
      lineEnd16[lines] = end16;
      lineUpper[lines] = upper;
      let b = end16; // rstrip, then look at the last characters
      while (b > lineStartU && isSpaceUnit(text.charCodeAt(b - 1))) b--;
      if (b > lineStartU) {
        const last = text.charCodeAt(b - 1);
        if (last === 0x2e || last === 0x21 || last === 0x3f || last === 0x201d) lineTerminal[lines] = 1;
        if (last === 0x2026 || (last === 0x2e && b - 3 >= lineStartU && text.charCodeAt(b - 2) === 0x2e && text.charCodeAt(b - 3) === 0x2e)) {
          lineEllipsis[lines] = 1;
        }
        let a = lineStartU;
        while (a < b && isSpaceUnit(text.charCodeAt(a))) a++;
        if (isBullet(text.charCodeAt(a))) lineBullet[lines] = 1;
      }
      lineWords[lines] = lWords;
      lineNormLength[lines] = lNormLen;
      lineNumeric[lines] = lNumeric;
      lineJavascript[lines] = lJs;
      lines++;
      lineStartCp = cp;
      lineStartU = end16;
      upper = 0;
      lWords = 0;
      lNormLen = 0;
      lNumeric = 0;
      lJs = 0;
    }
    this.length = cp;
    this.lineCount = lines;
    this.lineStart = lineStart;
    this.lineEnd = lineEnd;
    this.lineStart16 = lineStart16;
    this.lineEnd16 = lineEnd16;
    this.lineUpper = lineUpper;
    this.lineTerminal = lineTerminal;
    this.lineEllipsis = lineEllipsis;
    this.lineBullet = lineBullet;
    this.lineWords = lineWords;
    this.lineNormLength = lineNormLength;
    this.lineNumeric = lineNumeric;
    this.lineJavascript = lineJavascript;

    this.words = words;
    const N = words.length;
    this.wordLength = wordLength.slice(0, N);
    scratch.wordLength = wordLength;
    scratch.wordHash = wordHash;
    this.wordChars = wordChars;
    const ids = new Int32Array(N);
    // ids by first occurrence, through an open-addressing table of (hash, id + 1) pairs: cheaper than a Map<string>
    // for the few thousand words of a document (most of the view's time went into Map lookups)
    let cap = 16;
    while (cap < 2 * N) cap <<= 1;
    const table = new Int32Array(2 * cap);
    const mask = cap - 1;
    const vocab: string[] = [];
    let counts: Int32Array = new Int32Array(Math.min(N, 1024));
    for (let w = 0; w < N; w++) {
      const word = words[w];
      const h = wordHash[w];
      let j = h & mask;
      let id = -1;
      for (;;) {
        const v = table[2 * j + 1];
        if (v === 0) break;
        if (table[2 * j] === h && vocab[v - 1] === word) {
          id = v - 1;
          break;
        }
        j = (j + 1) & mask;
      }
      if (id < 0) {
        id = vocab.length;
        table[2 * j] = h;
        table[2 * j + 1] = id + 1;
        vocab.push(word);
        if (id >= counts.length) counts = grow(counts, id + 1);
      }
      counts[id]++;
      ids[w] = id;
    }
    this.vocabTable = table;
    this.wordIds = ids;
    this.vocab = vocab;
    this.vocabCounts = counts.subarray(0, vocab.length);

    this.rawWordCount = rawCount;
    this.rawWordBounds = rawBounds.slice(0, rawCount * 2);
    scratch.rawBounds = rawBounds;
    this.rawAllCaps = nAllCaps;
    this.rawWithAsciiAlpha = nAsciiAlpha;

    this.countOpenCurly = curlyOpen;
    this.countCloseCurly = curlyClose;
    this.countHash = hashes;
    this.countDots3 = dots3;
    this.countEllipsisChar = ellipsisChars;
    this.sentenceCount = sentences;
  }

  /** Number of normalised words (`rps_doc_word_count`). */
  get wordCount(): number {
    return this.words.length;
  }

  /** `len(normalize(text))` in code points: the words joined by single spaces. */
  get normalizedLength(): number {
    const n = this.words.length;
    return n === 0 ? 0 : this.wordChars + n - 1;
  }

  /** `normalize(text)` as a string (built on demand). */
  get normalizedText(): string {
    return this.memo('normalizedText', () => this.words.join(' '));
  }

  /** Id of a normalised word in this document, or -1. */
  wordId(word: string): number {
    const t = this.vocabTable;
    const mask = (t.length >> 1) - 1;
    const h = strHash(word);
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const v = t[2 * j + 1];
      if (v === 0) return -1;
      if (t[2 * j] === h && this.vocab[v - 1] === word) return v - 1;
    }
  }

  /** The i-th raw (WordPunct) token. */
  rawWord(i: number): string {
    return this.text.slice(this.rawWordBounds[2 * i], this.rawWordBounds[2 * i + 1]);
  }

  /** Text of the i-th RPv2 line (with its `\n`). */
  line(i: number): string {
    return this.text.slice(this.lineStart16[i], this.lineEnd16[i]);
  }

  /** Python `text.splitlines()` (datatrove Gopher quality and C4). */
  get splitlines(): string[] {
    return this.memo('splitlines', () => pySplitlines(this.text));
  }

  /** Python `text.split("\n")` (FineWeb, C4 paragraph filter). */
  get newlineSplit(): string[] {
    return this.memo('newlineSplit', () => this.text.split('\n'));
  }

  /** Caches any per-document value under a key (e.g. the filters' spaCy tokens), computed once. */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = compute();
    this.memos.set(key, v);
    return v;
  }

  /**
   * n-gram level n (n >= 1) over the normalised words, as ids of the n-grams that occur at least twice.
   * Level n is derived from level n-1: the n-gram at i is the pair (n-1-gram at i, n-1-gram at i+1), and it can only
   * repeat if both of those repeat, so unique n-grams are never hashed. Level 2 is built from the word ids directly
   * (level 1 is only materialised when asked for).
   */
  ngrams(n: number): NgramLevel {
    if (n < 1) throw new RangeError(`n-gram size must be >= 1, got ${n}`);
    const cached = this.levels[n];
    if (cached) return cached;
    let level: NgramLevel;
    if (n === 1) level = firstLevel(this.wordIds, this.vocabCounts);
    else if (n === 2 && !this.levels[1]) level = secondLevel(this.wordIds, this.vocabCounts);
    else level = nextLevel(this.ngrams(n - 1));
    this.levels[n] = level;
    return level;
  }
}

/** FNV-1a over UTF-16 units, finalised so that the low bits (the table index) depend on every unit. */
function strHash(s: string): number {
  let h = FNV_SEED;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return finishHash(h);
}

function finishHash(h0: number): number {
  const h = Math.imul(h0 ^ (h0 >>> 15), 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

const FNV_SEED = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function isSpaceUnit(c: number): boolean {
  return (c < 0xd800 || c > 0xdfff) && (CP_FLAGS[c] & F_SPACE) !== 0;
}

/**
 * Replaces each lone surrogate unit U+D800+k by the supplementary private-use code point U+F0000+k (one code point,
 * no character properties, unchanged by lower() and NFD), so that deleting punctuation between a lone high and a
 * lone low surrogate cannot make them one code point, as CPython would not. Normalised words only: lengths and
 * equality between words are what matter there.
 */
export function loneSurrogateStandIns(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    out += s.slice(last, i) + String.fromCodePoint(0xf0000 + (c - 0xd800));
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

function isAsciiPunctCode(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

// Open-addressing table from (a, b) id pairs to new ids (id + 1; 0 = empty), and per-level scratch, reused across
// documents.
let tKeysA = new Int32Array(1 << 12);
let tKeysB = new Int32Array(1 << 12);
let tVals = new Int32Array(1 << 12);
/** Packed pairs: (a * S + b, id + 1) interleaved (0 = empty). */
let tPacked = new Int32Array(1 << 13);
/** Per candidate: its raw id and its position. */
let sRaw = new Int32Array(1 << 11);
let sAt = new Int32Array(1 << 11);
/** Per raw id: its count. */
let sCounts = new Int32Array(1 << 11);

const NO_IDS = new Int32Array(0);

/** Level 1: the word ids of the words that occur at least twice (ids = word ids, counts = vocabulary counts). */
function firstLevel(wordIds: Int32Array, vocabCounts: Int32Array): NgramLevel {
  const N = wordIds.length;
  let m = 0;
  for (let i = 0; i < N; i++) if (vocabCounts[wordIds[i]] > 1) m++;
  const pos = new Int32Array(m);
  const ids = new Int32Array(m);
  let distinct = 0;
  for (let id = 0; id < vocabCounts.length; id++) if (vocabCounts[id] > 1) distinct++;
  let adjacent = 0;
  m = 0;
  for (let i = 0; i < N; i++) {
    const id = wordIds[i];
    if (vocabCounts[id] > 1) {
      if (m > 0 && pos[m - 1] === i - 1) adjacent++;
      pos[m] = i;
      ids[m++] = id;
    }
  }
  return new NgramLevel(1, N, pos, ids, vocabCounts.slice(), distinct, adjacent);
}

/** Prepares the pair table and the scratch for `cand` candidates. */
function prepare(cand: number): number {
  let cap = 1 << 4;
  while (cap < cand * 2) cap <<= 1;
  if (tVals.length < cap) {
    tKeysA = new Int32Array(cap);
    tKeysB = new Int32Array(cap);
    tVals = new Int32Array(cap);
  } else tVals.fill(0, 0, cap);
  if (sRaw.length < cand) {
    sRaw = new Int32Array(cand);
    sAt = new Int32Array(cand);
    sCounts = new Int32Array(cand);
  }
  return cap - 1;
}

/** Id counts S up to this bound pack a pair into one int (a * S + b < 2^31); above it, the pair table. */
const PACK_MAX = 46340;
let packMax = PACK_MAX;

/** Tests only: sets the id count above which pairs are not packed (0: never pack); returns the previous bound. */
export function setNgramPackLimit(limit: number): number {
  const old = packMax;
  packMax = Math.min(limit, PACK_MAX);
  return old;
}

/** Prepares the packed table (instead of the pair table). */
function preparePacked(cand: number): number {
  let cap = 1 << 4;
  while (cap < cand * 2) cap <<= 1;
  if (tPacked.length < 2 * cap) tPacked = new Int32Array(2 * cap);
  else tPacked.fill(0, 0, 2 * cap);
  if (sRaw.length < cand) {
    sRaw = new Int32Array(cand);
    sAt = new Int32Array(cand);
    sCounts = new Int32Array(cand);
  }
  return cap - 1;
}

/** As pairId, for a packed key. */
function keyId(key: number, mask: number, next: number): number {
  let h = Math.imul(key, 0x9e3779b1);
  h = (h ^ (h >>> 15)) & mask;
  for (;;) {
    const o = h << 1;
    const v = tPacked[o + 1];
    if (v === 0) {
      tPacked[o] = key;
      tPacked[o + 1] = next + 1;
      sCounts[next] = 1;
      return next;
    }
    if (tPacked[o] === key) {
      sCounts[v - 1]++;
      return v - 1;
    }
    h = (h + 1) & mask;
  }
}

/** Id of the pair (a, b) in the table, inserting it with id `next` when absent; counts it in sCounts. */
function pairId(a: number, b: number, mask: number, next: number): number {
  let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h = (h ^ (h >>> 15)) & mask;
  for (;;) {
    const v = tVals[h];
    if (v === 0) {
      tKeysA[h] = a;
      tKeysB[h] = b;
      tVals[h] = next + 1;
      sCounts[next] = 1;
      return next;
    }
    if (tKeysA[h] === a && tKeysB[h] === b) {
      sCounts[v - 1]++;
      return v - 1;
    }
    h = (h + 1) & mask;
  }
}

/** The level from the `cand` candidates in sRaw/sAt (raw ids below `ids`, `singles` of them counted once). */
function finish(n: number, positions: number, cand: number, ids: number, singles: number): NgramLevel {
  const kept = cand - singles;
  if (kept === 0) return new NgramLevel(n, positions, NO_IDS, NO_IDS, NO_IDS, 0, 0);
  const pos = new Int32Array(kept);
  const out = new Int32Array(kept);
  let k = 0;
  let adjacent = 0;
  let last = -2;
  for (let x = 0; x < cand; x++) {
    const r = sRaw[x];
    if (sCounts[r] < 2) continue;
    const p = sAt[x];
    if (p === last + 1) adjacent++;
    last = p;
    pos[k] = p;
    out[k++] = r;
  }
  return new NgramLevel(n, positions, pos, out, sCounts.slice(0, ids), ids - singles, adjacent);
}

/** Level 2 from the word ids: the bigram at i can only repeat if both of its words repeat. */
function secondLevel(wordIds: Int32Array, vocabCounts: Int32Array): NgramLevel {
  const N = wordIds.length;
  const positions = Math.max(N - 1, 0);
  if (N < 2) return new NgramLevel(2, positions, NO_IDS, NO_IDS, NO_IDS, 0, 0);
  const S = vocabCounts.length;
  const pack = S <= packMax;
  const mask = pack ? preparePacked(N - 1) : prepare(N - 1);
  let ids = 0;
  let singles = 0;
  let c = 0;
  let repA = vocabCounts[wordIds[0]] > 1;
  for (let i = 0; i + 1 < N; i++) {
    const b = wordIds[i + 1];
    const repB = vocabCounts[b] > 1;
    if (repA && repB) {
      const r = pack ? keyId(wordIds[i] * S + b, mask, ids) : pairId(wordIds[i], b, mask, ids);
      if (r === ids) {
        ids++;
        singles++;
      } else if (sCounts[r] === 2) singles--;
      sRaw[c] = r;
      sAt[c++] = i;
    }
    repA = repB;
  }
  return finish(2, positions, c, ids, singles);
}

/**
 * Level n from level n-1: the n-gram at i is the pair (n-1-gram at i, n-1-gram at i+1), and it can only repeat if both
 * of those repeat, i.e. if i and i+1 are both in the previous level's list.
 */
function nextLevel(prev: NgramLevel): NgramLevel {
  const n = prev.n + 1;
  const positions = Math.max(prev.positions - 1, 0);
  const cand = prev.adjacent;
  if (cand < 2) return new NgramLevel(n, positions, NO_IDS, NO_IDS, NO_IDS, 0, 0);
  const P = prev.pos;
  const I = prev.ids;
  const m = P.length;
  const S = prev.counts.length;
  const pack = S <= packMax;
  const mask = pack ? preparePacked(cand) : prepare(cand);
  let ids = 0;
  let singles = 0;
  let c = 0;
  for (let k = 0; k + 1 < m; k++) {
    const p = P[k];
    if (P[k + 1] !== p + 1) continue;
    const r = pack ? keyId(I[k] * S + I[k + 1], mask, ids) : pairId(I[k], I[k + 1], mask, ids);
    if (r === ids) {
      ids++;
      singles++;
    } else if (sCounts[r] === 2) singles--;
    sRaw[c] = r;
    sAt[c++] = p;
  }
  return finish(n, positions, c, ids, singles);
}
