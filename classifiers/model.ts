// Loading and running an ONNX text classifier: a model directory (local or s3://) with `model.onnx`, `config.json`
// and either a Hugging Face `tokenizer.json` (transformer models) or a `featurizer.json` (the built-in hashed n-gram
// linear model). Inputs are discovered from the ONNX graph; documents are batched with length bucketing (sorted by
// token count, padded only to the longest in each batch). One session per model and thread count per process
// (worker), created on first use and reused by every later task in that worker.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Storage } from '../pipeline/types.ts';
import { isRemote, joinUri } from '../pipeline/storage.ts';
import { type HeadKind, type HeadSpec, expectedLogits } from './heads.ts';
import { type TextTokenizer, loadHfTokenizer } from './tokenizer.ts';
import { HashedNgramFeaturizer, parseFeaturizerConfig } from './linear/featurizer.ts';

/** The parts of a Hugging Face config.json the classifier uses (plus curate's own keys for the linear model). */
export interface ModelConfig {
  model_type?: string;
  problem_type?: string;
  id2label?: Record<string, string>;
  max_position_embeddings?: number;
  position_biased_input?: boolean;
  relative_attention?: boolean;
  pad_token_id?: number | null;
  /** curate: head of the model when it cannot be told from problem_type (the linear model's binary sigmoid). */
  curate_head?: HeadKind;
}

export interface ClassifierOptions {
  /** Tokens per document including special tokens; undefined = the model's own limit (or 512). */
  maxTokens?: number;
  /** Documents per ONNX run; default 8 for transformers, 32 for the linear model (fastest measured on CPU). */
  batchSize?: number;
  /** Intra-op threads of the ONNX Runtime session. */
  threads: number;
  /** Head override: undefined / 'auto' = from config.json. */
  head?: HeadKind | 'auto';
  /** Labels in logit order; overrides config.json's id2label. */
  labels?: string[];
  warn?: (msg: string) => void;
}

/** One document's model inputs: token ids (or hashed feature ids) and, for the linear model, feature weights. */
export interface Encoded {
  ids: Int32Array;
  weights?: Float32Array;
}

export interface ClassifyResult {
  encoded: Encoded[];
  /** Row-major [docs, nLogits], in input order. */
  logits: Float32Array;
  nLogits: number;
}

interface Encoder {
  kind: 'transformer' | 'hashed-linear';
  maxTokens: number;
  encode(texts: readonly string[]): Promise<Encoded[]>;
  /** Feeds for docs[order[from..to)], padded to the longest. */
  feeds(docs: readonly Encoded[], order: Int32Array, from: number, to: number): Record<string, ort.Tensor>;
}

type IntType = 'int64' | 'int32';

function inputType(meta: ort.InferenceSession.ValueMetadata | undefined, name: string): IntType | 'float32' {
  if (!meta || !meta.isTensor) throw new Error(`model input "${name}" is not a tensor`);
  const t = meta.type;
  if (t === 'int64' || t === 'int32' || t === 'float32') return t;
  throw new Error(`model input "${name}" has element type ${t}; curate feeds int64/int32 ids and float32 weights`);
}

function intTensor(type: IntType, data: Int32Array, dims: number[]): ort.Tensor {
  if (type === 'int32') return new ort.Tensor('int32', data, dims);
  const big = new BigInt64Array(data.length);
  const view = new Int32Array(big.buffer);
  for (let i = 0; i < data.length; i++) {
    view[2 * i] = data[i];
    view[2 * i + 1] = data[i] < 0 ? -1 : 0; // little-endian two's complement
  }
  return new ort.Tensor('int64', big, dims);
}

const TRANSFORMER_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];
const LINEAR_INPUTS = ['feature_ids', 'feature_weights'];

function transformerEncoder(session: ort.InferenceSession, tok: TextTokenizer): Encoder {
  const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
  for (const name of session.inputNames) {
    if (!TRANSFORMER_INPUTS.includes(name)) {
      throw new Error(`model input "${name}" is not one curate can fill (it feeds ${TRANSFORMER_INPUTS.join(', ')}); re-export the model with only those inputs`);
    }
  }
  if (!session.inputNames.includes('input_ids')) throw new Error('the model has no "input_ids" input; is this a text classifier exported with optimum/torch.onnx?');
  const types = new Map(session.inputNames.map((n) => [n, inputType(meta.get(n), n) as IntType]));
  const pad = tok.padId;
  return {
    kind: 'transformer',
    maxTokens: tok.maxTokens,
    async encode(texts) {
      const ids = await tok.encodeBatch(texts);
      return ids.map((x) => ({ ids: x }));
    },
    feeds(docs, order, from, to) {
      const b = to - from;
      let len = 1;
      for (let i = from; i < to; i++) len = Math.max(len, docs[order[i]].ids.length);
      const ids = new Int32Array(b * len).fill(pad);
      const mask = new Int32Array(b * len);
      for (let r = 0; r < b; r++) {
        const d = docs[order[from + r]].ids;
        ids.set(d, r * len);
        mask.fill(1, r * len, r * len + d.length);
      }
      const out: Record<string, ort.Tensor> = {};
      for (const name of session.inputNames) {
        const t = types.get(name) as IntType;
        if (name === 'input_ids') out[name] = intTensor(t, ids, [b, len]);
        else if (name === 'attention_mask') out[name] = intTensor(t, mask, [b, len]);
        else out[name] = intTensor(t, new Int32Array(b * len), [b, len]);
      }
      return out;
    },
  };
}

