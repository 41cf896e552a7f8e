// NeMo Curator's default English heuristic cascade (NVIDIA-NeMo/Curator @ 1e2e427,
// nemo_curator/config/text/heuristic_filter_english_pipeline.yaml; filters from
// nemo_curator/stages/text/filters/heuristic/{string,repetition/repetition}.py, helpers from
// nemo_curator/stages/text/utils/{constants,text_utils}.py). Each filter scores the document and keeps it when
// the score is on the right side of its threshold; the first failing filter's name is the drop reason.
// Words are `text.strip().split()` (NeMo's English word splitter); "sentences" are non-blank lines.
import { cpLen, pySplit, pyStrip } from '../text/pystr.ts';
import type { FilterResult } from './datatrove.ts';
import { WordNgrams } from './ngrams.ts';

const END_MARKS = ['.', '?', '!', '"', "'"];
const ELLIPSIS_MARKS = ['...', '[...]', '…', '(...)', '[…]', '-»', 'read more..', 'read more'];
const POLICY_SUBSTRINGS = [
  'terms of use',
  'privacy policy',
  'cookie policy',
  'uses cookies',
  'privacy overview',
  'use of cookies',
  'use cookies',
  'privacy & cookies policy',
  'privacy and cookies policy',
  'this website uses cookies to improve your experience while you navigate through the website. out of these cookies, the cookies that are categorized as necessary are stored on your browser as they are essential for the working of basic functionalities of the website. we also use third-party cookies that help us analyze and understand how you use this website. these cookies will be stored in your browser only with your consent. you also have the option to opt-out of these cookies. but opting out of some of these cookies may have an effect on your browsing experience.',
  'necessary cookies are absolutely essential for the website to function properly. this category only includes cookies that ensures basic functionalities and security features of the website. these cookies do not store any personal information.',
  'any cookies that may not be particularly necessary for the website to function and is used specifically to collect user personal data via analytics, ads, other embedded contents are termed as non-necessary cookies. it is mandatory to procure user consent prior to running these cookies on your website.',
  'this site uses cookies, including for analytics, personalization, and advertising purposes. for more information or to change your cookie settings, click here.',
  'if you continue to browse this site without changing your cookie settings, you agree to this use. acceptread more',
];
const WHITE_SPACE = new Set(['\t', '\n', '\r', '\b', ' ']);
const COMMON_ENGLISH = new Set(['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with']);
const BULLETS = ['•', '‣', '⁃', '⁌', '⁍', '∙', '○', '●', '◘', '◦', '⦾', '⦿'];

/** Matches of `[a-zA-Z0-9\n?!,.]`. */
function countAlnum(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x0a || c === 0x3f || c === 0x21 || c === 0x2c || c === 0x2e) n++;
  }
  return n;
}
/** Matches of the `regex` module's `[[:digit:]]` (= \p{posix_digit} = [0-9]). */
function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) n++;
  }
  return n;
}
/** `regex` module `[[:alpha:]]` = \p{Alphabetic}. */
const ALPHA = /\p{Alphabetic}/u;
const URL = /https?:\/\/(?:[A-Za-z0-9$\-_@.&+/:=?#~]|[!*(),]|(?:%[0-9A-Fa-f]{2}))+/g;
const PAREN = /\{|\}|⟨|⟩|\[|\]|\(|\)/gu;
const HASHES = /#+/g;

function count(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s) !== null) n++;
  return n;
}

function matchedChars(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) n += cpLen(m[0]);
  return n;
}

/** Python `a / b` with ZeroDivisionError mapped to NaN (every keep test is false on NaN: the document is dropped). */
const div = (a: number, b: number): number => (b === 0 ? NaN : a / b);

interface Ctx {
  text: string;
  nchar: number;
  words: string[];
  lines: string[];
  paragraphs: string[];
  grams?: WordNgrams;
}

export interface NemoRule {
  /** NeMo filter class */
  filter: string;
  /** its `_name`, used as the drop reason */
  name: string;
  threshold: number;
  /** second bound (word count, mean word length) */
  threshold2?: number;
  n?: number;
  score(c: Ctx, r: NemoRule): number;
  keep(score: number, r: NemoRule): boolean;
}

const le = (s: number, r: NemoRule): boolean => s <= r.threshold;
const ge = (s: number, r: NemoRule): boolean => s >= r.threshold;

