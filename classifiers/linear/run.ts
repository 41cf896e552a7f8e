// Train-and-evaluate of the linear classifier, as `curate classifier train` runs it: deterministic held-out split,
// fit on the training part, metrics on the held-out part (overall and per group, e.g. per source), optional refit on
// everything for the exported model.
import { type FeaturizerConfig, defaultFeaturizerConfig } from './featurizer.ts';
import { type LinearModel, type Metrics, type TrainExample, evaluate, isHeldOut, orderLabels, predictProbs, trainLinear } from './train.ts';

export interface RunOptions {
  holdout: number;
  seed: number;
  l2: number;
  maxIter: number;
  positive?: string;
  featurizer?: Partial<FeaturizerConfig>;
  /** After evaluating, fit the exported model on all examples (held-out ones included). */
  refit: boolean;
  log?: (msg: string) => void;
}

export interface TrainReport {
  labels: string[];
  nTrain: number;
  nHeldOut: number;
  train: Metrics;
  heldOut: Metrics;
  /** Held-out metrics per group value (examples without a group are only in the overall numbers). */
  heldOutByGroup: Record<string, Metrics>;
  options: { holdout: number; seed: number; l2: number; maxIter: number; refit: boolean; featurizer: FeaturizerConfig };
  finalLoss: number;
  seconds: number;
}

export function trainAndEvaluate(examples: readonly TrainExample[], opts: RunOptions): { model: LinearModel; report: TrainReport } {
  const t0 = performance.now();
  if (!(opts.holdout > 0 && opts.holdout < 1)) throw new Error('--holdout must be between 0 and 1 (exclusive)');
  const labels = orderLabels(examples.map((e) => e.label), opts.positive);
  const featurizer = defaultFeaturizerConfig(opts.featurizer);
  const train: TrainExample[] = [];
  const held: TrainExample[] = [];
  for (const e of examples) (isHeldOut(e.id, opts.holdout, opts.seed) ? held : train).push(e);
  if (train.length === 0 || held.length === 0) throw new Error(`the split left ${train.length} training and ${held.length} held-out examples; use more data or another --holdout`);
  const trainLabels = new Set(train.map((e) => e.label));
  for (const l of labels) if (!trainLabels.has(l)) throw new Error(`label "${l}" has no training example after the split`);
  opts.log?.(`training on ${train.length} examples, holding out ${held.length}; labels ${labels.join(', ')}; 2^${featurizer.bucketsLog2} buckets`);
  const fit = trainLinear(train, { featurizer, l2: opts.l2, maxIter: opts.maxIter, labels, log: opts.log });
  const trainM = evaluate(labels, predictProbs(fit.model, train.map((e) => e.text)), train.map((e) => e.label));
  const heldProbs = predictProbs(fit.model, held.map((e) => e.text));
  const heldM = evaluate(labels, heldProbs, held.map((e) => e.label));
  const groups = new Map<string, number[]>();
  held.forEach((e, i) => {
    if (e.group === undefined) return;
    let g = groups.get(e.group);
    if (!g) groups.set(e.group, (g = []));
    g.push(i);
  });
  const byGroup: Record<string, Metrics> = {};
  for (const [g, idx] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    byGroup[g] = evaluate(labels, idx.map((i) => heldProbs[i]), idx.map((i) => held[i].label));
  }
  let model = fit.model;
  let finalLoss = fit.loss;
  if (opts.refit) {
    opts.log?.(`refitting on all ${examples.length} examples`);
    const all = trainLinear(examples, { featurizer, l2: opts.l2, maxIter: opts.maxIter, labels, log: opts.log });
    model = all.model;
    finalLoss = all.loss;
  }
  return {
    model,
    report: {
      labels,
      nTrain: train.length,
      nHeldOut: held.length,
      train: trainM,
      heldOut: heldM,
      heldOutByGroup: byGroup,
      options: { holdout: opts.holdout, seed: opts.seed, l2: opts.l2, maxIter: opts.maxIter, refit: opts.refit, featurizer },
      finalLoss,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** A plain-text table of a report. */
export function formatReport(r: TrainReport): string {
  const f = (x: number): string => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));
  const rows: string[][] = [['split', 'n', 'accuracy', 'ROC-AUC', 'log loss', 'labels']];
  const add = (name: string, m: Metrics): void => {
    rows.push([name, String(m.n), f(m.accuracy), f(m.auc), f(m.logLoss), Object.entries(m.counts).map(([k, v]) => `${k}:${v}`).join(' ')]);
  };
  add('train', r.train);
  add('held-out (all)', r.heldOut);
  for (const [g, m] of Object.entries(r.heldOutByGroup)) add(`held-out ${g}`, m);
  const w = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  return rows.map((row) => row.map((c, j) => c.padEnd(w[j])).join('  ').trimEnd()).join('\n');
}
