// A Parquet writer written for this pipeline's declared column types: PLAIN values, RLE/bit-packed hybrid
// levels, data pages v1 of ~1 MiB cut at row boundaries, zstd (node:zlib) / snappy / gzip / none, Thrift compact
// footer with key-value metadata, column orders and min/max/null-count statistics for flat numeric columns.
// Output is deterministic: the same rows and options give the same bytes (no timestamps, no hash-order maps).
import type { AtomicWriter, ColumnSpec, ColumnType, ColumnValue } from '../types.ts';
import { ByteBuf, Codec, bitWidth, compress, encodeHybrid } from './parquet-codecs.ts';
import { Enc, Logical, PageType, PType, Rep, columnSchema } from './parquet-meta.ts';
import type { LeafSpec, SchemaNode } from './parquet-meta.ts';
import { CT, ThriftWriter } from './parquet-thrift.ts';

export interface ParquetWriterOptions {
  columns: readonly ColumnSpec[];
  /** Rows per row group (default 10,000). */
  rowGroupSize?: number;
  /** A row group is also closed once its rows hold about this many bytes of strings and list values (default 128 MiB). */
  rowGroupBytes?: number;
  /** File-level key-value metadata (tokenizer hash, manifest hash, curate version...). */
  metadata?: Record<string, string>;
  compression?: 'zstd' | 'snappy' | 'gzip' | 'none';
  /** zstd level (default 1, as arrow-rs and Arrow C++ use; DuckDB uses 3: ~10% smaller files, ~2x the CPU). */
  compressionLevel?: number;
  /** Target uncompressed bytes of values per data page (default 1 MiB); pages end at row boundaries. */
  pageSize?: number;
}

export type Row = Record<string, ColumnValue | undefined>;

const MAGIC = Buffer.from('PAR1', 'ascii');
export const CREATED_BY = 'curate version 0.1.0';
const TWO32 = 4294967296;

interface ChunkMeta {
  ptype: number;
  path: string[];
  encodings: number[];
  numValues: number;
  uncompressed: number;
  compressed: number;
  offset: number;
  stats: { nulls: number; min?: Uint8Array; max?: Uint8Array } | null;
}

interface GroupMeta {
  chunks: ChunkMeta[];
  rows: number;
  uncompressed: number;
  compressed: number;
  offset: number;
}

function grow<T extends Uint8Array | Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

function i32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

function i64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
  return b;
}

function f64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}

// Memory: a run opens a writer per shard (and per signal log), so the large scratch buffers are per thread, not per
// writer. A fresh 1 MiB Buffer per column and shard is garbage that V8 collects late and glibc does not hand back,
// which made peak RSS grow with the input size.

/** Scratch for one page's encoded bytes; page() is synchronous and consumes it before returning. */
let pageScratch = new ByteBuf(1 << 20);
/** Page string buffers of closed writers, for the next writer's string columns. */
const strPool: ByteBuf[] = [];
const STR_POOL_MAX = 32;
/** Buffers grown past this (a huge document) are not kept for reuse. */
const KEEP_MAX = 8 << 20;

function takeStrBuf(): ByteBuf {
  const b = strPool.pop();
  if (b) { b.len = 0; return b; }
  return new ByteBuf(1 << 20);
}

function giveStrBuf(b: ByteBuf): void {
  if (b.buf.length <= KEEP_MAX && strPool.length < STR_POOL_MAX) strPool.push(b);
}

/** Encodes one declared column, row group after row group; its buffers are reused across pages and groups. */
class ColumnEncoder {
  readonly spec: ColumnSpec;
  readonly leaf: LeafSpec;
  private readonly type: ColumnType;
  private readonly nullable: boolean;
  private readonly d0: number;
  private def = new Uint8Array(1024);
  private rep = new Uint8Array(1024);
  private nLev = 0;
  private str: ByteBuf;
  private i32 = new Int32Array(1024);
  private f64 = new Float64Array(1024);
  private bools = new Uint8Array(1024);
  private nVal = 0;
  // chunk state
  private pieces: Uint8Array[] = [];
  private numValues = 0;
  private uncompressed = 0;
  private compressed = 0;
  private nulls = 0;
  private min = Infinity;
  private max = -Infinity;
  private nan = false;
  private readonly flatNumeric: boolean;
  private readonly codec: number;
  private readonly level: number;
  private readonly pageSize: number;

