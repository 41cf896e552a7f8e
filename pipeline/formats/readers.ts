// Record readers for every input format. They stream: JSONL line by line through a decompressor, Parquet one row
// group at a time through ranged reads (local files and S3 alike). Bad records come back as errors naming the file
// and row; the caller decides (on_error) whether that stops the run or quarantines the record.
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { toPath } from '../drivers/fs.ts';
import type * as arrow from 'apache-arrow';
import type * as pw from 'parquet-wasm';
import type { ReadOptions, Storage } from '../types.ts';
import { ZstdFrameCheck, ZstdTruncatedError } from './zstd-frames.ts';
import { NativeParquetFile, ParquetError, parquetRecords } from './parquet-read.ts';

export type InputFormat = 'jsonl' | 'jsonl.gz' | 'jsonl.zst' | 'parquet';

export function detectFormat(uri: string): InputFormat | null {
  const u = uri.toLowerCase();
  if (u.endsWith('.parquet') || u.endsWith('.pq')) return 'parquet';
  if (/\.(jsonl|json|ndjson)\.gz$/.test(u)) return 'jsonl.gz';
  if (/\.(jsonl|json|ndjson)\.(zst|zstd)$/.test(u)) return 'jsonl.zst';
  if (/\.(jsonl|json|ndjson)$/.test(u)) return 'jsonl';
  return null;
}

/** One input record, or the reason it could not be read. `row` is 0-based within the file. */
export type RecordItem =
  | { row: number; rec: Record<string, unknown>; bytes: number }
  | { row: number; error: string; raw: Uint8Array };

export class InputError extends Error {
  readonly file: string;
  readonly row: number | null;
  constructor(file: string, row: number | null, message: string) {
    super(`${file}${row === null ? '' : ` row ${row}`}: ${message}`);
    this.file = file;
    this.row = row;
  }
}

/** What to do about an input that changed during a run (said after the error naming it). */
export const CHANGED_INPUT_HINT =
  'Inputs must not change during a run: restore it, or start a new run (--force-restart or another --output) to read the new version';

const isObjectChanged = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === 'OBJECT_CHANGED';

/**
 * Reads records in batches (arrays) to keep per-record overhead off the hot path. With `opts.etag` (the listing's),
 * every read of the file is pinned to that version: on a store with ETags, a file replaced while it is being read
 * (between two ranged reads of a Parquet file, or before a stream starts) fails with an InputError instead of mixing
 * two versions.
 */
export async function* readRecords(storage: Storage, uri: string, format: InputFormat, opts?: ReadOptions): AsyncIterable<RecordItem[]> {
  // the pinned view inherits everything else from the caller's storage (which may be a class instance)
  const s: Storage = opts?.etag
    ? Object.assign(Object.create(storage) as Storage, {
      readRange: (u: string, a: number, b: number) => storage.readRange(u, a, b, opts),
      readStream: (u: string) => storage.readStream(u, opts),
    })
    : storage;
  try {
    if (format !== 'jsonl') {
      const st = await s.stat(uri);
      if (!st) throw new InputError(uri, null, 'file not found (it was listed, then disappeared?)');
      if (st.size === 0) throw new InputError(uri, null, `the file is empty (0 bytes), so it is not a valid ${format} file`);
    }
    if (format === 'parquet') yield* readParquet(s, uri);
    else yield* readJsonl(s, uri, format);
  } catch (e) {
    if (isObjectChanged(e)) throw new InputError(uri, null, `${(e as Error).message}. ${CHANGED_INPUT_HINT}`);
    throw e;
  }
}

function decompressed(storage: Storage, uri: string, format: InputFormat): { stream: AsyncIterable<Uint8Array>; verify(): void } {
  // local files: fresh 64 KiB chunks (see fileChunks); other stores: the driver's stream
  const local = storage.driverFor(uri).name === 'fs';
  const src = Readable.from(local ? fileChunks(toPath(uri), false) : storage.readStream(uri), { objectMode: false });
  // pipeline() destroys every stage with the first error, so a failure anywhere reaches the reading loop
  const done = (): void => {};
  if (format === 'jsonl.gz') return { stream: pipeline(src, createGunzip(), done), verify() {} };
  if (format === 'jsonl.zst') {
    // node's zstd stream may end quietly on a cut input (seen: it ends before the frame check's error arrives),
    // so the reader asks the frame check itself once the data is consumed
    const check = new ZstdFrameCheck();
    let failed: Error | null = null;
    check.on('error', (e) => { failed ??= e; });
    return {
      stream: pipeline(src, check, createZstdDecompress(), done),
      verify() {
        if (failed) throw failed;
        if (check.incomplete()) throw new ZstdTruncatedError('the compressed stream is truncated (the last zstd frame is incomplete)');
      },
    };
  }
  return { stream: src, verify() {} };
}

