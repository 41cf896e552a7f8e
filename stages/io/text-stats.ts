// `text_stats`: cheap whole-document counts (no reference implementation: plain definitions, stated in docs).
import { z } from 'zod';
import { defineStage } from '../../pipeline/types.ts';

export const textStatsStage = defineStage({
  name: 'text_stats',
  family: 'signals',
  description: 'Basic counts: characters (code points), whitespace-separated words, lines, mean word length, share of alphabetic words.',
  params: z.strictObject({}),
  reads: () => [],
  writes: () => [
    { name: 'n_chars', type: 'int32', description: 'Unicode code points in the text.' },
    { name: 'n_words', type: 'int32', description: 'Whitespace-separated words.' },
    { name: 'n_lines', type: 'int32', description: 'Lines (split on \\n).' },
    { name: 'mean_word_length', type: 'float64', description: 'Mean code points per word (0 for no words).' },
    { name: 'alpha_word_fraction', type: 'float64', description: 'Share of words containing at least one letter.' },
  ],
  create() {
    const letter = /\p{L}/u;
    return {
      name: 'text_stats',
      async *run(batches, ctx) {
        for await (const b of batches) {
          for (const d of b.docs) {
            const t = d.text;
            let chars = 0;
            for (let i = 0; i < t.length; i++) { const c = t.charCodeAt(i); if (c < 0xdc00 || c > 0xdfff) chars++; }
            const words = t.split(/\s+/u).filter(Boolean);
            let wl = 0, alpha = 0;
            for (const w of words) { wl += [...w].length; if (letter.test(w)) alpha++; }
            let lines = 1;
            for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++;
            d.cols.n_chars = chars;
            d.cols.n_words = words.length;
            d.cols.n_lines = t.length === 0 ? 0 : lines;
            d.cols.mean_word_length = words.length ? wl / words.length : 0;
            d.cols.alpha_word_fraction = words.length ? alpha / words.length : 0;
            ctx.stats.metric('n_words', words.length);
          }
          yield b;
        }
      },
    };
  },
});
