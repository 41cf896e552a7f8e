// datatrove's heuristic filters (v0.10.0, commit a649de7), ported rule by rule with CPython string semantics:
// GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter, C4ParagraphFilter, C4BadWordsFilter and
// FineWebQualityFilter. Same rule order, same default thresholds, same reason strings.
// Where the original raises ZeroDivisionError (a rule dividing by zero tokens / lines / characters), the ratio
// is NaN here and the rule does not fire (documented in docs/filters.md).
import {
  cpLen, endsWithAny, hasAlpha, isPySpaceCode, pyCount, pySplitlines, pyStrip,
} from '../text/pystr.ts';
import { sentenceCount, type TokenizerKind } from '../text/words.ts';
import { englishTokenizer } from '../text/spacy/tokenizer.ts';
import { WordNgrams } from './ngrams.ts';

export interface FilterResult {
  keep: boolean;
  /** datatrove's reason string for a drop; null when kept. */
  reason: string | null;
}

const KEEP: FilterResult = { keep: true, reason: null };
const drop = (reason: string): FilterResult => ({ keep: false, reason });

// ---------------------------------------------------------------------------------------------------------------
// Character sets of datatrove.utils.text

/** TERMINAL_PUNCTUATION (159 sentence-final marks; ASCII members are only . ! ?). */
const TERMINAL_CODEPOINTS = [
  0x21, 0x2e, 0x3f, 0x589, 0x61d, 0x61e, 0x61f, 0x6d4, 0x700, 0x701, 0x702, 0x7f9, 0x837, 0x839, 0x83d, 0x83e, 0x964,
  0x965, 0x104a, 0x104b, 0x1362, 0x1367, 0x1368, 0x166e, 0x1735, 0x1736, 0x17d4, 0x17d5, 0x17d6, 0x17d9, 0x17da,
  0x1803, 0x1809, 0x1944, 0x1945, 0x1aa8, 0x1aa9, 0x1aaa, 0x1aab, 0x1b5a, 0x1b5b, 0x1b5e, 0x1b5f, 0x1b7d, 0x1b7e,
  0x1c3b, 0x1c3c, 0x1c7e, 0x1c7f, 0x203c, 0x203d, 0x2047, 0x2048, 0x2049, 0x2e2e, 0x2e3c, 0x2e53, 0x2e54, 0x3002,
  0xa4ff, 0xa60e, 0xa60f, 0xa6f3, 0xa6f7, 0xa876, 0xa877, 0xa8ce, 0xa8cf, 0xa92f, 0xa9c8, 0xa9c9, 0xaa5d, 0xaa5e,
  0xaa5f, 0xaaf0, 0xaaf1, 0xabeb, 0xfe52, 0xfe56, 0xfe57, 0xff01, 0xff0e, 0xff1f, 0xff61, 0x10a56, 0x10a57, 0x10f55,
  0x10f56, 0x10f57, 0x10f58, 0x10f59, 0x10f86, 0x10f87, 0x10f88, 0x10f89, 0x11047, 0x11048, 0x110be, 0x110bf,
  0x110c0, 0x110c1, 0x11141, 0x11142, 0x11143, 0x111c5, 0x111c6, 0x111cd, 0x111de, 0x111df, 0x11238, 0x11239,
  0x1123b, 0x1123c, 0x112a9, 0x1144b, 0x1144c, 0x115c2, 0x115c3, 0x115c9, 0x115ca, 0x115cb, 0x115cc, 0x115cd,
  0x115ce, 0x115cf, 0x115d0, 0x115d1, 0x115d2, 0x115d3, 0x115d4, 0x115d5, 0x115d6, 0x115d7, 0x11641, 0x11642,
  0x1173c, 0x1173d, 0x1173e, 0x11944, 0x11946, 0x11a42, 0x11a43, 0x11a9b, 0x11a9c, 0x11c41, 0x11c42, 0x11ef7,
  0x11ef8, 0x11f43, 0x11f44, 0x16a6e, 0x16a6f, 0x16af5, 0x16b37, 0x16b38, 0x16b44, 0x16e98, 0x1bc9f, 0x1da88,
];
export const TERMINAL_PUNCTUATION: ReadonlySet<number> = new Set(TERMINAL_CODEPOINTS);

/** PUNCTUATION string of datatrove.utils.text (the listed characters plus C0/C1 control ranges). */
const PUNCTUATION_LISTED = [
  0x21, 0x2f, 0x2014, 0x201d, 0x3a, 0xff05, 0xff11, 0x3008, 0x26, 0x28, 0x3001, 0x2501, 0x5c, 0x3010, 0x23, 0x25,
  0x300c, 0x300d, 0xff0c, 0x3011, 0xff1b, 0x2b, 0x5e, 0x5d, 0x7e, 0x201c, 0x300a, 0x201e, 0x27, 0x3b, 0x2019, 0x7b,
  0x7c, 0x2236, 0xb4, 0x5b, 0x3d, 0x2d, 0x60, 0x2a, 0xff0e, 0xff08, 0x2013, 0xff1f, 0xff01, 0xff1a, 0x24, 0xff5e,
  0xab, 0x3009, 0x2c, 0x3e, 0x3c, 0x300b, 0x29, 0x3f, 0xff09, 0x3002, 0x2026, 0x40, 0x5f, 0x2e, 0x22, 0x7d, 0x25ba,
  0xbb,
];
function buildPunctuationSet(): Set<number> {
  const s = new Set<number>(PUNCTUATION_LISTED);
  // range(0, 9), range(11, 13), range(13, 32), range(127, 160)
  for (const [a, b] of [[0, 9], [11, 13], [13, 32], [127, 160]]) for (let c = a; c < b; c++) s.add(c);
  for (const c of TERMINAL_CODEPOINTS) s.add(c);
  return s;
}
/** PUNCTUATION_SET = set(PUNCTUATION) | TERMINAL_PUNCTUATION (Gopher "symbol words"). */
export const PUNCTUATION_SET: ReadonlySet<number> = buildPunctuationSet();