  constructor(spec: ColumnSpec, codec: number, level: number, pageSize: number) {
    this.spec = spec;
    this.type = spec.type;
    this.nullable = spec.nullable !== false;
    this.d0 = this.nullable ? 1 : 0;
    this.leaf = columnSchema(spec).leaf;
    // only string leaves buffer their values as bytes
    this.str = this.leaf.kind === 'str' ? takeStrBuf() : new ByteBuf(16);
    this.flatNumeric = spec.type === 'int32' || spec.type === 'int64' || spec.type === 'float64';
    this.codec = codec;
    this.level = level;
    this.pageSize = pageSize;
  }

  private fail(row: number, what: string): never {
    throw new TypeError(`column "${this.spec.name}" is declared ${this.type}${this.nullable ? '' : ' (not nullable)'} but row ${row} ${what}`);
  }

  private lev(d: number, r: number): void {
    if (this.nLev >= this.def.length) {
      this.def = grow(this.def, this.nLev + 1);
      this.rep = grow(this.rep, this.nLev + 1);
    }
    this.def[this.nLev] = d;
    this.rep[this.nLev++] = r;
  }

  private levRun(d: number, firstRep: number, r: number, n: number): void {
    const need = this.nLev + n;
    if (need > this.def.length) {
      this.def = grow(this.def, need);
      this.rep = grow(this.rep, need);
    }
    this.def.fill(d, this.nLev, need);
    this.rep[this.nLev] = firstRep;
    this.rep.fill(r, this.nLev + 1, need);
    this.nLev = need;
  }

  private putStr(s: string): void {
    const b = this.str;
    b.ensure(4 + s.length * 3);
    const n = b.buf.write(s, b.len + 4);
    b.buf.writeUInt32LE(n, b.len);
    b.len += 4 + n;
  }

  private putF64(v: number): void {
    if (this.nVal >= this.f64.length) this.f64 = grow(this.f64, this.nVal + 1);
    this.f64[this.nVal++] = v;
  }

  private putI32(v: number): void {
    if (this.nVal >= this.i32.length) this.i32 = grow(this.i32, this.nVal + 1);
    this.i32[this.nVal++] = v;
  }

  private valueBytes(): number {
    switch (this.leaf.kind) {
      case 'str': return this.str.len;
      case 'i32': return this.nVal * 4;
      case 'bool': return this.nVal >> 3;
      default: return this.nVal * 8;
    }
  }

  /** Largest value an element of this integer list may hold (null: any int32 / float). */
  private elemMax(): number | null {
    return this.type === 'list<uint16>' ? 65535 : this.type === 'list<uint32>' ? 4294967295 : null;
  }

  private numList(v: ColumnValue, row: number, float: boolean): void {
    if (typeof v !== 'object' || v === null || typeof (v as ArrayLike<unknown>).length !== 'number' || typeof v === 'string') this.fail(row, `holds ${typeof v}, not an array`);
    const a = v as ArrayLike<unknown>;
    const n = a.length;
    const maxDef = this.d0 + 2;
    if (n === 0) { this.lev(this.d0, 0); return; }
    const hi = this.elemMax();
    if (ArrayBuffer.isView(a)) {
      // typed arrays hold no nulls: one level run, one bulk conversion
      const fits = hi === null || a instanceof Uint16Array || a instanceof Uint8Array || (hi > 65535 && a instanceof Uint32Array);
      if (!fits) for (let k = 0; k < n; k++) { const x = a[k] as number; if (!(x >= 0 && x <= hi)) this.fail(row, `holds ${x}, outside 0..${hi}`); }
      this.levRun(maxDef, 0, 1, n);
      if (float) { this.f64 = grow(this.f64, this.nVal + n); this.f64.set(a as ArrayLike<number>, this.nVal); }
      else { this.i32 = grow(this.i32, this.nVal + n); this.i32.set(a as ArrayLike<number>, this.nVal); }
      this.nVal += n;
      return;
    }
    for (let k = 0; k < n; k++) {
      const x = a[k];
      if (typeof x === 'number') {
        if (hi !== null && !(x >= 0 && x <= hi)) this.fail(row, `holds ${x}, outside 0..${hi}`);
        this.lev(maxDef, k === 0 ? 0 : 1);
        if (float) this.putF64(x); else this.putI32(x);
      } else if (x === null || x === undefined) this.lev(maxDef - 1, k === 0 ? 0 : 1);
      else this.fail(row, `holds a ${typeof x} list element`);
    }
  }

