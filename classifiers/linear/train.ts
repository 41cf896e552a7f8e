// Training of the built-in linear classifier: L2-regularised logistic regression (binary: one logit + sigmoid;
// more than two labels: softmax regression) over hashed unigram+bigram features, fitted with full-batch L-BFGS.
// Deterministic: same data, options and seed give the same weights.
import { type FeaturizerConfig, HashedNgramFeaturizer } from './featurizer.ts';

export interface TrainExample {
  id: string;
  text: string;
  label: string;
  group?: string;
}

export interface TrainOptions {
  featurizer: FeaturizerConfig;
  /** L2 penalty on the weights (not the bias), per example: loss = mean NLL + l2/2 * |W|^2. */
  l2: number;
  maxIter: number;
  /** Labels in logit order. Binary: [negative, positive]. */
  labels: string[];
  log?: (msg: string) => void;
}

/** A trained linear model: logits = W^T x + b with W [buckets, C] (row-major), float32 like the ONNX export. */
export interface LinearModel {
  featurizer: FeaturizerConfig;
  labels: string[];
  /** 1 for binary (sigmoid), else labels.length (softmax). */
  nLogits: number;
  weights: Float32Array;
  bias: Float32Array;
}

interface Sparse {
  ids: Int32Array;
  weights: Float32Array;
  offsets: Int32Array;
}

function featurizeAll(f: HashedNgramFeaturizer, texts: readonly string[]): Sparse {
  return f.featurizeBatch(texts);
}

/** Loss and gradient of the objective at theta = [W (buckets*C), b (C)]. */
function objective(theta: Float64Array, grad: Float64Array, X: Sparse, y: Int32Array, buckets: number, C: number, l2: number): number {
  const n = y.length;
  const bOff = buckets * C;
  grad.fill(0);
  const z = new Float64Array(C);
  const g = new Float64Array(C);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const s = X.offsets[i];
    const e = X.offsets[i + 1];
    for (let c = 0; c < C; c++) z[c] = theta[bOff + c];
    for (let k = s; k < e; k++) {
      const row = X.ids[k] * C;
      const w = X.weights[k];
      for (let c = 0; c < C; c++) z[c] += theta[row + c] * w;
    }
    if (C === 1) {
      const t = y[i];
      const zz = z[0];
      // log(1 + exp(-zz)) for t=1, log(1 + exp(zz)) for t=0, computed stably
      const m = t === 1 ? -zz : zz;
      loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      const p = zz >= 0 ? 1 / (1 + Math.exp(-zz)) : Math.exp(zz) / (1 + Math.exp(zz));
      g[0] = p - t;
    } else {
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (z[c] > max) max = z[c];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
      const lse = max + Math.log(sum);
      loss += lse - z[y[i]];
      for (let c = 0; c < C; c++) g[c] = Math.exp(z[c] - lse) - (c === y[i] ? 1 : 0);
    }
    for (let c = 0; c < C; c++) grad[bOff + c] += g[c];
    for (let k = s; k < e; k++) {
      const row = X.ids[k] * C;
      const w = X.weights[k];
      for (let c = 0; c < C; c++) grad[row + c] += g[c] * w;
    }
  }
  const inv = 1 / n;
  let reg = 0;
  for (let j = 0; j < bOff; j++) {
    grad[j] = grad[j] * inv + l2 * theta[j];
    reg += theta[j] * theta[j];
  }
  for (let c = 0; c < C; c++) grad[bOff + c] *= inv;
  return loss * inv + 0.5 * l2 * reg;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Limited-memory BFGS (two-loop recursion) with a backtracking Armijo line search. */
function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x: Float64Array, maxIter: number, log?: (m: string) => void): number {
  const m = 8;
  const P = x.length;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let g = new Float64Array(P);
  let fx = f(x, g);
  const d = new Float64Array(P);
  const xn = new Float64Array(P);
  let gn = new Float64Array(P);
  const alpha = new Float64Array(m);
  for (let it = 0; it < maxIter; it++) {
    const gnorm = Math.sqrt(dot(g, g));
    if (gnorm < 1e-7) break;
    // d = -H g
    for (let i = 0; i < P; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      const yk = Y[k];
      for (let i = 0; i < P; i++) d[i] -= alpha[k] * yk[i];
    }
    if (S.length > 0) {
      const k = S.length - 1;
      const gamma = dot(S[k], Y[k]) / dot(Y[k], Y[k]);
      for (let i = 0; i < P; i++) d[i] *= gamma;
    } else {
      const sc = 1 / gnorm;
      for (let i = 0; i < P; i++) d[i] *= sc;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      const sk = S[k];
      for (let i = 0; i < P; i++) d[i] += (alpha[k] - beta) * sk[i];
    }
    let gd = dot(g, d);
    if (gd >= 0) {
      // not a descent direction: restart from steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < P; i++) d[i] = -g[i] / gnorm;
      gd = dot(g, d);
    }
    let step = 1;
    let fn = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < P; i++) xn[i] = x[i] + step * d[i];
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    if (!(fn <= fx + 1e-4 * step * gd)) break; // line search failed: at the numerical optimum
    const s = new Float64Array(P);
    const y = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    x.set(xn);
    const prev = fx;
    fx = fn;
    const t = g;
    g = gn;
    gn = t;
    if (log && (it % 20 === 0)) log(`iter ${it}: loss ${fx.toFixed(6)} |g| ${gnorm.toExponential(2)}`);
    if (Math.abs(prev - fx) <= 1e-9 * Math.max(1, Math.abs(fx))) break;
  }
  return fx;
}

