// Fidelity against the reference outputs (HF tokenizers 0.23.2 + onnxruntime 1.30 in Python) for both fixture models.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Classifier, releaseSessions } from '../../classifiers/model.ts';
import { classifyStage } from '../../stages/classify/classify.ts';
import { buildStage, makeDoc, runStage } from '../../pipeline/testing.ts';
import { MODELS, type RefModelOut, loadReference } from './helpers.ts';

const { docs, outs } = loadReference();
after(() => releaseSessions());

function sameIds(a: Int32Array, b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

for (const model of ['edu-bert-tiny', 'quality-deberta-tiny']) {
  test(`${model}: input ids identical and logits within 1e-4 for all ${docs.length} reference docs (batched, length-bucketed)`, async () => {
    assert.equal(docs.length, outs.length);
    const clf = await Classifier.load(MODELS + model, { batchSize: 32, threads: 1 });
    const res = await clf.classify(docs.map((d) => d.text));
    let idMismatch = 0;
    let maxDiff = 0;
    for (let i = 0; i < docs.length; i++) {
      assert.equal(outs[i].id, docs[i].id);
      const ref = outs[i][model] as RefModelOut;
      if (!sameIds(res.encoded[i].ids, ref.input_ids)) idMismatch++;
      assert.equal(ref.logits.length, res.nLogits);
      for (let j = 0; j < res.nLogits; j++) maxDiff = Math.max(maxDiff, Math.abs(res.logits[i * res.nLogits + j] - ref.logits[j]));
    }
    assert.equal(idMismatch, 0, `${idMismatch} documents with different input_ids`);
    assert.ok(maxDiff <= 1e-4, `max |logit - reference| = ${maxDiff}`);
  });

  test(`${model}: batch size 1 gives the same logits as the reference (no padding)`, async () => {
    const clf = await Classifier.load(MODELS + model, { batchSize: 1, threads: 1 });
    const sub = docs.slice(0, 60);
    const res = await clf.classify(sub.map((d) => d.text));
    for (let i = 0; i < sub.length; i++) {
      const ref = outs[i][model] as RefModelOut;
      for (let j = 0; j < res.nLogits; j++) assert.ok(Math.abs(res.logits[i * res.nLogits + j] - ref.logits[j]) <= 1e-4);
    }
  });
}

test('fineweb-edu preset on edu-bert-tiny: score is the logit, int_score = round(clamp(score, 0, 5)) halves to even', async () => {
  const stage = buildStage(classifyStage, { model: MODELS + 'edu-bert-tiny', preset: 'fineweb-edu', keep_logits: true });
  const cols = classifyStage.writes(classifyStage.params.parse({ model: MODELS + 'edu-bert-tiny', preset: 'fineweb-edu', keep_logits: true }));
  assert.deepEqual(cols.map((c) => c.name), ['fineweb_edu_score', 'fineweb_edu_int_score', 'fineweb_edu_logits']);
  const sub = docs.slice(0, 100);
  const { docs: out, stats } = await runStage(stage, sub.map((d, i) => makeDoc(d.text, { id: d.id, source: d.source, row: i })));
  assert.equal(out.length, sub.length);
  for (let i = 0; i < out.length; i++) {
    const ref = (outs[i]['edu-bert-tiny'] as RefModelOut).logits[0];
    const s = out[i].cols.fineweb_edu_score as number;
    assert.ok(Math.abs(s - ref) <= 1e-4);
    const want = Math.max(0, Math.min(5, s));
    const r = Math.round(want);
    const expected = Math.abs(want % 1) === 0.5 ? 2 * Math.round(want / 2) : r;
    assert.equal(out[i].cols.fineweb_edu_int_score, expected);
  }
  assert.equal(stats.data.metrics.fineweb_edu_score.n, 100);
});

test('nvidia-quality preset on quality-deberta-tiny: label = argmax, probabilities = softmax of reference logits', async () => {
  const params = { model: MODELS + 'quality-deberta-tiny', preset: 'nvidia-quality', max_chars: null };
  const cols = classifyStage.writes(classifyStage.params.parse(params)).map((c) => c.name);
  assert.deepEqual(cols, ['quality_label', 'quality_prob_high', 'quality_prob_medium', 'quality_prob_low']);
  const sub = docs.slice(0, 100);
  const { docs: out } = await runStage(buildStage(classifyStage, params), sub.map((d, i) => makeDoc(d.text, { id: d.id, source: d.source, row: i })));
  const labels = ['High', 'Medium', 'Low'];
  for (let i = 0; i < out.length; i++) {
    const l = (outs[i]['quality-deberta-tiny'] as RefModelOut).logits;
    const m = Math.max(...l);
    const e = l.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    const probs = e.map((x) => x / z);
    assert.equal(out[i].cols.quality_label, labels[l.indexOf(m)]);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs((out[i].cols[`quality_prob_${labels[j].toLowerCase()}`] as number) - probs[j]) < 1e-4);
  }
});
