// The native Parquet writer and reader: every declared column type round-trips (nulls, empty lists, null list
// elements, many row groups and pages) and reads back equal in DuckDB and arrow-rs (parquet-wasm); files written
// by DuckDB and arrow-rs with their codecs and encodings read back equal to what those libraries return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createStorage } from '../../pipeline/storage.ts';
import { readRecords, InputError, type RecordItem } from '../../pipeline/formats/readers.ts';
import { ParquetWriter, type Row } from '../../pipeline/formats/parquet-writer.ts';
import { NativeParquetFile, parquetRecords } from '../../pipeline/formats/parquet-read.ts';
import type { AtomicWriter, ColumnSpec, Storage } from '../../pipeline/types.ts';

const storage = createStorage();
const tmp = (): string => mkdtempSync(join(tmpdir(), 'curate-pq-'));

let conn: DuckDBConnection | null = null;
async function duck(sql: string): Promise<Record<string, unknown>[]> {
  conn ??= await (await DuckDBInstance.create(':memory:')).connect();
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function records(uri: string, st: Storage = storage): Promise<{ rows: Record<string, unknown>[]; batches: number; items: RecordItem[] }> {
  const rows: Record<string, unknown>[] = [];
  const items: RecordItem[] = [];
  let batches = 0;
  for await (const b of readRecords(st, uri, 'parquet')) {
    batches++;
    for (const r of b) {
      items.push(r);
      if ('rec' in r) rows.push(r.rec);
    }
  }
  return { rows, batches, items };
}

/** Plain JSON-like values: typed arrays and array-likes -> arrays, bigint -> number, structs -> objects. */
function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof arrow.Vector) return Array.from(v, norm);
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = norm(x);
    return o;
  }
  return v;
}

function memWriter(): { out: AtomicWriter; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    out: { write: async (c) => { chunks.push(Buffer.from(c)); }, commit: async () => {}, abort: async () => {} },
    bytes: () => Buffer.concat(chunks),
  };
}

const ALL: ColumnSpec[] = [
  { name: 'id', type: 'string', nullable: false },
  { name: 's', type: 'string' },
  { name: 'b', type: 'bool' },
  { name: 'i32', type: 'int32' },
  { name: 'i64', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 'li', type: 'list<int32>' },
  { name: 'l16', type: 'list<uint16>' },
  { name: 'l32', type: 'list<uint32>' },
  { name: 'lf', type: 'list<float64>' },
  { name: 'ls', type: 'list<string>' },
  { name: 'sp', type: 'spans' },
  { name: 'req_toks', type: 'list<uint16>', nullable: false },
  { name: 'req_n', type: 'int64', nullable: false },
];

/** Deterministic rows covering nulls, empty lists, null elements, unicode, extremes. */
function makeRows(n: number, seed = 1): Row[] {
  let x = seed;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  const maybe = <T>(v: T, p = 0.2): T | null => (rnd() < p ? null : v);
  const len = (): number => (rnd() < 0.2 ? 0 : Math.floor(rnd() * 6));
  const words = ['a', 'héllo', '𝔘nicode', '', 'tab\tnew\nline', 'x'.repeat(300), '日本語'];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      id: `doc-${i}`,
      s: maybe(words[i % words.length] + i),
      b: maybe(rnd() < 0.5),
      i32: maybe([0, -1, 2147483647, -2147483648, i][i % 5]),
      i64: maybe([0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 40 + i, -(2 ** 33) - i][i % 6]),
      f: maybe([0.5, -0, 1e308, -1e-308, NaN, Infinity, i / 3][i % 7]),
      li: maybe(Int32Array.from({ length: len() }, () => Math.floor(rnd() * 2 ** 32) - 2 ** 31)),
      l16: maybe(i % 11 === 3 ? ([1, null, 3] as unknown as number[]) : Uint16Array.from({ length: len() }, () => Math.floor(rnd() * 65536))),
      l32: maybe(Uint32Array.from({ length: len() }, () => Math.floor(rnd() * 2 ** 32))),
      lf: maybe(Array.from({ length: len() }, (_, k) => (k === 1 ? null : rnd()))) as number[] | null,
      ls: maybe(Array.from({ length: len() }, (_, k) => (k === 2 ? null : words[k % words.length]))) as string[] | null,
      sp: maybe(Array.from({ length: len() }, (_, k) => (k === 1 ? [] : k === 3 ? null : [k, k + 2, rnd()]))) as [number, number, number][] | null,
      req_toks: Uint16Array.from({ length: len() }, (_, k) => k * 7),
      req_n: i * 1000,
    });
  }
  return rows;
}

