// Label heads: turn a model's logits into the declared output columns.
//
//  regression  one logit = score; int_score = round(clamp(score, lo, hi)) with Python's round (half to even), exactly
//              as the FineWeb-Edu classifier card computes `int_score` (`int(round(max(0, min(score, 5))))`).
//  softmax     C logits -> probabilities; label = argmax (first on ties, like torch/numpy argmax).
//  sigmoid     one logit with two labels = binary: score = P(labels[1]), label by threshold;
//              C logits with C labels = multi-label: one probability per label.
import type { ColumnSpec, ColumnValue } from '../pipeline/types.ts';

export type HeadKind = 'regression' | 'softmax' | 'sigmoid';

export interface HeadSpec {
  kind: HeadKind;
  /** Column prefix: `<name>_score`, `<name>_label`, `<name>_prob_<label>` … */
  name: string;
  /** Labels in logit order (softmax: one per logit; binary sigmoid: [negative, positive]). */
  labels: string[];
  /** Regression: range `int_score` is clamped to before rounding; null = no int_score column. */
  intScoreRange: [number, number] | null;
  /** Regression: also clamp `score` itself to intScoreRange (NeMo Curator does; the HF card does not). */
  clampScore: boolean;
  /** Binary sigmoid: P(positive) >= threshold -> positive label. */
  threshold: number;
  /** Also write the raw logits as `<name>_logits`. */
  keepLogits: boolean;
}

/** Column-name form of a label: lower case, runs of other characters become `_`. */
export function labelKey(label: string): string {
  const k = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return k.length > 0 ? k : 'x';
}

/** Python's round(): nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

function isBinarySigmoid(h: HeadSpec): boolean {
  return h.kind === 'sigmoid' && h.labels.length === 2;
}

/** Number of logits the head expects from the model. */
export function expectedLogits(h: HeadSpec): number {
  if (h.kind === 'regression') return 1;
  if (isBinarySigmoid(h)) return 1;
  return h.labels.length;
}

export function headColumns(h: HeadSpec): ColumnSpec[] {
  const n = h.name;
  const cols: ColumnSpec[] = [];
  if (h.kind === 'regression') {
    cols.push({ name: `${n}_score`, type: 'float64', description: 'regression output (raw logit)' });
    if (h.intScoreRange) {
      const [lo, hi] = h.intScoreRange;
      cols.push({ name: `${n}_int_score`, type: 'int32', description: `round(clamp(score, ${lo}, ${hi})), halves to even` });
    }
  } else if (isBinarySigmoid(h)) {
    cols.push({ name: `${n}_score`, type: 'float64', description: `P(${h.labels[1]}) = sigmoid(logit)` });
    cols.push({ name: `${n}_label`, type: 'string', description: `${h.labels[1]} when score >= ${h.threshold}, else ${h.labels[0]}` });
  } else {
    if (h.kind === 'softmax') cols.push({ name: `${n}_label`, type: 'string', description: `argmax label: ${h.labels.join(' | ')}` });
    const seen = new Set<string>();
    for (const l of h.labels) {
      const key = labelKey(l);
      if (seen.has(key)) throw new Error(`labels "${h.labels.join('", "')}" give the same column name twice (${n}_prob_${key}); rename them with the "labels" parameter`);
      seen.add(key);
      cols.push({ name: `${n}_prob_${key}`, type: 'float64', description: `P(${l}) (${h.kind})` });
    }
  }
  if (h.keepLogits) cols.push({ name: `${n}_logits`, type: 'list<float64>', description: 'raw model logits' });
  return cols;
}

/** Sets every column of the head to null (documents the classifier is not applied to). */
export function nullColumns(h: HeadSpec, cols: Record<string, ColumnValue>): void {
  for (const c of headColumns(h)) cols[c.name] = null;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Writes the head's columns for one document from `c` logits starting at `logits[off]`. */
export function applyHead(h: HeadSpec, logits: ArrayLike<number>, off: number, c: number, cols: Record<string, ColumnValue>): void {
  const n = h.name;
  if (h.kind === 'regression') {
    const raw = logits[off];
    const [lo, hi] = h.intScoreRange ?? [-Infinity, Infinity];
    const clamped = Math.max(lo, Math.min(raw, hi));
    cols[`${n}_score`] = h.clampScore ? clamped : raw;
    if (h.intScoreRange) cols[`${n}_int_score`] = roundHalfEven(clamped);
  } else if (isBinarySigmoid(h)) {
    const p = sigmoid(logits[off]);
    cols[`${n}_score`] = p;
    cols[`${n}_label`] = p >= h.threshold ? h.labels[1] : h.labels[0];
  } else if (h.kind === 'sigmoid') {
    for (let j = 0; j < c; j++) cols[`${n}_prob_${labelKey(h.labels[j])}`] = sigmoid(logits[off + j]);
  } else {
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < c; j++) {
      if (logits[off + j] > max) {
        max = logits[off + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[off + j] - max);
    for (let j = 0; j < c; j++) cols[`${n}_prob_${labelKey(h.labels[j])}`] = Math.exp(logits[off + j] - max) / sum;
    cols[`${n}_label`] = h.labels[arg];
  }
  if (h.keepLogits) {
    const l: number[] = new Array(c);
    for (let j = 0; j < c; j++) l[j] = logits[off + j];
    cols[`${n}_logits`] = l;
  }
}
