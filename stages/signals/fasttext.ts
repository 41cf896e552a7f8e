// fastText supervised-model inference, ported from facebookresearch/fastText v0.9.2 (the version RPv2's
// `fasttext` Python package used) for RPv2's rps_doc_ml_* signals: reads a `.bin` model (not quantized `.ftz`) and
// predicts like the Python binding's `model.predict(text)`, with fastText's float32 arithmetic.
//
// Prediction path (fasttext.cc predictLine, dictionary.cc getLine, model.cc, loss.cc):
// - the text (plus the "\n" the Python binding appends) is split into byte tokens on ' ' \n \r \t \v \f \0, the
//   final "\n" giving the end-of-sentence token "</s>";
// - each word token contributes its vocabulary id (or its character n-grams, when the model has them), and word
//   n-grams are hashed from the tokens' FNV-1a hashes into `bucket` extra rows;
// - hidden = mean of those input rows (float32), output = softmax / one-vs-all sigmoid / hierarchical softmax;
// - the reported probability is exp(log(p + 1e-5)) in float32, as fastText returns it.

const MAGIC = 793712314;
const EOS = '</s>';
const LABEL_PREFIX = '__label__';
const SIGMOID_TABLE_SIZE = 512;
const MAX_SIGMOID = 8;

const LOSS_NAMES: Record<number, string> = { 1: 'hs', 2: 'ns', 3: 'softmax', 4: 'ova' };

export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: 'hs' | 'ns' | 'softmax' | 'ova';
  model: number;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
}

export interface FastTextPrediction {
  label: string;
  /** Probability as fastText reports it: float32 exp(log(p + 1e-5)). */
  prob: number;
}

interface TreeNode {
  parent: number;
  left: number;
  right: number;
  count: number;
  binary: boolean;
}

const f32 = Math.fround;
const stdLog = (x: number): number => f32(Math.log(x + 1e-5));

/** FNV-1a over bytes, each byte sign-extended first (fastText's `uint32_t(int8_t(c))`). */
function ftHash(bytes: Uint8Array, start: number, end: number): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    h = (h ^ (b >= 128 ? b | 0xffffff00 : b)) >>> 0;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

const utf8 = new TextEncoder();

function bytesKey(b: Uint8Array): string {
  // a byte-exact string key: one char per byte (TextDecoder('latin1') would be windows-1252)
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  return s;
}

export class FastTextModel {
  readonly args: FastTextArgs;
  readonly nwords: number;
  readonly nlabels: number;
  /** Label strings in output order. */
  readonly labels: string[];
  private readonly words: Map<string, number>;
  private readonly entryType: Uint8Array;
  private readonly subwords: Int32Array[];
  private readonly input: Float32Array;
  private readonly inputCols: number;
  private readonly output: Float32Array;
  private readonly sigmoidTable: Float32Array;
  private readonly tree?: TreeNode[];

  constructor(buf: Uint8Array) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    const i32 = (): number => {
      const v = dv.getInt32(o, true);
      o += 4;
      return v;
    };
    const i64 = (): number => {
      const v = dv.getBigInt64(o, true);
      o += 8;
      return Number(v);
    };
    if (buf.byteLength < 8 || i32() !== MAGIC) throw new Error('not a fastText model (bad magic number)');
    const version = i32();
    if (version > 12) throw new Error(`fastText model version ${version} is newer than supported (12)`);
    const dim = i32();
    const ws = i32();
    const epoch = i32();
    const minCount = i32();
    const neg = i32();
    const wordNgrams = i32();
    const lossId = i32();
    const model = i32();
    const bucket = i32();
    const minn = i32();
    let maxn = i32();
    const lrUpdateRate = i32();
    const t = dv.getFloat64(o, true);
    o += 8;
    const loss = LOSS_NAMES[lossId] as FastTextArgs['loss'] | undefined;
    if (!loss) throw new Error(`fastText model: unknown loss id ${lossId}`);
    if (model !== 3) throw new Error('fastText model is not supervised (cannot predict labels)');
    if (version === 11) maxn = 0; // old supervised models have no character n-grams
    this.args = { dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t };

