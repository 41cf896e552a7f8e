// The Gopher repetition filter and its n-gram statistics (WordNgrams) against a plain string reimplementation of
// datatrove's definitions, on random word lists built to defeat the shortcuts: words whose concatenations collide
// across different boundaries ("ab"+"c" == "a"+"bc"), very short and long words (5-grams on both sides of the
// prefilter's key length), repeated blocks, astral characters, empty and short lists, repeats near the end, other
// n orders and n < 5, and several instances used in turn (shared scratch storage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WordNgrams } from '../../stages/filters/ngrams.ts';
import { gopherRepetition, type FilterResult, type GopherRepetitionParams } from '../../stages/filters/datatrove.ts';
import { cpLen, pyStrip } from '../../stages/text/pystr.ts';
import { naiveDup, naiveTop } from './naive-ngrams.ts';

// ---- datatrove's definitions, on strings

/** find_duplicates: (#elements seen before, their characters). */
function naiveFindDuplicates(xs: string[]): [number, number] {
  const seen = new Set<string>();
  let d = 0;
  let c = 0;
  for (const x of xs) {
    if (seen.has(x)) {
      d++;
      c += cpLen(x);
    } else seen.add(x);
  }
  return [d, c];
}

/** GopherRepetitionFilter.filter, rule by rule (a zero-length text makes every ratio NaN: no rule fires). */
function naiveRepetition(text: string, words: readonly string[], p: GopherRepetitionParams): FilterResult {
  const drop = (reason: string): FilterResult => ({ keep: false, reason });
  const len = cpLen(text);
  const paras = pyStrip(text).split(/\n{2,}/);
  const [pd, pc] = naiveFindDuplicates(paras);
  if (p.dup_para_frac && pd / paras.length > p.dup_para_frac) return drop('dup_para_frac');
  if (p.dup_para_char_frac && pc / len > p.dup_para_char_frac) return drop('dup_para_char_frac');
  const lines = text.split(/\n+/);
  const [ld, lc] = naiveFindDuplicates(lines);
  if (p.dup_line_frac && ld / lines.length > p.dup_line_frac) return drop('dup_line_frac');
  if (p.dup_line_char_frac && lc / len > p.dup_line_char_frac) return drop('dup_line_char_frac');
  for (const [n, frac] of p.top_n_grams) {
    const top = naiveTop(words, n);
    if (top === null) continue;
    if (top / len > frac) return drop(`top_${n}_gram`);
  }
  for (const [n, frac] of p.dup_n_grams) {
    if (naiveDup(words, n) / len > frac) return drop(`duplicated_${n}_n_grams`);
  }
  return { keep: true, reason: null };
}

// ---- generators

/** Short pieces over a tiny alphabet: concatenations collide across boundaries, ties and repeats are frequent. */
const tiny = fc.stringMatching(/^(?:[ab]|c|é|😀){1,3}$/);
/** Words of 1..16 units: 5-grams shorter and longer than the prefilter's 12-unit key. */
const mixed = fc.oneof(tiny, fc.stringMatching(/^[ab]{4,16}$/), fc.constantFrom('the', 'of', ',', '.', 'abab', 'ababab'));

/** A list: random words, or a random block repeated with a few random words in between and at the end. */
const wordList = fc.oneof(
  fc.array(fc.oneof(tiny, mixed), { maxLength: 70 }),
  fc
    .tuple(fc.array(mixed, { minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 5 }), fc.array(mixed, { maxLength: 4 }), fc.array(mixed, { maxLength: 6 }))
    .map(([block, times, glue, tail]) => {
      const out: string[] = [];
      for (let k = 0; k < times; k++) out.push(...block, ...glue.slice(0, k % (glue.length + 1)));
      return [...out, ...tail];
    }),
  // the same text cut at different word boundaries: equal concatenations from different word sequences
  fc.tuple(fc.stringMatching(/^[abc]{10,60}$/), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 })).map(([s, cuts]) => {
    const out: string[] = [];
    let i = 0;
    let k = 0;
    while (i < s.length) {
      const w = cuts[k++ % cuts.length];
      out.push(s.slice(i, i + w));
      i += w;
    }
    for (let j = 0; j < s.length; j += cuts[0] + 1) out.push(s.slice(j, j + cuts[0] + 1));
    return out;
  }),
  fc.array(tiny, { maxLength: 6 }),
);