function linearEncoder(session: ort.InferenceSession, feat: HashedNgramFeaturizer): Encoder {
  for (const name of LINEAR_INPUTS) {
    if (!session.inputNames.includes(name)) throw new Error(`a model with featurizer.json must have inputs ${LINEAR_INPUTS.join(', ')} (missing "${name}")`);
  }
  const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const idType = inputType(meta.get('feature_ids'), 'feature_ids') as IntType;
  // feed buffers reused across runs (a session runs one batch at a time; padding = id 0 with weight 0)
  let ids = new Int32Array(0);
  let w = new Float32Array(0);
  return {
    kind: 'hashed-linear',
    maxTokens: Infinity,
    async encode(texts) {
      const fb = feat.featurizeBatch(texts);
      const out: Encoded[] = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) {
        out[i] = { ids: fb.ids.subarray(fb.offsets[i], fb.offsets[i + 1]), weights: fb.weights.subarray(fb.offsets[i], fb.offsets[i + 1]) };
      }
      return out;
    },
    feeds(docs, order, from, to) {
      const b = to - from;
      let len = 1;
      for (let i = from; i < to; i++) len = Math.max(len, docs[order[i]].ids.length);
      const n = b * len;
      if (ids.length < n) {
        ids = new Int32Array(n * 2);
        w = new Float32Array(n * 2);
      }
      const bi = ids.subarray(0, n);
      const bw = w.subarray(0, n);
      bi.fill(0);
      bw.fill(0);
      for (let r = 0; r < b; r++) {
        const d = docs[order[from + r]];
        bi.set(d.ids, r * len);
        bw.set(d.weights as Float32Array, r * len);
      }
      return { feature_ids: intTensor(idType, bi, [b, len]), feature_weights: new ort.Tensor('float32', bw, [b, len]) };
    },
  };
}

// ---------------------------------------------------------------------------

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** One session per model file and thread count in this process; later tasks in the same worker reuse it. */
export function getSession(modelPath: string, threads: number): Promise<ort.InferenceSession> {
  const key = `${modelPath}|${threads}`;
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

/** Releases every cached session (tests, CLI exit). */
export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of all) {
    try {
      await (await s).release();
    } catch {
      /* already failed to load */
    }
  }
}

/** Default token limit: the model's absolute position embeddings bound it (relative-only models are not bound). */
function modelTokenLimit(cfg: ModelConfig): number | null {
  const mpe = cfg.max_position_embeddings;
  if (typeof mpe !== 'number' || mpe <= 0) return null;
  if (cfg.relative_attention === true && cfg.position_biased_input === false) return null;
  const t = cfg.model_type ?? '';
  if (t === 'roberta' || t === 'xlm-roberta' || t === 'camembert') return mpe - 2; // positions start after padding_idx
  return mpe;
}

function labelsFromConfig(cfg: ModelConfig): string[] | null {
  if (!cfg.id2label) return null;
  const entries = Object.entries(cfg.id2label).map(([k, v]) => [Number(k), v] as const).sort((a, b) => a[0] - b[0]);
  if (entries.some(([k], i) => k !== i)) throw new Error('config.json: id2label keys must be 0..n-1');
  return entries.map(([, v]) => v);
}

