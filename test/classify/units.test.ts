// Unit tests of the classifier building blocks: heads, truncation, featurizer, AUC, stage parameter checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHead, headColumns, labelKey, roundHalfEven, type HeadSpec } from '../../classifiers/heads.ts';
import { resolveHead, truncateChars, Classifier, releaseSessions, halfToFloat } from '../../classifiers/model.ts';
import { HashedNgramFeaturizer, defaultFeaturizerConfig, parseFeaturizerConfig } from '../../classifiers/linear/featurizer.ts';
import { evaluate, isHeldOut, orderLabels, rocAuc } from '../../classifiers/linear/train.ts';
import { classifyStage } from '../../stages/classify/classify.ts';
import { loadHfTokenizer } from '../../classifiers/tokenizer.ts';
import { MODELS } from './helpers.ts';

test('roundHalfEven is Python round()', () => {
  const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [4.5, 4], [2.4999, 2], [2.5001, 3], [-0.5, -0], [-1.5, -2], [5, 5], [0, 0]];
  for (const [x, want] of cases) assert.equal(roundHalfEven(x), want, `round(${x})`);
});

test('regression head: score raw, int_score clamped and rounded; clampScore option', () => {
  const h: HeadSpec = { kind: 'regression', name: 'edu', labels: [], intScoreRange: [0, 5], clampScore: false, threshold: 0.5, keepLogits: false };
  const cols: Record<string, unknown> = {};
  applyHead(h, Float32Array.of(5.7), 0, 1, cols as never);
  assert.deepEqual(cols, { edu_score: Math.fround(5.7), edu_int_score: 5 });
  applyHead(h, Float32Array.of(-0.2), 0, 1, cols as never);
  assert.equal(cols.edu_int_score, 0);
  applyHead(h, [2.5], 0, 1, cols as never);
  assert.equal(cols.edu_int_score, 2);
  applyHead({ ...h, clampScore: true }, [7], 0, 1, cols as never);
  assert.equal(cols.edu_score, 5);
  assert.deepEqual(headColumns({ ...h, intScoreRange: null }).map((c) => c.name), ['edu_score']);
});

test('softmax head: argmax label, probabilities sum to 1, column names from labels', () => {
  const h: HeadSpec = { kind: 'softmax', name: 'q', labels: ['High', 'Medium', 'Low quality!'], intScoreRange: null, clampScore: false, threshold: 0.5, keepLogits: true };
  assert.deepEqual(headColumns(h).map((c) => c.name), ['q_label', 'q_prob_high', 'q_prob_medium', 'q_prob_low_quality', 'q_logits']);
  const cols: Record<string, unknown> = {};
  applyHead(h, [9, 0.1, 0.2, 0.3, 9], 1, 3, cols as never);
  assert.equal(cols.q_label, 'Low quality!');
  const s = (cols.q_prob_high as number) + (cols.q_prob_medium as number) + (cols.q_prob_low_quality as number);
  assert.ok(Math.abs(s - 1) < 1e-12);
  assert.deepEqual(cols.q_logits, [0.1, 0.2, 0.3]);
  assert.equal(labelKey('__label__hq'), 'label_hq');
  assert.throws(() => headColumns({ ...h, labels: ['A b', 'a-B'] }), /same column name/);
});

test('binary sigmoid head: score = P(positive), label by threshold', () => {
  const h: HeadSpec = { kind: 'sigmoid', name: 'lin', labels: ['low', 'high'], intScoreRange: null, clampScore: false, threshold: 0.7, keepLogits: false };
  const cols: Record<string, unknown> = {};
  applyHead(h, [0], 0, 1, cols as never);
  assert.deepEqual(cols, { lin_score: 0.5, lin_label: 'low' });
  applyHead(h, [2], 0, 1, cols as never);
  assert.equal(cols.lin_label, 'high');
});

