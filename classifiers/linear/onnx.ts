// Export of the linear model as a standard ONNX model (opset 17, IR version 8), written by hand: a minimal protobuf
// encoder and the few ONNX messages needed (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
// AttributeProto). Field numbers follow onnx/onnx.proto.
//
// Graph (batch of B documents, n = most features of a document in the batch, padded with weight 0):
//   feature_ids int32 [B, n], feature_weights float [B, n]
//   g = Gather(W[buckets, C], feature_ids)          -> [B, n, C]
//   p = Mul(g, Unsqueeze(feature_weights, [2]))     -> [B, n, C]
//   logits = Add(ReduceSum(p, [1], keepdims=0), b)  -> [B, C]
//   probs = Sigmoid(logits) (C = 1) | Softmax(logits, axis=-1)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinearModel } from './train.ts';

class Pb {
  private chunks: Uint8Array[] = [];
  private buf: number[] = [];
  private flush(): void {
    if (this.buf.length) {
      this.chunks.push(Uint8Array.from(this.buf));
      this.buf = [];
    }
  }
  private rawVarint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.buf.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.buf.push(Number(x));
  }
  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(v);
    return this;
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(data.length);
    this.flush();
    this.chunks.push(data);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    this.flush();
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const ATTR_INT = 2;

function tensor(name: string, type: number, dims: number[], raw: Uint8Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, type);
  t.string(8, name);
  t.bytes(9, raw); // raw_data: little-endian
  return t;
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().string(2, d));
  const tt = new Pb().int(1, elemType).msg(2, shape);
  return new Pb().string(1, name).msg(2, new Pb().msg(1, tt));
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Pb[] = []): Pb {
  const n = new Pb();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name);
  n.string(4, op);
  for (const a of attrs) n.msg(5, a);
  return n;
}

function intAttr(name: string, v: number): Pb {
  return new Pb().string(1, name).int(3, v).int(20, ATTR_INT);
}

function le(arr: Float32Array | BigInt64Array): Uint8Array {
  // Node runs little-endian on every supported platform; copy to an exact-size buffer.
  return new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength));
}

/** The ONNX bytes of a linear model; `metadata` goes to metadata_props (e.g. the featurizer config). */
export function linearModelToOnnx(model: LinearModel, metadata: Record<string, string> = {}): Uint8Array {
  const C = model.nLogits;
  const buckets = 1 << model.featurizer.bucketsLog2;
  if (model.weights.length !== buckets * C) throw new Error('weights do not match buckets x logits');
  const g = new Pb();
  g.msg(1, node('Gather', ['W', 'feature_ids'], ['gathered'], 'gather', [intAttr('axis', 0)]));
  g.msg(1, node('Unsqueeze', ['feature_weights', 'axis2'], ['weights3'], 'unsqueeze'));
  g.msg(1, node('Mul', ['gathered', 'weights3'], ['weighted'], 'mul'));
  g.msg(1, node('ReduceSum', ['weighted', 'axis1'], ['summed'], 'reduce_sum', [intAttr('keepdims', 0)]));
  g.msg(1, node('Add', ['summed', 'b'], ['logits'], 'add_bias'));
  g.msg(1, node(C === 1 ? 'Sigmoid' : 'Softmax', ['logits'], ['probs'], 'probs'));
  g.string(2, 'curate_hashed_ngram_linear');
  g.msg(5, tensor('W', FLOAT, [buckets, C], le(model.weights)));
  g.msg(5, tensor('b', FLOAT, [C], le(model.bias)));
  g.msg(5, tensor('axis1', INT64, [1], le(BigInt64Array.from([1n]))));
  g.msg(5, tensor('axis2', INT64, [1], le(BigInt64Array.from([2n]))));
  g.msg(11, valueInfo('feature_ids', INT32, ['batch', 'features']));
  g.msg(11, valueInfo('feature_weights', FLOAT, ['batch', 'features']));
  g.msg(12, valueInfo('logits', FLOAT, ['batch', C]));
  g.msg(12, valueInfo('probs', FLOAT, ['batch', C]));

  const m = new Pb();
  m.int(1, 8); // ir_version
  m.string(2, 'curate');
  m.string(3, '0.1.0');
  m.msg(7, g);
  m.msg(8, new Pb().string(1, '').int(2, 17)); // opset_import
  for (const [k, v] of Object.entries(metadata)) m.msg(14, new Pb().string(1, k).string(2, v));
  return m.finish();
}

/** Hugging Face-style config.json of a linear model directory. */
export function linearConfig(model: LinearModel, training: Record<string, unknown>): Record<string, unknown> {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  model.labels.forEach((l, i) => {
    id2label[String(i)] = l;
    label2id[l] = i;
  });
  return {
    model_type: 'curate-hashed-linear',
    problem_type: model.nLogits === 1 ? 'binary_classification' : 'single_label_classification',
    curate_head: model.nLogits === 1 ? 'sigmoid' : 'softmax',
    id2label,
    label2id,
    num_logits: model.nLogits,
    curate_training: training,
  };
}

/** The files of a linear model directory: model.onnx, config.json and featurizer.json. */
export function linearModelFiles(model: LinearModel, training: Record<string, unknown>): Record<string, Uint8Array | string> {
  const fz = JSON.stringify(model.featurizer, null, 2);
  return {
    'model.onnx': linearModelToOnnx(model, { curate_featurizer: fz, curate_labels: JSON.stringify(model.labels) }),
    'featurizer.json': fz + '\n',
    'config.json': JSON.stringify(linearConfig(model, training), null, 2) + '\n',
  };
}

/** Writes the model directory locally: a directory the classify stage runs as-is. */
export function writeLinearModelDir(dir: string, model: LinearModel, training: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(linearModelFiles(model, training))) writeFileSync(join(dir, name), data);
}
