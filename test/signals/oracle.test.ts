// Optional: compares the port with the ORIGINAL RedPajama-V2 code on fuzzed texts. Needs a RedPajama-Data checkout
// and a CPython 3.11 with numpy:  CURATE_RPV2_SRC=/path/to/RedPajama-Data [CURATE_PYTHON=python3] node --test ...
// (skipped otherwise). See stages/signals/tools/rpv2_oracle.py.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { prepareBadWords, Rpv2Signals, type RpsSpan } from '../../stages/signals/rpv2.ts';
import { DocView } from '../../stages/signals/view.ts';
import { signalEqual } from './conformance.ts';

const SRC = process.env.CURATE_RPV2_SRC;
const PY = process.env.CURATE_PYTHON ?? 'python3';
const N = Number(process.env.CURATE_RPV2_FUZZ_DOCS ?? 2000);

const PIECES = [
  '\n', '\r\n', '\r', ' ', '\t', '\x0b', '\x1c', '\x85', '\xa0', '\u2028', '\u3000', '\ufeff', '\u200b', '.', '...', '…', '!', '?',
  '”', '"', "'", '#', '{', '}', '-', '–', '•', '_', '’', 'lorem ipsum', 'LOREM IPSUM', 'lorem ipſum', 'dolorem ipsumque', 'javascript',
  'JavaScript:', 'the', 'The', 'and', 'A1', 'ǅ', 'İ', 'ΟΔΟΣ', 'Café', 'Cafe\u0301', '😀', '五', '½', 'Ⅷ', 'ⒶⒷ', '\u037e', '\u1c89',
  '\u{105c9}', '\u{31350}', '\ud800', '\udc00', 'big black', 'girl on top', 'K', '\u212a', 'ẞ',
];

describe('RPv2 port vs the original code on fuzzed texts (CURATE_RPV2_SRC)', { skip: !SRC && 'set CURATE_RPV2_SRC to a RedPajama-Data checkout' }, () => {
  it(`agrees on every value of ${N} fuzzed documents`, () => {
    const piece = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    );
    const texts = fc.sample(fc.array(piece, { maxLength: 80 }).map((a) => a.join('')), { numRuns: N, seed: 20261130 });
    const dir = mkdtempSync(join(tmpdir(), 'rpv2-oracle-'));
    const ldnoobw = fileURLToPath(new URL('./fixtures/ldnoobw/en', import.meta.url));
    writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
    const oracle = fileURLToPath(new URL('../../stages/signals/tools/rpv2_oracle.py', import.meta.url));
    execFileSync(PY, [oracle, '--rpv2', SRC!, '--ldnoobw', ldnoobw, join(dir, 'texts.json'), join(dir, 'out.json')]);
    const ref = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, RpsSpan[]>[];
    const sig = new Rpv2Signals({ badWords: prepareBadWords(readFileSync(ldnoobw, 'utf8')) });
    const bad: string[] = [];
    texts.forEach((t, i) => {
      const got = sig.compute(new DocView(t));
      for (const [name, exp] of Object.entries(ref[i])) if (!signalEqual(exp, got[name])) bad.push(`${name} on ${JSON.stringify(t).slice(0, 80)}`);
    });
    assert.deepEqual(bad.slice(0, 20), []);
  });
});
