// A Parquet reader for the files this pipeline meets (its own output, pyarrow/datatrove FineWeb shards, DCLM,
// DuckDB and arrow-rs files): footer and page headers parsed with our Thrift compact reader, PLAIN and dictionary
// values, RLE/bit-packed levels, data pages v1 and v2, uncompressed/snappy/gzip/brotli/zstd/LZ4_RAW. It streams one
// row group at a time through ranged reads (so it works the same over S3), prefetching the next row group while
// the current one is consumed. Nested data: lists of any depth (3-level and legacy 2-level), structs of anything
// outside lists; delta and byte-stream-split encodings of Parquet v2. `unsupportedReason()` names what it cannot
// decode (maps, lists of structs, LZO, hadoop-framed LZ4...), and the caller then falls back to parquet-wasm.
import { Codec, bitWidth, canDecompress, codecName, decodeDeltaBinaryPacked, decodeDeltaLengths, decodeHybrid, decompress, unsplitStreams } from './parquet-codecs.ts';
import { Conv, Enc, Logical, PType, PageType, Rep } from './parquet-meta.ts';
import { ThriftReader } from './parquet-thrift.ts';
import type { TStruct, TValue } from './parquet-thrift.ts';

/** Where the bytes come from: size plus [start, end) ranged reads (Storage.readRange fits). */
export interface ByteSource {
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export class ParquetError extends Error {
  /** Row (0-based, in the file) at which the failing row group starts, or null for footer errors. */
  readonly row: number | null;
  constructor(message: string, row: number | null = null) {
    super(message);
    this.row = row;
  }
}

// ---------------------------------------------------------------------------
// Footer

interface SchemaElement {
  name: string;
  type?: number;
  typeLength?: number;
  repetition: number;
  numChildren: number;
  converted?: number;
  scale: number;
  precision: number;
  logical?: TStruct;
  children: SchemaElement[];
  leaf: number; // leaf column index, -1 for groups
}

export interface ColumnChunkMeta {
  path: string[];
  type: number;
  codec: number;
  encodings: number[];
  numValues: number;
  start: number;
  length: number;
  filePath: string | null;
}

export interface RowGroupMeta {
  numRows: number;
  columns: ColumnChunkMeta[];
}

export interface FileMeta {
  numRows: number;
  schema: SchemaElement;
  leaves: SchemaElement[];
  rowGroups: RowGroupMeta[];
  keyValue: Record<string, string>;
  createdBy: string | null;
}

const utf8 = new TextDecoder();
const str = (v: TValue | undefined): string => (v instanceof Uint8Array ? utf8.decode(v) : '');
const num = (v: TValue | undefined, dflt = 0): number => (typeof v === 'number' ? v : dflt);

function parseSchema(elems: TStruct[]): { root: SchemaElement; leaves: SchemaElement[] } {
  let i = 0;
  const leaves: SchemaElement[] = [];
  const build = (depth: number): SchemaElement => {
    if (i >= elems.length) throw new ParquetError('schema is truncated');
    if (depth > 64) throw new ParquetError('schema nests too deeply');
    const e = elems[i++];
    const node: SchemaElement = {
      name: str(e[4]),
      type: typeof e[1] === 'number' ? e[1] : undefined,
      typeLength: typeof e[2] === 'number' ? e[2] : undefined,
      repetition: num(e[3], Rep.REQUIRED),
      numChildren: num(e[5]),
      converted: typeof e[6] === 'number' ? e[6] : undefined,
      scale: num(e[7]),
      precision: num(e[8]),
      logical: e[10] && typeof e[10] === 'object' ? (e[10] as TStruct) : undefined,
      children: [],
      leaf: -1,
    };
    if (node.numChildren > 0) for (let k = 0; k < node.numChildren; k++) node.children.push(build(depth + 1));
    else if (depth > 0) {
      if (node.type === undefined) throw new ParquetError(`schema field "${node.name}" has neither a type nor children`);
      node.leaf = leaves.length;
      leaves.push(node);
    }
    return node;
  };
  const root = build(0);
  return { root, leaves };
}

export function parseFooter(buf: Uint8Array): FileMeta {
  const md = new ThriftReader(buf).struct();
  const { root, leaves } = parseSchema(((md[2] as TValue[]) ?? []) as TStruct[]);
  const rowGroups: RowGroupMeta[] = ((md[4] as TStruct[]) ?? []).map((rg) => ({
    numRows: num(rg[3]),
    columns: ((rg[1] as TStruct[]) ?? []).map((cc) => {
      const m = cc[3] as TStruct | undefined;
      if (!m) throw new ParquetError('a column chunk has no metadata (encrypted or external columns are not supported)');
      const dataOff = num(m[9]);
      const dictOff = typeof m[11] === 'number' && m[11] > 0 && m[11] < dataOff ? m[11] : dataOff;
      return {
        path: ((m[3] as Uint8Array[]) ?? []).map((p) => str(p)),
        type: num(m[1]),
        codec: num(m[4]),
        encodings: ((m[2] as number[]) ?? []).slice(),
        numValues: num(m[5]),
        start: dictOff,
        length: num(m[7]),
        filePath: cc[1] instanceof Uint8Array ? str(cc[1]) : null,
      };
    }),
  }));
  const keyValue: Record<string, string> = {};
  for (const kv of (md[5] as TStruct[]) ?? []) keyValue[str(kv[1])] = str(kv[2]);
  return { numRows: num(md[3]), schema: root, leaves, rowGroups, keyValue, createdBy: md[6] instanceof Uint8Array ? str(md[6]) : null };
}

/** Reads and parses the footer with one ranged read in the common case (64 KiB tail). */
export async function readFooter(src: ByteSource): Promise<FileMeta> {
  if (src.size < 12) throw new ParquetError(`not a Parquet file (${src.size} bytes)`);
  const tailLen = Math.min(src.size, 1 << 16);
  let tail = await src.read(src.size - tailLen, src.size);
  const magic = String.fromCharCode(tail[tail.length - 4], tail[tail.length - 3], tail[tail.length - 2], tail[tail.length - 1]);
  if (magic === 'PARE') throw new ParquetError('the file is encrypted (PARE footer); curate cannot read encrypted Parquet');
  if (magic !== 'PAR1') throw new ParquetError('not a Parquet file (no PAR1 magic at the end; truncated or another format)');
  const n = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).readUInt32LE(tail.length - 8);
  if (n + 8 > src.size - 4) throw new ParquetError(`footer length ${n} does not fit in a ${src.size}-byte file (truncated?)`);
  let footer: Uint8Array;
  if (n + 8 <= tail.length) footer = tail.subarray(tail.length - 8 - n, tail.length - 8);
  else {
    tail = await src.read(src.size - 8 - n, src.size - 8);
    footer = tail;
  }
  try {
    return parseFooter(footer);
  } catch (e) {
    if (e instanceof ParquetError) throw e;
    throw new ParquetError(`cannot parse the footer (${(e as Error).message})`);
  }
}

