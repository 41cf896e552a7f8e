// `curate classify --model <dir> <input> --out <out.jsonl>`: run one ONNX classifier over a JSONL file and write
// {"id", "input_ids", "logits", "score" | "label", ...} per document.
import type { Command } from 'commander';
import { gzipSync } from 'node:zlib';
import { createStorage } from '../storage.ts';
import { readInputRecords } from '../../classifiers/records.ts';
import { Classifier, releaseSessions, truncateChars } from '../../classifiers/model.ts';
import { presetNames, presets } from '../../classifiers/presets.ts';
import { roundHalfEven } from '../../classifiers/heads.ts';
import { probabilities } from '../../classifiers/linear/train.ts';

interface ClassifyCliOptions {
  model: string;
  out: string;
  preset?: string;
  textField: string;
  idField: string;
  batchSize?: string;
  threads: string;
  maxTokens?: string;
  maxChars?: string;
  head?: string;
  labels?: string;
  limit?: string;
  quiet?: boolean;
}

function posInt(name: string, v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) throw new Error(`${name} must be a positive integer (got "${v}")`);
  return x;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

async function classify(input: string, o: ClassifyCliOptions): Promise<void> {
  if (o.preset && !presetNames.includes(o.preset)) throw new Error(`unknown --preset "${o.preset}" (known: ${presetNames.join(', ')})`);
  const pre = o.preset ? presets[o.preset].defaults : undefined;
  const head = o.head ?? pre?.head;
  if (head && !['auto', 'regression', 'softmax', 'sigmoid'].includes(head)) throw new Error(`--head must be auto, regression, softmax or sigmoid (got "${head}")`);
  const maxChars = o.maxChars !== undefined ? posInt('--max-chars', o.maxChars) : (pre?.maxChars ?? null);
  const intRange = pre?.intScoreRange === undefined ? ([0, 5] as [number, number]) : pre.intScoreRange;
  const limit = o.limit !== undefined ? posInt('--limit', o.limit) : Infinity;
  const storage = createStorage();
  if (!(await storage.stat(input))) throw new Error(`input ${input} does not exist`);
  const clf = await Classifier.load(
    o.model,
    {
      batchSize: o.batchSize !== undefined ? posInt('--batch-size', o.batchSize) : undefined,
      threads: posInt('--threads', o.threads),
      maxTokens: o.maxTokens !== undefined ? posInt('--max-tokens', o.maxTokens) : pre?.maxTokens,
      head: head as 'auto' | 'regression' | 'softmax' | 'sigmoid' | undefined,
      labels: o.labels ? o.labels.split(',').map((s) => s.trim()) : pre?.labels,
      warn: (m) => console.error(`warning: ${m}`),
    },
    storage,
  );
  const { kind, labels } = clf.head;
  const c = clf.nLogits;
  const gz = /\.gz$/i.test(o.out);
  const w = await storage.writer(o.out);
  let n = 0;
  let skipped = 0;
  const t0 = performance.now();
  try {
    outer: for await (const chunk of readInputRecords(storage, input, 256)) {
      const recs: { id: string; text: string }[] = [];
      for (const r of chunk) {
        if (n + recs.length >= limit) break;
        const text = r[o.textField];
        if (typeof text !== 'string') {
          skipped++;
          continue;
        }
        const idv = r[o.idField];
        recs.push({ id: typeof idv === 'string' || typeof idv === 'number' ? String(idv) : `row-${n + recs.length + skipped}`, text });
      }
      const res = await clf.classify(recs.map((r) => truncateChars(r.text, maxChars)));
      let lines = '';
      for (let i = 0; i < recs.length; i++) {
        const lg = Array.from(res.logits.subarray(i * c, i * c + c));
        const rec: Record<string, unknown> = { id: recs[i].id, input_ids: Array.from(res.encoded[i].ids), logits: lg };
        if (kind === 'regression') {
          rec.score = lg[0];
          if (intRange) rec.int_score = roundHalfEven(Math.max(intRange[0], Math.min(intRange[1], lg[0])));
        } else if (kind === 'sigmoid' && labels.length === 2 && c === 1) {
          const p = sigmoid(lg[0]);
          rec.score = p;
          rec.label = p >= 0.5 ? labels[1] : labels[0];
        } else if (kind === 'sigmoid') {
          rec.probs = Object.fromEntries(labels.map((l, j) => [l, sigmoid(lg[j])]));
        } else {
          const p = probabilities(lg, c);
          let arg = 0;
          for (let j = 1; j < c; j++) if (lg[j] > lg[arg]) arg = j;
          rec.label = labels[arg];
          rec.probs = Object.fromEntries(labels.map((l, j) => [l, p[j]]));
        }
        lines += JSON.stringify(rec) + '\n';
      }
      n += recs.length;
      if (lines) await w.write(gz ? gzipSync(lines) : new TextEncoder().encode(lines));
      if (!o.quiet) process.stderr.write(`\r${n} docs, ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} docs/s`);
      if (n >= limit) break outer;
    }
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  } finally {
    await releaseSessions();
  }
  if (!o.quiet) process.stderr.write('\n');
  if (skipped) console.error(`skipped ${skipped} records without a string "${o.textField}"`);
  console.error(`${n} documents classified (${clf.kind} model, ${kind} head${labels.length ? ` [${labels.join(', ')}]` : ''}) -> ${o.out}`);
}

export function register(program: Command): void {
  program
    .command('classify')
    .description('Run one ONNX text classifier over a JSONL(.gz|.zst) or Parquet file; writes {"id","input_ids","logits","score"|"label",...} per document')
    .argument('<input>', 'JSONL(.gz|.zst) or Parquet input, local or s3://')
    .requiredOption('--model <dir>', 'model directory: model.onnx, config.json, tokenizer.json (or featurizer.json); local or s3://')
    .requiredOption('--out <file>', 'output JSONL (.gz to compress), local or s3://')
    .option('--preset <name>', `model I/O preset (${presetNames.join(', ')})`)
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--id-field <name>', 'field holding the id', 'id')
    .option('--batch-size <n>', 'documents per ONNX run, sorted by length first (default 8 for transformers, 32 for the linear model)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads', '1')
    .option('--max-tokens <n>', "token limit including special tokens (default: preset, else the model's)")
    .option('--max-chars <n>', 'cut texts to this many characters first (default: preset, else none)')
    .option('--head <kind>', 'auto | regression | softmax | sigmoid (default: from config.json)')
    .option('--labels <a,b,c>', "labels in logit order (default: config.json's id2label)")
    .option('--limit <n>', 'classify only the first n documents')
    .option('--quiet', 'no progress on stderr')
    .action(async (input: string, o: ClassifyCliOptions) => {
      try {
        await classify(input, o);
      } catch (e) {
        console.error(`curate classify: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
}
