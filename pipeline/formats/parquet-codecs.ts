// Page compression codecs and the RLE/bit-packed hybrid encoding (levels, dictionary indices, RLE booleans).
// zstd, gzip and brotli come from node:zlib; snappy and LZ4 (raw block) are small enough to carry in JS, since
// node:zlib has neither and FineWeb-style files are snappy-compressed.
import zlib from 'node:zlib';

/** Parquet CompressionCodec ids (parquet.thrift). */
export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, LZO: 3, BROTLI: 4, LZ4: 5, ZSTD: 6, LZ4_RAW: 7 } as const;

export const codecName = (c: number): string => Object.entries(Codec).find(([, v]) => v === c)?.[0] ?? `codec ${c}`;

/** Codecs decodePage() handles; files using others are left to the parquet-wasm fallback. */
export function canDecompress(codec: number): boolean {
  return codec === Codec.UNCOMPRESSED || codec === Codec.SNAPPY || codec === Codec.GZIP || codec === Codec.BROTLI || codec === Codec.ZSTD || codec === Codec.LZ4_RAW;
}

/** A zlib output chunk size that holds `n` bytes in one piece (within zlib's allowed range). */
const chunkFor = (n: number): number => Math.min(Math.max(64, n + 64), 1 << 30);

export function decompress(codec: number, src: Uint8Array, size: number): Buffer {
  let out: Buffer;
  switch (codec) {
    case Codec.UNCOMPRESSED: out = Buffer.from(src.buffer, src.byteOffset, src.byteLength); break;
    // one output chunk of the announced size: node:zlib's default 16 KiB chunks cost a concat (~2.5x slower)
    case Codec.ZSTD: out = zlib.zstdDecompressSync(src, { chunkSize: chunkFor(size) }); break;
    case Codec.SNAPPY: out = snappyDecompress(src); break;
    case Codec.GZIP: out = zlib.gunzipSync(src, { chunkSize: chunkFor(size) }); break;
    case Codec.BROTLI: out = zlib.brotliDecompressSync(src, { chunkSize: chunkFor(size) }); break;
    case Codec.LZ4_RAW: out = lz4RawDecompress(src, size); break;
    default: throw new Error(`unsupported compression ${codecName(codec)}`);
  }
  if (out.length !== size) throw new Error(`page decompressed to ${out.length} bytes, header says ${size}`);
  return out;
}

export function compress(codec: number, src: Uint8Array, zstdLevel: number): Uint8Array {
  switch (codec) {
    case Codec.UNCOMPRESSED: return src;
    case Codec.ZSTD: return zlib.zstdCompressSync(src, { chunkSize: chunkFor(src.length), params: { [zlib.constants.ZSTD_c_compressionLevel]: zstdLevel } });
    case Codec.SNAPPY: return snappyCompress(src);
    case Codec.GZIP: return zlib.gzipSync(src, { chunkSize: chunkFor(src.length) });
    default: throw new Error(`cannot write compression ${codecName(codec)}`);
  }
}

// ---------------------------------------------------------------------------
// Snappy (raw block format, as Parquet uses it: no framing)

function readVarint32(src: Uint8Array, pos: { p: number }): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (pos.p >= src.length) throw new Error('snappy: truncated length');
    const b = src[pos.p++];
    v += (b & 127) * 2 ** shift;
    if (b < 128) return v;
    shift += 7;
    if (shift > 35) throw new Error('snappy: bad length');
  }
}

export function snappyDecompress(src: Uint8Array): Buffer {
  const pos = { p: 0 };
  const n = readVarint32(src, pos);
  const out = Buffer.allocUnsafe(n);
  let ip = pos.p;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const tag = src[ip++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const nb = len - 59;
        len = 0;
        for (let i = 0; i < nb; i++) len += src[ip + i] * 2 ** (8 * i);
        ip += nb;
      }
      len += 1;
      if (ip + len > end || op + len > n) throw new Error('snappy: literal overruns');
      // short pieces by hand: a subarray() per literal costs more than the copy
      if (len < 32) for (let i = 0; i < len; i++) out[op + i] = src[ip + i];
      else out.set(src.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let off: number;
    if (kind === 1) {
      len = ((tag >> 2) & 7) + 4;
      off = ((tag >> 5) << 8) | src[ip++];
    } else if (kind === 2) {
      len = (tag >> 2) + 1;
      off = src[ip] | (src[ip + 1] << 8);
      ip += 2;
    } else {
      len = (tag >> 2) + 1;
      off = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (off === 0 || off > op || op + len > n) throw new Error('snappy: bad copy');
    if (off >= len && len >= 32) out.copyWithin(op, op - off, op - off + len);
    else for (let i = 0; i < len; i++) out[op + i] = out[op - off + i];
    op += len;
  }
  if (op !== n) throw new Error(`snappy: produced ${op} of ${n} bytes`);
  return out;
}

const SNAPPY_BLOCK = 65536;
const HASH_BITS = 14;

function emitLiteral(out: Uint8Array, op: number, src: Uint8Array, start: number, len: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 0x100) { out[op++] = 60 << 2; out[op++] = n; }
  else if (n < 0x10000) { out[op++] = 61 << 2; out[op++] = n & 255; out[op++] = n >> 8; }
  else { out[op++] = 62 << 2; out[op++] = n & 255; out[op++] = (n >> 8) & 255; out[op++] = n >> 16; }
  out.set(src.subarray(start, start + len), op);
  return op + len;
}