/** Which head a model gets, and its labels, from options and config.json. */
export function resolveHead(cfg: ModelConfig, nLogits: number | null, opts: { head?: HeadKind | 'auto'; labels?: string[] }): { kind: HeadKind; labels: string[] } {
  const cfgLabels = labelsFromConfig(cfg);
  let kind: HeadKind;
  if (opts.head && opts.head !== 'auto') kind = opts.head;
  else if (cfg.curate_head) kind = cfg.curate_head;
  else if (cfg.problem_type === 'regression') kind = 'regression';
  else if (cfg.problem_type === 'multi_label_classification') kind = 'sigmoid';
  else if ((nLogits ?? cfgLabels?.length ?? 1) === 1) kind = 'regression';
  else kind = 'softmax';
  const labels = opts.labels ?? cfgLabels ?? [];
  const generic = cfgLabels !== null && cfgLabels.every((l, i) => l === `LABEL_${i}`); // transformers' placeholder names
  if (opts.labels && cfgLabels && !generic && kind !== 'regression' && opts.labels.length === cfgLabels.length) {
    const a = [...opts.labels].sort().join('\u0000');
    const b = [...cfgLabels].sort().join('\u0000');
    if (a !== b) throw new Error(`labels [${opts.labels.join(', ')}] do not match the model's id2label [${cfgLabels.join(', ')}]`);
    for (let i = 0; i < cfgLabels.length; i++) {
      if (opts.labels[i] !== cfgLabels[i]) throw new Error(`labels [${opts.labels.join(', ')}] are in a different order than the model's id2label [${cfgLabels.join(', ')}]: give them in logit order`);
    }
  }
  return { kind, labels };
}

export interface ModelFiles {
  dir: string;
  model: string;
  config: string;
  tokenizer: string | null;
  featurizer: string | null;
}

/** Local paths of a model directory's files (downloaded to the storage cache when the directory is on S3). */
export async function modelFiles(dirUri: string, storage?: Storage): Promise<ModelFiles> {
  if (!storage || !isRemote(dirUri)) {
    const dir = dirUri.startsWith('file://') ? new URL(dirUri).pathname : dirUri;
    const f = (n: string): string => join(dir, n);
    if (!existsSync(f('model.onnx'))) throw new Error(`no model.onnx in ${dir} (a classifier directory holds model.onnx, config.json and tokenizer.json or featurizer.json)`);
    if (!existsSync(f('config.json'))) throw new Error(`no config.json in ${dir} (it gives id2label and problem_type; copy the one from the Hugging Face model)`);
    const tokenizer = existsSync(f('tokenizer.json')) ? f('tokenizer.json') : null;
    const featurizer = existsSync(f('featurizer.json')) ? f('featurizer.json') : null;
    if (!tokenizer && !featurizer) throw new Error(`no tokenizer.json (or featurizer.json) in ${dir}; save it with tokenizer.save_pretrained(dir)`);
    return { dir, model: f('model.onnx'), config: f('config.json'), tokenizer, featurizer };
  }
  const uri = (n: string): string => joinUri(dirUri, n);
  const need = async (n: string, hint: string): Promise<string> => {
    if (!(await storage.stat(uri(n)))) throw new Error(`no ${n} under ${dirUri} (${hint})`);
    return storage.localPath(uri(n));
  };
  const maybe = async (n: string): Promise<string | null> => ((await storage.stat(uri(n))) ? storage.localPath(uri(n)) : null);
  const model = await need('model.onnx', 'a classifier directory holds model.onnx, config.json and tokenizer.json or featurizer.json');
  const config = await need('config.json', 'it gives id2label and problem_type');
  const featurizer = await maybe('featurizer.json');
  const tokenizer = featurizer ? null : await need('tokenizer.json', 'save it with tokenizer.save_pretrained(dir)');
  return { dir: dirUri, model, config, tokenizer, featurizer };
}

/** A loaded classifier: encode texts, run them through ONNX in length-bucketed batches, return logits. */
export class Classifier {
  readonly files: ModelFiles;
  readonly config: ModelConfig;
  readonly session: ort.InferenceSession;
  readonly kind: 'transformer' | 'hashed-linear';
  readonly nLogits: number;
  readonly head: { kind: HeadKind; labels: string[] };
  readonly maxTokens: number;
  private readonly encoder: Encoder;
  private readonly outputName: string;
  private readonly batchSize: number;

  private constructor(files: ModelFiles, config: ModelConfig, session: ort.InferenceSession, encoder: Encoder, nLogits: number, head: { kind: HeadKind; labels: string[] }, batchSize: number) {
    this.files = files;
    this.config = config;
    this.session = session;
    this.encoder = encoder;
    this.kind = encoder.kind;
    this.nLogits = nLogits;
    this.head = head;
    this.maxTokens = encoder.maxTokens;
    this.batchSize = batchSize;
    this.outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  }