// ---------------------------------------------------------------------------
// Read plans: how each top-level field is rebuilt from its leaf columns

/** How a leaf's physical values become JS values. */
type ValueKind = 'bool' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'i96' | 'str' | 'bin' | 'flba';

interface LeafPlan {
  k: 'leaf';
  leaf: number;
  def: number; // def level at which the value is present (= the column's max def level)
  vk: ValueKind;
  /** Post-conversion: values are multiplied by mul (dates: days -> ms) or divided by div (decimals, timestamps -> ms). */
  mul: number | null;
  div: number | null;
  /** Typed array for lists of this leaf: Int32Array, Uint16Array, Uint32Array or none (plain arrays). */
  typed: 'i32' | 'u16' | 'u32' | null;
  float16: boolean;
  decimalBytes: boolean;
}

interface ListPlan {
  k: 'list';
  levels: { nullDef: number; elemDef: number }[];
  leaf: LeafPlan;
}

interface StructPlan {
  k: 'struct';
  def: number; // present when the row's def level >= def
  optional: boolean;
  fields: { name: string; plan: Plan }[];
  anyLeaf: number;
}

type Plan = LeafPlan | ListPlan | StructPlan;

class Unsupported extends Error {}

const isList = (n: SchemaElement): boolean => n.converted === Conv.LIST || (n.logical !== undefined && n.logical[Logical.LIST] !== undefined);
const isMap = (n: SchemaElement): boolean =>
  n.converted === Conv.MAP || n.converted === Conv.MAP_KEY_VALUE || (n.logical !== undefined && n.logical[Logical.MAP] !== undefined);

function leafPlan(n: SchemaElement, def: number): LeafPlan {
  const lg = n.logical;
  const intT = lg?.[Logical.INTEGER] as TStruct | undefined;
  const tsT = lg?.[Logical.TIMESTAMP] as TStruct | undefined;
  const decimal = n.converted === Conv.DECIMAL || lg?.[Logical.DECIMAL] !== undefined;
  let scale = n.scale;
  if (lg?.[Logical.DECIMAL]) scale = num((lg[Logical.DECIMAL] as TStruct)[1], scale);
  const p: LeafPlan = { k: 'leaf', leaf: n.leaf, def, vk: 'f64', mul: null, div: null, typed: null, float16: false, decimalBytes: false };
  switch (n.type) {
    case PType.BOOLEAN: p.vk = 'bool'; break;
    case PType.INT32: {
      const bits = intT ? num(intT[1], 32) : n.converted === Conv.UINT_16 || n.converted === Conv.INT_16 ? 16 : n.converted === Conv.UINT_8 || n.converted === Conv.INT_8 ? 8 : 32;
      const signed = intT ? intT[2] !== false : !(n.converted === Conv.UINT_8 || n.converted === Conv.UINT_16 || n.converted === Conv.UINT_32);
      p.vk = signed ? 'i32' : 'u32';
      if (bits === 32) p.typed = signed ? 'i32' : 'u32';
      else if (bits === 16 && !signed) p.typed = 'u16';
      if (decimal) { p.div = 10 ** scale; p.typed = null; }
      else if (n.converted === Conv.DATE || lg?.[Logical.DATE] !== undefined) { p.mul = 86400000; p.typed = null; } // days -> ms, as Arrow's Date32
      break;
    }
    case PType.INT64: {
      const signed = intT ? intT[2] !== false : n.converted !== Conv.UINT_64;
      p.vk = signed ? 'i64' : 'u64';
      if (decimal) p.div = 10 ** scale;
      else if (tsT || n.converted === Conv.TIMESTAMP_MICROS || n.converted === Conv.TIMESTAMP_MILLIS) {
        // timestamps become milliseconds since the epoch
        const unit = tsT?.[2] as TStruct | undefined;
        const micros = unit ? unit[2] !== undefined : n.converted === Conv.TIMESTAMP_MICROS;
        const nanos = unit ? unit[3] !== undefined : false;
        p.div = nanos ? 1e6 : micros ? 1e3 : null;
      }
      break;
    }
    case PType.INT96: p.vk = 'i96'; break;
    case PType.FLOAT: p.vk = 'f32'; break;
    case PType.DOUBLE: p.vk = 'f64'; break;
    case PType.BYTE_ARRAY: {
      const text = n.converted === Conv.UTF8 || n.converted === Conv.ENUM || n.converted === Conv.JSON ||
        (lg !== undefined && (lg[Logical.STRING] !== undefined || lg[Logical.ENUM] !== undefined || lg[Logical.JSON] !== undefined));
      p.vk = text ? 'str' : 'bin';
      if (decimal) { p.vk = 'bin'; p.decimalBytes = true; p.div = 10 ** scale; }
      break;
    }
    case PType.FIXED_LEN_BYTE_ARRAY:
      p.vk = 'flba';
      if (decimal) { p.decimalBytes = true; p.div = 10 ** scale; }
      else if (lg?.[Logical.FLOAT16] !== undefined && n.typeLength === 2) p.float16 = true;
      break;
    default: throw new Unsupported(`physical type ${String(n.type)} of "${n.name}"`);
  }
  return p;
}