  /** Levels and values of one row. */
  add(v: ColumnValue | undefined, row: number): void {
    if (v === null || v === undefined) {
      if (!this.nullable) this.fail(row, 'is null');
      this.lev(0, 0);
      this.nulls++;
      return;
    }
    const d0 = this.d0;
    switch (this.type) {
      case 'string':
        if (typeof v !== 'string') this.fail(row, `holds ${typeof v}`);
        this.lev(d0, 0);
        this.putStr(v);
        return;
      case 'int32': {
        let x: number;
        if (typeof v === 'number') x = v;
        else if (typeof v === 'boolean') x = v ? 1 : 0;
        else this.fail(row, `holds ${typeof v}`);
        this.lev(d0, 0);
        this.putI32(x);
        const s = this.i32[this.nVal - 1];
        if (s < this.min) this.min = s;
        if (s > this.max) this.max = s;
        return;
      }
      case 'float64': {
        let x: number;
        if (typeof v === 'number') x = v;
        else if (typeof v === 'boolean') x = v ? 1 : 0;
        else this.fail(row, `holds ${typeof v}`);
        this.lev(d0, 0);
        this.putF64(x);
        if (x !== x) this.nan = true;
        else {
          if (x < this.min) this.min = x;
          if (x > this.max) this.max = x;
        }
        return;
      }
      case 'int64': {
        let x: number;
        if (typeof v === 'number') x = Number.isFinite(v) ? Math.trunc(v) : 0;
        else if (typeof v === 'boolean') x = v ? 1 : 0;
        else this.fail(row, `holds ${typeof v}`);
        if (Math.abs(x) > Number.MAX_SAFE_INTEGER) this.fail(row, `holds ${x}, beyond the exact integer range of a JS number`);
        this.lev(d0, 0);
        // two little-endian 32-bit words
        if (this.nVal * 2 + 2 > this.i32.length) this.i32 = grow(this.i32, this.nVal * 2 + 2);
        this.i32[this.nVal * 2] = x >>> 0;
        this.i32[this.nVal * 2 + 1] = Math.floor(x / TWO32);
        this.nVal++;
        if (x < this.min) this.min = x;
        if (x > this.max) this.max = x;
        return;
      }
      case 'bool': {
        let x: number;
        if (typeof v === 'boolean') x = v ? 1 : 0;
        else if (typeof v === 'number') x = v !== 0 ? 1 : 0;
        else this.fail(row, `holds ${typeof v}`);
        this.lev(d0, 0);
        if (this.nVal >= this.bools.length) this.bools = grow(this.bools, this.nVal + 1);
        this.bools[this.nVal++] = x;
        return;
      }
      case 'list<int32>':
      case 'list<uint16>':
      case 'list<uint32>':
        this.numList(v, row, false);
        return;
      case 'list<float64>':
        this.numList(v, row, true);
        return;
      case 'list<string>': {
        if (!Array.isArray(v)) this.fail(row, `holds ${typeof v}, not an array`);
        const a = v as readonly unknown[];
        if (a.length === 0) { this.lev(d0, 0); return; }
        for (let k = 0; k < a.length; k++) {
          const x = a[k];
          if (typeof x === 'string') { this.lev(d0 + 2, k === 0 ? 0 : 1); this.putStr(x); }
          else if (x === null || x === undefined) this.lev(d0 + 1, k === 0 ? 0 : 1);
          else this.fail(row, `holds a ${typeof x} list element`);
        }
        return;
      }
      case 'spans': {
        if (!Array.isArray(v)) this.fail(row, `holds ${typeof v}, not an array of spans`);
        const a = v as readonly unknown[];
        if (a.length === 0) { this.lev(d0, 0); return; }
        for (let k = 0; k < a.length; k++) {
          const s = a[k] as ArrayLike<unknown> | null | undefined;
          const r0 = k === 0 ? 0 : 1;
          if (s === null || s === undefined) { this.lev(d0 + 1, r0); continue; }
          if (typeof s !== 'object' || typeof s.length !== 'number') this.fail(row, `holds a ${typeof s} where a span array belongs`);
          if (s.length === 0) { this.lev(d0 + 2, r0); continue; }
          for (let j = 0; j < s.length; j++) {
            const x = s[j];
            if (typeof x === 'number') { this.lev(d0 + 4, j === 0 ? r0 : 2); this.putF64(x); }
            else if (x === null || x === undefined) this.lev(d0 + 3, j === 0 ? r0 : 2);
            else this.fail(row, `holds a ${typeof x} inside a span`);
          }
        }
        return;
      }
    }
  }

