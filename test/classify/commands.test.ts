// `curate classify` and `curate classifier train`, driven through commander in-process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { register as registerClassify } from '../../pipeline/commands/classify.ts';
import { register as registerClassifier } from '../../pipeline/commands/classifier.ts';
import { releaseSessions } from '../../classifiers/model.ts';
import { MODELS, SHARED, type RefModelOut, loadReference, readJsonlGz } from './helpers.ts';
import { isHeldOut } from '../../classifiers/linear/train.ts';
import { duck } from '../helpers.ts';

after(() => releaseSessions());

async function curate(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('curate').exitOverride();
  registerClassify(program);
  registerClassifier(program);
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'curate', ...args]);
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), code };
}

const dir = mkdtempSync(join(tmpdir(), 'curate-cmd-'));
const { docs, outs } = loadReference();

test('curate classify writes id, input_ids, logits and the head outputs per document', async () => {
  const input = join(dir, 'in.jsonl.gz');
  writeFileSync(input, gzipSync(docs.slice(0, 30).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n'));
  const out = join(dir, 'q.jsonl');
  const r = await curate('classify', '--model', `${MODELS}quality-deberta-tiny`, input, '--out', out, '--batch-size', '8');
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; input_ids: number[]; logits: number[]; label: string; probs: Record<string, number> });
  assert.equal(rows.length, 30);
  for (let i = 0; i < rows.length; i++) {
    const ref = outs[i]['quality-deberta-tiny'] as RefModelOut;
    assert.equal(rows[i].id, docs[i].id);
    assert.deepEqual(rows[i].input_ids, ref.input_ids);
    rows[i].logits.forEach((x, j) => assert.ok(Math.abs(x - ref.logits[j]) <= 1e-4));
    assert.equal(rows[i].label, ['High', 'Medium', 'Low'][ref.logits.indexOf(Math.max(...ref.logits))]);
    assert.deepEqual(Object.keys(rows[i].probs), ['High', 'Medium', 'Low']);
  }
  const outGz = join(dir, 'e.jsonl.gz');
  const r2 = await curate('classify', '--model', `${MODELS}edu-bert-tiny`, '--preset', 'fineweb-edu', input, '--out', outGz, '--limit', '5', '--quiet');
  assert.equal(r2.code, 0, r2.err);
  const rows2 = gunzipSync(readFileSync(outGz)).toString().trim().split('\n').map((l) => JSON.parse(l) as { score: number; int_score: number; logits: number[] });
  assert.equal(rows2.length, 5);
  for (const row of rows2) {
    assert.equal(row.score, row.logits[0]);
    assert.ok(Number.isInteger(row.int_score) && row.int_score >= 0 && row.int_score <= 5);
  }
});

test('curate classify reads Parquet input (same results as JSONL)', async () => {
  const jsonl = join(dir, 'pq.jsonl');
  writeFileSync(jsonl, docs.slice(0, 12).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
  const pq = join(dir, 'pq.parquet');
  await duck(`COPY (SELECT id, text FROM read_json_auto('${jsonl}')) TO '${pq}' (FORMAT parquet)`);
  const a = join(dir, 'pq-a.jsonl');
  const b = join(dir, 'pq-b.jsonl');
  assert.equal((await curate('classify', '--model', `${MODELS}edu-bert-tiny`, jsonl, '--out', a, '--quiet')).code, 0);
  const r = await curate('classify', '--model', `${MODELS}edu-bert-tiny`, pq, '--out', b, '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(b, 'utf8'), readFileSync(a, 'utf8'));
  const bad = await curate('classify', '--model', `${MODELS}edu-bert-tiny`, join(dir, 'q.jsonl.gz.txt'), '--out', b);
  assert.equal(bad.code, 1);
});

test('curate classify: human-friendly errors, no stack traces', async () => {
  const r = await curate('classify', '--model', join(dir, 'nope'), join(dir, 'missing.jsonl'), '--out', join(dir, 'x.jsonl'));
  assert.equal(r.code, 1);
  assert.match(r.err, /curate classify: input .* does not exist/);
  const input = join(dir, 'one.jsonl');
  writeFileSync(input, '{"id":"a","text":"hello"}\n');
  const r2 = await curate('classify', '--model', join(dir, 'nope'), input, '--out', join(dir, 'x.jsonl'));
  assert.equal(r2.code, 1);
  assert.match(r2.err, /no model\.onnx in/);
  assert.doesNotMatch(r2.err, /\n\s+at /);
});

test('curate classifier train: held-out metrics per group, a model directory that curate classify runs', async () => {
  const rows = readJsonlGz<Record<string, unknown>>(`${SHARED}data/quality_labels.jsonl.gz`).filter((_, i) => i % 3 === 0);
  const data = join(dir, 'labelled.jsonl');
  writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const model = join(dir, 'lin');
  const r = await curate('classifier', 'train', '--data', data, '--label-field', 'label', '--group-field', 'source', '--out', model, '--max-iter', '60', '--buckets-log2', '16', '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /held-out dclm-pool\/human-annotated/);
  assert.match(r.out, /held-out email\/spamassassin-public-corpus/);
  for (const f of ['model.onnx', 'config.json', 'featurizer.json', 'metrics.json']) assert.ok(existsSync(join(model, f)), f);
  const metrics = JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8')) as { heldOutByGroup: Record<string, { n: number; auc: number }> };
  assert.ok(metrics.heldOutByGroup['email/spamassassin-public-corpus'].auc > 0.9);
  const input = join(dir, 'few.jsonl');
  writeFileSync(input, rows.slice(0, 10).map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
  const out = join(dir, 'lin.jsonl');
  const c = await curate('classify', '--model', model, input, '--out', out);
  assert.equal(c.code, 0, c.err);
  const res = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { score: number; label: string });
  assert.equal(res.length, 10);
  for (const x of res) assert.equal(x.label, x.score >= 0.5 ? 'high' : 'low');

  // eval of the exported ONNX model on the held-out records reproduces the training report's held-out numbers
  const heldPath = join(dir, 'held.jsonl');
  writeFileSync(heldPath, rows.filter((r) => isHeldOut(r.id as string, 0.2, 1)).map((r) => JSON.stringify(r)).join('\n') + '\n');
  const ev = await curate('classifier', 'eval', '--model', model, '--data', heldPath, '--group-field', 'source');
  assert.equal(ev.code, 0, ev.err);
  const report = JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8')) as { heldOut: { n: number; accuracy: number; auc: number } };
  const all = ev.out.split('\n').find((l) => l.startsWith('all '))!.split(/\s+/);
  assert.equal(Number(all[1]), report.heldOut.n);
  assert.equal(Number(all[2]), Number(report.heldOut.accuracy.toFixed(3)));
  assert.equal(Number(all[3]), Number(report.heldOut.auc.toFixed(3)));
  assert.match(ev.out, /email\/spamassassin-public-corpus/);
  const evBad = await curate('classifier', 'eval', '--model', `${MODELS}edu-bert-tiny`, '--data', heldPath);
  assert.equal(evBad.code, 1);
  assert.match(evBad.err, /regression head/);

  const bad = await curate('classifier', 'train', '--data', join(dir, 'none.jsonl'), '--out', join(dir, 'm2'));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /does not exist/);
  const bad2 = await curate('classifier', 'train', '--data', data, '--out', join(dir, 'm3'), '--holdout', '2');
  assert.equal(bad2.code, 1);
  assert.match(bad2.err, /--holdout must be a number in \[0, 1\]/);
});
