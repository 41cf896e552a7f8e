// Benchmark of the ONNX classifiers: documents per CPU-second (user + sys of this process, all its threads) for the
// two fixture models at batch 1/8/32 and for the built-in linear model, single intra-op thread.
//   node bench/classify.bench.ts            (CLASSIFY_BENCH_REPEAT=n to classify the documents n times)
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Classifier, releaseSessions } from '../classifiers/model.ts';
import { trainAndEvaluate } from '../classifiers/linear/run.ts';
import { writeLinearModelDir } from '../classifiers/linear/onnx.ts';
import { HashedNgramFeaturizer } from '../classifiers/linear/featurizer.ts';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const REPEAT = Number(process.env.CLASSIFY_BENCH_REPEAT ?? 1);

function readJsonlGz(path: string): Record<string, unknown>[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const refTexts = readJsonlGz(`${SHARED}fixtures/models/reference_docs.jsonl.gz`).map((r) => r.text as string);
const labelled = readJsonlGz(`${SHARED}data/quality_labels.jsonl.gz`);
const qTexts = labelled.map((r) => r.text as string);
const avgChars = (t: string[]): number => Math.round(t.reduce((a, x) => a + x.length, 0) / t.length);

interface Row {
  model: string;
  input: string;
  batch: number;
  docs: number;
  avgLen: string;
  cpuS: number;
  perCpuS: number;
  perWallS: number;
}
const rows: Row[] = [];

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

async function measure(model: string, dir: string, input: string, texts: string[], batch: number, chunk: number): Promise<void> {
  const clf = await Classifier.load(dir, { batchSize: batch, threads: 1 });
  await clf.classify(texts.slice(0, Math.min(texts.length, 2 * batch))); // warm-up
  let tokens = 0;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let n = 0;
  for (let r = 0; r < REPEAT; r++) {
    for (let i = 0; i < texts.length; i += chunk) {
      const res = await clf.classify(texts.slice(i, i + chunk));
      for (const e of res.encoded) tokens += e.ids.length;
      n += res.encoded.length;
    }
  }
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const wall = (performance.now() - w0) / 1000;
  rows.push({ model, input, batch, docs: n, avgLen: `${Math.round(tokens / n)} ${clf.kind === 'transformer' ? 'tokens' : 'features'}`, cpuS: cpu, perCpuS: n / cpu, perWallS: n / wall });
  console.error(`${model} batch ${batch}: ${(n / cpu).toFixed(1)} docs/CPU-s`);
}

// Transformer fixture models: tokenization (HF tokenizers) + ONNX inference, length-bucketed batches of 512 documents.
for (const model of ['edu-bert-tiny', 'quality-deberta-tiny']) {
  for (const batch of [1, 8, 32]) {
    await measure(model, `${SHARED}fixtures/models/${model}`, `reference_docs (${refTexts.length}, avg ${avgChars(refTexts)} chars)`, refTexts, batch, 512);
  }
}

// Linear model: trained here on the shared quality labels (2^18 buckets, uni+bigrams), exported to ONNX.
const dir = mkdtempSync(join(tmpdir(), 'curate-bench-linear-'));
const examples = labelled.map((r) => ({ id: r.id as string, text: r.text as string, label: r.label as string, group: r.source as string }));
const { model } = trainAndEvaluate(examples, { holdout: 0.2, seed: 1, l2: 1e-5, maxIter: 100, refit: false });
writeLinearModelDir(dir, model, {});
const bigQ = Array.from({ length: 5 }, () => qTexts).flat();
const bigRef = Array.from({ length: 10 }, () => refTexts).flat();
for (const batch of [1, 8, 32, 128]) {
  await measure('linear (2^18, ONNX)', dir, `quality_labels x5 (${bigQ.length}, avg ${avgChars(qTexts)} chars)`, bigQ, batch, 512);
}
await measure('linear (2^18, ONNX)', dir, `reference_docs x10 (${bigRef.length}, avg ${avgChars(refTexts)} chars)`, bigRef, 32, 512);

// Featurization alone (TypeScript), for the split of the linear model's cost.
{
  const f = new HashedNgramFeaturizer(model.featurizer);
  f.featurizeBatch(bigQ.slice(0, 500));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let r = 0; r < REPEAT; r++) for (let i = 0; i < bigQ.length; i += 512) f.featurizeBatch(bigQ.slice(i, i + 512));
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const n = bigQ.length * REPEAT;
  rows.push({ model: 'linear: featurizer only', input: `quality_labels x5`, batch: 0, docs: n, avgLen: '-', cpuS: cpu, perCpuS: n / cpu, perWallS: n / ((performance.now() - w0) / 1000) });
}
await releaseSessions();

const header = ['model', 'input', 'batch', 'docs', 'avg length', 'CPU s', 'docs / CPU-s', 'docs / wall-s'];
const table = rows.map((r) => [r.model, r.input, r.batch ? String(r.batch) : '-', String(r.docs), r.avgLen, r.cpuS.toFixed(2), r.perCpuS.toFixed(0), r.perWallS.toFixed(0)]);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const t of table) console.log(`| ${t.join(' | ')} |`);