/** Global ids (valid across lists) as the tokenizer gives them, for an id space of this test. */
const EPOCH = 7_000_001;
const globalIds = new Map<string, number>();
function idsOf(words: readonly string[]): Int32Array {
  return Int32Array.from(words, (w) => {
    let id = globalIds.get(w);
    if (id === undefined) {
      id = globalIds.size;
      globalIds.set(w, id);
    }
    return id;
  });
}

test('WordNgrams equals the string definitions on adversarial word lists (n = 1..12, local and global ids)', () => {
  fc.assert(
    fc.property(wordList, fc.boolean(), (words, global) => {
      const g = global ? new WordNgrams(words, idsOf(words), EPOCH) : new WordNgrams(words);
      // bounds from word counts alone (no n-gram counted yet), in rising and falling n
      for (const m of [1, 2, 3, 4, 7, 3, 2, 5]) {
        const top = naiveTop(words, m);
        if (top !== null) assert.ok(g.topCharsBound(m) >= top, `word-count bound n=${m}`);
        else assert.equal(g.topCharsBound(m), Infinity);
      }
      // duplicated n-grams first and in a shuffled order too (the prefilter is built once per list)
      for (const n of [7, 5, 10, 6, 9, 8, 11, 12, 1, 2, 3, 4]) assert.equal(g.duplicateNgramChars(n), naiveDup(words, n), `dup n=${n}`);
      for (let n = 1; n <= 6; n++) {
        assert.equal(g.topNgramChars(n), naiveTop(words, n), `top n=${n}`);
        // the bound used to skip counting holds for every larger n
        for (let m = n; m <= 7; m++) {
          const top = naiveTop(words, m);
          if (top !== null) assert.ok(g.topCharsBound(m) >= top, `bound n'=${n} n=${m}`);
        }
      }
    }),
    { numRuns: 600, seed: 23 },
  );
});

test('WordNgrams instances used in turn (shared scratch rebuilt per instance) keep their own results', () => {
  fc.assert(
    fc.property(wordList, wordList, (a, b) => {
      const ga = new WordNgrams(a, idsOf(a), EPOCH);
      const gb = new WordNgrams(b);
      const gc = new WordNgrams(b, idsOf(b), EPOCH);
      for (const n of [2, 3, 4]) {
        const ta = naiveTop(a, n);
        const tb = naiveTop(b, n);
        if (ta !== null) assert.ok(ga.topCharsBound(n) >= ta);
        if (tb !== null) assert.ok(gb.topCharsBound(n) >= tb);
        if (ta !== null) assert.ok(ga.topCharsBound(n + 1) >= (naiveTop(a, n + 1) ?? 0));
      }
      for (const n of [2, 5, 3, 6, 4, 7]) {
        assert.equal(ga.duplicateNgramChars(n), naiveDup(a, n));
        assert.equal(gb.duplicateNgramChars(n), naiveDup(b, n));
        assert.equal(ga.topNgramChars(n), naiveTop(a, n));
        assert.equal(gc.duplicateNgramChars(n), naiveDup(b, n));
        assert.equal(gb.topNgramChars(n), naiveTop(b, n));
        assert.equal(ga.duplicateNgramChars(n + 1), naiveDup(a, n + 1));
      }
    }),
    { numRuns: 300, seed: 29 },
  );
});

test('known collisions and edge cases', () => {
  // "abcde" + ... at 0 and again from a different split at 5
  const w = ['ab', 'c', 'd', 'e', 'f', 'a', 'bc', 'd', 'e', 'f'];
  assert.equal(new WordNgrams(w).duplicateNgramChars(5), 6);
  assert.equal(naiveDup(w, 5), 6);
  // 5-grams of 15 units repeated with a different cut
  const long = ['abcdefgh', 'i', 'j', 'k', 'l', 'x', 'abcd', 'efghi', 'j', 'k', 'l'];
  assert.equal(new WordNgrams(long).duplicateNgramChars(5), naiveDup(long, 5));
  assert.equal(naiveDup(long, 5), 12);
  for (const ws of [[], ['a'], ['a', 'a', 'a', 'a'], ['a', 'a', 'a', 'a', 'a'], Array(11).fill('aaaaaaaaaaaaa')]) {
    const g = new WordNgrams(ws);
    for (let n = 1; n <= 10; n++) {
      assert.equal(g.duplicateNgramChars(n), naiveDup(ws, n));
      assert.equal(g.topNgramChars(n), naiveTop(ws, n));
    }
  }
});