function planOf(n: SchemaElement, def: number, inRepeated: boolean): Plan {
  if (isMap(n)) throw new Unsupported(`map column "${n.name}"`);
  if (n.repetition === Rep.REPEATED) {
    // an unannotated repeated field is a list of required elements
    const inner = planOf({ ...n, repetition: Rep.REQUIRED }, def + 1, true);
    return listOf({ nullDef: def, elemDef: def + 1 }, inner, n.name);
  }
  const d = def + (n.repetition === Rep.OPTIONAL ? 1 : 0);
  if (n.leaf >= 0) return leafPlan(n, d);
  if (isList(n)) {
    if (n.children.length !== 1 || n.children[0].repetition !== Rep.REPEATED) throw new Unsupported(`list "${n.name}" of an unexpected shape`);
    const r = n.children[0];
    let elem: SchemaElement;
    if (r.leaf >= 0) elem = { ...r, repetition: Rep.REQUIRED }; // 2-level legacy list
    else if (r.children.length === 1 && r.name !== 'array' && r.name !== `${n.name}_tuple`) elem = r.children[0];
    else throw new Unsupported(`list of structs "${n.name}"`);
    const inner = planOf(elem, d + 1, true);
    return listOf({ nullDef: d, elemDef: d + 1 }, inner, n.name);
  }
  if (inRepeated) throw new Unsupported(`struct "${n.name}" inside a list`);
  const fields = n.children.map((c) => ({ name: c.name, plan: planOf(c, d, false) }));
  return { k: 'struct', def: d, optional: n.repetition === Rep.OPTIONAL, fields, anyLeaf: firstLeaf(n) };
}

function firstLeaf(n: SchemaElement): number {
  return n.leaf >= 0 ? n.leaf : firstLeaf(n.children[0]);
}

function listOf(level: { nullDef: number; elemDef: number }, inner: Plan, name: string): ListPlan {
  if (inner.k === 'struct') throw new Unsupported(`list of structs "${name}"`);
  if (inner.k === 'leaf') return { k: 'list', levels: [level], leaf: inner };
  return { k: 'list', levels: [level, ...inner.levels], leaf: inner.leaf };
}

const SUPPORTED_ENC = new Set<number>([
  Enc.PLAIN, Enc.PLAIN_DICTIONARY, Enc.RLE, Enc.BIT_PACKED, Enc.RLE_DICTIONARY, Enc.DELTA_BINARY_PACKED, Enc.DELTA_LENGTH_BYTE_ARRAY,
  Enc.DELTA_BYTE_ARRAY, Enc.BYTE_STREAM_SPLIT,
]);

// ---------------------------------------------------------------------------
// Column chunk decoding

type Values = Int32Array | Float64Array | Float32Array | Uint8Array | unknown[];

interface DecodedColumn {
  n: number; // level entries
  def: Uint8Array | null;
  rep: Uint8Array | null;
  values: Values;
  nv: number;
  /** Entry index where each row starts (only for repeated columns). */
  rowStart: Int32Array | null;
}

function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Deprecated BIT_PACKED levels (MSB first, no length prefix); returns the byte count consumed. */
function decodeBitPackedLevels(b: Uint8Array, p: number, w: number, out: Uint8Array, at: number, n: number): number {
  let bit = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < w; k++, bit++) v = (v << 1) | ((b[p + (bit >> 3)] >> (7 - (bit & 7))) & 1);
    out[at + i] = v;
  }
  return Math.ceil((n * w) / 8);
}