/** What each declared type reads back as (typed arrays for int lists without nulls, plain arrays otherwise). */
function expected(rows: Row[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const c of ALL) o[c.name] = r[c.name] ?? null;
    return o;
  });
}

async function writeFile(uri: string, rows: Row[], opts: Partial<ConstructorParameters<typeof ParquetWriter>[1]> = {}): Promise<void> {
  const w = await storage.writer(uri);
  const pq = new ParquetWriter(w, { columns: ALL, rowGroupSize: 37, pageSize: 512, metadata: { 'curate.test': 'yes' }, ...opts });
  await pq.writeRows(rows);
  await pq.close();
  await w.commit();
}

test('every column type round-trips through the native writer and reader (nulls, empty lists, many pages)', async () => {
  const d = tmp();
  const rows = makeRows(300);
  for (const compression of ['zstd', 'snappy', 'gzip', 'none'] as const) {
    const uri = join(d, `all-${compression}.parquet`);
    await writeFile(uri, rows, { compression });
    const { rows: got, batches } = await records(uri);
    assert.equal(batches, Math.ceil(300 / 37), compression);
    assert.deepEqual(norm(got), norm(expected(rows)), compression);
    // typed arrays come back typed
    const first = got.find((r) => r.l16 !== null && (r.l16 as ArrayLike<number>).length > 0 && !(r.l16 as unknown[]).includes?.(null));
    assert.ok(first && first.l16 instanceof Uint16Array, 'list<uint16> reads as Uint16Array');
    assert.ok(got[0].li === null || got[0].li instanceof Int32Array);
    assert.ok(got.some((r) => r.l32 instanceof Uint32Array));
  }
});

test('DuckDB and arrow-rs read the native writer\'s files with equal values and the declared types', async () => {
  const d = tmp();
  const rows = makeRows(120, 7);
  const uri = join(d, 'x.parquet');
  await writeFile(uri, rows);
  const want = norm(expected(rows)) as Record<string, unknown>[];
  // DuckDB
  const types = await duck(`DESCRIBE SELECT * FROM '${uri}'`);
  assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.column_type])), {
    id: 'VARCHAR', s: 'VARCHAR', b: 'BOOLEAN', i32: 'INTEGER', i64: 'BIGINT', f: 'DOUBLE', li: 'INTEGER[]', l16: 'USMALLINT[]',
    l32: 'UINTEGER[]', lf: 'DOUBLE[]', ls: 'VARCHAR[]', sp: 'DOUBLE[][]', req_toks: 'USMALLINT[]', req_n: 'BIGINT',
  });
  const viaDuck = norm(await duck(`SELECT * FROM '${uri}'`)) as Record<string, unknown>[];
  assert.deepEqual(viaDuck, want);
  const kv = await duck(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${uri}')`);
  assert.deepEqual(kv, [{ k: 'curate.test', v: 'yes' }]);
  // min/max statistics are right (DuckDB uses them to skip row groups)
  const st = await duck(`SELECT min(stats_min_value::BIGINT) AS lo, max(stats_max_value::BIGINT) AS hi FROM parquet_metadata('${uri}') WHERE path_in_schema = 'req_n'`);
  assert.deepEqual(norm(st), [{ lo: 0, hi: 119000 }]);
  assert.deepEqual(norm(await duck(`SELECT count(*) AS n FROM '${uri}' WHERE req_n BETWEEN 5000 AND 9000`)), [{ n: 5 }]);
  // arrow-rs
  const t = arrow.tableFromIPC(pw.readParquet(readFileSync(uri)).intoIPCStream());
  const viaArrow = t.toArray().map((r) => {
    const o: Record<string, unknown> = {};
    for (const f of t.schema.fields) o[f.name] = norm((r as Record<string, unknown>)[f.name]);
    return o;
  });
  assert.deepEqual(viaArrow, want);
  assert.equal(String(t.schema.fields.find((f) => f.name === 'l16')!.type), 'List<Uint16>');
  assert.equal(String(t.schema.fields.find((f) => f.name === 'sp')!.type), 'List<List<Float64>>');
});