  static async load(dirUri: string, opts: ClassifierOptions, storage?: Storage): Promise<Classifier> {
    const files = await modelFiles(dirUri, storage);
    let config: ModelConfig;
    try {
      config = JSON.parse(readFileSync(files.config, 'utf8')) as ModelConfig;
    } catch (e) {
      throw new Error(`cannot read ${files.config}: ${(e as Error).message}`);
    }
    const session = await getSession(files.model, opts.threads);
    let encoder: Encoder;
    if (files.featurizer) {
      const fc = parseFeaturizerConfig(JSON.parse(readFileSync(files.featurizer, 'utf8')));
      encoder = linearEncoder(session, new HashedNgramFeaturizer(fc));
    } else {
      const limit = modelTokenLimit(config);
      let maxTokens = opts.maxTokens ?? limit ?? 512;
      if (limit !== null && maxTokens > limit) {
        opts.warn?.(`maxTokens ${maxTokens} exceeds the model's ${limit} absolute positions; using ${limit}`);
        maxTokens = limit;
      }
      const pad = typeof config.pad_token_id === 'number' ? config.pad_token_id : undefined;
      encoder = transformerEncoder(session, loadHfTokenizer(files.tokenizer as string, maxTokens, pad));
    }
    const outMeta = session.outputMetadata.find((m) => m.name === (session.outputNames.includes('logits') ? 'logits' : session.outputNames[0]));
    let nLogits: number | null = null;
    if (outMeta && outMeta.isTensor) {
      const shape = outMeta.shape;
      const last = shape.length >= 2 ? shape[shape.length - 1] : 1;
      if (typeof last === 'number') nLogits = last;
    }
    const head = resolveHead(config, nLogits, opts);
    const spec: HeadSpec = { kind: head.kind, name: 'x', labels: head.labels, intScoreRange: null, clampScore: false, threshold: 0.5, keepLogits: false };
    const want = expectedLogits(spec);
    if (head.kind !== 'regression' && head.labels.length === 0) throw new Error(`the ${head.kind} head needs labels: config.json has no id2label; give "labels" in logit order`);
    if (nLogits !== null && nLogits !== want) {
      throw new Error(`the model outputs ${nLogits} logits but the ${head.kind} head with labels [${head.labels.join(', ')}] needs ${want}; check "head"/"labels" or config.json`);
    }
    return new Classifier(files, config, session, encoder, nLogits ?? want, head, opts.batchSize ?? (encoder.kind === 'transformer' ? 8 : 32));
  }

  /** Tokenizes (or featurizes) texts; texts must already be cut to any character limit. */
  encode(texts: readonly string[]): Promise<Encoded[]> {
    return this.encoder.encode(texts);
  }

  /** Runs encoded documents in batches of similar length; logits come back in input order. */
  async run(docs: readonly Encoded[]): Promise<Float32Array> {
    const n = docs.length;
    const c = this.nLogits;
    const logits = new Float32Array(n * c);
    if (n === 0) return logits;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => docs[a].ids.length - docs[b].ids.length || a - b);
    for (let from = 0; from < n; from += this.batchSize) {
      const to = Math.min(n, from + this.batchSize);
      const feeds = this.encoder.feeds(docs, order, from, to);
      const out = await this.session.run(feeds, [this.outputName]);
      const t = out[this.outputName];
      const data = floatData(t, this.outputName);
      if (data.length !== (to - from) * c) throw new Error(`model output "${this.outputName}" has ${data.length} values for ${to - from} documents; expected ${c} per document`);
      for (let r = 0; r < to - from; r++) logits.set(data.subarray(r * c, r * c + c), order[from + r] * c);
      for (const f of Object.values(feeds)) f.dispose();
      t.dispose();
    }
    return logits;
  }

  async classify(texts: readonly string[]): Promise<ClassifyResult> {
    const encoded = await this.encode(texts);
    const logits = await this.run(encoded);
    return { encoded, logits, nLogits: this.nLogits };
  }
}

/** IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The logits of an output tensor as float32 (fp16 and fp64 exports are converted). */
function floatData(t: ort.Tensor, name: string): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  if (t.type === 'float16') {
    const d = t.data as ArrayLike<number>;
    const out = new Float32Array(d.length);
    // onnxruntime-node hands fp16 as raw bits (Uint16Array) or, where available, as Float16Array values
    const raw = d instanceof Uint16Array;
    for (let i = 0; i < d.length; i++) out[i] = raw ? halfToFloat(d[i]) : d[i];
    return out;
  }
  throw new Error(`model output "${name}" has element type ${t.type}; expected float32, float16 or float64 logits`);
}

/** Python's text[:n] (code points, not UTF-16 units), as NeMo Curator cuts texts to max_chars. */
export function truncateChars(text: string, maxChars: number | null | undefined): string {
  if (maxChars === null || maxChars === undefined || text.length <= maxChars) return text;
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    if (cp === maxChars) return text.slice(0, i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    cp++;
  }
  return text;
}