/** Last code point of text[a, b) (or -1 when empty). */
function lastCodePointRange(text: string, a: number, b: number): number {
  if (b <= a) return -1;
  const c = text.charCodeAt(b - 1);
  if (c >= 0xdc00 && c <= 0xdfff && b - 1 > a) {
    const h = text.charCodeAt(b - 2);
    if (h >= 0xd800 && h <= 0xdbff) return ((h - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}


const PUNCT_BMP = new Uint8Array(0x10000);
for (const c of PUNCTUATION_SET) if (c < 0x10000) PUNCT_BMP[c] = 1;

/** Code points of `w` if it has a character outside PUNCTUATION_SET (a Gopher "non-symbol word"), else -1. */
function nonSymbolCodePoints(w: string): number {
  let n = 0;
  let nonSymbol = false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    n++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < w.length) {
      const d = w.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (!nonSymbol && !PUNCTUATION_SET.has(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000)) nonSymbol = true;
        i++;
        continue;
      }
    }
    if (!nonSymbol && PUNCT_BMP[c] === 0) nonSymbol = true;
  }
  return nonSymbol ? n : -1;
}

/** `any(c.isalpha() for c in w)`, with an ASCII fast path. */
function wordHasAlpha(w: string): boolean {
  let nonAscii = false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
    } else nonAscii = true;
  }
  return nonAscii && hasAlpha(w);
}

/** Python `x / y` where y may be 0: NaN instead of ZeroDivisionError (no rule fires on NaN). */
function ratio(x: number, y: number): number {
  return y === 0 ? NaN : x / y;
}

/** A threshold argument that Python treats as falsy (None or 0) disables its rule in the Gopher filters. */
function on(x: number | null | undefined): x is number {
  return x !== null && x !== undefined && x !== 0;
}

// ---------------------------------------------------------------------------------------------------------------
// GopherQualityFilter

export interface GopherQualityParams {
  min_doc_words: number | null;
  max_doc_words: number | null;
  min_avg_word_length: number | null;
  max_avg_word_length: number | null;
  max_symbol_word_ratio: number | null;
  max_bullet_lines_ratio: number | null;
  max_ellipsis_lines_ratio: number | null;
  max_non_alpha_words_ratio: number | null;
  min_stop_words: number | null;
  stop_words: string[];
}

export const GOPHER_QUALITY_DEFAULTS: GopherQualityParams = {
  min_doc_words: 50,
  max_doc_words: 100000,
  min_avg_word_length: 3,
  max_avg_word_length: 10,
  max_symbol_word_ratio: 0.1,
  max_bullet_lines_ratio: 0.9,
  max_ellipsis_lines_ratio: 0.3,
  max_non_alpha_words_ratio: 0.8,
  min_stop_words: 2,
  stop_words: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'],
};

/** Per word id (tokenizer piece ids, see `SpacyEnglishTokenizer.wordIds`): 1 + code points of a non-symbol word
 *  (0 = not computed yet, 1 = symbol word), and 1 + "has an alphabetic character" (0 = not computed). */
const wordMemo = { epoch: -1, nonSym: new Int32Array(0), alpha: new Uint8Array(0) };

function wordMemoFor(epoch: number, ids: Int32Array): typeof wordMemo {
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > maxId) maxId = ids[i];
  if (wordMemo.epoch !== epoch) {
    wordMemo.epoch = epoch;
    wordMemo.nonSym = new Int32Array(Math.max(1024, maxId + 1));
    wordMemo.alpha = new Uint8Array(wordMemo.nonSym.length);
  } else if (maxId >= wordMemo.nonSym.length) {
    const size = Math.max(maxId + 1, wordMemo.nonSym.length * 2);
    const ns = new Int32Array(size);
    ns.set(wordMemo.nonSym);
    const al = new Uint8Array(size);
    al.set(wordMemo.alpha);
    wordMemo.nonSym = ns;
    wordMemo.alpha = al;
  }
  return wordMemo;
}

const stopSets = new WeakMap<readonly string[], Set<string>>();

/** Per piece id: the bit of the stop word it is (-1 = none, 0 = not computed), for one stop set and id epoch. */
const stopMemo = { epoch: -1, set: null as Set<string> | null, bit: new Int32Array(0) };

function stopMemoFor(epoch: number, set: Set<string>, ids: Int32Array): typeof stopMemo {
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > maxId) maxId = ids[i];
  if (stopMemo.epoch !== epoch || stopMemo.set !== set) {
    stopMemo.epoch = epoch;
    stopMemo.set = set;
    stopMemo.bit = new Int32Array(Math.max(1024, maxId + 1));
  } else if (maxId >= stopMemo.bit.length) {
    const b = new Int32Array(Math.max(maxId + 1, stopMemo.bit.length * 2));
    b.set(stopMemo.bit);
    stopMemo.bit = b;
  }
  return stopMemo;
}

/** Python `str.splitlines()` line breaks. */
function isLineBreakCode(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c || c === 0x1c || c === 0x1d || c === 0x1e ||
    c === 0x85 || c === 0x2028 || c === 0x2029;
}

