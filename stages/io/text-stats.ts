// `text_stats`: cheap whole-document counts (no reference implementation: plain definitions, stated in docs).
// One pass over the UTF-16 units per document: no splitting, no per-word strings.
import { z } from 'zod';
import { defineStage } from '../../pipeline/types.ts';

const LETTER = /\p{L}/u;

/** Whitespace as JavaScript's \s sees it (the definition `split(/\s+/)` would use). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export interface TextStats { chars: number; words: number; lines: number; meanWordLength: number; alphaWordFraction: number }

export function textStats(t: string): TextStats {
  let chars = 0, words = 0, wordChars = 0, alphaWords = 0, lines = t.length ? 1 : 0;
  let inWord = false, wordHasLetter = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    // a low surrogate after a high one is the second half of a code point already counted
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) { const p = t.charCodeAt(i - 1); if (p >= 0xd800 && p <= 0xdbff) continue; }
    chars++;
    if (c === 10) lines++;
    if (isSpace(c)) {
      if (inWord) { words++; if (wordHasLetter) alphaWords++; inWord = false; }
      continue;
    }
    if (!inWord) { inWord = true; wordHasLetter = false; }
    wordChars++;
    if (!wordHasLetter) {
      // ASCII fast path; other code points go through the Unicode letter class
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) wordHasLetter = true;
      else if (c >= 128) wordHasLetter = LETTER.test(c >= 0xd800 && c <= 0xdbff ? t.slice(i, i + 2) : t[i]);
    }
  }
  if (inWord) { words++; if (wordHasLetter) alphaWords++; }
  return { chars, words, lines, meanWordLength: words ? wordChars / words : 0, alphaWordFraction: words ? alphaWords / words : 0 };
}

export const textStatsStage = defineStage({
  name: 'text_stats',
  family: 'signals',
  description: 'Basic counts: characters (code points), whitespace-separated words, lines, mean word length, share of alphabetic words.',
  params: z.strictObject({}),
  reads: () => [],
  writes: () => [
    { name: 'n_chars', type: 'int32', description: 'Unicode code points in the text.' },
    { name: 'n_words', type: 'int32', description: 'Whitespace-separated words.' },
    { name: 'n_lines', type: 'int32', description: 'Lines (split on \\n; 0 for an empty text).' },
    { name: 'mean_word_length', type: 'float64', description: 'Mean code points per word (0 for no words).' },
    { name: 'alpha_word_fraction', type: 'float64', description: 'Share of words containing at least one letter.' },
  ],
  create() {
    return {
      name: 'text_stats',
      async *run(batches, ctx) {
        for await (const b of batches) {
          for (const d of b.docs) {
            const s = textStats(d.text);
            d.cols.n_chars = s.chars;
            d.cols.n_words = s.words;
            d.cols.n_lines = s.lines;
            d.cols.mean_word_length = s.meanWordLength;
            d.cols.alpha_word_fraction = s.alphaWordFraction;
            ctx.stats.metric('n_words', s.words);
          }
          yield b;
        }
      },
    };
  },
});