    // dictionary
    const size = i32();
    const nwords = i32();
    const nlabels = i32();
    i64(); // ntokens
    const pruneSize = i64();
    const words = new Map<string, number>();
    const entryType = new Uint8Array(size);
    const counts: number[] = [];
    const wordBytes: Uint8Array[] = [];
    for (let i = 0; i < size; i++) {
      const s = o;
      while (buf[o] !== 0) o++;
      const wb = buf.subarray(s, o);
      o++;
      const count = i64();
      entryType[i] = buf[o++];
      wordBytes.push(wb);
      counts.push(count);
      words.set(bytesKey(wb), i);
    }
    if (pruneSize > 0) throw new Error('fastText model is pruned/quantized (.ftz); use the full .bin model');
    this.words = words;
    this.entryType = entryType;
    this.nwords = nwords;
    this.nlabels = nlabels;
    const dec = new TextDecoder();
    this.labels = wordBytes.slice(nwords).map((b) => dec.decode(b));
    this.subwords = wordBytes.map((wb, i) => {
      const ids = [i];
      if (maxn > 0 && bytesKey(wb) !== EOS) this.computeSubwords(withBowEow(wb), ids);
      return Int32Array.from(ids);
    });

    const quantInput = buf[o++] !== 0;
    if (quantInput) throw new Error('fastText model is quantized (.ftz); use the full .bin model');
    const [input, rows, cols] = readMatrix(buf, dv, o);
    o += 16 + rows * cols * 4;
    if (cols !== dim) throw new Error(`fastText model: input matrix has ${cols} columns, dim is ${dim}`);
    this.input = input;
    this.inputCols = cols;
    const qout = buf[o++] !== 0;
    if (qout) throw new Error('fastText model has a quantized output matrix; use the full .bin model');
    const [output, orows, ocols] = readMatrix(buf, dv, o);
    o += 16 + orows * ocols * 4;
    if (ocols !== dim) throw new Error(`fastText model: output matrix has ${ocols} columns, dim is ${dim}`);
    this.output = output;