/**
 * Over `text.splitlines()` without making the lines: [number of lines, lines whose lstrip() starts with • or -,
 * lines whose rstrip() ends with ... or …].
 */
function gopherLineCounts(text: string): [number, number, number] {
  const n = text.length;
  let lines = 0;
  let bullets = 0;
  let ellipses = 0;
  let start = 0;
  let i = 0;
  while (start < n) {
    i = start;
    while (i < n && !isLineBreakCode(text.charCodeAt(i))) i++;
    // line = text[start, i)
    lines++;
    let a = start;
    while (a < i && isPySpaceCode(text.charCodeAt(a))) a++;
    if (a < i) {
      const c = text.charCodeAt(a);
      if (c === 0x2022 || c === 0x2d) bullets++;
      let b = i;
      while (b > a && isPySpaceCode(text.charCodeAt(b - 1))) b--;
      const e = text.charCodeAt(b - 1);
      if (e === 0x2026 || (e === 0x2e && b - a >= 3 && text.charCodeAt(b - 2) === 0x2e && text.charCodeAt(b - 3) === 0x2e)) ellipses++;
    }
    if (i >= n) break;
    start = i + (text.charCodeAt(i) === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1);
  }
  return [lines, bullets, ellipses];
}

export function gopherQuality(text: string, words: readonly string[], p: GopherQualityParams): FilterResult {
  const nWords = words.length;
  let nNonSymbol = 0;
  let lenSum = 0;
  let nAlpha = 0;
  const tok = englishTokenizer();
  const ids = tok.wordIds(words);
  if (ids !== null) {
    // spaCy words: per-word properties memoised by piece id across documents
    const m = wordMemoFor(tok.epoch, ids);
    const { nonSym, alpha } = m;
    for (let i = 0; i < nWords; i++) {
      const id = ids[i];
      let ns = nonSym[id];
      if (ns === 0) {
        ns = nonSym[id] = nonSymbolCodePoints(words[i]) + 2;
        alpha[id] = wordHasAlpha(words[i]) ? 2 : 1;
      }
      if (ns > 1) {
        nNonSymbol++;
        lenSum += ns - 2;
      }
      if (alpha[id] === 2) nAlpha++;
    }
  } else {
    for (const w of words) {
      const cps = nonSymbolCodePoints(w);
      if (cps >= 0) {
        nNonSymbol++;
        lenSum += cps;
      }
      if (wordHasAlpha(w)) nAlpha++;
    }
  }
  if (on(p.min_doc_words) && nNonSymbol < p.min_doc_words) return drop('gopher_short_doc');
  if (on(p.max_doc_words) && nNonSymbol > p.max_doc_words) return drop('gopher_long_doc');
  // np.mean of an empty list is NaN: both comparisons are false
  const avg = nNonSymbol === 0 ? NaN : lenSum / nNonSymbol;
  if (on(p.min_avg_word_length) && avg < p.min_avg_word_length) return drop('gopher_below_avg_threshold');
  if (on(p.max_avg_word_length) && avg > p.max_avg_word_length) return drop('gopher_above_avg_threshold');
  if (on(p.max_symbol_word_ratio) && ratio(pyCount(text, '#'), nWords) > p.max_symbol_word_ratio) {
    return drop('gopher_too_many_hashes');
  }
  if (on(p.max_symbol_word_ratio) && ratio(pyCount(text, '...') + pyCount(text, '…'), nWords) > p.max_symbol_word_ratio) {
    return drop('gopher_too_many_ellipsis');
  }
  if (on(p.max_bullet_lines_ratio) || on(p.max_ellipsis_lines_ratio)) {
    const [lines, bullets, ellipses] = gopherLineCounts(text);
    if (on(p.max_bullet_lines_ratio) && ratio(bullets, lines) > p.max_bullet_lines_ratio) {
      return drop('gopher_too_many_bullets');
    }
    if (on(p.max_ellipsis_lines_ratio) && ratio(ellipses, lines) > p.max_ellipsis_lines_ratio) {
      return drop('gopher_too_many_end_ellipsis');
    }
  }
  if (on(p.max_non_alpha_words_ratio) && ratio(nAlpha, nWords) < p.max_non_alpha_words_ratio) {
    return drop('gopher_below_alpha_threshold');
  }
  if (on(p.min_stop_words)) {
    let stop = stopSets.get(p.stop_words);
    if (stop === undefined) stopSets.set(p.stop_words, (stop = new Set(p.stop_words)));
    let found: number;
    if (ids !== null && stop.size <= 30) {
      // spaCy words: which stop word (bit) each piece id is, memoised per id for this stop list
      const m = stopMemoFor(tok.epoch, stop, ids);
      let bits = 0;
      for (let i = 0; i < nWords; i++) {
        const id = ids[i];
        let v = m.bit[id];
        if (v === 0) {
          let k = 0;
          v = -1;
          for (const sw of stop) {
            if (sw === words[i]) v = 1 << k;
            k++;
          }
          m.bit[id] = v;
        }
        if (v > 0) bits |= v;
      }
      found = 0;
      for (; bits !== 0; bits &= bits - 1) found++;
    } else {
      const seen = new Set<string>();
      for (const w of words) if (stop.has(w)) seen.add(w);
      found = seen.size;
    }
    if (found < p.min_stop_words) return drop('gopher_enough_stop_words');
  }
  return KEEP;
}

// ---------------------------------------------------------------------------------------------------------------
// GopherRepetitionFilter

export interface GopherRepetitionParams {
  dup_line_frac: number | null;
  dup_para_frac: number | null;
  dup_line_char_frac: number | null;
  dup_para_char_frac: number | null;
  top_n_grams: [number, number][];
  dup_n_grams: [number, number][];
}

