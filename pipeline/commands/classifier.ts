// `curate classifier train`: the built-in hashed n-gram linear classifier (train, evaluate, export to ONNX).
import type { Command } from 'commander';
import { createStorage, isRemote, joinUri } from '../storage.ts';
import { readInputRecords } from '../../classifiers/records.ts';
import type { TrainExample } from '../../classifiers/linear/train.ts';
import { formatReport, trainAndEvaluate } from '../../classifiers/linear/run.ts';
import { linearModelFiles } from '../../classifiers/linear/onnx.ts';
import { type Metrics, evaluate } from '../../classifiers/linear/train.ts';
import { Classifier, releaseSessions, truncateChars } from '../../classifiers/model.ts';

function num(name: string, min: number, max: number, int = false): (v: string) => number {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min || x > max || (int && !Number.isInteger(x))) {
      throw new Error(`${name} must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}] (got "${v}")`);
    }
    return x;
  };
}

interface TrainCliOptions {
  data: string;
  out: string;
  labelField: string;
  textField: string;
  idField: string;
  groupField?: string;
  positive?: string;
  holdout: string;
  seed: string;
  bucketsLog2: string;
  ngrams: string;
  l2: string;
  maxIter: string;
  maxChars: string;
  refit?: boolean;
  quiet?: boolean;
}

function fieldString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

