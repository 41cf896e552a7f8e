// The trie walk that replaces the bad-words regex gives the regex's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { c4BadWords, compileBadWords } from '../../stages/filters/datatrove.ts';

const list = readFileSync(new URL('./fixtures/ldnoobw/en', import.meta.url), 'utf8');
const re = compileBadWords(list, 'en');
/** The same regex, not registered with a trie: c4BadWords falls back to re.test. */
const plain = new RegExp(re.source, re.flags);
const words = list.split('\n').filter((w) => w.trim() !== '').slice(0, 60);

test('bad-words trie equals the regex (LDNOOBW en, random texts around listed words)', () => {
  const piece = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(...words.map((w) => w.toUpperCase())),
    // uppercase and title-case letters whose lowercase the folded walk reads from its table, and the units that send
    // it back to toLowerCase (İ lowercases to two units, Σ depends on its context, surrogates)
    fc.constantFrom(' ', '\n', '.', ',', '-', '_', 'a', 'x1', 'é', 'É', 'Ä', 'ǅ', 'Ⅰ', '\u212a', 'ẞ', 'Σ', '😀', '\ud83d', '\ude00', 'İ', 'S', 'ASS', '2 girls'),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (xs) => {
      const t = xs.join('');
      assert.deepEqual(c4BadWords(t, re), c4BadWords(t, plain), JSON.stringify(t));
    }),
    { numRuns: 3000, seed: 21 },
  );
});

test('bad-words trie: boundaries, multi-word entries, an empty word in the list', () => {
  const r = compileBadWords('ass\n2 girls 1 cup\nxxx\n', 'en');
  const yes = ['ass', 'an ass.', 'x 2 girls 1 cup!', '😀ass😀', 'ASS', 'a_b ass'];
  const no = ['class', 'assume', 'ass_', 'ass1', 'éass', '2 girls 1 cups'];
  for (const t of yes) assert.equal(c4BadWords(t, r).keep, false, t);
  for (const t of no) assert.equal(c4BadWords(t, r).keep, true, t);
  const withEmpty = compileBadWords('foo\n\nbar\n', 'en');
  for (const t of ['', 'abc', 'a b', 'word']) assert.deepEqual(c4BadWords(t, withEmpty), c4BadWords(t, new RegExp(withEmpty.source, 'u')), t);
});
