// The `classify` stage: an ONNX text classifier (Hugging Face export or curate's own linear model) writing its
// outputs as columns. Keeping documents by those columns is the generic `filter` stage's job.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { type ColumnSpec, type Doc, type Stage, type StageContext, defineStage } from '../../pipeline/types.ts';
import { isRemote } from '../../pipeline/storage.ts';
import { type HeadKind, type HeadSpec, applyHead, headColumns, nullColumns } from '../../classifiers/heads.ts';
import { Classifier, type ModelConfig, resolveHead, truncateChars } from '../../classifiers/model.ts';
import { presetNames, presets } from '../../classifiers/presets.ts';

export const classifyParams = z.strictObject({
  model: z.string().min(1).describe('Model directory (local path, relative to the manifest, or s3://...) with model.onnx, config.json and tokenizer.json (or featurizer.json for `curate classifier train` models)'),
  preset: z.enum(presetNames).optional().describe('I/O convention of a known model: fineweb-edu (BERT regression, score/int_score) or nvidia-quality (DeBERTa High/Medium/Low); sets the defaults below'),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Column prefix: <name>_score, <name>_int_score, <name>_label, <name>_prob_<label>. Default: preset name (fineweb_edu, quality) or "classifier"'),
  head: z.enum(['auto', 'regression', 'softmax', 'sigmoid']).optional().describe('Output head; auto = from config.json (problem_type, id2label, curate_head). Default: preset or auto'),
  labels: z.array(z.string().min(1)).min(1).optional().describe("Labels in logit order (override config.json's id2label; needed to declare columns when config.json is not readable before the run, e.g. on S3)"),
  max_tokens: z.number().int().positive().optional().describe("Tokens per document including special tokens (truncation). Default: preset, else the model's position limit (or 512); never above the model's absolute positions"),
  max_chars: z.number().int().positive().nullable().optional().describe('Cut texts to this many characters (Unicode code points, like Python) before tokenizing; NeMo uses 6000. Default: preset or none'),
  batch_size: z.number().int().positive().optional().describe('Documents per ONNX run; documents are sorted by length inside each incoming batch first (length bucketing). Default: 8 for transformers, 32 for the linear model'),
  threads: z.number().int().positive().default(1).describe('ONNX Runtime intra-op threads per worker (the executor already runs one task per core)'),
  sources: z.array(z.string().min(1)).min(1).optional().describe('Apply only to documents of these sources; the others pass through with null columns. Default: all'),
  int_score_range: z.tuple([z.number(), z.number()]).nullable().optional().describe('Regression: int_score = round(clamp(score, lo, hi)); null = no int_score column. Default [0, 5]'),
  clamp_score: z.boolean().optional().describe('Regression: clamp the score column itself to int_score_range (NeMo Curator does; the FineWeb-Edu card does not). Default false'),
  threshold: z.number().min(0).max(1).default(0.5).describe('Binary sigmoid head: positive label when P(positive) >= threshold'),
  keep_logits: z.boolean().default(false).describe('Also write the raw logits as <name>_logits'),
});

export type ClassifyParams = z.infer<typeof classifyParams>;

export interface ResolvedClassify {
  model: string;
  name: string;
  head: HeadKind | 'auto';
  labels?: string[];
  maxTokens?: number;
  maxChars: number | null;
  batchSize?: number;
  threads: number;
  sources: Set<string> | null;
  intScoreRange: [number, number] | null;
  clampScore: boolean;
  threshold: number;
  keepLogits: boolean;
}

export function resolveParams(p: ClassifyParams): ResolvedClassify {
  const pre = p.preset ? presets[p.preset].defaults : undefined;
  return {
    model: p.model,
    name: p.name ?? pre?.name ?? 'classifier',
    head: p.head ?? pre?.head ?? 'auto',
    labels: p.labels ?? pre?.labels,
    maxTokens: p.max_tokens ?? pre?.maxTokens,
    maxChars: p.max_chars !== undefined ? p.max_chars : (pre?.maxChars ?? null),
    batchSize: p.batch_size,
    threads: p.threads,
    sources: p.sources ? new Set(p.sources) : null,
    intScoreRange: p.int_score_range !== undefined ? p.int_score_range : (pre?.intScoreRange !== undefined ? pre.intScoreRange : [0, 5]),
    clampScore: p.clamp_score ?? pre?.clampScore ?? false,
    threshold: p.threshold,
    keepLogits: p.keep_logits,
  };
}

/** Reads config.json before the run when the model is local (to declare label columns); null when not readable. */
function peekConfig(model: string, baseDir?: string): ModelConfig | null {
  if (isRemote(model)) return null;
  const dir = model.startsWith('file://') ? new URL(model).pathname : isAbsolute(model) ? model : resolve(baseDir ?? process.cwd(), model);
  const f = join(dir, 'config.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as ModelConfig;
  } catch {
    return null;
  }
}