function copy2(out: Uint8Array, op: number, off: number, n: number): number {
  out[op] = ((n - 1) << 2) | 2;
  out[op + 1] = off & 255;
  out[op + 2] = off >> 8;
  return op + 3;
}

/** A match of len >= 4 at distance off < 65536, as 1- and 2-byte-offset copy elements. */
function emitCopy(out: Uint8Array, op: number, off: number, len: number): number {
  while (len >= 68) { op = copy2(out, op, off, 64); len -= 64; }
  if (len > 64) { op = copy2(out, op, off, 60); len -= 60; }
  if (len <= 11 && off < 2048) {
    out[op++] = ((len - 4) << 2) | 1 | ((off >> 8) << 5);
    out[op++] = off & 255;
    return op;
  }
  return copy2(out, op, off, len);
}

/** Greedy hash-chain-free snappy compressor (one 4-byte hash table per 64 KiB block), deterministic. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(32 + n + Math.ceil(n / 6));
  let op = 0;
  let v = n;
  while (v >= 128) { out[op++] = (v & 127) | 128; v = Math.floor(v / 128); }
  out[op++] = v;
  const table = new Int32Array(1 << HASH_BITS);
  for (let base = 0; base < n; base += SNAPPY_BLOCK) {
    const end = Math.min(n, base + SNAPPY_BLOCK);
    table.fill(-1);
    let lit = base;
    let ip = base;
    const limit = end - 4;
    while (ip <= limit) {
      const x = src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24);
      const h = Math.imul(x, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const cand = table[h];
      table[h] = ip;
      if (cand >= 0 && src[cand] === src[ip] && src[cand + 1] === src[ip + 1] && src[cand + 2] === src[ip + 2] && src[cand + 3] === src[ip + 3]) {
        if (ip > lit) op = emitLiteral(out, op, src, lit, ip - lit);
        let len = 4;
        while (ip + len < end && src[cand + len] === src[ip + len]) len++;
        op = emitCopy(out, op, ip - cand, len);
        ip += len;
        lit = ip;
      } else ip++;
    }
    if (end > lit) op = emitLiteral(out, op, src, lit, end - lit);
  }
  return out.subarray(0, op);
}

// ---------------------------------------------------------------------------
// LZ4 raw block (Parquet LZ4_RAW)

export function lz4RawDecompress(src: Uint8Array, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let ip = 0;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const token = src[ip++];
    let lit = token >> 4;
    if (lit === 15) { let b: number; do { b = src[ip++]; lit += b; } while (b === 255 && ip < end); }
    if (ip + lit > end || op + lit > size) throw new Error('lz4: literal overruns');
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= end) break;
    const off = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) { let b: number; do { b = src[ip++]; len += b; } while (b === 255 && ip < end); }
    len += 4;
    if (off === 0 || off > op || op + len > size) throw new Error('lz4: bad match');
    if (off >= len) out.copyWithin(op, op - off, op - off + len);
    else for (let i = 0; i < len; i++) out[op + i] = out[op - off + i];
    op += len;
  }
  if (op !== size) throw new Error(`lz4: produced ${op} of ${size} bytes`);
  return out;
}

// ---------------------------------------------------------------------------
// RLE / bit-packed hybrid

export function bitWidth(maxValue: number): number {
  let w = 0;
  while (maxValue > 0) { w++; maxValue = Math.floor(maxValue / 2); }
  return w;
}

/** A growable byte buffer (reused across pages to avoid per-page allocation). */
export class ByteBuf {
  buf: Buffer;
  len = 0;
  constructor(cap = 1 << 16) {
    this.buf = Buffer.allocUnsafe(cap);
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  varint(v: number): void {
    this.ensure(10);
    while (v >= 128) { this.buf[this.len++] = (v & 127) | 128; v = Math.floor(v / 128); }
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function packGroups(vals: Uint8Array, start: number, count: number, w: number, out: ByteBuf): void {
  const groups = Math.ceil(count / 8);
  out.varint((groups << 1) | 1);
  const nbytes = groups * w;
  out.ensure(nbytes);
  const b = out.buf;
  let o = out.len;
  b.fill(0, o, o + nbytes);
  let bit = 0;
  for (let i = 0; i < count; i++) {
    const v = vals[start + i];
    // w <= 8 for levels: a value straddles at most two bytes
    const byteI = o + (bit >> 3);
    const sh = bit & 7;
    b[byteI] |= (v << sh) & 255;
    if (sh + w > 8) b[byteI + 1] |= v >> (8 - sh);
    bit += w;
  }
  out.len = o + nbytes;
}

/** RLE/bit-packed hybrid of small values (levels, width <= 8), appended to `out` without a length prefix. */
export function encodeHybrid(vals: Uint8Array, n: number, w: number, out: ByteBuf): void {
  let lit = 0;
  let i = 0;
  const vb = (w + 7) >> 3;
  while (i < n) {
    const v = vals[i];
    let j = i + 1;
    while (j < n && vals[j] === v) j++;
    const run = j - i;
    if (run >= 8) {
      const pad = (8 - ((i - lit) & 7)) & 7;
      if (run - pad >= 8) {
        if (i + pad > lit) packGroups(vals, lit, i + pad - lit, w, out);
        out.varint((run - pad) * 2);
        out.ensure(vb);
        if (vb === 1) out.buf[out.len++] = v;
        lit = j;
      }
    }
    i = j;
  }
  if (lit < n) packGroups(vals, lit, n - lit, w, out);
}

/**
 * Decodes `count` hybrid-encoded values of width `w` from buf[pos, end) into out[outPos...]. Returns the position
 * after the last run read.
 */
export function decodeHybrid(buf: Uint8Array, pos: number, end: number, w: number, out: Uint8Array | Uint32Array, outPos: number, count: number): number {
  const stop = outPos + count;
  let o = outPos;
  const vb = (w + 7) >> 3;
  while (o < stop) {
    if (pos >= end) throw new Error('RLE data ends early');
    let h = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      h += (b & 127) * mul;
      if (b < 128) break;
      mul *= 128;
    }
    if ((h & 1) === 0) {
      const n = Math.min(h / 2, stop - o);
      let v = 0;
      for (let k = 0; k < vb; k++) v += buf[pos + k] * 2 ** (8 * k);
      pos += vb;
      out.fill(v, o, o + n);
      o += n;
    } else {
      const groups = (h - 1) / 2;
      const nvals = groups * 8;
      const take = Math.min(nvals, stop - o);
      if (w === 0) { out.fill(0, o, o + take); o += take; continue; }
      const mask = w >= 32 ? 0xffffffff : (1 << w) - 1;
      let bit = pos * 8;
      if (w <= 24) {
        // one 32-bit little-endian window holds any value of up to 25 bits at any bit offset
        const safe = buf.length - 4;
        for (let k = 0; k < take; k++) {
          const i = bit >>> 3;
          if (i <= safe) out[o++] = ((buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) >>> (bit & 7)) & mask;
          else {
            let v = 0;
            for (let q = 0; q < 4 && i + q < buf.length; q++) v |= buf[i + q] << (8 * q);
            out[o++] = (v >>> (bit & 7)) & mask;
          }
          bit += w;
        }
        pos += groups * w;
        if (pos > end) throw new Error('RLE data ends early');
        continue;
      }
      for (let k = 0; k < take; k++) {
        let byteI = bit >>> 3;
        const sh = bit & 7;
        // gather up to 5 bytes (w <= 32)
        let v = buf[byteI] >>> sh;
        let got = 8 - sh;
        while (got < w) { v += buf[++byteI] * 2 ** got; got += 8; }
        out[o++] = w >= 32 ? v % 4294967296 : v & mask;
        bit += w;
      }
      pos += groups * w;
      if (pos > end) throw new Error('RLE data ends early');
    }
  }
  return pos;
}

// ---------------------------------------------------------------------------
// Parquet v2 value encodings (DuckDB's PARQUET_VERSION v2, arrow-rs WriterVersion 2 fallbacks)

function uleb(b: Uint8Array, st: { p: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (st.p >= b.length) throw new Error('delta header ends early');
    const x = b[st.p++];
    v += (x & 127) * mul;
    if (x < 128) return v;
    mul *= 128;
  }
}

function ulebBig(b: Uint8Array, st: { p: number }): bigint {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (st.p >= b.length) throw new Error('delta header ends early');
    const x = b[st.p++];
    v |= BigInt(x & 127) << shift;
    if (x < 128) return v;
    shift += 7n;
  }
}

const unzigzag = (v: bigint): bigint => (v >> 1n) ^ -(v & 1n);

/** Bits [bit, bit + w) of b, LSB first, as a number (w <= 32) . */
function bitsAt(b: Uint8Array, bit: number, w: number): number {
  let i = bit >>> 3;
  const sh = bit & 7;
  let v = b[i] >>> sh;
  let got = 8 - sh;
  while (got < w) { v += b[++i] * 2 ** got; got += 8; }
  return v % 2 ** w;
}

function bitsAtBig(b: Uint8Array, bit: number, w: number): bigint {
  let v = 0n;
  for (let k = 0; k < w; k++) {
    const q = bit + k;
    if ((b[q >>> 3] >> (q & 7)) & 1) v |= 1n << BigInt(k);
  }
  return v;
}

/** DELTA_BINARY_PACKED: the values (as numbers; 64-bit ones exact up to 2^53) and the position after them. */
export function decodeDeltaBinaryPacked(b: Uint8Array, pos: number, is64: boolean): { vals: Float64Array; pos: number } {
  const st = { p: pos };
  const blockSize = uleb(b, st);
  const miniblocks = uleb(b, st);
  const total = uleb(b, st);
  const first = unzigzag(ulebBig(b, st));
  const vals = new Float64Array(total);
  if (total === 0) return { vals, pos: st.p };
  if (miniblocks === 0 || blockSize % miniblocks !== 0) throw new Error('bad DELTA_BINARY_PACKED header');
  const per = blockSize / miniblocks;
  // numbers while exact (int32: wrapped with |0; int64: exact below 2^53), BigInt for very wide deltas
  let cur = is64 ? Number(first) : Number(BigInt.asIntN(32, first));
  vals[0] = cur;
  let i = 1;
  while (i < total) {
    const minDelta = unzigzag(ulebBig(b, st));
    const minN = Number(minDelta);
    const widthsAt = st.p;
    st.p += miniblocks;
    for (let m = 0; m < miniblocks && i < total; m++) {
      const w = b[widthsAt + m];
      let bit = st.p * 8;
      const take = Math.min(per, total - i);
      if (w <= 32 && Math.abs(minN) < 2 ** 52) {
        if (is64) for (let k = 0; k < take; k++, bit += w) { cur = cur + minN + (w ? bitsAt(b, bit, w) : 0); vals[i++] = cur; }
        else for (let k = 0; k < take; k++, bit += w) { cur = (cur + minN + (w ? bitsAt(b, bit, w) : 0)) | 0; vals[i++] = cur; }
      } else {
        let pb = BigInt(cur);
        for (let k = 0; k < take; k++, bit += w) {
          pb = BigInt.asIntN(is64 ? 64 : 32, pb + minDelta + bitsAtBig(b, bit, w));
          vals[i++] = Number(pb);
        }
        cur = Number(pb);
      }
      st.p += (per * w) / 8;
    }
  }
  if (st.p > b.length) throw new Error('DELTA_BINARY_PACKED data ends early');
  return { vals, pos: st.p };
}

/** DELTA_LENGTH_BYTE_ARRAY: [start, end) byte ranges of n values, and the position after the last one. */
export function decodeDeltaLengths(b: Uint8Array, pos: number, n: number): { starts: Float64Array; lens: Float64Array; pos: number } {
  const { vals: lens, pos: p } = decodeDeltaBinaryPacked(b, pos, false);
  if (lens.length < n) throw new Error(`DELTA_LENGTH_BYTE_ARRAY holds ${lens.length} of ${n} values`);
  const starts = new Float64Array(n);
  let q = p;
  for (let i = 0; i < n; i++) { starts[i] = q; q += lens[i]; }
  if (q > b.length) throw new Error('DELTA_LENGTH_BYTE_ARRAY data ends early');
  return { starts, lens, pos: q };
}

/** BYTE_STREAM_SPLIT: n values of w bytes interleaved back into value order. */
export function unsplitStreams(b: Uint8Array, pos: number, n: number, w: number): Uint8Array {
  if (pos + n * w > b.length) throw new Error('BYTE_STREAM_SPLIT data ends early');
  const out = new Uint8Array(n * w);
  for (let k = 0; k < w; k++) {
    const s = pos + k * n;
    for (let i = 0; i < n; i++) out[i * w + k] = b[s + i];
  }
  return out;
}