test('gopherRepetition equals the string definitions (random thresholds, rule orders and n values)', () => {
  const fracs = fc.constantFrom(0, 0.01, 0.05, 0.1, 0.2, 0.4);
  const rules = (ns: number[]) => fc.tuple(...ns.map(() => fracs)).map((fs) => ns.map((n, k): [number, number] => [n, fs[k]]));
  const params = fc.record({
    dup_line_frac: fc.constantFrom(null, 0, 0.3),
    dup_para_frac: fc.constantFrom(null, 0, 0.3),
    dup_line_char_frac: fc.constantFrom(null, 0.2),
    dup_para_char_frac: fc.constantFrom(null, 0.2),
    top_n_grams: fc.oneof(rules([2, 3, 4]), rules([4, 2, 3]), rules([1, 3]), rules([3, 2, 4, 2]), fc.constant([] as [number, number][])),
    dup_n_grams: fc.oneof(rules([5, 6, 7, 8, 9, 10]), rules([10, 5, 7]), rules([2, 3, 5, 4]), fc.constant([] as [number, number][])),
  });
  // the text: the words joined by spaces and newlines (the filter takes the word list as given)
  const seps = fc.array(fc.constantFrom(' ', ' ', ' ', '\n', '\n\n', ' \n'), { minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(wordList, seps, params, (words, sep, p) => {
      const text = words.map((w, i) => w + sep[i % sep.length]).join('');
      assert.deepEqual(gopherRepetition(text, () => words, p), naiveRepetition(text, words, p));
    }),
    { numRuns: 800, seed: 31 },
  );
});

test('gopherRepetition with the default rules on repetitive documents equals the string definitions', () => {
  const sentence = fc.array(fc.constantFrom('the', 'cat', 'sat', 'on', 'a', 'mat', 'of', 'U.S.', ',', '.', 'éclair', '😀', 'internationalization'), { minLength: 1, maxLength: 12 });
  const doc = fc.array(fc.tuple(sentence, fc.integer({ min: 1, max: 3 })), { maxLength: 12 });
  fc.assert(
    fc.property(doc, fc.constantFrom(0.1, 0.2), (parts, frac) => {
      const words: string[] = [];
      const lines: string[] = [];
      for (const [s, times] of parts) {
        for (let k = 0; k < times; k++) {
          words.push(...s);
          lines.push(s.join(' '));
        }
      }
      const text = lines.join('\n');
      const p: GopherRepetitionParams = {
        dup_line_frac: null, dup_para_frac: null, dup_line_char_frac: null, dup_para_char_frac: null,
        top_n_grams: [[2, frac], [3, frac], [4, frac]],
        dup_n_grams: [[5, frac], [6, frac], [7, frac], [8, frac], [9, frac], [10, frac]],
      };
      assert.deepEqual(gopherRepetition(text, () => words, p), naiveRepetition(text, words, p));
    }),
    { numRuns: 500, seed: 37 },
  );
});

test('WordNgrams reading units from the text (tokenizer word spans) equals reading them from the words', async () => {
  const { englishTokenizer } = await import('../../stages/text/spacy/tokenizer.ts');
  const { haveShared, referenceSets } = await import('./reference.ts');
  const tok = englishTokenizer();
  const texts = haveShared ? referenceSets().flatMap((s) => s.docs.map((d) => d.text)) : [];
  texts.push('ab c a bc ab c a bc x 😀 😀y 😀 😀y', "don't can't won't. don't can't won't.", '');
  let n = 0;
  for (const text of texts) {
    const words = tok.words(text);
    const spans = tok.wordSpans(words);
    assert.ok(spans !== null);
    for (let k = 1; k <= 10; k++) {
      // fresh instances per n: each keeps per-list state between calls
      const a = new WordNgrams(words, tok.wordIds(words), tok.epoch, spans);
      const b = new WordNgrams(words, tok.wordIds(words), tok.epoch);
      assert.equal(a.duplicateNgramChars(k), b.duplicateNgramChars(k), `dup ${k}`);
      const top = a.topNgramChars(k);
      assert.equal(top, b.topNgramChars(k), `top ${k}`);
      // bounds may differ (they use what each instance counted last) but both must hold
      if (top !== null) assert.ok(a.topCharsBound(k) >= top && b.topCharsBound(k) >= top, `bound ${k}`);
    }
    n++;
  }
  assert.ok(n >= 3);
});
