// The typed-array n-gram statistics against datatrove's string definitions, written naively here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WordNgrams } from '../../stages/filters/ngrams.ts';
import { cpLen } from '../../stages/text/pystr.ts';

/** datatrove find_top_duplicate over get_n_grams (" ".join), Counter.most_common(1). */
function naiveTop(words: string[], n: number): number | null {
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(' '));
  if (grams.length === 0) return null;
  const c = new Map<string, number>();
  for (const g of grams) c.set(g, (c.get(g) ?? 0) + 1);
  let best = '';
  let bc = 0;
  for (const [g, k] of c) if (k > bc) [best, bc] = [g, k];
  return cpLen(best) * bc;
}

/** datatrove find_all_duplicate ("".join, greedy). */
function naiveDup(words: string[], n: number): number {
  const seen = new Set<string>();
  let rep = 0;
  let i = 0;
  while (i < words.length - n + 1) {
    const g = words.slice(i, i + n).join('');
    if (seen.has(g)) {
      rep += cpLen(g);
      i += n;
    } else {
      seen.add(g);
      i++;
    }
  }
  return rep;
}

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
