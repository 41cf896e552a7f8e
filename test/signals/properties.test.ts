// Property tests: any Unicode string (astral characters, lone surrogates, exotic whitespace, characters newer than
// Unicode 14) gives well-formed RPv2 signals, and the single-pass document view agrees with the direct,
// whole-string definitions (normalize(text).split(), per-line normalize, WordPunct tokens).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rpv2Signals, isLineSignal, prepareBadWords, type RpsSpan } from '../../stages/signals/rpv2.ts';
import { DocView, loneSurrogateStandIns, setNgramPackLimit } from '../../stages/signals/view.ts';
import { pySplitWhitespace, rpv2Lines, rpv2Normalize, wordPunctTokenize } from '../../stages/signals/text.ts';
import { CP_FLAGS, F_NUMERIC, cpLength, pyIsUpper, pyRound8 } from '../../stages/signals/unicode.ts';

const PIECES = [
  '\n', '\r\n', '\r', ' ', '  ', '\t', '\x0b', '\x0c', '\x1c', '\x85', '\xa0', '\u2028', '\u3000', '\ufeff', '\u200b',
  '.', '...', '…', '!', '?', '”', '"', "'", '#', '{', '}', '-', '–', '•', '▪', '_', '’',
  'lorem ipsum', 'LOREM IPSUM', 'lorem ipſum', 'lorem ıpsum', 'dolorem', 'javascript', 'JavaScript:', 'the', 'The', 'and', 'A1', 'ǅ', 'İ', 'ΟΔΟΣ',
  'Café', 'Cafe\u0301', '😀', '𝔘𝔫', '五', '½', '²', 'Ⅷ', 'ⒶⒷ', '٣', '\u037e', '\u1c89', '\u{105c9}', '\u{31350}', '\ud800', '\udc00',
  'word', 'words', 'la', 'big black', 'girl on top',
];
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
);
const text = fc.array(piece, { maxLength: 60 }).map((a) => a.join(''));
// repetitive texts exercise the n-gram signals
const repetitive = fc
  .tuple(fc.array(fc.constantFrom('la', 'de', 'da', 'x', 'Big', 'black', '.', '\n', 'the'), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 30 }))
  .map(([ws, k]) => Array.from({ length: k }, (_, i) => ws[i % ws.length]).join(' '));
const anyText = fc.oneof(text, repetitive);

const signals = new Rpv2Signals({ badWords: prepareBadWords('big black\nblack\ngirl on\ngirl on top\nla la la la la la\n') });

