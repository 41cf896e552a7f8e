// The Zyda-1 preset (Zyphra/Zyda_processing, zyda/preprocessing_and_filtering/preprocess_and_filter.py and
// zyda/utils/filtering.py): the transform that collapses runs of one repeated character, then the filter table.
// Features are computed like the original: the word/character statistics and pattern/word-list counts on the
// ORIGINAL text, the repeated-substring count and every length denominator on the TRANSFORMED text (the text
// Zyda-1 kept). Patterns and word-list entries are Python regexes, as in the original (`re.findall` unescaped).
import { cpLen, PY_DIGIT_CLASS, PY_WORD_CLASS, PY_WS_CLASS, pyRegexToJs } from '../text/pystr.ts';
import type { FilterResult } from './datatrove.ts';

/** CHARS_FOR_TRANSFORM: character -> minimum run length that is collapsed to one copy (in this order). */
export const ZYDA1_TRANSFORM: readonly [string, number][] = [
  ['-', 10], [' ', 40], ['_', 10], ['/', 10], ['\\', 10], ['\n', 10], ['\t', 20], ['\r', 10], ['.', 10], [',', 10],
  [':', 10], ['?', 10], ['\u00a0', 10],
];

const TRANSFORM_RES: [RegExp, string][] = ZYDA1_TRANSFORM.map(([ch, n]) => [
  new RegExp(`${ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}{${n},}`, 'gu'),
  ch,
]);

/** Zyda-1 `transform`: runs of at least the threshold of each listed character become one character. */
export function zyda1Transform(text: string): string {
  let t = text;
  for (const [re, ch] of TRANSFORM_RES) t = t.replace(re, ch);
  return t;
}

export interface Zyda1Params {
  min_length: number;
  min_mean_word_length: number;
  max_mean_word_length: number;
  max_fraction_non_alphanumeric: number;
  max_fraction_numerical: number;
  max_repeated_substrings: number;
  patterns_with_max_counts: Record<string, number>;
  patterns_with_max_fractions: Record<string, number>;
  word_lists_with_max_counts: Record<string, number>;
  word_lists_with_max_fractions: Record<string, number>;
}

export const ZYDA1_DEFAULTS: Zyda1Params = {
  min_length: 100,
  min_mean_word_length: 3,
  max_mean_word_length: 12,
  max_fraction_non_alphanumeric: 0.3,
  max_fraction_numerical: 0.2,
  max_repeated_substrings: 50,
  patterns_with_max_counts: { xml: 10, '<?xml version=': 1, 'lorem ipsum': 2 },
  patterns_with_max_fractions: { 'https://': 0.002, '<': 0.03, '":': 0.002, 'www.': 0.01 },
  word_lists_with_max_counts: { zh_pornsignals: 1, sexual_word_list: 10 },
  word_lists_with_max_fractions: { sexual_word_list: 0.001, profanity_word_list: 0.0025, cursed_substrings: 0.01 },
};

const MEAN_WORD_SPLIT = new RegExp(`[${PY_WS_CLASS}]|-|/|\\\\|\\.`, 'u');
const NON_ALNUM = new RegExp(`[^${PY_WORD_CLASS}${PY_WS_CLASS}]`, 'gu');
const DIGIT = new RegExp(`[${PY_DIGIT_CLASS}]`, 'gu');
const REPEATED = new RegExp(`([${PY_WORD_CLASS}])\\1{6,}`, 'gu');

/** A pattern or word-list entry: a Python `re` pattern (Python's `$` also matches before a final newline). */
export function compileZydaPattern(p: string): RegExp {
  return new RegExp(pyRegexToJs(p, { pythonDollar: true }), 'gu');
}

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  for (const _m of text.matchAll(re)) n++;
  return n;
}

export interface Zyda1Features {
  transformed: string;
  mean_word_length: number;
  fraction_non_alphanumeric: number;
  fraction_numerical: number;
  substrings_counts: number;
  pattern_counts: Record<string, number>;
  word_list_counts: Record<string, number>;
}

