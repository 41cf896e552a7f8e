// The spaCy port against spaCy's own output: token lists and sentence parts of the edge cases, and word
// count + sha1 of the word list + sentence count of every reference document (datatrove's `tokens` record).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { englishTokenizer } from '../../stages/text/spacy/tokenizer.ts';
import { simpleSentenceCount, simpleWords } from '../../stages/text/words.ts';
import { haveShared, referenceSets } from './reference.ts';

const tok = englishTokenizer();

test('edge cases: spaCy word lists and sentence parts are reproduced exactly', { skip: !haveShared }, () => {
  const edge = referenceSets().find((s) => s.name === 'edge_cases')!;
  let checked = 0;
  for (const d of edge.docs) {
    const ref = d.ref.tokens?.datatrove;
    if (!ref) continue;
    assert.deepEqual(tok.words(d.text), ref.words, `${d.id}: words`);
    assert.deepEqual(tok.sentences(d.text), ref.sentences, `${d.id}: sentences`);
    checked++;
  }
  assert.ok(checked >= 30, `only ${checked} edge cases carry token lists`);
});

test('all reference documents: word count, words sha1 and sentence count equal spaCy', { skip: !haveShared }, () => {
  let n = 0;
  const bad: string[] = [];
  for (const set of referenceSets()) {
    for (const d of set.docs) {
      const ref = d.ref.datatrove?.tokens;
      if (!ref) continue;
      n++;
      const words = tok.words(d.text);
      const sha = createHash('sha1').update(words.join('\n')).digest('hex');
      if (words.length !== ref.words_count || sha !== ref.words_sha1) bad.push(`${d.id}: words ${words.length} vs ${ref.words_count}`);
      const sc = tok.sentenceCount(d.text);
      if (sc !== ref.sentences_count) bad.push(`${d.id}: sentences ${sc} vs ${ref.sentences_count}`);
    }
  }
  console.log(`tokenizer: ${n} documents, ${bad.length} mismatches`);
  assert.ok(n >= 820, `expected the 821 reference documents, saw ${n}`);
  assert.deepEqual(bad, []);
});

test('spaCy rules: contractions, abbreviations, URLs, emoticons, infixes', () => {
  const cases: [string, string[]][] = [
    ["I can't, don't you?", ['I', 'ca', "n't", ',', 'do', "n't", 'you', '?']],
    ['e.g. U.S. Mr. Smith', ['e.g.', 'U.S.', 'Mr.', 'Smith']],
    ['Visit https://example.com/a?b=1.', ['Visit', 'https://example.com/a?b=1', '.']],
    ['well-known 3-4 10km $5', ['well', '-', 'known', '3', '-', '4', '10', 'km', '$', '5']],
    ['hi:) there', ['hi', ':)', 'there']],
    ['gonna cannot', ['gon', 'na', 'can', 'not']],
    ['"quoted."', ['"', 'quoted', '.', '"']],
    ['x  y', ['x', 'y']],
  ];
  for (const [text, want] of cases) assert.deepEqual(tok.words(text), want, text);
});

test('sentencizer: whitespace after a period starts the next sentence; U.K. does not end one', () => {
  assert.deepEqual(tok.sentences('One. Two!\nThree'), ['One.', ' Two!', '\nThree']);
  assert.equal(tok.sentenceCount('He moved to the U.K. last year'), 1);
  assert.equal(tok.sentenceCount(''), 1);
  assert.deepEqual(tok.sentences(''), ['']);
});

test('simple splitter: words and punctuation, sentence count', () => {
  assert.deepEqual(simpleWords("It's 3.5 km, ok?"), ["It's", '3', '.', '5', 'km', ',', 'ok', '?']);
  assert.equal(simpleSentenceCount('One. Two! Three'), 3);
  assert.equal(simpleSentenceCount('   '), 1);
});
