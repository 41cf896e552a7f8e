// The typed-array n-gram statistics against datatrove's string definitions (test/filters/naive-ngrams.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WordNgrams } from '../../stages/filters/ngrams.ts';
import { naiveDup, naiveTop } from './naive-ngrams.ts';

// small alphabets make repeats, ties and "ab"+"c" == "a"+"bc" collisions frequent
const word = fc.stringMatching(/^(?:[abc]|é|😀){1,3}$/);

test('WordNgrams equals the string definitions (property test)', () => {
  fc.assert(
    fc.property(fc.array(word, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (words, n) => {
      const g = new WordNgrams(words);
      assert.equal(g.topNgramChars(n), naiveTop(words, n));
      assert.equal(g.duplicateNgramChars(n), naiveDup(words, n));
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('concatenation collisions count as duplicates, space-joined ones do not', () => {
  const g = new WordNgrams(['ab', 'c', 'x', 'a', 'bc']);
  assert.equal(g.duplicateNgramChars(2), 3); // "abc" seen at 0, again at 3
  assert.equal(g.topNgramChars(2), 4 * 1); // all 2-grams distinct: the first, "ab c", wins
});

test('WordNgrams with tokenizer-style global ids (memoised by id across lists) equals the string definitions', () => {
  // ids shared by every list of the run, as the spaCy tokenizer's piece ids are
  const idOf = new Map<string, number>();
  const idsOf = (ws: string[]): Int32Array =>
    Int32Array.from(ws, (w) => {
      if (!idOf.has(w)) idOf.set(w, idOf.size);
      return idOf.get(w)!;
    });
  fc.assert(
    fc.property(fc.array(word, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (words, n) => {
      const g = new WordNgrams(words, idsOf(words), 12345);
      assert.equal(g.topNgramChars(n), naiveTop(words, n));
      assert.equal(g.duplicateNgramChars(n), naiveDup(words, n));
    }),
    { numRuns: 300, seed: 11 },
  );
});