  /** Cuts a page when enough values are buffered; called after whole rows only. */
  maybePage(): void {
    if (this.valueBytes() >= this.pageSize || this.nLev >= 1 << 20) this.page();
  }

  private page(): void {
    if (this.nLev === 0) return;
    const { maxDef, maxRep, kind } = this.leaf;
    if (pageScratch.buf.length > KEEP_MAX) pageScratch = new ByteBuf(1 << 20);
    const b = pageScratch;
    b.len = 0;
    if (maxRep > 0) {
      const at = b.len;
      b.u32(0);
      encodeHybrid(this.rep, this.nLev, bitWidth(maxRep), b);
      b.buf.writeUInt32LE(b.len - at - 4, at);
    }
    if (maxDef > 0) {
      const at = b.len;
      b.u32(0);
      encodeHybrid(this.def, this.nLev, bitWidth(maxDef), b);
      b.buf.writeUInt32LE(b.len - at - 4, at);
    }
    switch (kind) {
      case 'str': b.bytes(this.str.view()); break;
      case 'i32': b.bytes(new Uint8Array(this.i32.buffer, 0, this.nVal * 4)); break;
      case 'i64': b.bytes(new Uint8Array(this.i32.buffer, 0, this.nVal * 8)); break;
      case 'f64': b.bytes(new Uint8Array(this.f64.buffer, 0, this.nVal * 8)); break;
      case 'bool': {
        const nb = (this.nVal + 7) >> 3;
        b.ensure(nb);
        b.buf.fill(0, b.len, b.len + nb);
        for (let i = 0; i < this.nVal; i++) if (this.bools[i]) b.buf[b.len + (i >> 3)] |= 1 << (i & 7);
        b.len += nb;
        break;
      }
    }
    const raw = b.view();
    const data = this.codec === Codec.UNCOMPRESSED ? Uint8Array.from(raw) : compress(this.codec, raw, this.level);
    const h = new ThriftWriter();
    h.i32(1, PageType.DATA_PAGE).i32(2, raw.length).i32(3, data.length);
    h.struct(5).i32(1, this.nLev).i32(2, Enc.PLAIN).i32(3, Enc.RLE).i32(4, Enc.RLE).end();
    h.end();
    const hb = h.bytes().slice();
    this.pieces.push(hb, data);
    this.numValues += this.nLev;
    this.uncompressed += hb.length + raw.length;
    this.compressed += hb.length + data.length;
    this.nLev = 0;
    this.nVal = 0;
    this.str.len = 0;
  }

  /**
   * Finishes the column chunk of the current row group: its bytes (page headers and pages, in order, written one by
   * one rather than concatenated) and metadata (at file offset `offset`).
   */
  finishChunk(offset: number): { pieces: Uint8Array[]; meta: ChunkMeta } {
    this.page();
    const pieces = this.pieces;
    let stats: ChunkMeta['stats'] = null;
    if (this.leaf.maxRep === 0) {
      stats = { nulls: this.nulls };
      if (this.flatNumeric && this.min <= this.max && !this.nan) {
        const t = this.type;
        const lo = this.min === 0 ? -0 : this.min;
        const hi = this.max === 0 ? 0 : this.max;
        if (t === 'int32') { stats.min = i32Bytes(lo); stats.max = i32Bytes(hi); }
        else if (t === 'int64') { stats.min = i64Bytes(lo); stats.max = i64Bytes(hi); }
        else { stats.min = f64Bytes(lo); stats.max = f64Bytes(hi); }
      }
    }
    const meta: ChunkMeta = {
      ptype: this.leaf.ptype,
      path: this.leaf.path,
      encodings: this.leaf.maxDef > 0 || this.leaf.maxRep > 0 ? [Enc.PLAIN, Enc.RLE] : [Enc.PLAIN],
      numValues: this.numValues,
      uncompressed: this.uncompressed,
      compressed: this.compressed,
      offset,
      stats,
    };
    this.pieces = [];
    this.numValues = this.uncompressed = this.compressed = this.nulls = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.nan = false;
    return { pieces, meta };
  }

