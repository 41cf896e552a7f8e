import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { createStorage } from '../../pipeline/storage.ts';
import { readRecords, detectFormat, InputError, type RecordItem } from '../../pipeline/formats/readers.ts';
import { ParquetWriter } from '../../pipeline/formats/parquet-writer.ts';
import type { ColumnSpec } from '../../pipeline/types.ts';
import { tmp, duck } from '../helpers.ts';

const storage = createStorage();

async function all(uri: string): Promise<RecordItem[]> {
  const out: RecordItem[] = [];
  for await (const b of readRecords(storage, uri, detectFormat(uri)!)) out.push(...b);
  return out;
}

const lines = [{ id: 'a', text: 'héllo 𝔘nicode' }, { id: 'b', text: 'second\r\nline', n: 3 }];
const jsonl = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

test('JSONL, JSONL.gz and JSONL.zst give the same records', async () => {
  const d = tmp();
  writeFileSync(join(d, 'a.jsonl'), jsonl);
  writeFileSync(join(d, 'a.jsonl.gz'), gzipSync(jsonl));
  writeFileSync(join(d, 'a.jsonl.zst'), zstdCompressSync(Buffer.from(jsonl)));
  for (const f of ['a.jsonl', 'a.jsonl.gz', 'a.jsonl.zst']) {
    const recs = await all(join(d, f));
    assert.deepEqual(recs.map((r) => ('rec' in r ? r.rec : null)), lines, f);
    assert.deepEqual(recs.map((r) => r.row), [0, 1]);
  }
});

test('bad lines come back as errors naming the row; good lines still read', async () => {
  const d = tmp();
  const bad = Buffer.concat([Buffer.from('{"text":"ok"}\n{"text": broken}\n[1,2]\n'), Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), Buffer.from('{"text":"last"}')]);
  writeFileSync(join(d, 'bad.jsonl'), bad);
  const recs = await all(join(d, 'bad.jsonl'));
  assert.equal(recs.length, 5);
  assert.ok('rec' in recs[0]);
  assert.match('error' in recs[1] ? recs[1].error : '', /invalid JSON/);
  assert.match('error' in recs[2] ? recs[2].error : '', /not an object/);
  assert.match('error' in recs[3] ? recs[3].error : '', /invalid UTF-8/);
  assert.deepEqual('rec' in recs[4] ? recs[4].rec : null, { text: 'last' });
});

test('a truncated .gz fails with the file name and the row reached', async () => {
  const d = tmp();
  const gz = gzipSync(Array.from({ length: 2000 }, (_, i) => JSON.stringify({ text: `doc ${i} ${'x'.repeat(50)}` })).join('\n'));
  writeFileSync(join(d, 't.jsonl.gz'), gz.subarray(0, gz.length >> 1));
  await assert.rejects(all(join(d, 't.jsonl.gz')), (e: unknown) => e instanceof InputError && /t\.jsonl\.gz row \d+: the compressed stream is truncated/.test(e.message));
});

test('Parquet writer: every declared type round-trips through our reader and DuckDB; the schema does not drift', async () => {
  const d = tmp();
  const cols: ColumnSpec[] = [
    { name: 'id', type: 'string' }, { name: 'flag', type: 'bool' }, { name: 'i32', type: 'int32' }, { name: 'i64', type: 'int64' },
    { name: 'f', type: 'float64' }, { name: 'toks', type: 'list<uint16>' }, { name: 'big', type: 'list<uint32>' },
    { name: 'strs', type: 'list<string>' }, { name: 'spans', type: 'spans' },
  ];
  const uri = join(d, 'x.parquet');
  const w = await storage.writer(uri);
  const pq = new ParquetWriter(w, { columns: cols, rowGroupSize: 2, metadata: { k: 'v' } });
  // the first row group is all nulls: types must still come from the declaration
  await pq.write({ id: 'n0' });
  await pq.write({ id: 'n1' });
  await pq.write({ id: 'r2', flag: true, i32: -5, i64: 2 ** 40, f: 0.25, toks: new Uint16Array([1, 65535]), big: new Uint32Array([70000]), strs: ['a', 'ü'], spans: [[0, 3, 0.5], [3, 9, 1]] });
  await pq.write({ id: 'r3', flag: false, i32: 7, i64: 0, f: NaN, toks: [], big: [], strs: [], spans: [] });
  await pq.close();
  await w.commit();
  const recs = await all(uri);
  assert.equal(recs.length, 4);
  const r2 = 'rec' in recs[2] ? recs[2].rec : {};
  assert.equal(r2.i64, 2 ** 40);
  assert.deepEqual(Array.from(r2.toks as Uint16Array), [1, 65535]);
  assert.deepEqual(r2.spans, [[0, 3, 0.5], [3, 9, 1]]);
  const types = await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM '${uri}'`);
  assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.column_type])), {
    id: 'VARCHAR', flag: 'BOOLEAN', i32: 'INTEGER', i64: 'BIGINT', f: 'DOUBLE', toks: 'USMALLINT[]', big: 'UINTEGER[]', strs: 'VARCHAR[]', spans: 'DOUBLE[][]',
  });
  const rows = await duck(`SELECT id, i32, len(toks) AS nt, strs[2] AS s2, spans[2][2] AS e FROM '${uri}' ORDER BY id`);
  assert.deepEqual(rows[2], { id: 'r2', i32: -5, nt: '2', s2: 'ü', e: 9 });
  const kv = await duck<{ key: string; value: string }>(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${uri}') WHERE decode(key) = 'k'`);
  assert.deepEqual(kv, [{ key: 'k', value: 'v' }]);
  // same rows → same bytes
  const uri2 = join(d, 'y.parquet');
  const w2 = await storage.writer(uri2);
  const pq2 = new ParquetWriter(w2, { columns: cols, rowGroupSize: 2, metadata: { k: 'v' } });
  for (const r of [{ id: 'n0' }, { id: 'n1' }, { id: 'r2', flag: true, i32: -5, i64: 2 ** 40, f: 0.25, toks: new Uint16Array([1, 65535]), big: new Uint32Array([70000]), strs: ['a', 'ü'], spans: [[0, 3, 0.5], [3, 9, 1]] as [number, number, number][] }, { id: 'r3', flag: false, i32: 7, i64: 0, f: NaN, toks: [], big: [], strs: [], spans: [] }]) await pq2.write(r);
  await pq2.close();
  await w2.commit();
  assert.ok(readFileSync(uri).equals(readFileSync(uri2)));
});

test('a corrupt Parquet footer is an error naming the file', async () => {
  const d = tmp();
  writeFileSync(join(d, 'c.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7), Buffer.from('PAR1')]));
  await assert.rejects(all(join(d, 'c.parquet')), (e: unknown) => e instanceof InputError && /c\.parquet: cannot read the Parquet footer/.test(e.message));
});