export const GOPHER_REPETITION_DEFAULTS: GopherRepetitionParams = {
  dup_line_frac: 0.3,
  dup_para_frac: 0.3,
  dup_line_char_frac: 0.2,
  dup_para_char_frac: 0.2,
  top_n_grams: [[2, 0.2], [3, 0.18], [4, 0.16]],
  dup_n_grams: [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.1]],
};

/** datatrove `find_duplicates`: (#elements seen before, code points of those elements). */
export function findDuplicates(xs: readonly string[]): [number, number] {
  const seen = new Set<string>();
  let dupElems = 0;
  let dupChars = 0;
  for (const x of xs) {
    if (seen.has(x)) {
      dupElems++;
      dupChars += cpLen(x);
    } else seen.add(x);
  }
  return [dupElems, dupChars];
}

/** `cpLen(text)` of the last text asked (several filters of one document need it). */
let lastText = '';
let lastTextLen = 0;
const HIGH_SURROGATE = /[\ud800-\udbff]/;
function textCpLen(text: string): number {
  if (text !== lastText) {
    // most texts have no surrogate at all: a native regex scan finds that several times faster than a charCodeAt loop
    const first = text.search(HIGH_SURROGATE);
    lastTextLen = first < 0 ? text.length : first + cpLenRange(text, first, text.length);
    lastText = text;
  }
  return lastTextLen;
}

/** Reused storage of `rangeDuplicates` (hash table over range indices, stamped per call). */
const rangeScratch = {
  stamp: new Int32Array(0), slot: new Int32Array(0), hash: new Int32Array(0),
  lenStamp: new Int32Array(0), lenKey: new Int32Array(0), lenCount: new Int32Array(0), gen: 0,
};