/**
 * A local file in chunks read straight from its handle (not the fs driver's 1 MiB stream chunks: glibc keeps freed
 * blocks of that size in the thread's arena, and fresh ones per read made peak RSS grow with the input size).
 * - `reuse`: one buffer for every read (plain JSONL; the consumer must be done with a chunk, or copy what it keeps,
 *   before asking for the next one);
 * - otherwise fresh 64 KiB chunks (compressed input: the decompressor may still hold a chunk when the next is read;
 *   gzip input, 10x: +12-14% peak RSS with 1 MiB chunks, +4-6% with these).
 */
async function* fileChunks(path: string, reuse: boolean): AsyncIterable<Buffer> {
  const size = reuse ? 1 << 20 : 64 << 10;
  const fh = await open(path, 'r');
  try {
    let buf: Buffer | null = null;
    for (;;) {
      if (!reuse || buf === null) buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function* readJsonl(storage: Storage, uri: string, format: InputFormat): AsyncIterable<RecordItem[]> {
  let carry: Buffer = Buffer.alloc(0);
  let row = 0;
  let batch: RecordItem[] = [];
  const emit = (line: Buffer): void => {
    // a trailing \r belongs to CRLF files; JSON.parse would accept it anyway
    if (line.length === 0 || (line.length === 1 && line[0] === 13)) return; // blank lines are not records
    // isUtf8 (native) then toString is several times cheaper than a fatal TextDecoder per line
    if (!isUtf8(line)) {
      batch.push({ row: row++, error: 'invalid UTF-8 in this line', raw: Uint8Array.from(line) });
      return;
    }
    try {
      const v: unknown = JSON.parse(line.toString('utf8'));
      if (v === null || typeof v !== 'object' || Array.isArray(v)) batch.push({ row: row++, error: 'line is valid JSON but not an object', raw: Uint8Array.from(line) });
      else batch.push({ row: row++, rec: v as Record<string, unknown>, bytes: line.length });
    } catch (e) {
      batch.push({ row: row++, error: `invalid JSON (${(e as Error).message})`, raw: Uint8Array.from(line) });
    }
  };
  // chunks of a plain local file share one reused buffer, so the tail kept between chunks is copied
  const reused = format === 'jsonl' && storage.driverFor(uri).name === 'fs';
  const input = reused ? { stream: fileChunks(toPath(uri), true), verify() {} } : decompressed(storage, uri, format);
  try {
    for await (const c of input.stream) {
      const chunk = c as Buffer;
      let start = 0;
      let nl = chunk.indexOf(10);
      if (nl >= 0 && carry.length) {
        // only the line that straddles two chunks is copied
        emit(Buffer.concat([carry, chunk.subarray(0, nl)]));
        carry = Buffer.alloc(0);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      while (nl >= 0) {
        emit(chunk.subarray(start, nl));
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      // chunks from zlib and the storage stream are fresh buffers, so their tail can be kept without a copy; a
      // reused buffer's tail is copied before the next read overwrites it
      carry = carry.length || reused ? Buffer.concat([carry, chunk.subarray(start)]) : chunk.subarray(start);
      if (batch.length >= 256) { yield batch; batch = []; }
    }
    input.verify();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (isObjectChanged(err)) {
      if (batch.length) yield batch;
      throw new InputError(uri, row, `${err.message} (after ${row} records). ${CHANGED_INPUT_HINT}`);
    }
    const what = err.code === 'Z_BUF_ERROR' || err.code === 'ZSTD_TRUNCATED' || /unexpected end|truncated/i.test(err.message) ? 'the compressed stream is truncated' : err.message;
    if (batch.length) yield batch;
    throw new InputError(uri, row, `${what} (after ${row} records). Re-download or remove the file.`);
  }
  if (carry.length) emit(carry);
  if (batch.length) yield batch;
}

/** A Blob look-alike over ranged reads; parquet-wasm's async reader only calls size, slice() and arrayBuffer(). */
function rangedBlob(storage: Storage, uri: string, size: number): Blob {
  const make = (start: number, end: number): unknown => ({
    size: end - start,
    slice: (s = 0, e = end - start) => make(start + s, start + Math.min(e, end - start)),
    arrayBuffer: async () => {
      const b = await storage.readRange(uri, start, end);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
  });
  return make(0, size) as Blob;
}

/**
 * parquet-wasm and apache-arrow are loaded on first use: most runs never need the fallback, and loading them costs
 * every thread ~35 MB of memory (the WebAssembly module and Arrow's JS).
 */
const loadWasm = async (): Promise<{ pw: typeof pw; arrow: typeof arrow; fromArrow: (v: unknown) => unknown }> => {
  const [p, a, c] = await Promise.all([import('parquet-wasm'), import('apache-arrow'), import('./columns.ts')]);
  return { pw: p, arrow: a, fromArrow: c.fromArrow };
};

export async function openParquet(storage: Storage, uri: string): Promise<pw.ParquetFile> {
  const { pw } = await loadWasm();
  const st = await storage.stat(uri);
  if (!st) throw new InputError(uri, null, 'file not found (it was listed, then disappeared?)');
  if (st.size < 12) throw new InputError(uri, null, `not a Parquet file (${st.size} bytes)`);
  try {
    return await pw.ParquetFile.fromFile(rangedBlob(storage, uri, st.size));
  } catch (e) {
    throw new InputError(uri, null, `cannot read the Parquet footer (${String((e as Error).message ?? e)}). The file is corrupt or not Parquet.`);
  }
}

/**
 * Parquet records, one batch per row group. The native decoder (parquet-read.ts) reads what common writers produce;
 * files using features it does not decode (delta encodings, maps, lists of structs, LZO...) go through parquet-wasm.
 */
async function* readParquet(storage: Storage, uri: string): AsyncIterable<RecordItem[]> {
  const st = await storage.stat(uri);
  if (!st) throw new InputError(uri, null, 'file not found (it was listed, then disappeared?)');
  let file: NativeParquetFile;
  try {
    file = await NativeParquetFile.open({ size: st.size, read: (a, b) => storage.readRange(uri, a, b) });
  } catch (e) {
    if (e instanceof ParquetError) throw new InputError(uri, null, `cannot read the Parquet footer (${e.message}). The file is corrupt or not Parquet.`);
    throw e;
  }
  if (file.unsupportedReason() !== null) {
    yield* readParquetWasm(storage, uri);
    return;
  }
  try {
    yield* parquetRecords(file);
  } catch (e) {
    if (e instanceof ParquetError) throw new InputError(uri, e.row, e.message);
    throw e;
  }
}

/** Parquet through parquet-wasm (arrow-rs), for files the native decoder leaves out. */
export async function* readParquetWasm(storage: Storage, uri: string): AsyncIterable<RecordItem[]> {
  const { arrow, fromArrow } = await loadWasm();
  const file = await openParquet(storage, uri);
  try {
    const md = file.metadata();
    const groups = md.numRowGroups();
    let row = 0;
    for (let g = 0; g < groups; g++) {
      let table: arrow.Table;
      try {
        const t = await file.read({ rowGroups: [g] });
        table = arrow.tableFromIPC(t.intoIPCStream());
      } catch (e) {
        throw new InputError(uri, row, `cannot decode row group ${g} (${String((e as Error).message ?? e)}). The file is corrupt.`);
      }
      const names = table.schema.fields.map((f) => f.name);
      const cols = names.map((n) => table.getChild(n)!);
      const out: RecordItem[] = new Array(table.numRows);
      for (let i = 0; i < table.numRows; i++) {
        const rec: Record<string, unknown> = {};
        let bytes = 0;
        for (let c = 0; c < names.length; c++) {
          const v = fromArrow(cols[c].get(i));
          if (typeof v === 'string') bytes += v.length;
          rec[names[c]] = v;
        }
        out[i] = { row: row++, rec, bytes };
      }
      yield out;
    }
  } finally {
    file.free();
  }
}