  /** Hands the string buffer back for the next writer; the encoder is not used afterwards. */
  release(): void {
    if (this.leaf.kind === 'str') giveStrBuf(this.str);
    this.str = new ByteBuf(16);
  }
}

/**
 * Streaming Parquet writer over an AtomicWriter. The schema comes only from the declared columns (an all-null
 * first batch cannot change a type). Each row is encoded into the column encoders' buffers as it arrives (each column
 * sees the same sequence of values and page cuts as when a whole row group is encoded column by column, so the bytes
 * are the same); the row objects are not kept. At the end of a row group the column chunks are written in order.
 * Keeping rows until their group is full made them outlive V8's young generation, so the old generation filled with
 * them (and peak memory grew with the length of the run).
 */
export class ParquetWriter {
  private readonly out: AtomicWriter;
  private readonly cols: readonly ColumnSpec[];
  private readonly encoders: ColumnEncoder[];
  private readonly nodes: SchemaNode[];
  private readonly rowGroupSize: number;
  private readonly rowGroupBytes: number;
  private readonly metadata: [string, string][];
  /** Rows encoded into the current row group. */
  private groupRows = 0;
  private pendingBytes = 0;
  private readonly sized: string[];
  private groups: GroupMeta[] = [];
  private pos = 0;
  private closed = false;
  private failed: unknown = null;
  private readonly codec: number;
  rows = 0;
  bytes = 0;

  constructor(out: AtomicWriter, opts: ParquetWriterOptions) {
    this.out = out;
    this.cols = opts.columns;
    const names = new Set<string>();
    for (const c of this.cols) {
      if (names.has(c.name)) throw new Error(`Parquet writer: column "${c.name}" is declared twice`);
      names.add(c.name);
    }
    const codec = { zstd: Codec.ZSTD, snappy: Codec.SNAPPY, gzip: Codec.GZIP, none: Codec.UNCOMPRESSED }[opts.compression ?? 'zstd'];
    if (codec === undefined) throw new Error(`Parquet writer: unknown compression "${String(opts.compression)}" (use zstd, snappy, gzip or none)`);
    this.codec = codec;
    const level = opts.compressionLevel ?? 1;
    const pageSize = opts.pageSize ?? 1 << 20;
    this.encoders = this.cols.map((c) => new ColumnEncoder(c, codec, level, pageSize));
    // the root carries repetition REQUIRED, as Arrow C++ (pyarrow) and DuckDB write it
    this.nodes = [{ name: 'schema', repetition: Rep.REQUIRED, numChildren: this.cols.length }];
    for (const c of this.cols) this.nodes.push(...columnSchema(c).nodes);
    this.rowGroupSize = Math.max(1, opts.rowGroupSize ?? 10_000);
    this.rowGroupBytes = opts.rowGroupBytes ?? 128 << 20;
    this.metadata = Object.entries(opts.metadata ?? {});
    this.sized = this.cols.filter((c) => c.type === 'string' || c.type.startsWith('list<')).map((c) => c.name);
  }

  private async emit(b: Uint8Array): Promise<void> {
    if (b.length === 0) return;
    await this.out.write(b);
    this.pos += b.length;
    this.bytes += b.length;
  }

  private size(row: Row): number {
    let n = 0;
    for (const k of this.sized) {
      const v = row[k] as { length?: number } | null | undefined;
      if (v != null && typeof v.length === 'number') n += v.length;
    }
    return n;
  }

  async write(row: Row): Promise<void> {
    if (this.closed) throw new Error('Parquet writer: write() after close()');
    this.add(row);
    if (this.groupRows >= this.rowGroupSize || this.pendingBytes >= this.rowGroupBytes) await this.flushGroup();
  }

  /** Same as write() for each row, with one await per row group instead of one per row. */
  async writeRows(rows: readonly Row[]): Promise<void> {
    if (this.closed) throw new Error('Parquet writer: write() after close()');
    for (const row of rows) {
      this.add(row);
      if (this.groupRows >= this.rowGroupSize || this.pendingBytes >= this.rowGroupBytes) await this.flushGroup();
    }
  }

  private refuseIfFailed(): void {
    if (this.failed) throw new Error(`Parquet writer: an earlier write failed (${(this.failed as Error).message ?? String(this.failed)}); abort this file`);
  }

