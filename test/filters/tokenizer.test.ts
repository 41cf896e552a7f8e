// The spaCy port against spaCy's own output: token lists and sentence parts of the edge cases, and word
// count + sha1 of the word list + sentence count of every reference document (datatrove's `tokens` record).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { englishTokenizer } from '../../stages/text/spacy/tokenizer.ts';
import { isLineBoundary } from '../../stages/signals/text.ts';
import { isPySpaceCode } from '../../stages/text/pystr.ts';
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

test('chunk memo: a tiny memo (reset between texts, table regrown) gives the same words and sentence counts', () => {
  const texts = [
    "I can't, don't you? e.g. U.S. Mr. Smith visited https://example.com/a?b=1. It's 10km away.",
    'well-known 3-4 10km $5 hi:) there gonna cannot "quoted." x  y\n\n\tnew  paragraph… done!',
    "Ünïcödé wörds, 😀 emoji; O'Neil's (parens) [brackets] {braces} a.m. p.m. 5p.m. vs. etc.",
  ];
  // many distinct chunks so the slot table regrows several times
  const long = Array.from({ length: 3000 }, (_, i) => `w${i}x, (t${i}). ${i % 7 === 0 ? "it's" : 'a'}`).join(' ');
  const Ctor = tok.constructor as new (data: unknown, limit: number) => typeof tok;
  const data = JSON.parse(readFileSync(new URL('../../stages/text/spacy/en_data.json', import.meta.url), 'utf8'));
  const tiny = new Ctor(data, 5);
  for (let round = 0; round < 2; round++) {
    for (const t of [...texts, long]) {
      assert.deepEqual(tiny.words(t), tok.words(t));
      assert.equal(tiny.sentenceCount(t), tok.sentenceCount(t));
      assert.deepEqual(tiny.sentences(t), tok.sentences(t));
    }
  }
  // word ids of a list tokenized before a reset are no longer handed out
  const w = tiny.words(texts[0]);
  assert.ok(tiny.wordIds(w) !== null);
  tiny.words(long); // more than 5 chunks memoised: the next text resets the memo
  tiny.words(texts[1]);
  assert.equal(tiny.wordIds(w), null);
  // within one list, equal words have equal ids and different words different ids
  const w2 = tok.words(texts[0] + ' ' + texts[0]);
  const ids = tok.wordIds(w2)!;
  for (let i = 0; i < w2.length; i++) for (let j = 0; j < w2.length; j++) assert.equal(ids[i] === ids[j], w2[i] === w2[j]);
});

test("sentence starts over a whole text give each stripped splitlines() line its own sentence count", { skip: !haveShared }, () => {
  const texts: string[] = [];
  for (const set of referenceSets()) for (const d of set.docs) texts.push(d.text);
  // adversarial: sentence punctuation at line ends, special cases and emoticons next to line breaks, \r\n and other
  // Python line boundaries, leading / trailing spaces around them
  const parts = ['Hello.', 'e.g.', 'U.S.', '(:', ':)', "'s", '...', '!', '?', 'Mr.', 'x', '"', '”', '(', ')', '-', '5p.m.', 'a.m.'];
  const seps = ['\n', '\r\n', '\r', ' \n ', '\u2028', '\x0b', '\x1c', '\x85', '  \n\n', ' '];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let k = 0; k < 400; k++) {
    let t = '';
    for (let j = 0, m = 1 + rnd(30); j < m; j++) t += parts[rnd(parts.length)] + seps[rnd(seps.length)];
    texts.push(t);
  }
  let lines = 0;
  for (const text of texts) {
    const starts = tok.sentenceStartOffsets(text);
    let a = 0;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : -1;
      if (c !== -1 && !isLineBoundary(c)) continue;
      // the line text[a, i), stripped
      let x = a;
      let y = i;
      while (x < y && isPySpaceCode(text.charCodeAt(x))) x++;
      while (y > x && isPySpaceCode(text.charCodeAt(y - 1))) y--;
      if (x < y) {
        let inside = 0;
        for (const s of starts) if (s > x && s < y) inside++;
        assert.equal(1 + inside, tok.sentenceCount(text.slice(x, y)), `line ${JSON.stringify(text.slice(x, y))} of ${JSON.stringify(text.slice(0, 200))}`);
        lines++;
      }
      a = c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  assert.ok(lines > 10000, `only ${lines} lines checked`);
});

test('the windowed suffix search finds what the unanchored suffix regex finds', { skip: !haveShared }, () => {
  const t = tok as unknown as { findSuffix(s: string): number; suffixRe: RegExp; suffixWindow: number };
  assert.ok(t.suffixWindow >= 3 && t.suffixWindow < 20, `window ${t.suffixWindow}`);
  const direct = (s: string): number => t.suffixRe.exec(s)?.[0].length ?? 0;
  const chunks = new Set<string>();
  for (const set of referenceSets()) for (const d of set.docs) for (const c of d.text.split(/\s+/)) if (c) chunks.add(c);
  const alphabet = ['.', '.', '..', '…', 'a', 'Z', '5', '0', 'km', 'm²', '/s', '°', 'F', 'C', "'", '’', 's', 'S', '$', 'US$', '€', ')', '(', '"', '”', '!', '?', ',', '-', '—', '+', '%', 'é', 'Ü', '😀', 'км', '²', 'km/h', 'mbar', 'км/ч', 'اكواب', 'جرام'];
  let seed = 11;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let k = 0; k < 20000; k++) {
    let s = '';
    for (let j = 0, m = 1 + rnd(8); j < m; j++) s += alphabet[rnd(alphabet.length)];
    chunks.add(s);
  }
  let n = 0;
  for (const c of chunks) {
    // findSuffix's own shortcuts (ASCII digit / letter endings) return 0 before any regex; compare past them
    const got = t.findSuffix(c);
    if (got !== 0 || direct(c) !== 0) assert.equal(got, direct(c), JSON.stringify(c));
    n++;
  }
  assert.ok(n > 30000, `only ${n} chunks`);
});

test('wordSpans: every word is the text at its span', { skip: !haveShared }, () => {
  let n = 0;
  for (const set of referenceSets()) {
    for (const d of set.docs) {
      const words = tok.words(d.text);
      const sp = tok.wordSpans(words)!;
      assert.equal(sp.text, d.text);
      assert.equal(sp.starts.length, words.length);
      for (let i = 0; i < words.length; i++) {
        assert.equal(d.text.slice(sp.starts[i], sp.starts[i] + sp.lens[i]), words[i], `${d.id} word ${i}`);
        n++;
      }
    }
  }
  assert.equal(tok.wordSpans(['not', 'from', 'words()']), null);
  assert.ok(n > 100000, `only ${n} words`);
});