test('same rows, same options -> same bytes, however the rows were handed over', async () => {
  const rows = makeRows(200, 3);
  const a = memWriter();
  const pa = new ParquetWriter(a.out, { columns: ALL, rowGroupSize: 50, metadata: { k: 'v' } });
  await pa.writeRows(rows);
  await pa.close();
  const b = memWriter();
  const pb = new ParquetWriter(b.out, { columns: ALL, rowGroupSize: 50, metadata: { k: 'v' } });
  for (const r of rows) await pb.write(r);
  await pb.close();
  assert.ok(a.bytes().equals(b.bytes()));
  assert.equal(pa.bytes, a.bytes().length);
  assert.equal(pa.rows, 200);
  // a different row group size is a different file, but the same rows
  const c = memWriter();
  const pc = new ParquetWriter(c.out, { columns: ALL, rowGroupSize: 64, metadata: { k: 'v' } });
  await pc.writeRows(rows);
  await pc.close();
  assert.ok(!a.bytes().equals(c.bytes()));
});

test('row groups close on rows or bytes; an empty file keeps its schema', async () => {
  const d = tmp();
  const cols: ColumnSpec[] = [{ name: 'text', type: 'string' }, { name: 'n', type: 'int32' }];
  const uri = join(d, 'g.parquet');
  const w = await storage.writer(uri);
  const pq = new ParquetWriter(w, { columns: cols, rowGroupSize: 1000, rowGroupBytes: 10_000 });
  for (let i = 0; i < 100; i++) await pq.write({ text: 'y'.repeat(1000), n: i });
  await pq.close();
  await w.commit();
  const { rows, batches } = await records(uri);
  assert.equal(batches, 10);
  assert.deepEqual(rows.map((r) => r.n), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(norm(await duck(`SELECT count(*) AS n, count(DISTINCT row_group_id) AS g FROM parquet_metadata('${uri}')`)), [{ n: 20, g: 10 }]);

  const e = join(d, 'empty.parquet');
  const we = await storage.writer(e);
  const pe = new ParquetWriter(we, { columns: cols });
  await pe.close();
  await we.commit();
  assert.deepEqual((await records(e)).rows, []);
  const types = await duck(`DESCRIBE SELECT * FROM '${e}'`);
  assert.deepEqual(types.map((t) => [t.column_name, t.column_type]), [['text', 'VARCHAR'], ['n', 'INTEGER']]);
  assert.deepEqual(norm(await duck(`SELECT count(*) AS n FROM '${e}'`)), [{ n: 0 }]);
});

test('values that do not fit the declared type are refused naming the column and row', async () => {
  // rows are checked as they are written (each row is encoded in write())
  const fails = async (cols: ColumnSpec[], rows: Row[], re: RegExp): Promise<void> => {
    const pq = new ParquetWriter(memWriter().out, { columns: cols });
    await assert.rejects(async () => { await pq.writeRows(rows); await pq.close(); }, re);
  };
  await fails(ALL.slice(0, 4), [{ id: 'a', s: 'ok' }, { id: 'b', s: 5 as unknown as string }], /column "s" is declared string but row 1 holds number/);
  await fails([{ name: 'id', type: 'string', nullable: false }], [{ id: null }], /column "id" is declared string \(not nullable\) but row 0 is null/);
  await fails([{ name: 't', type: 'list<uint16>' }], [{ t: 'abc' }], /column "t" is declared list<uint16> but row 0 holds string, not an array/);
  await fails([{ name: 'n', type: 'int64' }], [{ n: 2 ** 60 }], /beyond the exact integer range/);
  await fails([{ name: 't', type: 'list<uint16>' }], [{ t: [1, 70000] }], /column "t" is declared list<uint16> but row 0 holds 70000, outside 0..65535/);
  await fails([{ name: 't', type: 'list<uint32>' }], [{ t: Int32Array.of(5, -1) }], /holds -1, outside 0..4294967295/);
  await fails([{ name: 'sp', type: 'spans' }], [{ sp: [] }, { sp: [['a', 1, 2]] as unknown as [number, number, number][] }], /column "sp" is declared spans but row 1 holds a string inside a span/);
  assert.throws(() => new ParquetWriter(memWriter().out, { columns: [{ name: 'a', type: 'string' }, { name: 'a', type: 'int32' }] }), /"a" is declared twice/);
  // after a failed row group the writer refuses to go on (its file would be incomplete)
  const pf = new ParquetWriter(memWriter().out, { columns: [{ name: 'n', type: 'int32' }], rowGroupSize: 1 });
  await assert.rejects(pf.write({ n: 'x' as unknown as number }), /declared int32 but row 0 holds string/);
  await assert.rejects(pf.close(), /an earlier write failed/);
});

// ---------------------------------------------------------------------------
// Files written by other libraries

const DUCK_SELECT = `SELECT i::INT AS i, 'cat ' || (i % 7) AS cat, CASE WHEN i % 9 = 0 THEN NULL ELSE repeat('x', i % 13) || i END AS s,
  i * 1.5 AS d, (i % 3 = 0) AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i + 1]::INT[] END AS li, [[i::DOUBLE, 2.0], []] AS ll,
  {'a': i, 'b': 'k' || i, 'c': [1, 2]} AS st, CASE WHEN i % 4 = 0 THEN NULL ELSE {'x': i} END AS ost, i::BIGINT * 100000000000 AS big,
  (i % 256)::UTINYINT AS u8, (i * 3)::USMALLINT AS u16, [(i % 60000)::USMALLINT] AS lu16, i::FLOAT AS fl, NULL::VARCHAR AS nul, ['a', NULL, 'b'] AS ls,
  (i::DOUBLE / 7)::DECIMAL(10, 2) AS dec, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts, DATE '2024-01-01' + i::INT AS dt
  FROM range(0, 6000) t(i)`;

/** DuckDB's own reading of the file, as plain values (timestamps/dates as epoch ms, decimals as doubles). */
async function duckTruth(uri: string): Promise<unknown> {
  const rows = await duck(`SELECT * EXCLUDE (dec, ts, dt), dec::DOUBLE AS dec, epoch_ms(ts) AS ts, epoch_ms(dt::TIMESTAMP) AS dt FROM '${uri}'`);
  return norm(rows);
}

test('DuckDB-written files (every codec, dictionaries, structs, nested lists) read equal to DuckDB', async () => {
  const d = tmp();
  for (const codec of ['snappy', 'zstd', 'gzip', 'lz4', 'brotli', 'uncompressed']) {
    const uri = join(d, `duck-${codec}.parquet`);
    await duck(`COPY (${DUCK_SELECT}) TO '${uri}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 1000)`);
    const f = await NativeParquetFile.open({ size: readFileSync(uri).length, read: async (a, b) => readFileSync(uri).subarray(a, b) });
    assert.equal(f.unsupportedReason(), null, codec);
    const { rows, batches } = await records(uri);
    assert.ok(batches >= 2, codec);
    assert.deepEqual(norm(rows), await duckTruth(uri), codec);
  }
});

test('DuckDB Parquet v2 files (delta encodings, byte-stream-split) and maps read equal to DuckDB', async () => {
  const d = tmp();
  const uri = join(d, 'duck-v2.parquet');
  await duck(`COPY (${DUCK_SELECT}) TO '${uri}' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 1000)`);
  assert.deepEqual(norm((await records(uri)).rows), await duckTruth(uri));
  const m = join(d, 'map.parquet');
  await duck(`COPY (SELECT i::INT AS i, 'r' || i AS s FROM range(5) t(i)) TO '${m}' (FORMAT parquet)`);
  await duck(`COPY (SELECT i::INT AS i, map([i::INT], ['v' || i]) AS m FROM range(5) t(i)) TO '${m}' (FORMAT parquet)`);
  const { rows } = await records(m);
  assert.deepEqual(rows.map((r) => r.i), [0, 1, 2, 3, 4]);
});

test('arrow-rs-written files (dictionary, data page v1 and v2, several codecs) read equal to arrow-rs', async () => {
  const d = tmp();
  const n = 2500;
  const cat = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : `cat-${i % 17}`));
  const text = Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `text ${i} ${'é'.repeat(i % 5)}`));
  const score = Float64Array.from({ length: n }, (_, i) => i / 7);
  const count = Int32Array.from({ length: n }, (_, i) => (i * 31) % 1000);
  const big = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10000000000n);
  const tbl = arrow.tableFromArrays({ cat, text, score, count, big });
  const ipc = arrow.tableToIPC(tbl, 'stream');
  const codecs: [string, pw.Compression][] = [['snappy', pw.Compression.SNAPPY], ['zstd', pw.Compression.ZSTD], ['lz4raw', pw.Compression.LZ4_RAW], ['gzip', pw.Compression.GZIP], ['none', pw.Compression.UNCOMPRESSED]];
  for (const [name, codec] of codecs) {
    for (const v of [pw.WriterVersion.V1, pw.WriterVersion.V2]) {
      const props = new pw.WriterPropertiesBuilder().setCompression(codec).setWriterVersion(v).setMaxRowGroupSize(1000).setDataPageSizeLimit(4096).build();
      const bytes = pw.writeParquet(pw.Table.fromIPCStream(ipc), props);
      const uri = join(d, `rs-${name}-${v}.parquet`);
      writeFileSync(uri, bytes);
      const { rows, batches } = await records(uri);
      assert.equal(batches, 3, `${name} v${v}`);
      const want = Array.from({ length: n }, (_, i) => ({ cat: cat[i], text: text[i], score: score[i], count: count[i], big: Number(big[i]) }));
      assert.deepEqual(rows, want, `${name} v${v}`);
    }
  }
});