test('resolveHead: from problem_type / id2label / overrides', () => {
  assert.equal(resolveHead({ problem_type: 'regression', id2label: { 0: 'LABEL_0' } }, 1, {}).kind, 'regression');
  assert.deepEqual(resolveHead({ id2label: { 0: 'High', 1: 'Medium', 2: 'Low' } }, 3, {}), { kind: 'softmax', labels: ['High', 'Medium', 'Low'] });
  assert.equal(resolveHead({ problem_type: 'multi_label_classification', id2label: { 0: 'a', 1: 'b' } }, 2, {}).kind, 'sigmoid');
  assert.equal(resolveHead({ id2label: { 0: 'LABEL_0' } }, 1, {}).kind, 'regression');
  assert.throws(() => resolveHead({ id2label: { 0: 'High', 1: 'Medium', 2: 'Low' } }, 3, { labels: ['Low', 'Medium', 'High'] }), /different order/);
  assert.throws(() => resolveHead({ id2label: { 0: 'High', 1: 'Medium', 2: 'Low' } }, 3, { labels: ['a', 'b', 'c'] }), /do not match/);
  // placeholder names of an export without id2label can be renamed
  assert.deepEqual(resolveHead({ id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } }, 2, { labels: ['bad', 'good'] }), { kind: 'softmax', labels: ['bad', 'good'] });
});

test('truncateChars counts code points like Python text[:n]', () => {
  assert.equal(truncateChars('abcdef', 3), 'abc');
  assert.equal(truncateChars('a😀b😀c', 3), 'a😀b');
  assert.equal(truncateChars('😀😀😀', 2), '😀😀');
  assert.equal(truncateChars('abc', null), 'abc');
  assert.equal(truncateChars('abc', 10), 'abc');
});

test('maxChars cuts before tokenizing: ids equal those of the cut text', async () => {
  const text = 'Quality classifiers truncate documents. '.repeat(300);
  const tok = loadHfTokenizer(`${MODELS}quality-deberta-tiny/tokenizer.json`, 512);
  const clf = await Classifier.load(`${MODELS}quality-deberta-tiny`, { batchSize: 4, threads: 1, maxTokens: 1024 });
  assert.equal(clf.maxTokens, 512, 'capped at the absolute position embeddings of the fixture model');
  const [a] = await clf.encode([truncateChars(text, 100)]);
  const [b] = await tok.encodeBatch([text.slice(0, 100)]);
  assert.deepEqual(Array.from(a.ids), Array.from(b));
  const [long] = await clf.encode([text]);
  assert.equal(long.ids.length, 512);
  await releaseSessions();
});

test('featurizer: case-insensitive words, unigrams+bigrams, L2-normalised, deterministic', () => {
  const f = new HashedNgramFeaturizer(defaultFeaturizerConfig({ bucketsLog2: 20 }));
  const a = f.featurize('Hello, World! hello world');
  const b = f.featurize('hello world HELLO WORLD');
  assert.deepEqual(Array.from(a.ids).sort(), Array.from(b.ids).sort());
  // buckets: hello, world, "hello world", "world hello" = 4 distinct
  assert.equal(a.ids.length, 4);
  let ss = 0;
  for (const w of a.weights) ss += w * w;
  assert.ok(Math.abs(ss - 1) < 1e-6);
  const uni = new HashedNgramFeaturizer(defaultFeaturizerConfig({ bucketsLog2: 20, ngrams: 1 })).featurize('Hello, World! hello world');
  assert.equal(uni.ids.length, 2);
  assert.equal(f.featurize('').ids.length, 0);
  assert.equal(f.featurize('  ,;  ').ids.length, 0);
  // non-ASCII letters are word characters and lower-cased
  assert.deepEqual(Array.from(f.featurize('ÉTÉ Straße').ids).sort(), Array.from(f.featurize('été straße').ids).sort());
  // a batch equals documents one by one, also when the scratch table grows
  const big = Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' ');
  const texts = ['one two three', big, 'x', big.slice(0, 1000)];
  const fb = f.featurizeBatch(texts);
  texts.forEach((t, i) => {
    const one = f.featurize(t);
    assert.deepEqual(Array.from(fb.ids.subarray(fb.offsets[i], fb.offsets[i + 1])), Array.from(one.ids));
    assert.deepEqual(Array.from(fb.weights.subarray(fb.offsets[i], fb.offsets[i + 1])), Array.from(one.weights));
  });
  const nBig = f.featurize(big).ids.length; // 9,999 n-grams into 2^20 buckets: ~48 collisions expected
  assert.ok(nBig > 9900 && nBig <= 9999, `distinct buckets ${nBig}`);
  assert.throws(() => parseFeaturizerConfig({ type: 'hashed-ngram', version: 1, bucketsLog2: 40, ngrams: 2, weighting: 'log1p-l2' }), /bucketsLog2/);
});

