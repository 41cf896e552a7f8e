// Parquet I/O: MB of raw data per CPU-second through the pipeline's own writer (ParquetWriter) and reader
// (readRecords 'parquet'), next to parquet-wasm (arrow-rs) and DuckDB doing the same work from and into JS values.
//
// Data: ../shared/data/bulk_sample/bulk-00000.jsonl.gz (781 docs, 13.8 MB of text) repeated `--copies` times (default 7,
// ~96 MB of text), as rows {id, text, source, n_chars int32, score float64, row int64, tokens list<uint16>} where
// tokens are word hashes (one per whitespace-separated word). "Raw data" = UTF-8 bytes of the strings + 4/8 bytes per
// int32/int64/float64 + 2 bytes per token: what the rows weigh uncompressed.
//
// Run: node bench/formats.bench.ts [--copies N] [--rounds N] [--duckdb-write]
import { gunzipSync } from 'node:zlib';
import { readFileSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, LIST, USMALLINT } from '@duckdb/node-api';
import { createStorage } from '../pipeline/storage.ts';
import { ParquetWriter } from '../pipeline/formats/parquet-writer.ts';
import { WasmParquetWriter } from '../pipeline/formats/parquet-wasm-writer.ts';
import { readRecords, readParquetWasm } from '../pipeline/formats/readers.ts';
import type { ColumnSpec, ColumnValue } from '../pipeline/types.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const copies = opt('--copies', 7);
const rounds = opt('--rounds', 2);
// DuckDB's appender takes minutes here (one JS call per value of the token lists): opt in with --duckdb-write
const skipDuckWrite = !args.includes('--duckdb-write');

const sample = new URL('../../shared/data/bulk_sample/bulk-00000.jsonl.gz', import.meta.url).pathname;
const docs = gunzipSync(readFileSync(sample)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string; source: string });

interface BenchRow { id: string; text: string; source: string; n_chars: number; score: number; row: number; tokens: Uint16Array; [k: string]: ColumnValue }
const rows: BenchRow[] = [];
let raw = 0;
for (let c = 0; c < copies; c++) {
  for (const d of docs) {
    const words = d.text.split(/\s+/);
    const tokens = new Uint16Array(words.length);
    for (let i = 0; i < words.length; i++) {
      let h = 0;
      const w = words[i];
      for (let j = 0; j < w.length; j++) h = (h * 31 + w.charCodeAt(j)) & 0xffff;
      tokens[i] = h;
    }
    const r: BenchRow = { id: `${d.id}#${c}`, text: d.text, source: d.source, n_chars: d.text.length, score: (d.text.length % 997) / 997, row: rows.length, tokens };
    raw += Buffer.byteLength(r.id) + Buffer.byteLength(r.text) + Buffer.byteLength(r.source) + 4 + 8 + 8 + tokens.length * 2;
    rows.push(r);
  }
}
const columns: ColumnSpec[] = [
  { name: 'id', type: 'string' }, { name: 'text', type: 'string' }, { name: 'source', type: 'string' }, { name: 'n_chars', type: 'int32' },
  { name: 'score', type: 'float64' }, { name: 'row', type: 'int64' }, { name: 'tokens', type: 'list<uint16>' },
];
const ROW_GROUP = 1000;

const storage = createStorage();
const dir = mkdtempSync(join(tmpdir(), 'curate-bench-pq-'));
const results: { op: string; impl: string; mbPerCpuS: number; wallS: number; fileMB: number | null }[] = [];

async function measure(op: string, impl: string, fn: () => Promise<string | null>): Promise<void> {
  let best = 0;
  let wall = 0;
  let file: string | null = null;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    file = await fn();
    const c = process.cpuUsage(t0);
    const mb = raw / 1e6 / ((c.user + c.system) / 1e6);
    if (mb > best) { best = mb; wall = (performance.now() - w0) / 1000; }
  }
  results.push({ op, impl, mbPerCpuS: best, wallS: wall, fileMB: file ? statSync(file).size / 1e6 : null });
  const last = results[results.length - 1];
  console.error(`${op} ${impl}: ${last.mbPerCpuS.toFixed(1)} MB/CPU-s`);
}