test('arrow-rs delta and byte-stream-split encodings (Parquet v2, no dictionary) read equal to arrow-rs', async () => {
  const d = tmp();
  const n = 3000;
  const words = ['alpha', 'alphabet', 'alphabetical', 'beta', 'betamax', 'é', 'éé', ''];
  const cat = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : words[i % words.length] + (i % 3)));
  const text = Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `text ${i} ${'ü'.repeat(i % 5)}`));
  const score = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -i / 7 : i * 1e10));
  const count = Int32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -2147483648 : i % 5 === 0 ? 2147483647 : (i * 7919) % 100000 - 50000));
  const big = BigInt64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -(2n ** 52n) + BigInt(i) : BigInt(i) * 1234567891n));
  const ipc = arrow.tableToIPC(arrow.tableFromArrays({ cat, text, score, count, big }), 'stream');
  const props = new pw.WriterPropertiesBuilder().setWriterVersion(pw.WriterVersion.V2).setDictionaryEnabled(false).setCompression(pw.Compression.SNAPPY)
    .setColumnEncoding('count', pw.Encoding.DELTA_BINARY_PACKED).setColumnEncoding('big', pw.Encoding.DELTA_BINARY_PACKED)
    .setColumnEncoding('text', pw.Encoding.DELTA_LENGTH_BYTE_ARRAY).setColumnEncoding('cat', pw.Encoding.DELTA_BYTE_ARRAY)
    .setColumnEncoding('score', pw.Encoding.BYTE_STREAM_SPLIT).setMaxRowGroupSize(1200).setDataPageSizeLimit(2048).build();
  const uri = join(d, 'delta.parquet');
  writeFileSync(uri, pw.writeParquet(pw.Table.fromIPCStream(ipc), props));
  const enc = await duck(`SELECT DISTINCT path_in_schema AS p, encodings AS e FROM parquet_metadata('${uri}') ORDER BY p`);
  assert.ok(enc.some((r) => /DELTA_BYTE_ARRAY/.test(String(r.e))) && enc.some((r) => /BYTE_STREAM_SPLIT/.test(String(r.e))), JSON.stringify(enc));
  const f = await NativeParquetFile.open({ size: readFileSync(uri).length, read: async (a, b) => readFileSync(uri).subarray(a, b) });
  assert.equal(f.unsupportedReason(), null);
  const { rows } = await records(uri);
  const want = Array.from({ length: n }, (_, i) => ({ cat: cat[i], text: text[i], score: score[i], count: count[i], big: Number(big[i]) }));
  assert.deepEqual(rows, want);
});