function topNgramScore(c: Ctx, n: number): number {
  const w = c.words;
  if (w.length < n) return 1.0;
  // max() over the n-gram dict: NeMo iterates a set (hash order); ties are resolved here by first occurrence
  const top = grams(c).topNgram(n)!;
  const joined = w.slice(top.start, top.start + n).join(' ');
  // len(text) - len(text.replace(ngram, "")) = non-overlapping occurrences × len(ngram)
  let occ = 0;
  for (let i = c.text.indexOf(joined); i !== -1; i = c.text.indexOf(joined, i + joined.length)) occ++;
  return c.nchar > 0 ? (occ * cpLen(joined)) / c.nchar : 1.0;
}

function dupNgramScore(c: Ctx, n: number): number {
  if (c.words.length < n) return 1.0;
  const g = grams(c);
  const counts = g.runningCounts(n);
  let dupChars = 0;
  let overlapping = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 1) {
      for (let j = i + overlapping; j < i + n; j++) dupChars += g.cpAt(j);
      dupChars += Math.min(n - overlapping, n - 1);
      overlapping = n;
    }
    overlapping = Math.max(overlapping - 1, 0);
  }
  return c.nchar > 0 ? dupChars / c.nchar : 1.0;
}

function grams(c: Ctx): WordNgrams {
  c.grams ??= new WordNgrams(c.words);
  return c.grams;
}

