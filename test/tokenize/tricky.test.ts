// Native ids vs the `tokenizers` npm package (HF's Rust library) on strings that exercise every code path, on the
// two shipped tokenizers and on variants built from them in the shapes of other popular tokenizer.json files:
// gpt-neox-20b (NFC + ByteLevel with the GPT-2 regex + normalized added tokens for space runs), Mistral v0.1
// (Metaspace pre-tokenizer instead of the Prepend/Replace normalizers, legacy and current spellings), Qwen2-style
// digits, and BOS/EOS templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer as Hf } from 'tokenizers';
import { tokenizerFromBytes } from '../../classifiers/tokenizers/index.ts';
import { GPT2_PATTERN, QWEN2_PATTERN } from '../../classifiers/tokenizers/pretokenize.ts';
import { SHARED, TRICKY, namedJson, readJsonlGz } from './helpers.ts';

const web = readJsonlGz<{ text: string }>(`${SHARED}data/web_docs.jsonl.gz`).map((r) => r.text);

/** Random strings over an alphabet of troublesome pieces (deterministic). */
function fuzz(n: number, seed: number): string[] {
  const alphabet = ['a', 'Z', 'é', ' ', ' ', '  ', '\n', '\r\n', '\t', '1', '22', '333', '.', ',', "'", "'s", "'LL", 'e\u0301',
    '中', '😀', '\u00a0', '\u0085', '\u200d', '▁', '<s>', '</s>', '<|end_of_text|>', '-', '_', 'ß', 'İ', 'ǅ', '٣', '\ud800'];
  let s = seed >>> 0;
  const r = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    const len = 1 + Math.floor(r() * 30);
    for (let k = 0; k < len; k++) t += alphabet[Math.floor(r() * alphabet.length)];
    out.push(t);
  }
  return out;
}

const FUZZ = fuzz(600, 7);
const WEB = web.filter((_, i) => i % 10 === 0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function compare(label: string, json: any, extra: string[] = [], texts: string[] = [...TRICKY, ...FUZZ, ...WEB]): Promise<void> {
  const raw = JSON.stringify(json);
  const hf = Hf.fromString(raw);
  const ours = tokenizerFromBytes(new TextEncoder().encode(raw), label, { backend: 'native' });
  assert.equal(ours.backend, 'native');
  const bad: string[] = [];
  for (const s of [...texts, ...extra]) {
    for (const special of [false, true]) {
      const want = (await hf.encode(s, null, { addSpecialTokens: special })).getIds();
      const got = Array.from(ours.encode(s, { addSpecialTokens: special }));
      if (got.length !== want.length || got.some((x, i) => x !== want[i])) bad.push(`${JSON.stringify(s.slice(0, 60))} special=${special}`);
    }
  }
  assert.deepEqual(bad.slice(0, 10), [], `${label}: ${bad.length} strings differ`);
}

test('llama2 and llama3 as shipped: tricky strings, fuzz and web documents', async () => {
  await compare('llama2', namedJson('llama2'));
  await compare('llama3', namedJson('llama3'));
});

test('gpt-neox-20b shape: NFC, ByteLevel pre-tokenizer (GPT-2 regex), added tokens for space runs', async () => {
  const j = namedJson('llama3');
  j.normalizer = { type: 'NFC' };
  j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  j.post_processor = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  delete j.model.ignore_merges;
  // gpt-neox-20b adds non-special, normalized tokens for runs of spaces; here with ids outside the vocabulary
  const next = 128256;
  j.added_tokens = [
    { id: 128000, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ...[24, 16, 8, 4, 2].map((n, i) => ({ id: next + i, content: ' '.repeat(n), single_word: false, lstrip: false, rstrip: false, normalized: true, special: false })),
  ];
  await compare('neox-shape', j, ['a' + ' '.repeat(50) + 'b', '<|endoftext|> x  y', '   ']);
});

test('gpt-neox-20b shape with add_prefix_space, and a pre-tokenizer Sequence with Digits before the split', async () => {
  const j = namedJson('llama3');
  j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  await compare('bytelevel-prefix', j);
  const k = namedJson('llama3');
  k.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Digits', individual_digits: true },
      { type: 'Split', pattern: { Regex: GPT2_PATTERN }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
  await compare('digits+gpt2', k);
});

test('Qwen2-style split (single digits) and a generic regex split', async () => {
  const j = namedJson('llama3');
  j.pre_tokenizer.pretokenizers[0].pattern.Regex = QWEN2_PATTERN;
  await compare('qwen2-shape', j);
  const k = namedJson('llama3');
  k.pre_tokenizer.pretokenizers[0].pattern.Regex = '\\s+|\\p{P}+';
  await compare('generic-regex', k);
});

test('Mistral v0.1 shapes: Metaspace pre-tokenizer (prepend_scheme first / legacy add_prefix_space / split)', async () => {
  for (const pre of [
    { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
    { type: 'Metaspace', replacement: '▁', add_prefix_space: true },
    { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  ]) {
    const j = namedJson('llama2');
    j.normalizer = null;
    j.pre_tokenizer = pre;
    await compare(`mistral-shape ${JSON.stringify(pre)}`, j);
  }
});

test('templates with BOS and EOS, added tokens with lstrip/rstrip/single_word, lowercase + NFKC normalizer', async () => {
  const j = namedJson('llama3');
  j.post_processor = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|end_of_text|>', type_id: 0 } }],
    pair: [],
    special_tokens: {
      '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] },
      '<|end_of_text|>': { id: '<|end_of_text|>', ids: [128001], tokens: ['<|end_of_text|>'] },
    },
  };
  j.added_tokens.push(
    { id: 1000, content: 'Hello', single_word: true, lstrip: false, rstrip: false, normalized: true, special: false },
    { id: 1001, content: '<mask>', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true },
  );
  await compare('template+added', j, ['Hello <mask> x', 'Hello', 'xHello', ' Hello, <mask>  y', 'a<mask>b', '  <mask>']);
  const k = namedJson('llama2');
  k.normalizer.normalizers.unshift({ type: 'NFKC' }, { type: 'Lowercase' });
  await compare('nfkc-lowercase', k);
});