test('rocAuc: perfect, inverted, ties count half', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]), 0.5);
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [true, true])));
  const m = evaluate(['low', 'high'], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], ['low', 'high', 'high']);
  assert.equal(m.accuracy, 2 / 3);
  assert.equal(m.auc, 1);
});

test('labels and split helpers', () => {
  assert.deepEqual(orderLabels(['low', 'high', 'low']), ['low', 'high']);
  assert.deepEqual(orderLabels(['0', '1']), ['0', '1']);
  assert.deepEqual(orderLabels(['spam', 'ham']), ['spam', 'ham']);
  assert.deepEqual(orderLabels(['a', 'b'], 'a'), ['b', 'a']);
  assert.throws(() => orderLabels(['a', 'b'], 'c'), /not one of/);
  let held = 0;
  for (let i = 0; i < 10000; i++) if (isHeldOut(`doc-${i}`, 0.2, 7)) held++;
  assert.ok(held > 1800 && held < 2200, `held ${held}`);
  assert.equal(isHeldOut('x', 0.2, 7), isHeldOut('x', 0.2, 7));
});

test('stage parameters: presets, sources, declared columns, and helpful errors', () => {
  const p = classifyStage.params.parse({ model: 's3://bucket/models/edu', preset: 'fineweb-edu' });
  assert.deepEqual(classifyStage.writes(p).map((c) => c.name), ['fineweb_edu_score', 'fineweb_edu_int_score']);
  const q = classifyStage.params.parse({ model: 's3://bucket/models/q', preset: 'nvidia-quality', name: 'nq' });
  assert.deepEqual(classifyStage.writes(q).map((c) => c.name), ['nq_label', 'nq_prob_high', 'nq_prob_medium', 'nq_prob_low']);
  assert.throws(() => classifyStage.writes(classifyStage.params.parse({ model: 's3://bucket/models/x' })), /set "head" and "labels"/);
  const local = classifyStage.params.parse({ model: `${MODELS}quality-deberta-tiny`, name: 'dq' });
  assert.deepEqual(classifyStage.writes(local).map((c) => c.name), ['dq_label', 'dq_prob_high', 'dq_prob_medium', 'dq_prob_low']);
  assert.throws(() => classifyStage.params.parse({ model: 'x', preset: 'nope' }));
  assert.throws(() => classifyStage.params.parse({ model: 'x', name: 'bad name' }));
  assert.throws(() => classifyStage.params.parse({ model: 'x', bogus: 1 }));
});

test('setup refuses a model whose head differs from the declared one', async () => {
  const stage = classifyStage.create(classifyStage.params.parse({ model: `${MODELS}edu-bert-tiny`, preset: 'nvidia-quality' }));
  const { testContext } = await import('../../pipeline/testing.ts');
  await assert.rejects(stage.setup!(testContext()), /logits|head/);
  await releaseSessions();
});

test('a model path relative to the manifest folder is resolved when the loader passes baseDir', () => {
  const writes = classifyStage.writes as (p: unknown, env?: { baseDir?: string }) => { name: string }[];
  const p = classifyStage.params.parse({ model: 'quality-deberta-tiny', name: 'rel' });
  assert.deepEqual(writes(p, { baseDir: MODELS }).map((c) => c.name), ['rel_label', 'rel_prob_high', 'rel_prob_medium', 'rel_prob_low']);
});

test('fp16 logits are decoded', () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.equal(halfToFloat(0xfc00), -Infinity);
});