/** Code points of text[a, b). */
function cpLenRange(text: string, a: number, b: number): number {
  let n = b - a;
  for (let i = a; i < b - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * `find_duplicates` over the substrings text[starts[k], ends[k]) for k < m, without making them: each range is
 * hashed and compared in place (equal UTF-16 units = equal Python strings).
 * Equal strings have equal lengths, so a range whose length no other range has is never a duplicate and never equals
 * a later range: such ranges are skipped (neither hashed nor inserted), which leaves both counts unchanged. Only
 * ranges whose length occurs at least twice are hashed (most long lines and paragraphs have a length of their own).
 */
export function rangeDuplicates(text: string, starts: Int32Array, ends: Int32Array, m: number): [number, number] {
  if (m < 2) return [0, 0];
  let size = 16;
  while (size < m * 2) size *= 2;
  const sc = rangeScratch;
  if (sc.stamp.length < size) {
    sc.stamp = new Int32Array(size);
    sc.slot = new Int32Array(size);
    sc.hash = new Int32Array(size);
    sc.lenStamp = new Int32Array(size);
    sc.lenKey = new Int32Array(size);
    sc.lenCount = new Int32Array(size);
    sc.gen = 0;
  }
  if (++sc.gen === 0x7fffffff) {
    sc.stamp.fill(0);
    sc.lenStamp.fill(0);
    sc.gen = 1;
  }
  const { stamp, slot, hash, lenStamp, lenKey, lenCount, gen } = sc;
  const mask = size - 1;
  // occurrences of each length (counting stops at 2)
  let shared = 0;
  for (let k = 0; k < m; k++) {
    const len = ends[k] - starts[k];
    let j = Math.imul(len, 0x9e3779b1) >>> 16 & mask;
    while (lenStamp[j] === gen && lenKey[j] !== len) j = (j + 1) & mask;
    if (lenStamp[j] !== gen) {
      lenStamp[j] = gen;
      lenKey[j] = len;
      lenCount[j] = 1;
    } else if (lenCount[j] === 1) {
      lenCount[j] = 2;
      shared++;
    }
  }
  if (shared === 0) return [0, 0];
  let dupElems = 0;
  let dupChars = 0;
  for (let k = 0; k < m; k++) {
    const a = starts[k];
    const b = ends[k];
    let lj = Math.imul(b - a, 0x9e3779b1) >>> 16 & mask;
    while (lenStamp[lj] !== gen || lenKey[lj] !== b - a) lj = (lj + 1) & mask; // present: counted above
    if (lenCount[lj] < 2) continue;
    let h = 0x811c9dc5 | 0;
    for (let i = a; i < b; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h ^= h >>> 15;
    let j = h & mask;
    let dup = false;
    while (stamp[j] === gen) {
      if (hash[j] === h) {
        const o = slot[j];
        const oa = starts[o];
        if (ends[o] - oa === b - a) {
          let x = 0;
          while (x < b - a && text.charCodeAt(oa + x) === text.charCodeAt(a + x)) x++;
          if (x === b - a) {
            dup = true;
            break;
          }
        }
      }
      j = (j + 1) & mask;
    }
    if (dup) {
      dupElems++;
      dupChars += cpLenRange(text, a, b);
    } else {
      stamp[j] = gen;
      slot[j] = k;
      hash[j] = h;
    }
  }
  return [dupElems, dupChars];
}

/** Reused range buffers for line / paragraph splits. */
let rangeA = new Int32Array(1024);
let rangeB = new Int32Array(1024);
function ensureRanges(n: number): void {
  if (n <= rangeA.length) return;
  const a = new Int32Array(n * 2);
  a.set(rangeA);
  rangeA = a;
  const b = new Int32Array(n * 2);
  b.set(rangeB);
  rangeB = b;
}

/**
 * Ranges of JS `text.slice(a, b).split(/\n{minRun,}/)` (minRun 1 or 2) into rangeA/rangeB; returns their number.
 * Newlines are found with the native `indexOf`.
 */
function splitNewlineRuns(text: string, a: number, b: number, minRun: number): number {
  let m = 0;
  let start = a;
  let i = text.indexOf('\n', a);
  while (i !== -1 && i < b) {
    let j = i + 1;
    while (j < b && text.charCodeAt(j) === 0x0a) j++;
    if (j - i >= minRun) {
      ensureRanges(m + 1);
      rangeA[m] = start;
      rangeB[m] = i;
      m++;
      start = j;
    }
    i = text.indexOf('\n', j);
  }
  ensureRanges(m + 1);
  rangeA[m] = start;
  rangeB[m] = b;
  return m + 1;
}

export function gopherRepetition(text: string, words: () => readonly string[], p: GopherRepetitionParams): FilterResult {
  const textLen = textCpLen(text);
  // paragraphs = text.strip().split("\n{2,}") and lines = text.split("\n+"), as index ranges (no substrings)
  let a = 0;
  let b = text.length;
  while (a < b && isPySpaceCode(text.charCodeAt(a))) a++;
  while (b > a && isPySpaceCode(text.charCodeAt(b - 1))) b--;
  const nPara = splitNewlineRuns(text, a, b, 2);
  const [paraDup, paraChars] = rangeDuplicates(text, rangeA, rangeB, nPara);
  if (on(p.dup_para_frac) && paraDup / nPara > p.dup_para_frac) return drop('dup_para_frac');
  if (on(p.dup_para_char_frac) && ratio(paraChars, textLen) > p.dup_para_char_frac) return drop('dup_para_char_frac');
  const nLines = splitNewlineRuns(text, 0, text.length, 1);
  const [lineDup, lineChars] = rangeDuplicates(text, rangeA, rangeB, nLines);
  if (on(p.dup_line_frac) && lineDup / nLines > p.dup_line_frac) return drop('dup_line_frac');
  if (on(p.dup_line_char_frac) && ratio(lineChars, textLen) > p.dup_line_char_frac) return drop('dup_line_char_frac');
  if (p.top_n_grams.length === 0 && p.dup_n_grams.length === 0) return KEEP;
  const ws = words();
  const tok = englishTokenizer();
  const grams = new WordNgrams(ws, tok.wordIds(ws), tok.epoch, tok.wordSpans(ws));
  // Counting n-grams can often be skipped: `topCharsBound(n)` bounds len(top) * count(top) from word counts or the
  // n-gram counts of the last counted n' <= n; if even bound / textLen does not exceed frac (float division is
  // monotonic), the rule cannot fire.
  for (const [n, frac] of p.top_n_grams) {
    if (grams.n - n + 1 <= 0) continue; // no n-gram: the rule does not apply
    if (!(ratio(grams.topCharsBound(n), textLen) > frac)) continue;
    const top = grams.topNgram(n)!;
    if (ratio(grams.gramChars(top.start, n) * top.count, textLen) > frac) return drop(`top_${n}_gram`);
  }
  for (const [n, frac] of p.dup_n_grams) {
    if (ratio(grams.duplicateNgramChars(n), textLen) > frac) return drop(`duplicated_${n}_n_grams`);
  }
  return KEEP;
}

// ---------------------------------------------------------------------------------------------------------------
// C4QualityFilter

export interface C4QualityParams {
  split_paragraph: boolean;
  remove_citations: boolean;
  filter_no_terminal_punct: boolean;
  min_num_sentences: number;
  min_words_per_line: number;
  max_word_length: number;
  filter_lorem_ipsum: boolean;
  filter_javascript: boolean;
  filter_curly_bracket: boolean;
  filter_policy: boolean;
}

export const C4_QUALITY_DEFAULTS: C4QualityParams = {
  split_paragraph: true,
  remove_citations: true,
  filter_no_terminal_punct: true,
  min_num_sentences: 5,
  min_words_per_line: 3,
  max_word_length: 1000,
  filter_lorem_ipsum: true,
  filter_javascript: true,
  filter_curly_bracket: true,
  filter_policy: true,
};

/** Citations C4 removes from lines: `[1]`, `[edit]`, `[citation needed]`. */
export const CITATION = /\[\p{Nd}*\]|\[edit\]|\[citation needed\]/gu;
const END_PUNCTUATION = ['.', '?', '!', '"', "'"];
const POLICY_SUBSTRINGS = ['terms of use', 'privacy policy', 'cookie policy', 'uses cookies', 'use of cookies', 'use cookies'];

/**
 * C4QualityFilter's content rules on a line that passed the punctuation and length rules, in datatrove's order: a
 * document drop reason (`lorem_ipsum`, `curly_bracket`), a line counter for a dropped line (`line-filter-javascript`,
 * `line-filter-policy`), or null when the line stays.
 */
export function c4ContentRules(line: string, p: C4QualityParams): string | null {
  const lower = line.toLowerCase();
  if (p.filter_lorem_ipsum && lower.includes('lorem ipsum')) return 'lorem_ipsum';
  if (p.filter_javascript && lower.includes('javascript')) return 'line-filter-javascript';
  if (p.filter_curly_bracket && line.includes('{')) return 'curly_bracket';
  if (p.filter_policy && POLICY_SUBSTRINGS.some((s) => lower.includes(s))) return 'line-filter-policy';
  return null;
}

export interface C4QualityResult extends FilterResult {
  /** The rewritten text of a kept document (kept lines, citations removed, joined and stripped). */
  text?: string;
  /** datatrove's per-line stat counters for this document (line-total, line-kept, line-filter-*). */
  lineStats: Record<string, number>;
}

export function c4Quality(
  text: string,
  p: C4QualityParams,
  tokenizer: TokenizerKind = 'spacy',
  sentenceParts?: (t: string) => string[],
): C4QualityResult {
  const stats: Record<string, number> = {};
  const bump = (k: string): void => {
    stats[k] = (stats[k] ?? 0) + 1;
  };
  const lines = p.split_paragraph ? pySplitlines(text) : (sentenceParts ?? defaultSentenceParts)(text);
  let numSentences = 0;
  const kept: string[] = [];
  for (let line of lines) {
    line = pyStrip(line);
    // words = line.split(): only their number and whether one is longer than max_word_length are needed
    const nWords = countSplitWords(line, p.max_word_length);
    bump('line-total');
    if (nWords < 0) {
      bump('line-filter-too_long_word');
      continue;
    }
    // `[` starts every citation pattern: no regex pass over lines without one
    if (p.remove_citations && line.includes('[')) line = line.replace(CITATION, '');
    if (p.filter_no_terminal_punct && (!endsWithAny(line, END_PUNCTUATION) || line.endsWith('...'))) {
      bump('line-filter-no_terminal_punc');
      continue;
    }
    if (nWords < p.min_words_per_line) {
      bump('line-filter-too_few_words');
      continue;
    }
    const verdict = c4ContentRules(line, p);
    if (verdict !== null) {
      if (verdict.startsWith('line-')) {
        bump(verdict);
        continue;
      }
      return { keep: false, reason: verdict, lineStats: stats };
    }
    // only `num_sentences < min_num_sentences` is ever asked, so counting can stop once the minimum is reached
    if (p.min_num_sentences !== -1 && numSentences < p.min_num_sentences) {
      numSentences += p.split_paragraph ? sentenceCount(line, tokenizer) : 1;
    }
    kept.push(line);
    bump('line-kept');
  }
  if (numSentences < p.min_num_sentences) return { keep: false, reason: 'too_few_sentences', lineStats: stats };
  return { keep: true, reason: null, text: pyStrip(kept.join(p.split_paragraph ? '\n' : ' ')), lineStats: stats };
}

/**
 * `len(line.split())`, or -1 when `max_word_length != -1` and a word has more than `max_word_length` code points.
 */
function countSplitWords(line: string, maxLen: number): number {
  let n = 0;
  let start = -1;
  const check = (a: number, b: number): boolean =>
    maxLen !== -1 && b - a > maxLen && cpLenRange(line, a, b) > maxLen;
  for (let i = 0; i < line.length; i++) {
    if (isPySpaceCode(line.charCodeAt(i))) {
      if (start >= 0) {
        if (check(start, i)) return -1;
        n++;
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) {
    if (check(start, line.length)) return -1;
    n++;
  }
  return n;
}

function defaultSentenceParts(t: string): string[] {
  throw new Error(`c4_quality with split_paragraph=false needs a sentence splitter (got ${t.length} chars)`);
}

// ---------------------------------------------------------------------------------------------------------------
// C4ParagraphFilter

export interface C4ParagraphParams {
  min_paragraphs: number;
  min_paragraph_len: number;
}

export const C4_PARAGRAPH_DEFAULTS: C4ParagraphParams = { min_paragraphs: 3, min_paragraph_len: 200 };

export function c4Paragraph(text: string, p: C4ParagraphParams): FilterResult {
  const reason = `< ${p.min_paragraphs} paragraphs`;
  // lines = text.split("\n"), walked as ranges; min(heapq.nlargest(3, lengths)) < min_paragraph_len (datatrove
  // hard-codes 3 here)
  const top = [-1, -1, -1];
  let lines = 0;
  let a = 0;
  for (;;) {
    let b = text.indexOf('\n', a);
    if (b === -1) b = text.length;
    lines++;
    // code points <= UTF-16 length: a line that short cannot enter the top three, skip counting its code points
    if (b - a > top[2]) {
      const n = cpLenRange(text, a, b);
      if (n > top[0]) {
        top[2] = top[1];
        top[1] = top[0];
        top[0] = n;
      } else if (n > top[1]) {
        top[2] = top[1];
        top[1] = n;
      } else if (n > top[2]) top[2] = n;
    }
    if (b === text.length) break;
    a = b + 1;
  }
  if (lines < p.min_paragraphs) return drop(reason);
  const third = lines >= 3 ? top[2] : top[lines - 1];
  if (third < p.min_paragraph_len) return drop(reason);
  return KEEP;
}

// ---------------------------------------------------------------------------------------------------------------
// C4BadWordsFilter

/** Allow-listed words removed from every language's list (datatrove _BADWORDS_ALLOWLIST). */
const BADWORDS_ALLOWLIST = ['sm', 'グロ', '女の子', '性'];
const NO_BOUNDARY_LANGS = new Set(['ja', 'th', 'zh']);

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * The bad-words test without the regex engine, for the word-boundary languages: a character trie of the words,
 * walked from every position the regex's leading `(?:[^\p{L}\p{N}_]|^)` allows (the start, or after a non-word code
 * point); a word counts where the regex's trailing `(?:[^\p{L}\p{N}_]|$)` holds after it (the end, or a non-word code
 * point). `re.test` is existential over start positions and alternatives, and so is this walk, so the answers are
 * equal; the regex itself spent most of its time retrying the ~400-way alternation at every character.
 */
const WORD_CHAR = /[\p{L}\p{N}_]/u;
let wordBmp: Uint8Array | null = null;

/** Whether the code point at text[i] (a surrogate pair counts as one) is a `[\p{L}\p{N}_]` character. */
function isWordAt(text: string, i: number): boolean {
  if (wordBmp === null) {
    wordBmp = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) wordBmp[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 0;
  }
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return WORD_CHAR.test(text.slice(i, i + 2));
  }
  // lone surrogates are not word characters (the regex's negated class matches them)
  return wordBmp[c] === 1;
}


let folds: { lower: Uint16Array; word: Uint8Array; complex: RegExp } | null = null;

/** Per BMP unit: its lowercase (when that is one BMP unit, context-free) and whether that is a word character. */
function foldTables(): { lower: Uint16Array; word: Uint8Array; complex: RegExp } {
  if (folds !== null) return folds;
  const lower = new Uint16Array(0x10000);
  const word = new Uint8Array(0x10000);
  const complex: number[] = [];
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue; // surrogates: the class below sends them to the slow path
    const l = String.fromCharCode(c).toLowerCase();
    const u = l.charCodeAt(0);
    if (l.length !== 1 || c === 0x3a3 || (u >= 0xd800 && u <= 0xdfff)) complex.push(c);
    else lower[c] = u;
    word[c] = isWordAt(String.fromCharCode(c), 0) ? 1 : 0;
  }
  const hex = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
  folds = { lower, word, complex: new RegExp('[\\ud800-\\udfff' + complex.map(hex).join('') + ']') };
  return folds;
}

function isLowAfterHigh(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const h = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && h >= 0xd800 && h <= 0xdbff;
}

/** Character trie in typed arrays: child of (node, UTF-16 unit) by an open-addressing table (a few thousand nodes). */
class BadWordsTrie {
  private keys: Int32Array;
  private vals: Int32Array;
  private readonly end: Uint8Array;
  private readonly mask: number;
  /** 1 for the UTF-16 units some word starts with: other start positions skip the table lookup. */
  private readonly first = new Uint8Array(1 << 16);
  /** Children by ASCII unit, 128 per node (child + 1, 0 = none): the common case without hashing. */
  private readonly ascii: Int32Array;

  /** null when the words make too many nodes for the key packing (the caller then keeps the regex). */
  static build(words: Iterable<string>): BadWordsTrie | null {
    const list = [...words];
    let chars = 0;
    for (const w of list) chars += w.length;
    if (chars + 1 >= 1 << 15) return null;
    return new BadWordsTrie(list, chars + 1);
  }

  private constructor(words: string[], maxNodes: number) {
    let size = 16;
    while (size < maxNodes * 2) size *= 2;
    this.keys = new Int32Array(size).fill(-1);
    this.vals = new Int32Array(size);
    this.mask = size - 1;
    this.end = new Uint8Array(maxNodes);
    let nodes = 1;
    for (const w of words) {
      if (w.length > 0) this.first[w.charCodeAt(0)] = 1;
      let node = 0;
      for (let k = 0; k < w.length; k++) {
        const key = (node << 16) | w.charCodeAt(k);
        let j = this.slot(key);
        if (this.keys[j] !== key) {
          this.keys[j] = key;
          this.vals[j] = nodes++;
        }
        node = this.vals[j];
      }
      this.end[node] = 1;
    }
    this.ascii = new Int32Array(nodes * 128);
    for (let j = 0; j < size; j++) {
      const key = this.keys[j];
      if (key !== -1 && (key & 0xffff) < 128) this.ascii[(key >>> 16) * 128 + (key & 0xffff)] = this.vals[j] + 1;
    }
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    let j = Math.imul(key, 0x9e3779b1) >>> 18 & this.mask;
    while (this.keys[j] !== -1 && this.keys[j] !== key) j = (j + 1) & this.mask;
    return j;
  }

  private child(node: number, c: number): number {
    if (c < 128) return this.ascii[node * 128 + c] - 1;
    const key = (node << 16) | c;
    const j = this.slot(key);
    return this.keys[j] === key ? this.vals[j] : -1;
  }

  /**
   * `test(text.toLowerCase())` without making the lowercased copy: null when the text has a unit that does not
   * lowercase on its own to one BMP unit (surrogates, U+0130, final-sigma-sensitive U+03A3; then the caller lowercases).
   * Otherwise text.toLowerCase()[i] = FOLD[text[i]] at every i, so the walk below is `test`'s walk over those units
   * (with no surrogates, its pair checks never apply).
   */
  testFolded(text: string): boolean | null {
    const fold = foldTables();
    if (fold.complex.test(text)) return null;
    const low = fold.lower;
    const word = fold.word;
    const n = text.length;
    const end = this.end;
    const first = this.first;
    const emptyWord = end[0] === 1;
    for (let p = 0; p <= n; p++) {
      if (p > 0 && word[low[text.charCodeAt(p - 1)]] === 1) continue;
      if (emptyWord && (p === n || word[low[text.charCodeAt(p)]] === 0)) return true;
      if (p === n) break;
      const c0 = low[text.charCodeAt(p)];
      if (first[c0] === 0) continue;
      let node = this.child(0, c0);
      let e = p + 1;
      while (node !== -1) {
        if (end[node] === 1 && (e === n || word[low[text.charCodeAt(e)]] === 0)) return true;
        if (e >= n) break;
        node = this.child(node, low[text.charCodeAt(e)]);
        e++;
      }
    }
    return false;
  }

  test(text: string): boolean {
    const n = text.length;
    const end = this.end;
    // the empty word (a blank line in the list) matches wherever both boundaries hold
    const emptyWord = end[0] === 1;
    // word-ness of the code point before p, carried along (a pair's low half inherits its high half's)
    let prevWord = false;
    for (let p = 0; p <= n; p++) {
      if (p > 0) {
        const c = text.charCodeAt(p - 1);
        if (!(c >= 0xdc00 && c <= 0xdfff && p >= 2 && isLowAfterHigh(text, p - 1))) prevWord = isWordAt(text, p - 1);
      }
      if (prevWord) continue;
      // a u-flag regex never starts inside a surrogate pair
      if (p > 0 && p < n && isLowAfterHigh(text, p)) continue;
      // a word ending at e needs text[e] to be the end or a non-word code point
      if (emptyWord && (p === n || !isWordAt(text, p))) return true;
      if (p === n) break;
      if (this.first[text.charCodeAt(p)] === 0) continue;
      let node = this.child(0, text.charCodeAt(p));
      let e = p + 1;
      while (node !== -1) {
        if (end[node] === 1 && (e === n || !isWordAt(text, e))) return true;
        if (e >= n) break;
        node = this.child(node, text.charCodeAt(e));
        e++;
      }
    }
    return false;
  }
}

const badWordTries = new WeakMap<RegExp, BadWordsTrie>();

/** The compiled bad-words matcher of one language, built like datatrove's `_get_badwords`. */
export function compileBadWords(fileText: string, lang: string): RegExp {
  // `set(line.strip() for line in f)`: Python's text-mode lines (\n, \r\n, \r), no element after a final newline
  const parts = fileText.split(/\r\n|\r|\n/);
  if (parts[parts.length - 1] === '') parts.pop();
  const words = new Set(parts.map(pyStrip));
  for (const w of BADWORDS_ALLOWLIST) words.delete(w);
  const alt = [...words].map(escapeRegex).join('|');
  if (NO_BOUNDARY_LANGS.has(lang)) return new RegExp(alt, 'u');
  const re = new RegExp(`(?:[^\\p{L}\\p{N}_]|^)(?:${alt})(?:[^\\p{L}\\p{N}_]|$)`, 'u');
  const trie = BadWordsTrie.build(words);
  if (trie !== null) badWordTries.set(re, trie);
  return re;
}

export function c4BadWords(text: string, re: RegExp | null, keepDraw?: () => boolean): FilterResult {
  if (!re) return KEEP;
  const trie = badWordTries.get(re);
  const hit = trie !== undefined ? (trie.testFolded(text) ?? trie.test(text.toLowerCase())) : re.test(text.toLowerCase());
  if (hit) {
    if (keepDraw && keepDraw()) return KEEP;
    return drop('document_removed_with_badwords');
  }
  return KEEP;
}

// ---------------------------------------------------------------------------------------------------------------
// FineWebQualityFilter

export interface FineWebQualityParams {
  line_punct_thr: number;
  line_punct_exclude_zero: boolean;
  /** Characters that end a line "with punctuation"; null = datatrove's TERMINAL_PUNCTUATION. */
  stop_chars: string[] | null;
  short_line_thr: number;
  short_line_length: number;
  char_duplicates_ratio: number;
  new_line_ratio: number;
}

export const FINEWEB_QUALITY_DEFAULTS: FineWebQualityParams = {
  line_punct_thr: 0.12,
  line_punct_exclude_zero: false,
  stop_chars: null,
  short_line_thr: 0.67,
  short_line_length: 30,
  char_duplicates_ratio: 0.01,
  new_line_ratio: 0.3,
};

export function fineWebQuality(text: string, words: () => readonly string[], p: FineWebQualityParams): FilterResult {
  // lines = [l for l in text.split("\n") if l.strip() != ""], as ranges in rangeA/rangeB (no substrings)
  let m = 0;
  let newlines = 0;
  let a = 0;
  for (;;) {
    let b = text.indexOf('\n', a);
    if (b === -1) b = text.length;
    else newlines++;
    let x = a;
    while (x < b && isPySpaceCode(text.charCodeAt(x))) x++;
    if (x < b) {
      ensureRanges(m + 1);
      rangeA[m] = a;
      rangeB[m] = b;
      m++;
    }
    if (b === text.length) break;
    a = b + 1;
  }
  if (m === 0) return drop('empty');
  let punct = 0;
  if (p.stop_chars === null) {
    for (let k = 0; k < m; k++) if (TERMINAL_PUNCTUATION.has(lastCodePointRange(text, rangeA[k], rangeB[k]))) punct++;
  } else {
    for (let k = 0; k < m; k++) if (endsWithAny(text.slice(rangeA[k], rangeB[k]), p.stop_chars)) punct++;
  }
  const r1 = punct / m;
  if (r1 < p.line_punct_thr && !(r1 === 0 && p.line_punct_exclude_zero)) return drop('line_punct_ratio');
  let short = 0;
  const lim = p.short_line_length;
  for (let k = 0; k < m; k++) {
    const len16 = rangeB[k] - rangeA[k];
    // code points are between half the UTF-16 length and the UTF-16 length: count them only when that decides
    if (len16 <= lim || (len16 <= 2 * lim + 1 && cpLenRange(text, rangeA[k], rangeB[k]) <= lim)) short++;
  }
  if (short / m > p.short_line_thr) return drop('short_line_ratio');
  const noNl = textCpLen(text) - newlines;
  if (ratio(rangeDuplicates(text, rangeA, rangeB, m)[1], noNl) > p.char_duplicates_ratio) return drop('char_dup_ratio');
  if (ratio(newlines, words().length) > p.new_line_ratio) return drop('list_ratio');
  return KEEP;
}