async function train(o: TrainCliOptions): Promise<void> {
  const holdout = num('--holdout', 0, 1)(o.holdout);
  const seed = num('--seed', 0, 2 ** 31 - 1, true)(o.seed);
  const bucketsLog2 = num('--buckets-log2', 4, 26, true)(o.bucketsLog2);
  const ngrams = num('--ngrams', 1, 2, true)(o.ngrams) as 1 | 2;
  const l2 = num('--l2', 0, 1e3)(o.l2);
  const maxIter = num('--max-iter', 1, 100000, true)(o.maxIter);
  const maxChars = num('--max-chars', 1, 1e12, true)(o.maxChars);
  const storage = createStorage();
  const log = o.quiet ? undefined : (m: string): void => console.error(m);
  const examples: TrainExample[] = [];
  let row = 0;
  let skipped = 0;
  if (!(await storage.stat(o.data))) throw new Error(`--data ${o.data} does not exist`);
  for await (const chunk of readInputRecords(storage, o.data)) {
    for (const r of chunk) {
      const text = r[o.textField];
      const label = fieldString(r[o.labelField]);
      if (typeof text !== 'string' || label === undefined) {
        skipped++;
        row++;
        continue;
      }
      const id = fieldString(r[o.idField]) ?? `row-${row}`;
      const group = o.groupField ? fieldString(r[o.groupField]) : undefined;
      examples.push({ id, text, label, group });
      row++;
    }
  }
  if (examples.length === 0) throw new Error(`no usable records in ${o.data}: each line needs a string "${o.textField}" and a "${o.labelField}"`);
  if (skipped > 0) log?.(`skipped ${skipped} records without "${o.textField}" text or "${o.labelField}" label`);
  const { model, report } = trainAndEvaluate(examples, {
    holdout,
    seed,
    l2,
    maxIter,
    positive: o.positive,
    refit: o.refit === true,
    featurizer: { bucketsLog2, ngrams, maxChars },
    log,
  });
  const training = { data: o.data, labelField: o.labelField, textField: o.textField, groupField: o.groupField ?? null, report };
  const files = linearModelFiles(model, training);
  const out = isRemote(o.out) ? o.out : o.out.replace(/\/+$/, '');
  for (const [name, data] of Object.entries(files)) await storage.write(joinUri(out, name), data);
  await storage.write(joinUri(out, 'metrics.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(formatReport(report));
  console.log(`\nlabels (logit order): ${report.labels.join(', ')}${model.nLogits === 1 ? ` (binary: score = P(${report.labels[1]}))` : ''}`);
  console.log(`model written to ${out} (model.onnx, config.json, featurizer.json, metrics.json); ${report.seconds.toFixed(1)} s`);
  console.log(`use it with:  curate classify --model ${out} <input.jsonl> --out <out.jsonl>   or a manifest stage  { classify: { model: ${out}, name: <prefix> } }`);
}

interface EvalCliOptions {
  model: string;
  data: string;
  labelField: string;
  textField: string;
  groupField?: string;
  maxChars?: string;
  batchSize?: string;
  threads: string;
}

/** Evaluates any classifier directory (linear or transformer) on labelled JSONL whose labels are the model's labels. */
async function evalModel(o: EvalCliOptions): Promise<void> {
  const storage = createStorage();
  if (!(await storage.stat(o.data))) throw new Error(`--data ${o.data} does not exist`);
  const clf = await Classifier.load(
    o.model,
    {
      batchSize: o.batchSize !== undefined ? num('--batch-size', 1, 1e6, true)(o.batchSize) : undefined,
      threads: num('--threads', 1, 256, true)(o.threads),
    },
    storage,
  );
  try {
    const { kind, labels } = clf.head;
    if (kind === 'regression') throw new Error('the model has a regression head; eval needs a classifier (softmax or sigmoid head) whose labels appear in --label-field');
    const binary = kind === 'sigmoid' && labels.length === 2 && clf.nLogits === 1;
    if (kind === 'sigmoid' && !binary) throw new Error('multi-label (sigmoid) models are not supported by eval');
    const maxChars = o.maxChars !== undefined ? num('--max-chars', 1, 1e12, true)(o.maxChars) : null;
    const probs: number[][] = [];
    const truth: string[] = [];
    const groups: (string | undefined)[] = [];
    let skipped = 0;
    for await (const chunk of readInputRecords(storage, o.data, 512)) {
      const texts: string[] = [];
      for (const r of chunk) {
        const text = r[o.textField];
        const label = fieldString(r[o.labelField]);
        if (typeof text !== 'string' || label === undefined || !labels.includes(label)) {
          skipped++;
          continue;
        }
        texts.push(truncateChars(text, maxChars));
        truth.push(label);
        groups.push(o.groupField ? fieldString(r[o.groupField]) : undefined);
      }
      const res = await clf.classify(texts);
      const c = res.nLogits;
      for (let i = 0; i < texts.length; i++) {
        if (binary) {
          const z = res.logits[i];
          const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          probs.push([1 - p, p]);
        } else {
          let m = -Infinity;
          for (let j = 0; j < c; j++) m = Math.max(m, res.logits[i * c + j]);
          const e: number[] = [];
          let sum = 0;
          for (let j = 0; j < c; j++) {
            e.push(Math.exp(res.logits[i * c + j] - m));
            sum += e[j];
          }
          probs.push(e.map((x) => x / sum));
        }
      }
    }
    if (truth.length === 0) throw new Error(`no records in ${o.data} carry one of the model's labels (${labels.join(', ')}) in "${o.labelField}"`);
    const rows: [string, Metrics][] = [['all', evaluate(labels, probs, truth)]];
    if (o.groupField) {
      const byGroup = new Map<string, number[]>();
      groups.forEach((g, i) => {
        if (g === undefined) return;
        if (!byGroup.has(g)) byGroup.set(g, []);
        byGroup.get(g)!.push(i);
      });
      for (const [g, idx] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        rows.push([g, evaluate(labels, idx.map((i) => probs[i]), idx.map((i) => truth[i]))]);
      }
    }
    const f = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
    const table = [['set', 'n', 'accuracy', 'ROC-AUC', 'log loss'], ...rows.map(([g, m]) => [g, String(m.n), f(m.accuracy), f(m.auc), f(m.logLoss)])];
    const w = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
    console.log(table.map((r) => r.map((x, j) => x.padEnd(w[j])).join('  ').trimEnd()).join('\n'));
    if (skipped) console.error(`skipped ${skipped} records without text or with a label the model does not have (${labels.join(', ')})`);
  } finally {
    await releaseSessions();
  }
}

export function register(program: Command): void {
  const cmd = program.command('classifier').description('The built-in hashed n-gram linear classifier: train it and export it as ONNX; evaluate any classifier directory');
  cmd
    .command('train')
    .description('Train logistic regression on hashed unigrams+bigrams, report held-out accuracy and ROC-AUC, export model.onnx + config.json + featurizer.json')
    .requiredOption('--data <file>', 'labelled JSONL(.gz|.zst) or Parquet, local or s3://')
    .requiredOption('--out <dir>', 'model directory to write (local or s3://)')
    .option('--label-field <name>', 'field holding the label', 'label')
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--id-field <name>', 'field holding a stable id (decides the held-out split; row number when missing)', 'id')
    .option('--group-field <name>', 'also report held-out metrics per value of this field (e.g. source)')
    .option('--positive <label>', 'positive label of a binary problem (default: high/1/true/pos/... when present, else the last label sorted)')
    .option('--holdout <fraction>', 'fraction of examples held out for evaluation (by hash of id and seed)', '0.2')
    .option('--seed <n>', 'split seed', '1')
    .option('--buckets-log2 <k>', 'hash buckets = 2^k (weights per class)', '18')
    .option('--ngrams <n>', '1 = unigrams, 2 = unigrams + bigrams', '2')
    .option('--l2 <lambda>', 'L2 penalty on weights (per example)', '1e-5')
    .option('--max-iter <n>', 'L-BFGS iterations', '300')
    .option('--max-chars <n>', 'read at most this many characters of each text', '100000')
    .option('--refit', 'after evaluating, fit the exported model on all examples (held-out ones included)')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: TrainCliOptions) => {
      try {
        await train(o);
      } catch (e) {
        console.error(`curate classifier train: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
  cmd
    .command('eval')
    .description("Accuracy, ROC-AUC and log loss of a classifier directory (linear or ONNX transformer) on labelled JSONL whose labels are the model's labels")
    .requiredOption('--model <dir>', 'model directory, local or s3://')
    .requiredOption('--data <file>', 'labelled JSONL(.gz|.zst) or Parquet, local or s3://')
    .option('--label-field <name>', 'field holding the label', 'label')
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--group-field <name>', 'also report per value of this field')
    .option('--max-chars <n>', 'cut texts to this many characters first')
    .option('--batch-size <n>', 'documents per ONNX run')
    .option('--threads <n>', 'ONNX Runtime intra-op threads', '1')
    .action(async (o: EvalCliOptions) => {
      try {
        await evalModel(o);
      } catch (e) {
        console.error(`curate classifier eval: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
}
