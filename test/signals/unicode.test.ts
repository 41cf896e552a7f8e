// CPython 3.11 semantics of the building blocks: character predicates, lower/NFD, round(x, 8), string helpers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CP_FLAGS, F_ALPHA, F_NUMERIC, F_SPACE, F_TITLE, F_UNASSIGNED, F_UPPER, F_WORD, cpLength, pyIsUpper, pyLower, pyNFD, pyRound8,
} from '../../stages/signals/unicode.ts';
import { pySplitlines, pySplitWhitespace, pyStrip, rpv2Lines, rpv2Normalize, wordPunctTokenize } from '../../stages/signals/text.ts';

const has = (s: string, f: number): boolean => (CP_FLAGS[s.codePointAt(0)!] & f) !== 0;

describe('character predicates (Unicode 14.0.0, as CPython 3.11)', () => {
  it('whitespace is str.isspace(), not JS \\s', () => {
    for (const c of ['\t', '\n', '\x0b', '\x0c', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ', '\x85', '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000']) {
      assert.ok(has(c, F_SPACE), `U+${c.codePointAt(0)!.toString(16)} is whitespace`);
    }
    for (const c of ['\ufeff', '\u200b', '\u180e', 'a', '_']) assert.ok(!has(c, F_SPACE), `U+${c.codePointAt(0)!.toString(16)} is not whitespace`);
  });
  it('\\w = letters, numbers and underscore; combining marks are not word characters', () => {
    for (const c of ['a', 'Z', '_', '5', '٣', '五', '½', 'é', '𝔘']) assert.ok(has(c, F_WORD), c);
    for (const c of ['\u0301', '-', '’', ' ', '😀']) assert.ok(!has(c, F_WORD), c);
  });
  it('uppercase is the Uppercase property; titlecase, numeric, alpha', () => {
    for (const c of ['A', 'Ⅷ', 'Ⓐ', 'ẞ', 'İ']) assert.ok(has(c, F_UPPER), c);
    for (const c of ['a', 'ǅ', '1', 'ß']) assert.ok(!has(c, F_UPPER), c);
    assert.ok(has('ǅ', F_TITLE));
    for (const c of ['5', '½', '²', 'Ⅷ', '五', '億', '٣']) assert.ok(has(c, F_NUMERIC), c);
    assert.ok(!has('a', F_NUMERIC));
    assert.ok(has('é', F_ALPHA) && !has('1', F_ALPHA));
  });
  it('code points assigned after Unicode 14 are unknown, as in CPython 3.11', () => {
    // U+1C89 (Unicode 16), U+105C9 (Unicode 16), U+31350 (CJK ext H, Unicode 15)
    for (const cp of [0x1c89, 0x105c9, 0x31350]) {
      assert.ok(CP_FLAGS[cp] & F_UNASSIGNED);
      assert.equal(CP_FLAGS[cp] & (F_WORD | F_UPPER | F_ALPHA), 0);
    }
  });
});

describe('str.isupper(), lower(), NFD, len()', () => {
  it('isupper on words', () => {
    assert.equal(pyIsUpper('A1'), true);
    assert.equal(pyIsUpper('123'), false);
    assert.equal(pyIsUpper('ǅ'), false);
    assert.equal(pyIsUpper('ⅠⅡ'), true);
    assert.equal(pyIsUpper('ABc'), false);
    assert.equal(pyIsUpper('.'), false);
  });
  it('lower is full lowercasing; newer characters stay unchanged', () => {
    assert.equal(pyLower('İ'), 'i\u0307');
    assert.equal(pyLower('ẞ'), 'ß');
    assert.equal(pyLower('ΟΔΟΣ'), 'οδος'); // final sigma
    assert.equal(pyLower('A\u1c89B'), 'a\u1c89b'); // U+1C89 has a lowercase only since Unicode 16
  });
  it('NFD does not decompose characters newer than Unicode 14', () => {
    assert.equal(pyNFD('é'), 'e\u0301');
    assert.equal(pyNFD('\u{105c9}é'), '\u{105c9}e\u0301');
  });
  it('len counts code points', () => {
    assert.equal(cpLength('a😀b'), 3);
    assert.equal(cpLength('\ud800x'), 2);
  });
});

describe("Python round(x, 8)", () => {
  it('breaks exact ties to even, from the exact binary value', () => {
    assert.equal(pyRound8(1 / 512), 0.00195312);
    assert.equal(pyRound8(0.001953125), 0.00195312);
    assert.equal(pyRound8(3 * 0.001953125), 0.00585938);
    assert.equal(pyRound8(1 / 3), 0.33333333);
    assert.equal(pyRound8(2 / 3), 0.66666667);
    assert.equal(pyRound8(22 / 12), 1.83333333);
    assert.equal(pyRound8(0), 0);
    assert.equal(pyRound8(1), 1);
    assert.equal(pyRound8(-1 / 512), -0.00195312);
    assert.equal(pyRound8(12345678.123456785), 12345678.12345679); // not a tie in binary
  });
});

describe('string helpers', () => {
  it('strip/split use Python whitespace', () => {
    assert.equal(pyStrip('\x1c a \x85'), 'a');
    assert.equal(pyStrip('\ufeffa'), '\ufeffa');
    assert.deepEqual(pySplitWhitespace(' a\u2003b\x1fc  '), ['a', 'b', 'c']);
    assert.deepEqual(pySplitWhitespace('\ufeffzeta\u200beta'), ['\ufeffzeta\u200beta']);
  });
  it('splitlines and RPv2 lines', () => {
    assert.deepEqual(pySplitlines('a\r\nb\rc\x0bd\x1ce\u2028f\n'), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(pySplitlines(''), []);
    assert.deepEqual(pySplitlines('\n'), ['']);
    const l = rpv2Lines('a\n\n😀b');
    assert.deepEqual(l.map((x) => [x.start, x.end]), [[0, 2], [2, 3], [3, 5]]);
    assert.deepEqual(rpv2Lines('x\n').map((x) => [x.start, x.end]), [[0, 2]]);
    assert.deepEqual(rpv2Lines(''), []);
  });
  it('RPv2 normalisation order: punctuation, lower, strip, collapse, NFD', () => {
    assert.equal(rpv2Normalize("  Don't  lorem-ipsum\t Café! "), 'dont loremipsum cafe\u0301');
    assert.equal(rpv2Normalize('don’t'), 'don’t');
    assert.equal(rpv2Normalize('\u037e'), ';'); // GREEK QUESTION MARK decomposes to ';' after punctuation removal
  });
  it('WordPunct tokens', () => {
    assert.deepEqual(wordPunctTokenize("can't $3.88 Cafe\u0301."), ['can', "'", 't', '$', '3', '.', '88', 'Cafe', '\u0301.']);
  });
});

describe('stop words (case-sensitive, WordPunct tokens)', () => {
  it('counts ASCII and non-ASCII stop words of the chosen language', async () => {
    const { computeRpv2Signals } = await import('../../stages/signals/rpv2.ts');
    const en = computeRpv2Signals("The cat and the dog, don't", { signals: ['rps_doc_stop_word_fraction'] });
    // tokens: The cat and the dog , don ' t -> stop words: and, the, t ("The" is not: case-sensitive)
    assert.equal(en.rps_doc_stop_word_fraction[0][2], 0.33333333);
    const de = computeRpv2Signals('über alles und Haus', { signals: ['rps_doc_stop_word_fraction'], language: 'de' });
    assert.equal(de.rps_doc_stop_word_fraction[0][2], 0.75); // über, alles, und
    const fr = computeRpv2Signals('été très beau', { signals: ['rps_doc_stop_word_fraction'], language: 'fr' });
    assert.ok((fr.rps_doc_stop_word_fraction[0][2] as number) > 0);
  });

  it('agrees with a direct count over every word of every list, and near misses of them', async () => {
    const { computeRpv2Signals } = await import('../../stages/signals/rpv2.ts');
    const { RPV2_STOP_WORDS } = await import('../../stages/signals/data/stopwords.ts');
    const { pyRound8 } = await import('../../stages/signals/unicode.ts');
    for (const [language, list] of Object.entries(RPV2_STOP_WORDS)) {
      const stop = new Set(list);
      const parts: string[] = [];
      for (const w of list) {
        // the word, and tokens that share a prefix with it (e.g. "später" after "spät", "k" + "önnen")
        parts.push(w, w + 'x', w.slice(0, -1), w.slice(1), w.toUpperCase(), w + '\u00e9', '\u00e9' + w, w + w);
      }
      const text = parts.join(' ');
      const tokens = wordPunctTokenize(text);
      const expected = pyRound8(tokens.filter((t) => stop.has(t)).length / tokens.length);
      const got = computeRpv2Signals(text, { signals: ['rps_doc_stop_word_fraction'], language });
      assert.equal(got.rps_doc_stop_word_fraction[0][2], expected, language);
    }
  });
});
