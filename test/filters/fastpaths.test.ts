// The index-range (substring-free) implementations of the datatrove filters against naive string versions of the
// same definitions, on random texts over an alphabet of separators, punctuation, whitespace and astral characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  C4_PARAGRAPH_DEFAULTS, FINEWEB_QUALITY_DEFAULTS, GOPHER_QUALITY_DEFAULTS, GOPHER_REPETITION_DEFAULTS, TERMINAL_PUNCTUATION,
  c4Paragraph, fineWebQuality, findDuplicates, gopherQuality, gopherRepetition, type FilterResult,
} from '../../stages/filters/datatrove.ts';
import { cpLen, pyLstrip, pyRstrip, pySplitlines, pyStrip } from '../../stages/text/pystr.ts';

const piece = fc.constantFrom('a', 'b', 'ab', ' ', '\n', '\n\n', '\r\n', '\t', '.', '...', '…', '•', '-', '😀', 'é', '\u2028', '\x85', '!', '#');
const text = fc.array(piece, { maxLength: 80 }).map((xs) => xs.join(''));
const keep: FilterResult = { keep: true, reason: null };
const drop = (reason: string): FilterResult => ({ keep: false, reason });

// naive versions (string lists), thresholds chosen so that every rule is reachable on short texts
function naiveRepetition(t: string, frac: number): FilterResult {
  const len = cpLen(t);
  const paras = pyStrip(t).split(/\n{2,}/);
  const [pd, pc] = findDuplicates(paras);
  if (pd / paras.length > frac) return drop('dup_para_frac');
  if (len !== 0 && pc / len > frac) return drop('dup_para_char_frac');
  const lines = t.split(/\n+/);
  const [ld, lc] = findDuplicates(lines);
  if (ld / lines.length > frac) return drop('dup_line_frac');
  if (len !== 0 && lc / len > frac) return drop('dup_line_char_frac');
  return keep;
}

function naiveFineWeb(t: string, nWords: number): FilterResult {
  const lines = t.split('\n').filter((l) => pyStrip(l) !== '');
  if (lines.length === 0) return drop('empty');
  const last = (l: string): number => l.codePointAt(l.length - 1 - (l.length > 1 && /[\udc00-\udfff]/.test(l[l.length - 1]) && /[\ud800-\udbff]/.test(l[l.length - 2]) ? 1 : 0))!;
  const r1 = lines.filter((l) => TERMINAL_PUNCTUATION.has(last(l))).length / lines.length;
  if (r1 < 0.12) return drop('line_punct_ratio');
  if (lines.filter((l) => cpLen(l) <= 2).length / lines.length > 0.67) return drop('short_line_ratio');
  const nl = t.split('\n').length - 1;
  const noNl = cpLen(t) - nl;
  if (noNl !== 0 && findDuplicates(lines)[1] / noNl > 0.01) return drop('char_dup_ratio');
  if (nWords !== 0 && nl / nWords > 0.3) return drop('list_ratio');
  return keep;
}

function naiveParagraph(t: string, minLen: number): FilterResult {
  const lines = t.split('\n');
  if (lines.length < 3) return drop('< 3 paragraphs');
  const top = lines.map(cpLen).sort((x, y) => y - x).slice(0, 3);
  return Math.min(...top) < minLen ? drop('< 3 paragraphs') : keep;
}

function naiveLineRules(t: string, ratioMax: number): FilterResult {
  const lines = pySplitlines(t);
  if (lines.length === 0) return keep;
  const bullets = lines.filter((l) => pyLstrip(l).startsWith('•') || pyLstrip(l).startsWith('-')).length;
  if (bullets / lines.length > ratioMax) return drop('gopher_too_many_bullets');
  const ell = lines.filter((l) => pyRstrip(l).endsWith('...') || pyRstrip(l).endsWith('…')).length;
  if (ell / lines.length > ratioMax) return drop('gopher_too_many_end_ellipsis');
  return keep;
}

test('range-based Gopher repetition (paragraphs, lines) equals the string definitions', () => {
  fc.assert(
    fc.property(text, fc.constantFrom(0.05, 0.2, 0.5), (t, frac) => {
      const p = { ...GOPHER_REPETITION_DEFAULTS, dup_para_frac: frac, dup_para_char_frac: frac, dup_line_frac: frac, dup_line_char_frac: frac, top_n_grams: [], dup_n_grams: [] };
      assert.deepEqual(gopherRepetition(t, () => [], p), naiveRepetition(t, frac));
    }),
    { numRuns: 1500, seed: 3 },
  );
});

test('range-based FineWeb quality equals the string definition', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 30 }), (t, nWords) => {
      const p = { ...FINEWEB_QUALITY_DEFAULTS, short_line_length: 2 };
      const words = Array.from({ length: nWords }, () => 'w');
      assert.deepEqual(fineWebQuality(t, () => words, p), naiveFineWeb(t, nWords));
    }),
    { numRuns: 1500, seed: 5 },
  );
});

test('range-based C4 paragraph filter equals the string definition', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 6 }), (t, minLen) => {
      assert.deepEqual(c4Paragraph(t, { ...C4_PARAGRAPH_DEFAULTS, min_paragraph_len: minLen }), naiveParagraph(t, minLen));
    }),
    { numRuns: 1500, seed: 9 },
  );
});

test('Gopher quality bullet / end-ellipsis line counts equal the splitlines definition', () => {
  fc.assert(
    fc.property(text, fc.constantFrom(0.1, 0.3, 0.6), (t, r) => {
      const p = {
        ...GOPHER_QUALITY_DEFAULTS, min_doc_words: null, max_doc_words: null, min_avg_word_length: null,
        max_avg_word_length: null, max_symbol_word_ratio: null, max_non_alpha_words_ratio: null, min_stop_words: null,
        max_bullet_lines_ratio: r, max_ellipsis_lines_ratio: r,
      };
      assert.deepEqual(gopherQuality(t, [], p), naiveLineRules(t, r));
    }),
    { numRuns: 1500, seed: 13 },
  );
});

test('Gopher quality and repetition: the id-memoised path (tokenizer words) equals the plain string path', async () => {
  const { englishTokenizer } = await import('../../stages/text/spacy/tokenizer.ts');
  const tok = englishTokenizer();
  const wordy = fc.array(fc.constantFrom('the', 'of', 'and', 'to', 'be', 'a', 'cat', '#', '...', '…', '😀', 'é', '-', ' ', '\n', '. ', "it's", 'U.S.', 'x-y', '\n\n'), { maxLength: 120 }).map((xs) => xs.join(' '));
  fc.assert(
    fc.property(wordy, fc.integer({ min: 1, max: 4 }), (t, minStop) => {
      const words = tok.words(t);
      assert.ok(tok.wordIds(words) !== null);
      const copy = [...words]; // same strings, no ids: the string path
      const q = { ...GOPHER_QUALITY_DEFAULTS, min_doc_words: 3, min_stop_words: minStop };
      assert.deepEqual(gopherQuality(t, words, q), gopherQuality(t, copy, q));
      const r = { ...GOPHER_REPETITION_DEFAULTS, dup_para_frac: null, dup_para_char_frac: null, dup_line_frac: null, dup_line_char_frac: null };
      assert.deepEqual(gopherRepetition(t, () => words, r), gopherRepetition(t, () => copy, r));
    }),
    { numRuns: 500, seed: 17 },
  );
});
