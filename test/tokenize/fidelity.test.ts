// Token ids must equal HF tokenizers' (Python, tokenizers 0.23.2) for every reference document, with and without
// special tokens, for both tokenizers that ship with curate. Runs on the native TypeScript implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTokenizer } from '../../classifiers/tokenizers/index.ts';
import { referenceSet } from './helpers.ts';

const { texts, refs } = referenceSet();

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

for (const name of ['llama2', 'llama3'] as const) {
  test(`${name}: ids equal HF tokenizers for all ${texts.length} reference documents (with and without special tokens)`, async () => {
    const tok = await loadTokenizer(name);
    assert.equal(tok.backend, 'native');
    assert.equal(texts.length, refs.length);
    assert.ok(texts.length >= 400);
    const bad: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      for (const special of [false, true]) {
        const want = refs[i][name][special ? 'ids_with_special' : 'ids_no_special'];
        const got = tok.encode(texts[i], { addSpecialTokens: special });
        if (got.length !== want.length || firstDiff(got, want) !== want.length) {
          const k = firstDiff(got, want);
          bad.push(`doc ${i} special=${special}: first difference at token ${k} (got ${got[k]}, want ${want[k]})`);
        }
      }
    }
    assert.deepEqual(bad, []);
    // encodeBatch gives the same ids as encode
    const batch = await tok.encodeBatch(texts.slice(0, 20), { addSpecialTokens: true });
    batch.forEach((ids, i) => assert.deepEqual(Array.from(ids), refs[i][name].ids_with_special));
  });
}

test('tokenizer metadata: vocabulary size, stable hash, name, special-token template', async () => {
  const l2 = await loadTokenizer('llama2');
  const l3 = await loadTokenizer('llama3');
  assert.equal(l2.vocabSize, 32000);
  assert.equal(l3.vocabSize, 128256);
  assert.match(l2.hash, /^[0-9a-f]{64}$/);
  assert.notEqual(l2.hash, l3.hash);
  assert.equal((await loadTokenizer('llama2')).hash, l2.hash);
  assert.equal(l2.name, 'llama2');
  assert.deepEqual(l2.template.pre, [1]);
  assert.deepEqual(l3.template.pre, []);
  assert.equal(l2.tokenToId('</s>'), 2);
  assert.equal(l3.tokenToId('<|end_of_text|>'), 128001);
  assert.equal(l3.tokenToId('no such token here'), undefined);
});