    this.sigmoidTable = new Float32Array(SIGMOID_TABLE_SIZE + 1);
    for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
      const x = f32(f32((i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE) - MAX_SIGMOID);
      this.sigmoidTable[i] = 1.0 / (1.0 + f32(Math.exp(-x)));
    }
    if (loss === 'hs') this.tree = buildTree(counts.slice(nwords));
  }

  private pushHash(out: number[], id: number): void {
    if (id < 0) return;
    out.push(this.nwords + id);
  }

  /** Character n-grams (minn..maxn code points) of `<word>`, by UTF-8 byte positions, as fastText computes them. */
  private computeSubwords(word: Uint8Array, out: number[]): void {
    const { minn, maxn, bucket } = this.args;
    const L = word.length;
    for (let i = 0; i < L; i++) {
      if ((word[i] & 0xc0) === 0x80) continue;
      let j = i;
      for (let n = 1; j < L && n <= maxn; n++) {
        j++;
        while (j < L && (word[j] & 0xc0) === 0x80) j++;
        if (n >= minn && !(n === 1 && (i === 0 || j === L))) {
          this.pushHash(out, ftHash(word, i, j) % bucket);
        }
      }
    }
  }

  /** Input row ids of one line, as `Dictionary::getLine` builds them (labels ignored). */
  inputIds(text: string): number[] {
    const ids: number[] = [];
    const hashes: number[] = [];
    const bytes = utf8.encode(text + '\n');
    const { maxn } = this.args;
    let s = -1;
    for (let i = 0; i <= bytes.length; i++) {
      const b = i < bytes.length ? bytes[i] : 0x0a;
      const sep = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0b || b === 0x0c || b === 0x00;
      if (!sep) {
        if (s < 0) s = i;
        continue;
      }
      if (s >= 0) {
        this.addToken(bytes.subarray(s, i), ids, hashes, maxn);
        s = -1;
      }
      if (b === 0x0a) {
        this.addToken(utf8.encode(EOS), ids, hashes, maxn);
        break;
      }
    }
    if (this.args.wordNgrams > 1) this.addWordNgrams(ids, hashes, this.args.wordNgrams);
    return ids;
  }

  private addToken(tok: Uint8Array, ids: number[], hashes: number[], maxn: number): void {
    const key = bytesKey(tok);
    const h = ftHash(tok, 0, tok.length);
    const wid = this.words.get(key) ?? -1;
    const isWord = wid < 0 ? !key.startsWith(LABEL_PREFIX) : this.entryType[wid] === 0;
    if (!isWord) return;
    if (wid < 0) {
      if (key !== EOS) this.computeSubwords(withBowEow(tok), ids);
    } else if (maxn <= 0) ids.push(wid);
    else for (const x of this.subwords[wid]) ids.push(x);
    hashes.push(h | 0);
  }

  private addWordNgrams(ids: number[], hashes: number[], n: number): void {
    const bucket = BigInt(this.args.bucket);
    for (let i = 0; i < hashes.length; i++) {
      let h = BigInt.asUintN(64, BigInt(hashes[i]));
      for (let j = i + 1; j < hashes.length && j < i + n; j++) {
        h = BigInt.asUintN(64, h * 116049371n + BigInt.asUintN(64, BigInt(hashes[j])));
        this.pushHash(ids, Number(h % bucket));
      }
    }
  }

  private dotRow(m: Float32Array, row: number, v: Float32Array): number {
    const n = this.inputCols;
    const off = row * n;
    let d = 0;
    for (let j = 0; j < n; j++) d = f32(d + f32(m[off + j] * v[j]));
    if (Number.isNaN(d)) throw new Error('fastText: encountered NaN');
    return d;
  }

  private sigmoid(x: number): number {
    if (x < -MAX_SIGMOID) return 0.0;
    if (x > MAX_SIGMOID) return 1.0;
    const i = Math.trunc(f32(f32(f32(f32(x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID) / 2));
    return this.sigmoidTable[i];
  }

  /** The most probable label of one line of text (no "\n" inside), like Python's `model.predict(text)` (k = 1). */
  predict(text: string): FastTextPrediction | null {
    const ids = this.inputIds(text);
    if (ids.length === 0) return null;
    const dim = this.args.dim;
    const hidden = new Float32Array(dim);
    for (const id of ids) {
      const off = id * dim;
      for (let j = 0; j < dim; j++) hidden[j] += this.input[off + j];
    }
    const a = f32(1.0 / ids.length);
    for (let j = 0; j < dim; j++) hidden[j] *= a;

    let bestScore = -Infinity;
    let best = -1;
    const threshold = 0.0;
    if (this.args.loss === 'hs') {
      const tree = this.tree!;
      const osz = this.nlabels;
      const minScore = stdLog(threshold);
      const dfs = (node: number, score: number): void => {
        if (score < minScore) return;
        if (best >= 0 && score < bestScore) return;
        const t = tree[node];
        if (t.left === -1 && t.right === -1) {
          bestScore = score; // ties: the later leaf replaces the earlier one, as fastText's heap does for k = 1
          best = node;
          return;
        }
        let f = this.dotRow(this.output, node - osz, hidden);
        f = f32(1 / f32(1 + f32(Math.exp(-f))));
        dfs(t.left, f32(score + stdLog(f32(1.0 - f))));
        dfs(t.right, f32(score + stdLog(f)));
      };
      dfs(2 * osz - 2, 0.0);
    } else {
      const osz = this.nlabels;
      const out = new Float32Array(osz);
      for (let i = 0; i < osz; i++) out[i] = this.dotRow(this.output, i, hidden);
      if (this.args.loss === 'softmax') {
        let max = out[0];
        for (let i = 0; i < osz; i++) max = Math.max(out[i], max);
        let z = 0;
        for (let i = 0; i < osz; i++) {
          out[i] = Math.exp(f32(out[i] - max));
          z = f32(z + out[i]);
        }
        for (let i = 0; i < osz; i++) out[i] = out[i] / z;
      } else {
        for (let i = 0; i < osz; i++) out[i] = this.sigmoid(out[i]);
      }
      for (let i = 0; i < osz; i++) {
        if (out[i] < threshold) continue;
        const s = stdLog(out[i]);
        if (best >= 0 && s < bestScore) continue;
        bestScore = s;
        best = i;
      }
    }
    if (best < 0) return null;
    return { label: this.labels[best], prob: f32(Math.exp(bestScore)) };
  }
}

function withBowEow(tok: Uint8Array): Uint8Array {
  const w = new Uint8Array(tok.length + 2);
  w[0] = 0x3c; // <
  w.set(tok, 1);
  w[tok.length + 1] = 0x3e; // >
  return w;
}

function readMatrix(buf: Uint8Array, dv: DataView, o: number): [Float32Array, number, number] {
  const m = Number(dv.getBigInt64(o, true));
  const n = Number(dv.getBigInt64(o + 8, true));
  const start = buf.byteOffset + o + 16;
  const len = m * n;
  if (o + 16 + len * 4 > buf.byteLength) throw new Error('fastText model file is truncated');
  const data = start % 4 === 0 ? new Float32Array(buf.buffer, start, len) : new Float32Array(new Uint8Array(buf.subarray(o + 16, o + 16 + len * 4)).buffer) // copy: unaligned offset;
  return [data, m, n];
}

/** Huffman-style tree of hierarchical softmax over label counts (loss.cc buildTree). */
function buildTree(counts: number[]): TreeNode[] {
  const osz = counts.length;
  const tree: TreeNode[] = [];
  for (let i = 0; i < 2 * osz - 1; i++) tree.push({ parent: -1, left: -1, right: -1, count: 1e15, binary: false });
  for (let i = 0; i < osz; i++) tree[i].count = counts[i];
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < 2 * osz - 1; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && tree[leaf].count < tree[node].count) mini[j] = leaf--;
      else mini[j] = node++;
    }
    tree[i].left = mini[0];
    tree[i].right = mini[1];
    tree[i].count = tree[mini[0]].count + tree[mini[1]].count;
    tree[mini[0]].parent = i;
    tree[mini[1]].parent = i;
    tree[mini[1]].binary = true;
  }
  return tree;
}