/** The cascade in the order of heuristic_filter_english_pipeline.yaml, with its thresholds. */
export function nemoEnglishCascade(): NemoRule[] {
  const rules: NemoRule[] = [
    { filter: 'NonAlphaNumericFilter', name: 'alpha_numeric', threshold: 0.25, keep: le,
      score: (c) => (c.nchar > 0 ? (c.nchar - countAlnum(c.text)) / c.nchar : 1.0) },
    { filter: 'SymbolsToWordsFilter', name: 'symbol_to_word', threshold: 0.1, keep: le,
      score: (c) => {
        let k = 0;
        for (const w of c.words) {
          const word = pyStrip(w);
          if (ELLIPSIS_MARKS.includes(word) || div(count(HASHES, word), cpLen(word)) > 0.5) k++;
        }
        return div(k, c.words.length);
      } },
    { filter: 'NumbersFilter', name: 'numbers_ratio', threshold: 0.15, keep: le,
      score: (c) => (c.nchar > 0 ? countDigits(c.text) / c.nchar : 1.0) },
    { filter: 'UrlsFilter', name: 'urls_ratio', threshold: 0.2, keep: le,
      score: (c) => (c.nchar > 0 ? matchedChars(URL, c.text) / c.nchar : 1.0) },
    { filter: 'WhiteSpaceFilter', name: 'white_space', threshold: 0.25, keep: le,
      score: (c) => {
        if (c.nchar === 0) return 1.0;
        let k = 0;
        for (let i = 0; i < c.text.length; i++) if (WHITE_SPACE.has(c.text[i])) k++;
        return k / c.nchar;
      } },
    { filter: 'ParenthesesFilter', name: 'parentheses_ratio', threshold: 0.1, keep: le,
      score: (c) => (c.nchar > 0 ? count(PAREN, c.text) / c.nchar : 1.0) },
    { filter: 'BoilerPlateStringFilter', name: 'boilerplate_string_ratio', threshold: 0.4, keep: le,
      score: (c) => {
        let k = 0;
        for (const para of c.paragraphs) {
          const p = pyStrip(para).toLowerCase();
          if (p.includes('lorem ipsum')) return 1.0;
          if (POLICY_SUBSTRINGS.some((s) => p.includes(s))) k++;
        }
        return k / c.paragraphs.length;
      } },
    { filter: 'RepeatedLinesFilter', name: 'repeated_lines', threshold: 0.7, keep: ge,
      score: (c) => div(new Set(c.lines).size, c.lines.length) },
    { filter: 'RepeatedParagraphsFilter', name: 'repeated_paragraphs', threshold: 0.7, keep: ge,
      score: (c) => new Set(c.paragraphs).size / c.paragraphs.length },
    { filter: 'RepeatedLinesByCharFilter', name: 'repeated_lines_char', threshold: 0.8, keep: ge,
      score: (c) => div(sumLen(new Set(c.lines)), sumLen(c.lines)) },
    { filter: 'RepeatedParagraphsByCharFilter', name: 'repeated_paragraphs_char', threshold: 0.8, keep: ge,
      score: (c) => div(sumLen(new Set(c.paragraphs)), sumLen(c.paragraphs)) },
    { filter: 'WordCountFilter', name: 'word_count', threshold: 50, threshold2: 100000,
      keep: (s, r) => r.threshold <= s && s <= r.threshold2!, score: (c) => c.words.length },
    { filter: 'PunctuationFilter', name: 'punctuation', threshold: 0.85, keep: le,
      score: (c) => div(c.lines.filter((s) => !END_MARKS.some((m) => pyStrip(s).endsWith(m))).length, c.lines.length) },
    { filter: 'WordsWithoutAlphabetsFilter', name: 'words_without_alphabets', threshold: 0.8, keep: ge,
      score: (c) => div(c.words.filter((w) => ALPHA.test(w)).length, c.words.length) },
    { filter: 'CommonEnglishWordsFilter', name: 'common_english_words', threshold: 2, keep: ge,
      score: (c, r) => {
        let k = 0;
        for (const w of c.words) {
          if (COMMON_ENGLISH.has(w)) k++;
          if (k >= r.threshold) return k; // stop_at_false
        }
        return k;
      } },
    { filter: 'MeanWordLengthFilter', name: 'mean_word_length', threshold: 3, threshold2: 10,
      keep: (s, r) => r.threshold <= s && s <= r.threshold2!,
      score: (c) => {
        let s = 0;
        let k = 0;
        for (const w of c.words) {
          const l = cpLen(w);
          if (l > 0) {
            s += l;
            k++;
          }
        }
        return div(s, k);
      } },
    { filter: 'LongWordFilter', name: 'max_word_length', threshold: 1000, keep: le,
      score: (c) => {
        if (c.words.length === 0) return NaN; // max() of an empty sequence raises in Python
        let m = 0;
        for (const w of c.words) m = Math.max(m, cpLen(w));
        return m;
      } },
    { filter: 'EllipsisFilter', name: 'ellipsis', threshold: 0.3, keep: le,
      score: (c) =>
        div(c.lines.filter((s) => {
          const l = pyStrip(s).toLowerCase();
          return ELLIPSIS_MARKS.some((m) => l.endsWith(m));
        }).length, c.lines.length) },
  ];
  for (const [n, t] of [[2, 0.2], [3, 0.18], [4, 0.16]] as const) {
    rules.push({ filter: 'RepeatingTopNGramsFilter', name: `repeating_top_${n}grams`, threshold: t, n, keep: le,
      score: (c, r) => topNgramScore(c, r.n!) });
  }
  for (const [n, t] of [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.1]] as const) {
    rules.push({ filter: 'RepeatingDuplicateNGramsFilter', name: `repeating_dup_${n}gram`, threshold: t, n, keep: le,
      score: (c, r) => dupNgramScore(c, r.n!) });
  }
  rules.push({ filter: 'BulletsFilter', name: 'bullet_ratio', threshold: 0.9, keep: le,
    score: (c) => div(c.lines.filter((s) => BULLETS.some((b) => pyStrip(s).startsWith(b))).length, c.lines.length) });
  return rules;
}

function sumLen(xs: Iterable<string>): number {
  let n = 0;
  for (const x of xs) n += cpLen(x);
  return n;
}

export function nemoContext(text: string): Ctx {
  return {
    text,
    nchar: cpLen(text),
    words: pySplit(pyStrip(text)),
    lines: text.split('\n').filter((x) => pyStrip(x).length > 0),
    paragraphs: text.split('\n\n'),
  };
}

/** Runs the cascade; the first filter whose keep test fails gives the reason (its NeMo `_name`). */
export function nemoHeuristics(text: string, rules: readonly NemoRule[]): FilterResult & { scores: Record<string, number> } {
  const c = nemoContext(text);
  const scores: Record<string, number> = {};
  for (const r of rules) {
    const s = r.score(c, r);
    scores[r.name] = s;
    if (!r.keep(s, r)) return { keep: false, reason: r.name, scores };
  }
  return { keep: true, reason: null, scores };
}
