import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { textStats } from '../../stages/io/text-stats.ts';

// the one-pass counter must equal the obvious definitions
function naive(t: string): ReturnType<typeof textStats> {
  const words = t.split(/\s+/u).filter(Boolean);
  const wl = words.reduce((a, w) => a + [...w].length, 0);
  const alpha = words.filter((w) => /\p{L}/u.test(w)).length;
  return { chars: [...t].length, words: words.length, lines: t.length ? t.split('\n').length : 0, meanWordLength: words.length ? wl / words.length : 0, alphaWordFraction: words.length ? alpha / words.length : 0 };
}

test('text_stats equals split-based definitions on any string', () => {
  for (const t of ['', 'a', ' a  b\n', 'héllo wörld 123', '𝔘𝔫𝔦 code\u00a0x\u3000y', 'x\r\ny\n\n', '\udc00a \ud800', 'a\ud800\udc00b']) assert.deepEqual(textStats(t), naive(t), JSON.stringify(t));
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' }), fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\ud800', '\udc00', 'é', '\u3000') })), (t) => {
    const a = textStats(t), b = naive(t);
    assert.equal(a.chars, b.chars);
    assert.equal(a.words, b.words);
    assert.equal(a.lines, b.lines);
    assert.ok(Math.abs(a.meanWordLength - b.meanWordLength) < 1e-9);
    assert.ok(Math.abs(a.alphaWordFraction - b.alphaWordFraction) < 1e-9);
  }), { numRuns: 2000 });
});
