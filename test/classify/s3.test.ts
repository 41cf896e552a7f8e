// Models on S3: the classify stage reads model.onnx / config.json / tokenizer.json (or featurizer.json) through
// ctx.storage.localPath from a real S3-compatible server (s3rver), and `curate classifier train` writes to S3.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3rver, skipUnless, requireTarget, freshBucket, driverFor, stopS3rver } from '../s3/servers.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { classifyStage } from '../../stages/classify/classify.ts';
import { buildStage, makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import { Classifier, releaseSessions } from '../../classifiers/model.ts';
import { linearModelFiles } from '../../classifiers/linear/onnx.ts';
import { trainLinear, predictProbs } from '../../classifiers/linear/train.ts';
import { defaultFeaturizerConfig } from '../../classifiers/linear/featurizer.ts';
import { MODELS, type RefModelOut, loadReference } from './helpers.ts';

const avail = await s3rver();
after(async () => {
  await releaseSessions();
  stopS3rver();
});

test('classify stage with a model directory on S3 (fineweb-edu preset, edu-bert-tiny)', { skip: skipUnless(avail) }, async () => {
  const t = requireTarget(avail);
  const bucket = await freshBucket(t, 'curate-classify');
  const storage = createStorage([driverFor(t, { cache_dir: mkdtempSync(join(tmpdir(), 'curate-s3cache-')) })]);
  for (const f of ['model.onnx', 'config.json', 'tokenizer.json']) {
    await storage.write(`s3://${bucket}/models/edu/${f}`, readFileSync(`${MODELS}edu-bert-tiny/${f}`));
  }
  const { docs, outs } = loadReference();
  const sub = docs.slice(0, 40);
  const stage = buildStage(classifyStage, { model: `s3://${bucket}/models/edu`, preset: 'fineweb-edu' });
  const { docs: out } = await runStage(stage, sub.map((d, i) => makeDoc(d.text, { id: d.id, row: i })), testContext({ storage }));
  for (let i = 0; i < out.length; i++) {
    const ref = (outs[i]['edu-bert-tiny'] as RefModelOut).logits[0];
    assert.ok(Math.abs((out[i].cols.fineweb_edu_score as number) - ref) <= 1e-4);
  }
  // a directory without a tokenizer gives a message naming what is missing
  await storage.write(`s3://${bucket}/models/broken/model.onnx`, readFileSync(`${MODELS}edu-bert-tiny/model.onnx`));
  await storage.write(`s3://${bucket}/models/broken/config.json`, readFileSync(`${MODELS}edu-bert-tiny/config.json`));
  await assert.rejects(Classifier.load(`s3://${bucket}/models/broken`, { batchSize: 8, threads: 1 }, storage), /tokenizer\.json/);
});

test('a linear model written to S3 runs from S3', { skip: skipUnless(avail) }, async () => {
  const t = requireTarget(avail);
  const bucket = await freshBucket(t, 'curate-linear');
  const storage = createStorage([driverFor(t, { cache_dir: mkdtempSync(join(tmpdir(), 'curate-s3cache-')) })]);
  const ex = [
    ...Array.from({ length: 40 }, (_, i) => ({ id: `g${i}`, text: `a clear well written paragraph about science number ${i}`, label: 'good' })),
    ...Array.from({ length: 40 }, (_, i) => ({ id: `b${i}`, text: `buy cheap pills now click here offer ${i}`, label: 'bad' })),
  ];
  const { model } = trainLinear(ex, { featurizer: defaultFeaturizerConfig({ bucketsLog2: 12 }), l2: 1e-3, maxIter: 50, labels: ['bad', 'good'] });
  for (const [name, data] of Object.entries(linearModelFiles(model, {}))) await storage.write(`s3://${bucket}/lin/${name}`, data);
  const clf = await Classifier.load(`s3://${bucket}/lin`, { batchSize: 8, threads: 1 }, storage);
  const texts = ['science paragraph written clearly', 'click here for cheap pills'];
  const res = await clf.classify(texts);
  const ts = predictProbs(model, texts);
  for (let i = 0; i < texts.length; i++) assert.ok(Math.abs(1 / (1 + Math.exp(-res.logits[i])) - ts[i][1]) < 1e-6);
  assert.ok(ts[0][1] > 0.5 && ts[1][1] < 0.5);
});