describe('RPv2 signals on arbitrary Unicode text', () => {
  it('never throws; spans are inside the text, lines tile it, types are right', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const len = [...t].length;
        const res = signals.compute(new DocView(t));
        const lines = rpv2Lines(t);
        for (const name of signals.names) {
          if (name === 'rps_doc_ut1_blacklist') continue;
          const spans = res[name] as RpsSpan[];
          assert.ok(Array.isArray(spans), name);
          if (!isLineSignal(name)) {
            assert.equal(spans.length, 1, name);
            assert.equal(spans[0][0], 0);
            assert.equal(spans[0][1], len);
            const v = spans[0][2];
            assert.ok(v === null || Number.isFinite(v), `${name} = ${v}`);
            if (v !== null && name !== 'rps_doc_unigram_entropy' && name !== 'rps_doc_mean_word_length' && name !== 'rps_doc_num_sentences' &&
              name !== 'rps_doc_word_count' && name !== 'rps_doc_ldnoobw_words' && !name.startsWith('rps_doc_frac_chars_top') && name !== 'rps_doc_symbol_to_word_ratio') {
              assert.ok(v >= 0 && v <= 1, `${name} = ${v} outside [0, 1]`);
            }
            continue;
          }
          if (len === 0) {
            assert.deepEqual(spans, name === 'rps_lines_start_with_bulletpoint' ? [[0, 0, null]] : []);
            continue;
          }
          assert.equal(spans.length, lines.length, name);
          let pos = 0;
          for (const [s, e, v] of spans) {
            assert.equal(s, pos);
            assert.ok(e > s && e <= len);
            assert.ok(typeof v === 'number' && Number.isFinite(v));
            pos = e;
          }
          assert.equal(pos, len);
        }
        assert.ok(Number.isInteger(res.rps_doc_word_count[0][2]));
      }),
      { numRuns: 400 },
    );
  });

  it('the single-pass view equals the whole-string definitions', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const v = new DocView(t);
        // lone surrogates get unpairable stand-ins in normalised words (CPython never pairs them)
        const tn = loneSurrogateStandIns(t);
        assert.deepEqual(v.words, pySplitWhitespace(rpv2Normalize(tn)));
        assert.equal(v.length, cpLength(t));
        assert.equal(v.normalizedLength, cpLength(rpv2Normalize(tn)));
        const lines = rpv2Lines(t);
        assert.equal(v.lineCount, lines.length);
        lines.forEach((l, i) => {
          const raw = t.slice(l.start16, l.end16);
          const norm = rpv2Normalize(loneSurrogateStandIns(raw));
          assert.equal(v.lineStart[i], l.start);
          assert.equal(v.lineEnd[i], l.end);
          assert.equal(v.lineWords[i], pySplitWhitespace(norm).length);
          assert.equal(v.lineNormLength[i], cpLength(norm));
          assert.equal(v.lineNumeric[i], [...norm].filter((c) => CP_FLAGS[c.codePointAt(0)!] & F_NUMERIC).length);
          assert.equal(v.lineJavascript[i], pySplitWhitespace(norm).filter((w) => w === 'javascript').length);
        });
        const raw = wordPunctTokenize(t);
        assert.equal(v.rawWordCount, raw.length);
        assert.deepEqual(Array.from({ length: v.rawWordCount }, (_, i) => v.rawWord(i)), raw);
        assert.equal(v.rawAllCaps, raw.filter(pyIsUpper).length);
        assert.equal(v.rawWithAsciiAlpha, raw.filter((w) => /[a-zA-Z]/.test(w)).length);
      }),
      { numRuns: 400 },
    );
  });

  it('word ids: equal words equal ids in first-occurrence order, and wordId() finds each word', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const v = new DocView(t);
        const first = new Map<string, number>();
        v.words.forEach((w, i) => {
          if (!first.has(w)) first.set(w, first.size);
          assert.equal(v.wordIds[i], first.get(w));
          assert.equal(v.wordId(w), first.get(w));
        });
        assert.equal(v.wordId('\u0000not-a-word'), -1);
      }),
      { numRuns: 300 },
    );
  });

  it('LDNOOBW, lorem ipsum and entropy equal their direct definitions on the words', () => {
    const entries = ['big black', 'black', 'girl on', 'girl on top', 'la la la la la la'];
    fc.assert(
      fc.property(anyText, (t) => {
        const v = new DocView(t);
        const res = signals.compute(v);
        const words = v.words;
        const N = words.length;
        let bad = 0;
        for (const e of entries) {
          const n = e.split(' ').length;
          for (let i = 0; i + n <= N; i++) if (words.slice(i, i + n).join(' ') === e) bad++;
        }
        assert.equal(res.rps_doc_ldnoobw_words[0][2], N === 0 ? 0 : bad);
        const norm = words.join(' ');
        // RPv2: 0 unless the exact text "lorem ipsum" occurs; then every case-insensitive match counts (CPython's
        // IGNORECASE: i also matches İ/ı, s also matches ſ)
        const lorem = norm.includes('lorem ipsum') ? (norm.match(/[lL][oO][rR][eE][mM] [iI\u0130\u0131][pP][sS\u017f][uU][mM]/g) ?? []).length : 0;
        assert.equal(res.rps_doc_lorem_ipsum[0][2], N === 0 ? 0 : pyRound8(lorem / [...norm].length));
        const counts = new Map<string, number>();
        for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
        let e = 0;
        for (const c of counts.values()) e += (-c / N) * Math.log(c / N);
        assert.equal(res.rps_doc_unigram_entropy[0][2], N === 0 ? null : pyRound8(e));
      }),
      { numRuns: 400 },
    );
  });

  for (const packed of [true, false]) it(`n-gram levels match a direct count of n-gram strings (${packed ? 'packed pairs' : 'pair table'})`, () => {
    const old = setNgramPackLimit(packed ? Infinity : 0);
    try {
      fc.assert(
        fc.property(repetitive, fc.integer({ min: 1, max: 10 }), (t, n) => {
          const v = new DocView(t);
          const lvl = v.ngrams(n);
          const grams: string[] = [];
          for (let i = 0; i + n <= v.words.length; i++) grams.push(v.words.slice(i, i + n).join('\u0000'));
          const count = new Map<string, number>();
          for (const g of grams) count.set(g, (count.get(g) ?? 0) + 1);
          assert.equal(lvl.rep.length, grams.length);
          const firstSeen = new Map<number, string>();
          let lastNewId = -1;
          grams.forEach((g, i) => {
            const c = count.get(g)!;
            if (c < 2) assert.equal(lvl.rep[i], -1);
            else {
              assert.ok(lvl.rep[i] >= 0);
              assert.equal(lvl.counts[lvl.rep[i]], c);
              const prev = firstSeen.get(lvl.rep[i]);
              if (prev === undefined) {
                // ids in first-occurrence order (topNgram's tie-break relies on it)
                assert.ok(lvl.rep[i] > lastNewId);
                lastNewId = lvl.rep[i];
                firstSeen.set(lvl.rep[i], g);
              } else assert.equal(prev, g);
            }
          });
          assert.equal(lvl.distinct, firstSeen.size);
          let adjacent = 0;
          for (let k = 0; k + 1 < lvl.pos.length; k++) if (lvl.pos[k + 1] === lvl.pos[k] + 1) adjacent++;
          assert.equal(lvl.adjacent, adjacent);
          // the same level reached through level 1 (built only when asked for) instead of straight from the words
          const v1 = new DocView(t);
          v1.ngrams(1);
          const lvl1 = v1.ngrams(n);
          assert.deepEqual([...lvl1.pos], [...lvl.pos]);
          assert.equal(lvl1.distinct, lvl.distinct);
          for (let k = 0; k < lvl.pos.length; k++) assert.equal(lvl1.counts[lvl1.ids[k]], lvl.counts[lvl.ids[k]]);
        }),
        { numRuns: 300 },
      );
    } finally {
      setNgramPackLimit(old);
    }
  });
});