// ---- writers
const ours = join(dir, 'curate.parquet');
await measure('write', 'curate ParquetWriter (zstd 1, default)', async () => {
  const w = await storage.writer(ours);
  const pq = new ParquetWriter(w, { columns, rowGroupSize: ROW_GROUP });
  await pq.writeRows(rows);
  await pq.close();
  await w.commit();
  return ours;
});
const oursL3 = join(dir, 'curate-l1.parquet');
await measure('write', 'curate ParquetWriter (zstd 3)', async () => {
  const w = await storage.writer(oursL3);
  const pq = new ParquetWriter(w, { columns, rowGroupSize: ROW_GROUP, compressionLevel: 3 });
  await pq.writeRows(rows);
  await pq.close();
  await w.commit();
  return oursL3;
});
const wasm = join(dir, 'wasm.parquet');
await measure('write', 'parquet-wasm (arrow-rs, zstd)', async () => {
  const w = await storage.writer(wasm);
  const pq = new WasmParquetWriter(w, { columns, rowGroupSize: ROW_GROUP });
  for (const r of rows) await pq.write(r);
  await pq.close();
  await w.commit();
  return wasm;
});
const duckFile = join(dir, 'duck.parquet');
const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
if (!skipDuckWrite) {
  await measure('write', 'DuckDB appender + COPY (zstd, 1 thread)', async () => {
    await db.run('DROP TABLE IF EXISTS t');
    await db.run('CREATE TABLE t (id VARCHAR, text VARCHAR, source VARCHAR, n_chars INTEGER, score DOUBLE, "row" BIGINT, tokens USMALLINT[])');
    const ap = await db.createAppender('t');
    const lt = LIST(USMALLINT);
    for (const r of rows) {
      ap.appendVarchar(r.id);
      ap.appendVarchar(r.text);
      ap.appendVarchar(r.source);
      ap.appendInteger(r.n_chars);
      ap.appendDouble(r.score);
      ap.appendBigInt(BigInt(r.row));
      ap.appendList(Array.from(r.tokens), lt);
      ap.endRow();
    }
    ap.closeSync();
    await db.run(`COPY t TO '${duckFile}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP})`);
    await db.run('DROP TABLE t');
    return duckFile;
  });
}

// ---- readers (each materialises every value of every row in JS)
rows.length = 0;
const sink = { n: 0 };
await measure('read', 'curate readRecords (native decoder)', async () => {
  for await (const b of readRecords(storage, ours, 'parquet')) sink.n += b.length;
  return ours;
});
await measure('read', 'parquet-wasm (row group -> Arrow IPC -> JS)', async () => {
  for await (const b of readParquetWasm(storage, ours)) sink.n += b.length;
  return ours;
});
await measure('read', 'DuckDB stream + fetchChunk + getColumns (1 thread)', async () => {
  const res = await db.stream(`SELECT * FROM '${ours}'`);
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    sink.n += cols[0].length;
  }
  return ours;
});
// files written by others, through our reader: DuckDB copies of our file (snappy as in FineWeb shards, and zstd),
// with DuckDB's dictionary encoding, and the arrow-rs file
for (const codec of ['snappy', 'zstd']) {
  const f = join(dir, `duck-${codec}.parquet`);
  await db.run(`COPY (SELECT * FROM '${ours}') TO '${f}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${ROW_GROUP})`);
  await measure('read', `curate readRecords of a DuckDB-written ${codec} copy`, async () => {
    for await (const b of readRecords(storage, f, 'parquet')) sink.n += b.length;
    return f;
  });
}
if (!skipDuckWrite) {
  await measure('read', 'curate readRecords of the DuckDB-appender file', async () => {
    for await (const b of readRecords(storage, duckFile, 'parquet')) sink.n += b.length;
    return duckFile;
  });
}
await measure('read', 'curate readRecords of the arrow-rs-written file', async () => {
  for await (const b of readRecords(storage, wasm, 'parquet')) sink.n += b.length;
  return wasm;
});

console.log(`\nParquet I/O — ${copies} copies of bulk-00000 (${(raw / 1e6).toFixed(1)} MB raw data, ${docs.length * copies} rows, row groups of ${ROW_GROUP}); best of ${rounds} rounds`);
console.log('| op | implementation | raw MB per CPU-s | wall s | file MB |');
console.log('|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.op} | ${r.impl} | ${r.mbPerCpuS.toFixed(1)} | ${r.wallS.toFixed(2)} | ${r.fileMB === null ? '' : r.fileMB.toFixed(1)} |`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
