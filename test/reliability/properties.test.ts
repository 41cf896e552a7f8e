// Property-based tests (fast-check) and a fixed-budget fuzz run of the readers. CURATE_FUZZ_RUNS raises the budget.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { createStorage } from '../../pipeline/storage.ts';
import { readRecords, InputError, type InputFormat, type RecordItem } from '../../pipeline/formats/readers.ts';
import { ParquetWriter } from '../../pipeline/formats/parquet-writer.ts';
import { loadManifest, ManifestError } from '../../pipeline/manifest.ts';
import { compileExpr, ExprError } from '../../pipeline/expr.ts';
import { tmp } from '../helpers.ts';

const storage = createStorage();
const RUNS = Number(process.env.CURATE_FUZZ_RUNS ?? 150);
// generated cases that passed, per property (added once its fc.assert has passed)
const tally = { properties: 0, cases: 0 };
const passed = (runs: number): void => { tally.properties++; tally.cases += runs; };
after(() => process.stdout.write(`# reliability: properties/fuzz: ${tally.cases} generated cases tried over ${tally.properties} properties, ${tally.cases} survived (CURATE_FUZZ_RUNS=${RUNS})\n`));
const dir = tmp();
let n = 0;

async function readAll(body: Uint8Array, format: InputFormat): Promise<RecordItem[]> {
  const p = join(dir, `f${n++}.${format}`);
  writeFileSync(p, body);
  const out: RecordItem[] = [];
  for await (const b of readRecords(storage, p, format)) out.push(...b);
  return out;
}

const line = fc.oneof(
  fc.record({ id: fc.string(), text: fc.string({ unit: 'binary' }) }).map((o) => JSON.stringify(o)),
  fc.string({ unit: 'binary' }).filter((s) => !s.includes('\n')),
);

test('JSONL readers: one item per non-blank line, rows in order, never a crash (plain, gz, zst)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.constantFrom<InputFormat>('jsonl', 'jsonl.gz', 'jsonl.zst'), async (lines, fmt) => {
    const text = lines.join('\n') + (lines.length ? '\n' : '');
    const raw = Buffer.from(text);
    const body = fmt === 'jsonl' ? raw : fmt === 'jsonl.gz' ? gzipSync(raw) : zstdCompressSync(raw);
    const items = await readAll(body, fmt);
    const expected = text.split('\n').filter((l) => l.length > 0 && l !== '\r');
    assert.equal(items.length, expected.length);
    items.forEach((it, i) => assert.equal(it.row, i));
  }), { numRuns: RUNS });
  passed(RUNS);
});

test('a zstd stream cut anywhere inside a frame is reported as truncated', async () => {
  const raw = Buffer.from(Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `line ${i} ${'abc '.repeat(i % 13)}` })).join('\n') + '\n');
  const z = Buffer.concat([zstdCompressSync(raw.subarray(0, 9000)), zstdCompressSync(raw.subarray(9000))]);
  const first = zstdCompressSync(raw.subarray(0, 9000)).length;
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: z.length - 1 }), async (cut) => {
    fc.pre(cut !== first);
    await assert.rejects(readAll(z.subarray(0, cut), 'jsonl.zst'), (e: unknown) => e instanceof InputError && /truncated/.test(e.message));
  }), { numRuns: Math.min(RUNS, 100) });
  passed(Math.min(RUNS, 100));
});

test('fuzz: mutated gz, zst and Parquet files either read or fail with an InputError naming the file', async () => {
  const raw = Buffer.from(Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document ${i} ${'xyz '.repeat(i % 9)}` })).join('\n') + '\n');
  const pqPath = join(dir, 'seed.parquet');
  const w = await storage.writer(pqPath);
  const pq = new ParquetWriter(w, { columns: [{ name: 'id', type: 'string' }, { name: 'text', type: 'string' }, { name: 'toks', type: 'list<uint16>' }], rowGroupSize: 50 });
  for (let i = 0; i < 200; i++) await pq.write({ id: `d${i}`, text: `document ${i}`, toks: [i, i + 1] });
  await pq.close();
  await w.commit();
  const seeds: [InputFormat, Buffer][] = [['jsonl.gz', gzipSync(raw)], ['jsonl.zst', zstdCompressSync(raw)], ['parquet', (await import('node:fs')).readFileSync(pqPath)]];
  let failures = 0, reads = 0;
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.option(fc.nat()), async (which, flips, cut) => {
    const [fmt, seed] = seeds[which];
    const b = Buffer.from(seed);
    for (const [pos, val] of flips) b[pos % b.length] = val;
    const body = cut === null ? b : b.subarray(0, (cut % b.length) + 1);
    try {
      await readAll(body, fmt);
      reads++;
    } catch (e) {
      failures++;
      assert.ok(e instanceof InputError, `${fmt}: ${(e as Error).stack}`);
      assert.match(e.message, /f\d+\./);
    }
  }), { numRuns: RUNS * 2 });
  passed(RUNS * 2);
  console.log(`fuzz: ${reads + failures} mutated files, ${reads} read, ${failures} rejected with InputError`);
});

test('the manifest loader either loads or reports ManifestError problems, for any input', () => {
  const keys = ['name', 'sources', 'pipeline', 'output', 'executor', 'on_error', 'uri', 'text_stats', 'filter', 'expr', 'nmae'];
  const yamlish = fc.array(fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...keys), fc.oneof(fc.constant(''), fc.string(), fc.constant('[1, 2'), fc.constant('{expr: "x >"}'), fc.constant('- a'))), { maxLength: 12 })
    .map((ls) => ls.map(([ind, k, v]) => `${'  '.repeat(ind)}${k}: ${v}`).join('\n'));
  fc.assert(fc.property(fc.oneof(yamlish, fc.string()), (text) => {
    try {
      loadManifest('fuzz.yaml', text);
    } catch (e) {
      assert.ok(e instanceof ManifestError, (e as Error).stack);
      for (const p of e.problems) assert.ok(p.line >= 1 && p.message.length > 0);
    }
  }), { numRuns: RUNS * 3 });
  passed(RUNS * 3);
});

test('filter expressions: any string compiles or fails with ExprError; compiled ones never throw on documents', () => {
  const tokens = fc.constantFrom('a', 'b', '1', '2.5', '"s"', 'and', 'or', 'not', '(', ')', '==', '>=', '<', '+', '*', 'in', '[', ']', ',', 'len', 'null', 'true');
  fc.assert(fc.property(fc.oneof(fc.array(tokens, { maxLength: 12 }).map((t) => t.join(' ')), fc.string()), (src) => {
    try {
      const e = compileExpr(src, { a: 'number', b: 'string' });
      e.test({ id: 'x', text: 't', source: 's', shard: 'f', row: 0, meta: {}, cols: { a: 3, b: 'q' } });
      e.test({ id: 'x', text: 't', source: 's', shard: 'f', row: 0, meta: {}, cols: {} });
    } catch (err) {
      assert.ok(err instanceof ExprError, `${src}: ${(err as Error).stack}`);
    }
  }), { numRuns: RUNS * 5 });
  passed(RUNS * 5);
});