class ColumnDecoder {
  private readonly leaf: SchemaElement;
  private readonly maxDef: number;
  private readonly maxRep: number;
  private readonly vk: ValueKind;
  private dict: Values | null = null;
  private dictN = 0;
  private idx = new Uint32Array(1024);

  constructor(leaf: SchemaElement, maxDef: number, maxRep: number, vk: ValueKind) {
    this.leaf = leaf;
    this.maxDef = maxDef;
    this.maxRep = maxRep;
    this.vk = vk;
  }

  private alloc(n: number): Values {
    switch (this.vk) {
      case 'bool': return new Uint8Array(n);
      case 'i32':
      case 'u32': return new Int32Array(n);
      case 'f32': return new Float32Array(n);
      case 'i64':
      case 'u64':
      case 'i96':
      case 'f64': return new Float64Array(n);
      default: return new Array<unknown>(n);
    }
  }

  /** PLAIN values [p, end) -> out[at, at + n). */
  private plain(b: Buffer, p: number, end: number, out: Values, at: number, n: number): void {
    const need = (w: number): void => {
      if (p + n * w > end) throw new Error(`page holds fewer values than its levels announce (${this.leaf.name})`);
    };
    switch (this.vk) {
      case 'bool':
        need(0);
        for (let i = 0; i < n; i++) (out as Uint8Array)[at + i] = (b[p + (i >> 3)] >> (i & 7)) & 1;
        return;
      case 'i32':
      case 'u32':
      case 'f32': {
        need(4);
        new Uint8Array((out as Int32Array).buffer, at * 4, n * 4).set(b.subarray(p, p + n * 4));
        return;
      }
      case 'f64': {
        need(8);
        new Uint8Array((out as Float64Array).buffer, at * 8, n * 8).set(b.subarray(p, p + n * 8));
        return;
      }
      case 'i64':
      case 'u64': {
        need(8);
        const o = out as Float64Array;
        const signed = this.vk === 'i64';
        for (let i = 0; i < n; i++) {
          const q = p + i * 8;
          const lo = readU32(b, q);
          const hi = b[q + 4] | (b[q + 5] << 8) | (b[q + 6] << 16) | (b[q + 7] << 24);
          o[at + i] = (signed ? hi : hi >>> 0) * 4294967296 + lo;
        }
        return;
      }
      case 'i96': {
        need(12);
        const o = out as Float64Array;
        for (let i = 0; i < n; i++) {
          const q = p + i * 12;
          const nanos = readU32(b, q) + b.readInt32LE(q + 4) * 4294967296;
          const day = b.readInt32LE(q + 8);
          o[at + i] = (day - 2440588) * 86400000 + nanos / 1e6;
        }
        return;
      }
      case 'flba': {
        const w = this.leaf.typeLength ?? 0;
        need(w);
        const o = out as unknown[];
        for (let i = 0; i < n; i++) o[at + i] = Uint8Array.prototype.slice.call(b, p + i * w, p + (i + 1) * w);
        return;
      }
      case 'str': {
        const o = out as unknown[];
        for (let i = 0; i < n; i++) {
          if (p + 4 > end) throw new Error(`page holds fewer values than its levels announce (${this.leaf.name})`);
          const len = readU32(b, p);
          p += 4;
          if (p + len > end) throw new Error(`string value overruns its page (${this.leaf.name})`);
          o[at + i] = b.toString('utf8', p, p + len);
          p += len;
        }
        return;
      }
      case 'bin': {
        const o = out as unknown[];
        for (let i = 0; i < n; i++) {
          if (p + 4 > end) throw new Error(`page holds fewer values than its levels announce (${this.leaf.name})`);
          const len = readU32(b, p);
          p += 4;
          if (p + len > end) throw new Error(`binary value overruns its page (${this.leaf.name})`);
          o[at + i] = Uint8Array.prototype.slice.call(b, p, p + len);
          p += len;
        }
        return;
      }
    }
  }

