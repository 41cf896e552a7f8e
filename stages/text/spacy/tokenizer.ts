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
  private readonly prefixRe: RegExp;
  private readonly suffixRe: RegExp;
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
  /** Memo of chunk -> pieces (spaCy keeps the same kind of cache); bounded, cleared when full. */
  private cache = new Map<string, ChunkEntry>();
  private readonly cacheLimit: number;

  constructor(data: EnData, cacheLimit = 500_000) {
    this.cacheLimit = cacheLimit;
    this.specials = new Map(Object.entries(data.exceptions));
    // spacy.util.compile_{prefix,suffix,infix}_regex: empty pieces are skipped
    const pre = data.prefixes.filter((p) => p.trim() !== '').map((p) => '^' + p);
    const suf = data.suffixes.filter((p) => p.trim() !== '').map((p) => p + '$');
    const inf = data.infixes.filter((p) => p.trim() !== '');
    this.prefixRe = new RegExp(pyRegexToJs(pre.join('|')), 'u');
    this.suffixRe = new RegExp(pyRegexToJs(suf.join('|')), 'u');
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
      }
    }
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
    const m = this.suffixRe.exec(s);
    return m ? m[0].length : 0;
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
      const sp = this.specials.get(chunk);
      if (sp) return sp;
      // fast path: pure ASCII letters or digits can match no prefix, suffix, infix or URL
      if (ONLY_LETTERS.test(chunk) || ONLY_DIGITS.test(chunk)) return [chunk];
    }
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    let s = chunk;
    let lastSize = -1;
    while (s.length > 0 && s.length !== lastSize) {
      if (withSpecials && this.specials.has(s)) break;
      lastSize = s.length;
      const preLen = this.findPrefix(s);
      let prefix = '';
      let minusPre = '';
      if (preLen !== 0) {
        prefix = s.slice(0, preLen);
        minusPre = s.slice(preLen);
        if (minusPre && withSpecials && this.specials.has(minusPre)) {
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
        if (minusSuf && withSpecials && this.specials.has(minusSuf)) {
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
      const sp = withSpecials ? this.specials.get(s) : undefined;
      if (sp) out.push(...sp);
      else if (this.urlRe.test(s)) out.push(s);
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
    return this.scan(text, withSpecials, null);
  }

  /**
   * The tokenizer pass. When `words` is given, non-whitespace tokens are also collected there; the caller can use
   * them directly when no special-case match was possible (the returned tokens then need no second pass).
   */
  private scan(text: string, withSpecials: boolean, words: string[] | null): SpacyTokens & { matched: boolean } {
    const tokens: string[] = [];
    const starts: number[] = [];
    const spaceFlags: number[] = [];
    /** token indices that start a special-case pattern (only they can begin a PhraseMatcher match) */
    const cands: number[] = [];
    const n = text.length;
    if (n === 0) return { text, tokens, starts, space: new Uint8Array(0), matched: false };
    const root = this.trie.next;
    let start = 0;
    let inWs = isPySpaceCode(text.charCodeAt(0));
    const push = (p: string, off: number, flag: number): void => {
      tokens.push(p);
      starts.push(off);
      spaceFlags.push(flag);
    };
    const emit = (a: number, b: number, ws: boolean): void => {
      const chunk = text.slice(a, b);
      if (ws) {
        // whitespace chunks never contain affixes, infixes or URLs: one token
        push(chunk, a, 1);
        return;
      }
      let e: ChunkEntry | undefined;
      if (withSpecials) {
        const sp = this.specials.get(chunk);
        if (sp === undefined && (ONLY_LETTERS.test(chunk) || ONLY_DIGITS.test(chunk))) {
          // fast path: no prefix, suffix, infix or URL can match pure ASCII letters or digits
          if (root.has(chunk)) cands.push(tokens.length);
          push(chunk, a, 0);
          if (words !== null) words.push(chunk);
          return;
        }
        e = this.cache.get(chunk);
      }
      if (e === undefined) {
        const pieces = this.chunkPieces(chunk, withSpecials);
        const roots: number[] = [];
        for (let k = 0; k < pieces.length; k++) if (root.has(pieces[k])) roots.push(k);
        e = { pieces, roots: roots.length === 0 ? NO_ROOTS : roots.length === 1 && roots[0] === 0 ? ROOT0 : roots };
        if (withSpecials) {
          if (this.cache.size >= this.cacheLimit) this.cache = new Map();
          this.cache.set(chunk, e);
        }
      }
      const base = tokens.length;
      for (const k of e.roots) cands.push(base + k);
      let off = a;
      for (const p of e.pieces) {
        push(p, off, 0);
        off += p.length;
      }
      if (words !== null) for (const p of e.pieces) words.push(p);
    };
    for (let i = 0; i < n; i++) {
      const ws = isPySpaceCode(text.charCodeAt(i));
      if (ws !== inWs) {
        if (start < i) emit(start, i, inWs);
        // a single ' ' after a token is that token's trailing space, not a token
        start = text.charCodeAt(i) === 0x20 ? i + 1 : i;
        inWs = !inWs;
      }
    }
    if (start < n) emit(start, n, inWs);
    const out: SpacyTokens = { text, tokens, starts, space: Uint8Array.from(spaceFlags) };
    const spans = withSpecials && cands.length ? this.specialSpans(out, cands) : null;
    if (spans === null) return { ...out, matched: false };
    // words only: substitute the special cases straight into the word list
    if (words !== null) {
      words.length = 0;
      let si = 0;
      for (let i = 0; i < tokens.length; ) {
        if (si < spans.length && spans[si].a === i) {
          const sp = spans[si++];
          for (const p of sp.pieces) if (!isAllSpace(p)) words.push(p);
          i = sp.b;
        } else {
          if (out.space[i] === 0) words.push(tokens[i]);
          i++;
        }
      }
      return { ...out, matched: false };
    }
    return { ...this.rebuild(out, spans), matched: true };
  }

  /**
   * spaCy `_apply_special_cases`: find special-case token sequences, keep non-overlapping ones; returns the kept
   * spans whose text is a special case (in token order), or null when applying them changes nothing.
   */
  private specialSpans(t: SpacyTokens, cands: readonly number[]): SpecialSpan[] | null {
    const { tokens, starts, text } = t;
    const root = this.trie.next;
    let matches: [number, number][] | null = null;
    for (const i of cands) {
      let node = root.get(tokens[i]);
      let j = i + 1;
      while (node) {
        if (node.terminal) (matches ??= []).push([i, j]);
        if (j >= tokens.length) break;
        node = node.next.get(tokens[j]);
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
      const sp = this.specials.get(text.slice(starts[a], starts[b - 1] + tokens[b - 1].length));
      if (!sp) continue;
      spans.push({ a, b, pieces: sp });
      if (changes) continue;
      if (sp.length !== b - a) changes = true;
      else for (let k = 0; k < sp.length; k++) if (sp[k] !== tokens[a + k]) changes = true;
    }
    return changes ? spans : null;
  }

  /** Replaces each span by its special case's tokens. */
  private rebuild(t: SpacyTokens, spans: readonly SpecialSpan[]): SpacyTokens {
    const { tokens, starts, text } = t;
    let si = 0;
    const outT: string[] = [];
    const outS: number[] = [];
    const outW: number[] = [];
    let i = 0;
    while (i < tokens.length) {
      if (si < spans.length && spans[si].a === i) {
        const { b, pieces } = spans[si++];
        let off = starts[i];
        for (const p of pieces) {
          outT.push(p);
          outS.push(off);
          outW.push(isAllSpace(p) ? 1 : 0);
          off += p.length;
        }
        i = b;
      } else {
        outT.push(tokens[i]);
        outS.push(starts[i]);
        outW.push(t.space[i]);
        i++;
      }
    }
    return { text, tokens: outT, starts: outS, space: Uint8Array.from(outW) };
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
    const out: string[] = [];
    this.scan(text, true, out);
    return out;
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

  /** `len(split_into_sentences(text))`: at least 1. */
  sentenceCount(text: string): number {
    const t = this.tokenize(text);
    return Math.max(1, this.sentenceStarts(t).length);
  }
}

interface SpecialSpan {
  /** token range [a, b) */
  a: number;
  b: number;
  /** the special case's tokens replacing it */
  pieces: readonly string[];
}

interface ChunkEntry {
  pieces: readonly string[];
  /** indices of pieces that can start a special-case pattern */
  roots: readonly number[];
}

const NO_ROOTS: readonly number[] = [];
const ROOT0: readonly number[] = [0];

let shared: SpacyEnglishTokenizer | null = null;

/** The process-wide English tokenizer (rules compiled once). */
export function englishTokenizer(): SpacyEnglishTokenizer {
  if (!shared) {
    const data = JSON.parse(readFileSync(new URL('./en_data.json', import.meta.url), 'utf8')) as EnData;
    shared = new SpacyEnglishTokenizer(data);
  }
  return shared;
}