  /** Encodes one row into every column (a value that does not fit leaves the file unusable: later calls refuse). */
  private add(row: Row): void {
    this.refuseIfFailed();
    const at = this.rows + this.groupRows;
    try {
      for (let c = 0; c < this.encoders.length; c++) {
        const enc = this.encoders[c];
        enc.add(row[this.cols[c].name], at);
        enc.maybePage();
      }
    } catch (e) {
      this.failed = e;
      throw e;
    }
    this.groupRows++;
    this.pendingBytes += this.size(row);
  }

  private async flushGroup(): Promise<void> {
    this.refuseIfFailed();
    try {
      await this.encodeGroup();
    } catch (e) {
      this.failed = e;
      throw e;
    }
  }

  private async encodeGroup(): Promise<void> {
    const n = this.groupRows;
    if (n === 0) return;
    this.groupRows = 0;
    this.pendingBytes = 0;
    if (this.pos === 0) await this.emit(MAGIC);
    const start = this.pos;
    const chunks: ChunkMeta[] = [];
    let uncompressed = 0;
    for (const enc of this.encoders) {
      const { pieces, meta } = enc.finishChunk(this.pos);
      for (const p of pieces) await this.emit(p);
      chunks.push(meta);
      uncompressed += meta.uncompressed;
    }
    this.groups.push({ chunks, rows: n, uncompressed, compressed: this.pos - start, offset: start });
    this.rows += n;
  }

  private footer(): Uint8Array {
    const w = new ThriftWriter();
    w.i32(1, 1);
    w.list(2, CT.STRUCT, this.nodes.length);
    for (const n of this.nodes) {
      w.listStruct();
      if (n.type !== undefined) w.i32(1, n.type);
      if (n.repetition !== undefined) w.i32(3, n.repetition);
      w.string(4, n.name);
      if (n.numChildren !== undefined) w.i32(5, n.numChildren);
      if (n.converted !== undefined) w.i32(6, n.converted);
      if (n.logical) {
        w.struct(10).struct(n.logical.id);
        if (n.logical.id === Logical.INTEGER) w.i8(1, n.logical.bitWidth!).bool(2, n.logical.signed!);
        w.end().end();
      }
      w.end();
    }
    w.i64(3, this.rows);
    w.list(4, CT.STRUCT, this.groups.length);
    this.groups.forEach((g, ordinal) => {
      w.listStruct();
      w.list(1, CT.STRUCT, g.chunks.length);
      for (const c of g.chunks) {
        w.listStruct();
        w.i64(2, c.offset);
        w.struct(3);
        w.i32(1, c.ptype);
        w.list(2, CT.I32, c.encodings.length);
        for (const e of c.encodings) w.listI32(e);
        w.list(3, CT.BINARY, c.path.length);
        for (const p of c.path) w.listBinary(Buffer.from(p, 'utf8'));
        w.i32(4, this.codec);
        w.i64(5, c.numValues).i64(6, c.uncompressed).i64(7, c.compressed).i64(9, c.offset);
        if (c.stats) {
          w.struct(12);
          w.i64(3, c.stats.nulls);
          if (c.stats.max) w.binary(5, c.stats.max);
          if (c.stats.min) w.binary(6, c.stats.min);
          w.end();
        }
        w.end().end();
      }
      w.i64(2, g.uncompressed).i64(3, g.rows).i64(5, g.offset).i64(6, g.compressed).i16(7, ordinal);
      w.end();
    });
    if (this.metadata.length) {
      w.list(5, CT.STRUCT, this.metadata.length);
      for (const [k, v] of this.metadata) w.listStruct().string(1, k).string(2, v).end();
    }
    w.string(6, CREATED_BY);
    w.list(7, CT.STRUCT, this.encoders.length);
    for (let i = 0; i < this.encoders.length; i++) w.listStruct().struct(1).end().end();
    w.end();
    return w.bytes();
  }

  /** Writes the last row group and the footer. The caller commits the AtomicWriter afterwards. */
  async close(): Promise<void> {
    if (this.closed && !this.failed) return;
    await this.flushGroup();
    this.closed = true;
    if (this.pos === 0) await this.emit(MAGIC);
    const f = this.footer();
    const tail = Buffer.allocUnsafe(8);
    tail.writeUInt32LE(f.length, 0);
    MAGIC.copy(tail, 4);
    await this.emit(Buffer.concat([f, tail]));
    for (const e of this.encoders) e.release();
  }
}