export interface Zyda1Compiled {
  patterns: Map<string, RegExp>;
  /** word list name -> compiled entries (only lists the user supplied) */
  lists: Map<string, RegExp[]>;
}

export function compileZyda1(p: Zyda1Params, lists: Record<string, string[]>): Zyda1Compiled {
  const patterns = new Map<string, RegExp>();
  for (const k of [...Object.keys(p.patterns_with_max_counts), ...Object.keys(p.patterns_with_max_fractions)]) {
    if (!patterns.has(k)) patterns.set(k, compileZydaPattern(k));
  }
  const compiled = new Map<string, RegExp[]>();
  for (const [name, words] of Object.entries(lists)) compiled.set(name, words.map(compileZydaPattern));
  return { patterns, lists: compiled };
}

/** The features Zyda-1's preprocess() computes that its filter() reads. */
export function zyda1Features(text: string, c: Zyda1Compiled): Zyda1Features {
  const n = cpLen(text);
  let mwl = 0;
  if (text) {
    const words = text.split(MEAN_WORD_SPLIT);
    let s = 0;
    for (const w of words) s += cpLen(w);
    mwl = s / words.length;
  }
  const transformed = zyda1Transform(text);
  const pattern_counts: Record<string, number> = {};
  for (const [k, re] of c.patterns) pattern_counts[k] = countMatches(re, text);
  const word_list_counts: Record<string, number> = {};
  for (const [name, res] of c.lists) {
    let s = 0;
    for (const re of res) s += countMatches(re, text);
    word_list_counts[name] = s;
  }
  return {
    transformed,
    mean_word_length: mwl,
    fraction_non_alphanumeric: n ? countMatches(NON_ALNUM, text) / n : 0,
    fraction_numerical: n ? countMatches(DIGIT, text) / n : 0,
    substrings_counts: countMatches(REPEATED, transformed),
    pattern_counts,
    word_list_counts,
  };
}

/** Zyda-1 `filter()` with a reason for the first rule that fails (the original only returns False). */
export function zyda1Filter(f: Zyda1Features, p: Zyda1Params): FilterResult {
  const len = cpLen(f.transformed);
  const drop = (reason: string): FilterResult => ({ keep: false, reason });
  if (len < p.min_length) return drop('zyda1_min_length');
  if (f.mean_word_length < p.min_mean_word_length) return drop('zyda1_min_mean_word_length');
  if (f.mean_word_length > p.max_mean_word_length) return drop('zyda1_max_mean_word_length');
  if (f.fraction_non_alphanumeric > p.max_fraction_non_alphanumeric) return drop('zyda1_fraction_non_alphanumeric');
  if (f.fraction_numerical > p.max_fraction_numerical) return drop('zyda1_fraction_numerical');
  if (f.substrings_counts > p.max_repeated_substrings) return drop('zyda1_repeated_substrings');
  for (const [k, max] of Object.entries(p.patterns_with_max_counts)) {
    if (f.pattern_counts[k] > max) return drop(`zyda1_pattern_count:${k}`);
  }
  for (const [k, max] of Object.entries(p.patterns_with_max_fractions)) {
    if (f.pattern_counts[k] / len > max) return drop(`zyda1_pattern_fraction:${k}`);
  }
  // word-list rules run for the lists the user supplied (the original ships them with its code)
  for (const [k, max] of Object.entries(p.word_lists_with_max_counts)) {
    if (k in f.word_list_counts && f.word_list_counts[k] > max) return drop(`zyda1_word_list_count:${k}`);
  }
  for (const [k, max] of Object.entries(p.word_lists_with_max_fractions)) {
    if (k in f.word_list_counts && f.word_list_counts[k] / len > max) return drop(`zyda1_word_list_fraction:${k}`);
  }
  return { keep: true, reason: null };
}