// ---------------------------------------------------------------------------
// Streaming and errors

test('the reader streams: ranged reads only, none much larger than a row group', async () => {
  const d = tmp();
  const uri = join(d, 's.parquet');
  const rows = Array.from({ length: 400 }, (_, i) => ({ text: `${i} `.repeat(200), n: i }));
  const w = await storage.writer(uri);
  const pq = new ParquetWriter(w, { columns: [{ name: 'text', type: 'string' }, { name: 'n', type: 'int32' }], rowGroupSize: 50, compression: 'none' });
  await pq.writeRows(rows);
  await pq.close();
  await w.commit();
  const size = readFileSync(uri).length;
  const reads: number[] = [];
  const spy: Storage = {
    ...storage,
    read: async () => { throw new Error('whole-file read'); },
    readStream: () => { throw new Error('whole-file stream'); },
    readRange: async (u, a, b) => { reads.push(b - a); return storage.readRange(u, a, b); },
  };
  const got = await records(uri, spy);
  assert.equal(got.rows.length, 400);
  assert.equal(got.batches, 8);
  assert.ok(reads.length >= 9);
  assert.ok(Math.max(...reads) < size / 4, `largest read ${Math.max(...reads)} of ${size}`);
  // row groups above the single-read limit are fetched column chunk by column chunk, with the same records
  const perColumn: number[] = [];
  const f = await NativeParquetFile.open({ size, read: async (a, b) => { perColumn.push(b - a); return storage.readRange(uri, a, b); } }, { maxGroupRead: 1000 });
  const again: unknown[] = [];
  for await (const b of parquetRecords(f)) for (const r of b) again.push(r.rec);
  assert.deepEqual(again, got.rows);
  assert.equal(perColumn.length, 1 + 8 * 2);
});

