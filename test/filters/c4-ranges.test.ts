// The C4 quality filter over line ranges (stages/filters/c4.ts, what the stage runs) against the line-by-line port
// of datatrove's C4QualityFilter (datatrove.ts `c4Quality`, checked against datatrove's own outputs in
// conformance.test.ts): same decision, reason, line counters (and their order) and rewritten text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { C4_QUALITY_DEFAULTS, c4Quality, type C4QualityParams } from '../../stages/filters/datatrove.ts';
import { c4QualityByRanges, c4QualityRanges } from '../../stages/filters/c4.ts';
import { prng, readJsonl } from '../helpers.ts';
import { SHARED, haveShared, referenceSets } from './reference.ts';

const VARIANTS: C4QualityParams[] = [
  C4_QUALITY_DEFAULTS,
  // every kept line is counted (the sentence count never stops early)
  { ...C4_QUALITY_DEFAULTS, min_num_sentences: 1000 },
  // empty and unpunctuated lines reach the later rules
  { ...C4_QUALITY_DEFAULTS, filter_no_terminal_punct: false, min_words_per_line: 0, max_word_length: 5 },
  { ...C4_QUALITY_DEFAULTS, remove_citations: false, filter_curly_bracket: false, filter_lorem_ipsum: false, min_num_sentences: -1 },
];

function same(text: string, label: string): void {
  for (const p of VARIANTS) {
    for (const tk of ['spacy', 'simple'] as const) {
      const want = c4Quality(text, p, tk);
      const got = c4QualityByRanges(text, p, tk);
      assert.deepEqual(got, want, `${label} (${tk}, ${JSON.stringify(p)})`);
      assert.deepEqual(Object.keys(got.lineStats), Object.keys(want.lineStats), `${label}: counter order`);
    }
  }
}

test('c4 by line ranges equals the line-by-line port on real documents', { skip: !haveShared }, () => {
  let n = 0;
  for (const set of referenceSets()) for (const d of set.docs) (same(d.text, d.id), n++);
  for (const d of readJsonl<{ text: string }>(SHARED + 'data/quality_labels.jsonl.gz').slice(0, 600)) (same(d.text, 'quality_labels'), n++);
  assert.ok(n > 1000, `only ${n} documents`);
});

test('c4 by line ranges equals the line-by-line port on adversarial line structures', () => {
  const rnd = prng(3);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const lines = [
    'This is a fine sentence with words.', 'Another one, e.g. with an abbreviation. And a second!', 'no punctuation here at all',
    'Cited claim [1] here.', 'Cited [citation needed] and [edit] too.', '[12]', 'Ends in dots...', 'Ends in an ellipsis…',
    'Quoted "end."', "Single 'end'", 'Has {curly} bracket.', 'Some Lorem Ipsum text.', 'Enable JavaScript please.',
    'Read our Privacy Policy now.', 'We use cookies.', 'Averyveryverylongword here is it.', '', '   ', '\t  padded line.  ',
    'Mr. Smith went to Washington. He stayed.', 'A :) smiley. (: Another.', 'Ünïcödé wörds here too.', 'x',
  ];
  const seps = ['\n', '\r\n', '\r', '\u2028', '\u2029', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x85', '\n\n', ' \n '];
  for (let k = 0; k < 300; k++) {
    let t = rnd() < 0.3 ? pick(['  ', '\n', '']) : '';
    for (let j = 0, m = 1 + Math.floor(rnd() * 14); j < m; j++) t += pick(lines) + pick(seps);
    if (rnd() < 0.5) t += pick(lines);
    same(t, `generated #${k}: ${JSON.stringify(t.slice(0, 80))}`);
  }
  same('', 'empty text');
  same('\n\n', 'only line breaks');
});

test('split_paragraph=false goes to the line-by-line port (it needs the sentence splitter)', () => {
  const p = { ...C4_QUALITY_DEFAULTS, split_paragraph: false };
  const parts = (t: string): string[] => t.split(/(?<=\.) /);
  const text = 'One sentence here. Two sentences here. Three are here. Four are here. Five are here.';
  assert.deepEqual(c4QualityRanges(text, p, 'spacy', parts), c4Quality(text, p, 'spacy', parts));
});