  private values(enc: number, b: Buffer, p: number, end: number, out: Values, at: number, n: number): void {
    if (n === 0) return;
    if (enc === Enc.PLAIN) return this.plain(b, p, end, out, at, n);
    if (enc === Enc.PLAIN_DICTIONARY || enc === Enc.RLE_DICTIONARY) {
      const dict = this.dict;
      if (!dict) throw new Error(`dictionary-encoded page without a dictionary page (${this.leaf.name})`);
      const w = b[p];
      if (this.idx.length < n) this.idx = new Uint32Array(n);
      const idx = this.idx;
      decodeHybrid(b, p + 1, end, w, idx, 0, n);
      const dn = this.dictN;
      const bad = (i: number): never => { throw new Error(`dictionary index ${idx[i]} out of range ${dn} (${this.leaf.name})`); };
      if (Array.isArray(dict)) {
        const o = out as unknown[];
        for (let i = 0; i < n; i++) { const j = idx[i]; if (j >= dn) bad(i); o[at + i] = dict[j]; }
      } else if (dict instanceof Int32Array && out instanceof Int32Array) {
        for (let i = 0; i < n; i++) { const j = idx[i]; if (j >= dn) bad(i); out[at + i] = dict[j]; }
      } else {
        const o = out as Float64Array;
        const d = dict as Float64Array;
        for (let i = 0; i < n; i++) { const j = idx[i]; if (j >= dn) bad(i); o[at + i] = d[j]; }
      }
      return;
    }
    if (enc === Enc.RLE && this.vk === 'bool') {
      decodeHybrid(b, p + 4, end, 1, out as Uint8Array, at, n);
      return;
    }
    if (enc === Enc.DELTA_BINARY_PACKED && (this.vk === 'i32' || this.vk === 'u32' || this.vk === 'i64' || this.vk === 'u64')) {
      const { vals } = decodeDeltaBinaryPacked(b.subarray(0, end), p, this.vk === 'i64' || this.vk === 'u64');
      if (vals.length < n) throw new Error(`page holds fewer values than its levels announce (${this.leaf.name})`);
      const o = out as Int32Array | Float64Array;
      if (this.vk === 'u64') for (let i = 0; i < n; i++) o[at + i] = vals[i] < 0 ? vals[i] + 2 ** 64 : vals[i];
      else o.set(vals.subarray(0, n), at);
      return;
    }
    if (enc === Enc.DELTA_LENGTH_BYTE_ARRAY && (this.vk === 'str' || this.vk === 'bin')) {
      const { starts, lens } = decodeDeltaLengths(b.subarray(0, end), p, n);
      const o = out as unknown[];
      for (let i = 0; i < n; i++) o[at + i] = this.vk === 'str' ? b.toString('utf8', starts[i], starts[i] + lens[i]) : Uint8Array.prototype.slice.call(b, starts[i], starts[i] + lens[i]);
      return;
    }
    if (enc === Enc.DELTA_BYTE_ARRAY && (this.vk === 'str' || this.vk === 'bin' || this.vk === 'flba')) {
      const bb = b.subarray(0, end);
      const { vals: prefix, pos } = decodeDeltaBinaryPacked(bb, p, false);
      if (prefix.length < n) throw new Error(`page holds fewer values than its levels announce (${this.leaf.name})`);
      const { starts, lens } = decodeDeltaLengths(bb, pos, n);
      let prev = Buffer.alloc(0);
      const o = out as unknown[];
      for (let i = 0; i < n; i++) {
        const pre = prefix[i];
        if (pre > prev.length) throw new Error(`DELTA_BYTE_ARRAY prefix longer than the previous value (${this.leaf.name})`);
        const v = Buffer.allocUnsafe(pre + lens[i]);
        prev.copy(v, 0, 0, pre);
        b.copy(v, pre, starts[i], starts[i] + lens[i]);
        o[at + i] = this.vk === 'str' ? v.toString('utf8') : v;
        prev = v;
      }
      return;
    }
    if (enc === Enc.BYTE_STREAM_SPLIT) {
      const w = this.vk === 'f32' || this.vk === 'i32' || this.vk === 'u32' ? 4 : this.vk === 'f64' || this.vk === 'i64' || this.vk === 'u64' ? 8 : this.vk === 'flba' ? (this.leaf.typeLength ?? 0) : 0;
      if (w > 0) {
        const data = unsplitStreams(b.subarray(0, end), p, n, w);
        this.plain(Buffer.from(data.buffer, data.byteOffset, data.byteLength), 0, data.length, out, at, n);
        return;
      }
    }
    throw new Unsupported(`encoding ${enc} in column "${this.leaf.name}"`);
  }