/** The head (and so the columns) as far as it can be known before the run. */
export function declaredHead(r: ResolvedClassify, baseDir?: string): HeadSpec {
  const base = { name: r.name, intScoreRange: r.intScoreRange, clampScore: r.clampScore, threshold: r.threshold, keepLogits: r.keepLogits };
  if (r.head === 'regression') return { ...base, kind: 'regression', labels: r.labels ?? [] };
  if (r.head !== 'auto' && r.labels) return { ...base, kind: r.head, labels: r.labels };
  const cfg = peekConfig(r.model, baseDir);
  if (!cfg) {
    throw new Error(
      `classify: cannot read ${r.model}/config.json before the run to declare the output columns; set "head" and "labels" (in logit order), or use a preset`,
    );
  }
  const h = resolveHead(cfg, null, { head: r.head, labels: r.labels });
  return { ...base, kind: h.kind, labels: h.labels };
}

function sameHead(a: HeadSpec, b: { kind: HeadKind; labels: string[] }): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'regression') return true;
  return a.labels.length === b.labels.length && a.labels.every((l, i) => l === b.labels[i]);
}

class ClassifyStage implements Stage {
  readonly name = 'classify';
  private readonly r: ResolvedClassify;
  private head: HeadSpec | null = null;
  private clf: Classifier | null = null;

  constructor(r: ResolvedClassify) {
    this.r = r;
  }

  async setup(ctx: StageContext): Promise<void> {
    const r = this.r;
    const dir = ctx.storage.resolve(ctx.baseDir, r.model);
    this.clf = await Classifier.load(
      dir,
      { maxTokens: r.maxTokens, batchSize: r.batchSize, threads: r.threads, head: r.head, labels: r.labels, warn: (m) => ctx.log.warn(`classify ${r.name}: ${m.replace('maxTokens', 'max_tokens')}`) },
      ctx.storage,
    );
    const actual = this.clf.head;
    const declared = declaredHeadSafe(r, dir);
    if (declared && !sameHead(declared, actual)) {
      throw new Error(
        `classify ${r.name}: the model at ${dir} has a ${actual.kind} head [${actual.labels.join(', ')}], but the manifest declared ${declared.kind} [${declared.labels.join(', ')}]; fix "head"/"labels"/"preset"`,
      );
    }
    this.head = { name: r.name, kind: actual.kind, labels: actual.labels, intScoreRange: r.intScoreRange, clampScore: r.clampScore, threshold: r.threshold, keepLogits: r.keepLogits };
    ctx.log.info(
      `classify ${r.name}: ${this.clf.kind} model ${dir}, ${actual.kind} head${actual.kind !== 'regression' && actual.labels.length ? ` [${actual.labels.join(', ')}]` : ''}` +
        (this.clf.kind === 'transformer' ? `, max_tokens ${this.clf.maxTokens}` : '') +
        `, max_chars ${r.maxChars ?? 'none'}`,
    );
  }

  async *run(batches: AsyncIterable<{ docs: Doc[] }>, ctx: StageContext): AsyncIterable<{ docs: Doc[] }> {
    const clf = this.clf;
    const head = this.head;
    if (!clf || !head) throw new Error('classify: run() before setup()');
    const sources = this.r.sources;
    const maxChars = this.r.maxChars;
    const c = clf.nLogits;
    const scoreCol = `${head.name}_score`;
    const labelCol = `${head.name}_label`;
    for await (const batch of batches) {
      const sel: Doc[] = [];
      for (const d of batch.docs) {
        if (sources && !sources.has(d.source)) nullColumns(head, d.cols);
        else sel.push(d);
      }
      if (sel.length > 0) {
        const texts = sel.map((d) => truncateChars(d.text, maxChars));
        const { logits } = await clf.classify(texts);
        for (let i = 0; i < sel.length; i++) {
          const cols = sel[i].cols;
          applyHead(head, logits, i * c, c, cols);
          const s = cols[scoreCol];
          if (typeof s === 'number') ctx.stats.metric(scoreCol, s);
          const l = cols[labelCol];
          if (typeof l === 'string') for (const lab of head.labels) ctx.stats.metric(`${labelCol}=${lab}`, l === lab ? 1 : 0);
        }
      }
      yield batch;
    }
  }
}

function declaredHeadSafe(r: ResolvedClassify, dir: string): HeadSpec | null {
  try {
    return declaredHead({ ...r, model: dir });
  } catch {
    return null;
  }
}

export const classifyStage = defineStage({
  name: 'classify',
  family: 'classify',
  description:
    'ONNX text classifier (Hugging Face exports such as the FineWeb-Edu and NVIDIA quality classifiers, or a `curate classifier train` linear model); writes score / label / per-label probability columns',
  params: classifyParams,
  reads: () => [],
  // `env.baseDir` (the manifest folder) resolves a relative model path; without it the working directory is used.
  writes: (p: ClassifyParams, env?: { baseDir?: string }): ColumnSpec[] => headColumns(declaredHead(resolveParams(p), env?.baseDir)),
  create: (p: ClassifyParams): Stage => new ClassifyStage(resolveParams(p)),
});
