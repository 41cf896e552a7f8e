// `curate classifier train`: the built-in hashed n-gram linear classifier (train, evaluate, export to ONNX).
import type { Command } from 'commander';
import { createStorage, isRemote, joinUri } from '../storage.ts';
import { readJsonl } from '../../classifiers/jsonl.ts';
import type { TrainExample } from '../../classifiers/linear/train.ts';
import { formatReport, trainAndEvaluate } from '../../classifiers/linear/run.ts';
import { linearModelFiles } from '../../classifiers/linear/onnx.ts';

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
  for await (const chunk of readJsonl(storage, o.data)) {
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

export function register(program: Command): void {
  const cmd = program.command('classifier').description('Train the built-in hashed n-gram linear classifier and export it as an ONNX model');
  cmd
    .command('train')
    .description('Train logistic regression on hashed unigrams+bigrams, report held-out accuracy and ROC-AUC, export model.onnx + config.json + featurizer.json')
    .requiredOption('--data <file>', 'labelled JSONL(.gz|.zst), local or s3://')
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
}