  decode(buf: Uint8Array, start: number, end: number, meta: ColumnChunkMeta, numRows: number): DecodedColumn {
    const total = meta.numValues;
    const def = this.maxDef > 0 ? new Uint8Array(total) : null;
    const rep = this.maxRep > 0 ? new Uint8Array(total) : null;
    const values: Values = this.alloc(total);
    let lv = 0;
    let nv = 0;
    let pos = start;
    const wDef = bitWidth(this.maxDef);
    const wRep = bitWidth(this.maxRep);
    this.dict = null;
    while (lv < total) {
      if (pos >= end) throw new Error(`column "${this.leaf.name}" ends after ${lv} of ${total} values`);
      const r = new ThriftReader(buf, pos, end);
      const h = r.struct();
      pos = r.pos;
      const type = num(h[1]);
      const usize = num(h[2]);
      const csize = num(h[3]);
      if (pos + csize > end) throw new Error(`page of column "${this.leaf.name}" overruns its column chunk`);
      const page = buf.subarray(pos, pos + csize);
      pos += csize;
      if (type === PageType.DICTIONARY_PAGE) {
        const dh = (h[7] ?? {}) as TStruct;
        const n = num(dh[1]);
        const data = decompress(meta.codec, page, usize);
        const dict = this.alloc(n);
        this.plain(data, 0, data.length, dict, 0, n);
        // numbers are looked up as Int32Array (into int32 values) or Float64Array
        this.dict = dict instanceof Float32Array || dict instanceof Uint8Array ? Float64Array.from(dict) : dict;
        this.dictN = n;
        continue;
      }
      if (type !== PageType.DATA_PAGE && type !== PageType.DATA_PAGE_V2) continue; // index pages
      let n: number;
      let enc: number;
      let data: Buffer;
      let p = 0;
      if (type === PageType.DATA_PAGE) {
        const dh = (h[5] ?? {}) as TStruct;
        n = num(dh[1]);
        enc = num(dh[2]);
        if (lv + n > total) throw new Error(`column "${this.leaf.name}" has more values in its pages than in its metadata`);
        data = decompress(meta.codec, page, usize);
        if (rep) {
          if (num(dh[4], Enc.RLE) === Enc.BIT_PACKED) p += decodeBitPackedLevels(data, p, wRep, rep, lv, n);
          else { const len = readU32(data, p); decodeHybrid(data, p + 4, p + 4 + len, wRep, rep, lv, n); p += 4 + len; }
        }
        if (def) {
          if (num(dh[3], Enc.RLE) === Enc.BIT_PACKED) p += decodeBitPackedLevels(data, p, wDef, def, lv, n);
          else { const len = readU32(data, p); decodeHybrid(data, p + 4, p + 4 + len, wDef, def, lv, n); p += 4 + len; }
        }
      } else {
        const dh = (h[8] ?? {}) as TStruct;
        n = num(dh[1]);
        enc = num(dh[4]);
        if (lv + n > total) throw new Error(`column "${this.leaf.name}" has more values in its pages than in its metadata`);
        const dlen = num(dh[5]);
        const rlen = num(dh[6]);
        if (rep) decodeHybrid(page, 0, rlen, wRep, rep, lv, n);
        if (def) decodeHybrid(page, rlen, rlen + dlen, wDef, def, lv, n);
        const body = page.subarray(rlen + dlen);
        data = dh[7] === false || meta.codec === Codec.UNCOMPRESSED ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : decompress(meta.codec, body, usize - rlen - dlen);
      }
      let nn = n;
      if (def) {
        nn = 0;
        const md = this.maxDef;
        for (let i = lv; i < lv + n; i++) if (def[i] === md) nn++;
      }
      this.values(enc, data, p, data.length, values, nv, nn);
      lv += n;
      nv += nn;
    }
    let rowStart: Int32Array | null = null;
    if (rep) {
      rowStart = new Int32Array(numRows + 1);
      let row = 0;
      for (let i = 0; i < total; i++) if (rep[i] === 0) { if (row >= numRows) throw new Error(`column "${this.leaf.name}" holds more rows than its row group`); rowStart[row++] = i; }
      if (row !== numRows) throw new Error(`column "${this.leaf.name}" holds ${row} rows, its row group ${numRows}`);
      rowStart[numRows] = total;
    } else if (total !== numRows) throw new Error(`column "${this.leaf.name}" holds ${total} values, its row group ${numRows} rows`);
    if (Array.isArray(values) && nv < values.length) values.length = nv;
    return { n: total, def, rep, values, nv, rowStart };
  }
}

// ---------------------------------------------------------------------------
// Assembly