/** Fits the model on the examples (labels must all be in opts.labels). */
export function trainLinear(examples: readonly TrainExample[], opts: TrainOptions): { model: LinearModel; loss: number } {
  const labels = opts.labels;
  if (labels.length < 2) throw new Error('need at least two distinct labels to train a classifier');
  const C = labels.length === 2 ? 1 : labels.length;
  const idx = new Map(labels.map((l, i) => [l, i]));
  const y = new Int32Array(examples.length);
  for (let i = 0; i < examples.length; i++) {
    const k = idx.get(examples[i].label);
    if (k === undefined) throw new Error(`label "${examples[i].label}" is not one of ${labels.join(', ')}`);
    y[i] = k;
  }
  const feat = new HashedNgramFeaturizer(opts.featurizer);
  const X = featurizeAll(feat, examples.map((e) => e.text));
  const buckets = feat.buckets;
  const theta = new Float64Array(buckets * C + C);
  const loss = lbfgs((t, g) => objective(t, g, X, y, buckets, C, opts.l2), theta, opts.maxIter, opts.log);
  return {
    model: {
      featurizer: opts.featurizer,
      labels: [...labels],
      nLogits: C,
      weights: Float32Array.from(theta.subarray(0, buckets * C)),
      bias: Float32Array.from(theta.subarray(buckets * C)),
    },
    loss,
  };
}

/** Logits of one document with the model's float32 weights (what the ONNX graph computes). */
export function linearLogits(model: LinearModel, ids: Int32Array, weights: Float32Array, out = new Float64Array(model.nLogits)): Float64Array {
  const C = model.nLogits;
  for (let c = 0; c < C; c++) out[c] = model.bias[c];
  for (let k = 0; k < ids.length; k++) {
    const row = ids[k] * C;
    for (let c = 0; c < C; c++) out[c] += model.weights[row + c] * weights[k];
  }
  return out;
}

/** Class probabilities from logits: binary -> [P(neg), P(pos)], else softmax. */
export function probabilities(logits: ArrayLike<number>, nLogits: number): number[] {
  if (nLogits === 1) {
    const z = logits[0];
    const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    return [1 - p, p];
  }
  let max = -Infinity;
  for (let c = 0; c < nLogits; c++) max = Math.max(max, logits[c]);
  const e: number[] = [];
  let s = 0;
  for (let c = 0; c < nLogits; c++) {
    e.push(Math.exp(logits[c] - max));
    s += e[c];
  }
  return e.map((v) => v / s);
}

export function predictProbs(model: LinearModel, texts: readonly string[]): number[][] {
  const f = new HashedNgramFeaturizer(model.featurizer);
  const X = f.featurizeBatch(texts);
  const out: number[][] = [];
  const buf = new Float64Array(model.nLogits);
  for (let i = 0; i < texts.length; i++) {
    const l = linearLogits(model, X.ids.subarray(X.offsets[i], X.offsets[i + 1]), X.weights.subarray(X.offsets[i], X.offsets[i + 1]), buf);
    out.push(probabilities(l, model.nLogits));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Evaluation

/** ROC-AUC by the rank-sum (Mann-Whitney U) statistic, ties counted half. NaN when one class is absent. */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  for (const p of positive) if (p) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]]) rankSumPos += avgRank;
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface Metrics {
  n: number;
  accuracy: number;
  /** Binary: ROC-AUC of P(positive); multi-class: macro average of one-vs-rest AUCs. */
  auc: number;
  logLoss: number;
  /** Examples per true label. */
  counts: Record<string, number>;
}

export function evaluate(labels: readonly string[], probs: readonly number[][], truth: readonly string[]): Metrics {
  const n = truth.length;
  let correct = 0;
  let ll = 0;
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    let arg = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[arg]) arg = c;
    if (labels[arg] === truth[i]) correct++;
    const t = labels.indexOf(truth[i]);
    ll -= Math.log(Math.max(p[t], 1e-15));
    counts[truth[i]] = (counts[truth[i]] ?? 0) + 1;
  }
  let auc: number;
  if (labels.length === 2) {
    auc = rocAuc(probs.map((p) => p[1]), truth.map((t) => t === labels[1]));
  } else {
    const aucs = labels.map((l, c) => rocAuc(probs.map((p) => p[c]), truth.map((t) => t === l))).filter((a) => !Number.isNaN(a));
    auc = aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN;
  }
  return { n, accuracy: n ? correct / n : NaN, auc, logLoss: n ? ll / n : NaN, counts };
}

/** Deterministic split: an example goes to the held-out set when hash(seed, id) < fraction. */
export function isHeldOut(id: string, fraction: number, seed: number): boolean {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 < fraction;
}

/** Picks the positive label of a binary problem: a conventional "good" name when present, else the last sorted. */
export function orderLabels(labels: readonly string[], positive?: string): string[] {
  const sorted = [...new Set(labels)].sort();
  if (sorted.length !== 2) return sorted;
  let pos = positive;
  if (pos === undefined) {
    const good = ['1', 'true', 'high', 'hq', '__label__hq', 'pos', 'positive', 'yes', 'good', 'keep', 'ham'];
    pos = sorted.find((l) => good.includes(l.toLowerCase())) ?? sorted[1];
  }
  if (!sorted.includes(pos)) throw new Error(`--positive "${pos}" is not one of the labels (${sorted.join(', ')})`);
  return [sorted.find((l) => l !== pos) as string, pos];
}