test('corrupt and truncated files fail with the file name (and row for damaged row groups)', async () => {
  const d = tmp();
  const uri = join(d, 'ok.parquet');
  await writeFile(uri, makeRows(100), { compression: 'none', rowGroupSize: 25 });
  const bytes = readFileSync(uri);
  // truncated: the footer is gone
  const t = join(d, 'trunc.parquet');
  writeFileSync(t, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(records(t), (e: unknown) => e instanceof InputError && /trunc\.parquet: cannot read the Parquet footer/.test(e.message));
  // damaged row group: scribble over the middle of the data
  const c = join(d, 'corrupt.parquet');
  const bad = Buffer.from(bytes);
  const meta = await duck(`SELECT row_group_id AS g, min(data_page_offset) AS o, sum(total_compressed_size) AS n FROM parquet_metadata('${uri}') GROUP BY ALL ORDER BY g`);
  const g2 = meta[2] as { o: bigint; n: bigint };
  bad.fill(0xff, Number(g2.o), Number(g2.o) + Number(g2.n));
  writeFileSync(c, bad);
  await assert.rejects(records(c), (e: unknown) => e instanceof InputError && e.file === c && e.row === 50 && /row group 2/.test(e.message));
  // not Parquet at all
  const x = join(d, 'x.parquet');
  writeFileSync(x, 'hello world, not parquet');
  await assert.rejects(records(x), (e: unknown) => e instanceof InputError && /x\.parquet: cannot read the Parquet footer \(not a Parquet file/.test(e.message));
});