function float16(b: Uint8Array): number {
  const h = b[0] | (b[1] << 8);
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decimalBytes(b: Uint8Array): number {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b.length && b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number(v);
}

/** Leaf value i converted to its JS form. */
function valueAt(p: LeafPlan, vals: Values, i: number): unknown {
  const v = (vals as ArrayLike<unknown>)[i];
  switch (p.vk) {
    case 'bool': return v === 1;
    case 'u32': return (v as number) >>> 0;
    case 'str': return v;
    case 'bin':
    case 'flba':
      if (p.decimalBytes) return decimalBytes(v as Uint8Array) / p.div!;
      if (p.float16) return float16(v as Uint8Array);
      return v;
    default: return p.mul !== null ? (v as number) * p.mul : p.div !== null ? (v as number) / p.div : v;
  }
}

function assembleLeaf(p: LeafPlan, col: DecodedColumn, rows: number): unknown[] {
  const out = new Array<unknown>(rows);
  const vals = col.values;
  const simple = p.mul === null && p.div === null && p.vk !== 'bool' && p.vk !== 'u32' && p.vk !== 'bin' && p.vk !== 'flba';
  const arr = vals as ArrayLike<unknown>;
  if (!col.def) {
    if (simple) for (let i = 0; i < rows; i++) out[i] = arr[i];
    else for (let i = 0; i < rows; i++) out[i] = valueAt(p, vals, i);
    return out;
  }
  const d = col.def;
  const md = p.def;
  let k = 0;
  if (simple) for (let i = 0; i < rows; i++) out[i] = d[i] === md ? arr[k++] : null;
  else for (let i = 0; i < rows; i++) out[i] = d[i] === md ? valueAt(p, vals, k++) : null;
  return out;
}

function typedSlice(p: LeafPlan, vals: Values, a: number, b: number): unknown {
  switch (p.typed) {
    case 'i32': return (vals as Int32Array).slice(a, b);
    case 'u32': return new Uint32Array((vals as Int32Array).subarray(a, b));
    case 'u16': return new Uint16Array((vals as Int32Array).subarray(a, b));
    default: {
      if (Array.isArray(vals) && p.vk === 'str') return vals.slice(a, b);
      const o = new Array<unknown>(b - a);
      for (let i = a; i < b; i++) o[i - a] = valueAt(p, vals, i);
      return o;
    }
  }
}

function assembleList(p: ListPlan, col: DecodedColumn, rows: number): unknown[] {
  const out = new Array<unknown>(rows);
  const def = col.def!;
  const rep = col.rep!;
  const rs = col.rowStart!;
  const vals = col.values;
  const L = p.levels.length;
  const leafDef = p.leaf.def;
  if (L === 1) {
    // fast path: one list level, elements are values or (rarely) nulls
    const { nullDef, elemDef } = p.levels[0];
    let k = 0;
    let ok = true;
    for (let i = 0; i < rows && ok; i++) {
      const a = rs[i];
      const b = rs[i + 1];
      const d = def[a];
      if (d < nullDef) { out[i] = null; continue; }
      if (d < elemDef) { out[i] = typedSlice(p.leaf, vals, k, k); continue; }
      for (let e = a; e < b; e++) if (def[e] !== leafDef) { ok = false; break; }
      if (!ok) break;
      out[i] = typedSlice(p.leaf, vals, k, k + (b - a));
      k += b - a;
    }
    if (ok) return out;
  }
  // general case: nested lists and null elements
  const cur: unknown[][] = new Array(L + 1);
  let row = -1;
  let k = 0;
  for (let e = 0; e < col.n; e++) {
    const d = def[e];
    const r = rep[e];
    if (r === 0) row++;
    let j = r + 1;
    let open = true;
    for (; j <= L; j++) {
      const lv = p.levels[j - 1];
      let v: unknown[] | null = null;
      if (d >= lv.nullDef) v = [];
      if (j === 1) out[row] = v;
      else cur[j - 1].push(v);
      if (v === null || d < lv.elemDef) { open = false; break; }
      cur[j] = v;
    }
    if (open) cur[L].push(d === leafDef ? valueAt(p.leaf, vals, k++) : null);
  }
  if (L === 1 && p.leaf.typed) {
    for (let i = 0; i < rows; i++) {
      const v = out[i] as unknown[] | null;
      if (v && !v.includes(null)) out[i] = p.leaf.typed === 'i32' ? Int32Array.from(v as number[]) : p.leaf.typed === 'u16' ? Uint16Array.from(v as number[]) : Uint32Array.from(v as number[]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// File

export interface ParquetRowGroup {
  /** Top-level field names, in schema order. */
  names: string[];
  /** One array of per-row values per field. */
  columns: unknown[][];
  numRows: number;
}

/** Row groups up to this size are fetched with one ranged read; larger ones column chunk by column chunk. */
const MAX_GROUP_READ = 256 << 20;

export class NativeParquetFile {
  readonly meta: FileMeta;
  private readonly src: ByteSource;
  private plans: { name: string; plan: Plan }[] = [];
  private decoders: ColumnDecoder[] = [];
  private unsupported: string | null = null;
  private readonly maxGroupRead: number;

  private constructor(src: ByteSource, meta: FileMeta, maxGroupRead: number) {
    this.src = src;
    this.meta = meta;
    this.maxGroupRead = maxGroupRead;
    try {
      this.plans = meta.schema.children.map((c) => ({ name: c.name, plan: planOf(c, 0, false) }));
      const levels = new Map<number, { maxDef: number; maxRep: number; vk: ValueKind }>();
      const walk = (n: SchemaElement, d: number, r: number): void => {
        const dd = d + (n.repetition !== Rep.REQUIRED ? 1 : 0);
        const rr = r + (n.repetition === Rep.REPEATED ? 1 : 0);
        if (n.leaf >= 0) levels.set(n.leaf, { maxDef: dd, maxRep: rr, vk: 'f64' });
        for (const c of n.children) walk(c, dd, rr);
      };
      for (const c of meta.schema.children) walk(c, 0, 0);
      const vkOf = new Map<number, ValueKind>();
      const collect = (p: Plan): void => {
        if (p.k === 'leaf') vkOf.set(p.leaf, p.vk);
        else if (p.k === 'list') vkOf.set(p.leaf.leaf, p.leaf.vk);
        else for (const f of p.fields) collect(f.plan);
      };
      for (const { plan } of this.plans) collect(plan);
      this.decoders = meta.leaves.map((l, i) => {
        const lv = levels.get(i)!;
        return new ColumnDecoder(l, lv.maxDef, lv.maxRep, vkOf.get(i) ?? 'f64');
      });
      for (const rg of meta.rowGroups) {
        if (rg.columns.length !== meta.leaves.length) throw new ParquetError(`a row group has ${rg.columns.length} column chunks, the schema ${meta.leaves.length} columns`);
        for (const c of rg.columns) {
          if (c.filePath) throw new Unsupported('column chunks stored in other files');
          if (!canDecompress(c.codec)) throw new Unsupported(`compression ${codecName(c.codec)}`);
          for (const e of c.encodings) if (!SUPPORTED_ENC.has(e)) throw new Unsupported(`encoding ${e} in column ${c.path.join('.')}`);
        }
      }
    } catch (e) {
      if (e instanceof Unsupported) this.unsupported = e.message;
      else throw e;
    }
  }

  static async open(src: ByteSource, opts: { maxGroupRead?: number } = {}): Promise<NativeParquetFile> {
    return new NativeParquetFile(src, await readFooter(src), opts.maxGroupRead ?? MAX_GROUP_READ);
  }

  /** Why this decoder cannot read the file (the caller should use another reader), or null. */
  unsupportedReason(): string | null {
    return this.unsupported;
  }

  get numRowGroups(): number {
    return this.meta.rowGroups.length;
  }

  private range(g: number): [number, number] {
    let a = Infinity;
    let b = 0;
    for (const c of this.meta.rowGroups[g].columns) {
      a = Math.min(a, c.start);
      b = Math.max(b, c.start + c.length);
    }
    return a === Infinity ? [0, 0] : [a, b];
  }

  /** Fetches the bytes of row group g: one ranged read, or one per column for very large groups. */
  async fetch(g: number): Promise<{ base: number; buf: Uint8Array } | Uint8Array[]> {
    const [a, b] = this.range(g);
    if (b - a <= this.maxGroupRead) return { base: a, buf: await this.src.read(a, b) };
    const out: Uint8Array[] = [];
    for (const c of this.meta.rowGroups[g].columns) out.push(await this.src.read(c.start, c.start + c.length));
    return out;
  }

  /** Decodes a fetched row group into per-field arrays of row values. */
  decode(g: number, fetched: { base: number; buf: Uint8Array } | Uint8Array[]): ParquetRowGroup {
    if (this.unsupported) throw new ParquetError(`cannot decode: ${this.unsupported}`);
    const rg = this.meta.rowGroups[g];
    const rows = rg.numRows;
    const cols = new Array<DecodedColumn>(this.decoders.length);
    const getCol = (i: number): DecodedColumn => {
      if (cols[i]) return cols[i];
      const c = rg.columns[i];
      let buf: Uint8Array;
      let s: number;
      if (Array.isArray(fetched)) { buf = fetched[i]; s = 0; }
      else { buf = fetched.buf; s = c.start - fetched.base; }
      if (s + c.length > buf.length) throw new Error(`column "${c.path.join('.')}" lies beyond the end of the file (truncated?)`);
      const l = this.meta.leaves[i];
      try {
        cols[i] = this.decoders[i].decode(buf, s, s + c.length, c, rows);
      } catch (e) {
        if (e instanceof Unsupported) throw new ParquetError(`cannot decode column "${l.name}": ${e.message}`);
        throw e;
      }
      return cols[i];
    };
    const build = (p: Plan): unknown[] => {
      if (p.k === 'leaf') return assembleLeaf(p, getCol(p.leaf), rows);
      if (p.k === 'list') return assembleList(p, getCol(p.leaf.leaf), rows);
      const parts = p.fields.map((f) => ({ name: f.name, vals: build(f.plan) }));
      const anyCol = getCol(p.anyLeaf);
      const out = new Array<unknown>(rows);
      for (let i = 0; i < rows; i++) {
        if (p.optional) {
          const e = anyCol.rowStart ? anyCol.rowStart[i] : i;
          if (anyCol.def && anyCol.def[e] < p.def) { out[i] = null; continue; }
        }
        const o: Record<string, unknown> = {};
        for (const f of parts) o[f.name] = f.vals[i];
        out[i] = o;
      }
      return out;
    };
    const columns = this.plans.map(({ plan }) => build(plan));
    return { names: this.plans.map((p) => p.name), columns, numRows: rows };
  }

  /** Row groups in order, the next one fetched while the current one is being consumed. */
  async *rowGroups(): AsyncGenerator<ParquetRowGroup> {
    const n = this.numRowGroups;
    if (n === 0) return;
    let next = this.fetch(0);
    let row = 0;
    for (let g = 0; g < n; g++) {
      let fetched: Awaited<ReturnType<NativeParquetFile['fetch']>>;
      try {
        fetched = await next;
      } catch (e) {
        throw new ParquetError(`cannot read row group ${g} (${(e as Error).message})`, row);
      }
      if (g + 1 < n) {
        next = this.fetch(g + 1);
        next.catch(() => {}); // surfaced when awaited
      }
      let out: ParquetRowGroup;
      try {
        out = this.decode(g, fetched);
      } catch (e) {
        throw new ParquetError(`cannot decode row group ${g} (${(e as Error).message}). The file is corrupt.`, row);
      }
      row += out.numRows;
      yield out;
    }
  }
}

/** One decoded record, as readers.ts's RecordItem carries it. */
export interface ParquetRecord {
  row: number;
  rec: Record<string, unknown>;
  /** Characters of the record's top-level string fields (the same measure the Arrow path used). */
  bytes: number;
}

/** Records of a file, one array per row group. */
export async function* parquetRecords(file: NativeParquetFile): AsyncGenerator<ParquetRecord[]> {
  let row = 0;
  for await (const g of file.rowGroups()) {
    const { names, columns, numRows } = g;
    const nc = names.length;
    const out = new Array<ParquetRecord>(numRows);
    for (let i = 0; i < numRows; i++) {
      const rec: Record<string, unknown> = {};
      let bytes = 0;
      for (let c = 0; c < nc; c++) {
        const v = columns[c][i];
        if (typeof v === 'string') bytes += v.length;
        rec[names[c]] = v;
      }
      out[i] = { row: row++, rec, bytes };
    }
    yield out;
  }
}
