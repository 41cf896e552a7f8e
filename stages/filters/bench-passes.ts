// Bench hook read by bench/signals.bench.ts: one pass per datatrove filter (default parameters), each deciding one
// document. Passes of the same document share the spaCy word list (memoised on the document view, as the filter
// stages memoise it on the Doc), so the bench's "all" row tokenizes once per document, like a pipeline does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  C4_PARAGRAPH_DEFAULTS, C4_QUALITY_DEFAULTS, FINEWEB_QUALITY_DEFAULTS, GOPHER_QUALITY_DEFAULTS,
  GOPHER_REPETITION_DEFAULTS, c4BadWords, c4Paragraph, c4Quality, compileBadWords, fineWebQuality, gopherQuality,
  gopherRepetition,
} from './datatrove.ts';
import { wordsOf } from '../text/words.ts';
import { c4QualityRanges } from './c4.ts';

interface Pass {
  name: string;
  run(view: { text: string }, text: string): unknown;
}

const badwords = compileBadWords(
  readFileSync(fileURLToPath(new URL('../../test/filters/fixtures/ldnoobw/en', import.meta.url)), 'utf8'),
  'en',
);

export const benchPasses: Pass[] = [
  { name: 'spacy words', run: (v) => wordsOf(v) },
  { name: 'gopher_quality', run: (v, t) => gopherQuality(t, wordsOf(v), GOPHER_QUALITY_DEFAULTS) },
  { name: 'gopher_repetition', run: (v, t) => gopherRepetition(t, () => wordsOf(v), GOPHER_REPETITION_DEFAULTS) },
  { name: 'c4_quality', run: (_v, t) => c4QualityRanges(t, C4_QUALITY_DEFAULTS) },
  { name: 'c4_paragraph', run: (_v, t) => c4Paragraph(t, C4_PARAGRAPH_DEFAULTS) },
  { name: 'c4_badwords', run: (_v, t) => c4BadWords(t, badwords) },
  { name: 'fineweb_quality', run: (v, t) => fineWebQuality(t, () => wordsOf(v), FINEWEB_QUALITY_DEFAULTS) },
];