/**
 * Byte offset of the input matrix's data in a `.bin` model (after the header, dictionary and quantization flag),
 * or null when `head` is too short to tell.
 */
export function inputMatrixDataOffset(head: Uint8Array): number | null {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let o = 8 + 12 * 4 + 8; // magic, version, 12 int32 args, double t
  if (head.byteLength < o + 4 * 3 + 16) return null;
  const size = dv.getInt32(o, true);
  o += 4 * 3 + 16; // size, nwords, nlabels, ntokens, pruneidx_size
  for (let i = 0; i < size; i++) {
    const z = head.indexOf(0, o);
    if (z < 0) return null;
    o = z + 1 + 8 + 1; // word, NUL, count (int64), type (int8)
  }
  // (pruned models are quantized and refused by the parser anyway)
  o += 1 + 16; // quant flag, rows and cols (int64 each)
  return o <= head.byteLength ? o : null;
}

/**
 * Reads a fastText `.bin` model from a local file, placing the (possibly multi-GB) input matrix at a 4-byte aligned
 * address so it is used in place instead of copied, and reading in chunks (no 2 GB readFile limit).
 */
export async function loadFastTextModel(path: string): Promise<FastTextModel> {
  const { open } = await import('node:fs/promises');
  const fd = await open(path, 'r');
  try {
    const size = (await fd.stat()).size;
    let headLen = Math.min(size, 1 << 22);
    let dataOff: number | null = null;
    for (;;) {
      const head = new Uint8Array(headLen);
      await readFully(fd, head, 0);
      dataOff = inputMatrixDataOffset(head);
      if (dataOff !== null || headLen >= size) break;
      headLen = Math.min(size, headLen * 4);
    }
    const pad = dataOff === null ? 0 : (4 - (dataOff % 4)) % 4;
    const bytes = new Uint8Array(new ArrayBuffer(size + pad), pad, size);
    await readFully(fd, bytes, 0);
    return new FastTextModel(bytes);
  } finally {
    await fd.close();
  }
}

async function readFully(fd: import('node:fs/promises').FileHandle, into: Uint8Array, position: number): Promise<void> {
  const CHUNK = 1 << 28;
  let done = 0;
  while (done < into.byteLength) {
    const n = Math.min(CHUNK, into.byteLength - done);
    const { bytesRead } = await fd.read(into, done, n, position + done);
    if (bytesRead === 0) throw new Error('fastText model file ended early');
    done += bytesRead;
  }
}
