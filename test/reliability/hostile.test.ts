// Hostile input: every case gets a clear error naming the file (and row where there is one); on_error decides
// between stopping and quarantining; the accounting invariant holds in every case.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync, zstdCompressSync } from 'node:zlib';
import { curate, tmp, duck } from '../helpers.ts';
import { ParquetWriter } from '../../pipeline/formats/parquet-writer.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { prepareRun, aggregate } from '../../pipeline/run.ts';
import { runTask } from '../../pipeline/task.ts';

const quietLog = { info() {}, warn() {}, debug() {} };
// scenarios = (hostile case, on_error mode) pairs; survived = the run stopped with the expected message (fail) or
// finished with the bad data quarantined and the accounting balanced (skip)
const tally = { tried: 0, survived: 0 };
after(() => process.stdout.write(`# reliability: hostile input: ${tally.tried} scenarios tried (case x on_error), ${tally.survived} survived\n`));
const good = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${tag}-${i}`, text: `document ${i} of ${tag} with a few words` })).join('\n') + '\n';

function manifest(dir: string, onError: 'fail' | 'skip', uri = 'in/*'): string {
  const m = join(dir, `m-${onError}.yaml`);
  writeFileSync(m, `name: hostile\nsources:\n  - name: s\n    uri: ${uri}\npipeline:\n  - text_stats: {}\non_error: ${onError}\noutput:\n  uri: out-${onError}\n`);
  return m;
}

function runBoth(dir: string, expectFail: RegExp): { stats: { accounting: Record<string, number | boolean> } } {
  tally.tried += 2;
  const f = curate(['run', manifest(dir, 'fail')], { cwd: dir });
  assert.equal(f.code, 1, 'on_error: fail must stop the run');
  assert.match(f.stderr, expectFail);
  const s = curate(['run', manifest(dir, 'skip'), '-q'], { cwd: dir });
  assert.equal(s.code, 0, s.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 'out-skip/report/stats.json'), 'utf8'));
  assert.equal(stats.accounting.balanced, true);
  tally.survived += 2;
  return { stats };
}

async function writeParquet(path: string, rows: number): Promise<void> {
  const storage = createStorage();
  const w = await storage.writer(path);
  const pq = new ParquetWriter(w, { columns: [{ name: 'id', type: 'string' }, { name: 'text', type: 'string' }], rowGroupSize: 10 });
  for (let i = 0; i < rows; i++) await pq.write({ id: `p-${i}`, text: `parquet document number ${i} ${'word '.repeat(i % 7)}` });
  await pq.close();
  await w.commit();
}

function setup(files: Record<string, Buffer | string>): string {
  const d = tmp();
  for (const [name, body] of Object.entries(files)) {
    const p = join(d, 'in', name);
    (await_mkdir)(p);
    writeFileSync(p, body);
  }
  return d;
}
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
function await_mkdir(p: string): void { mkdirSync(dirname(p), { recursive: true }); }

test('truncated .gz and .zst: fail names the file and row; skip keeps the good part and quarantines the tail', () => {
  const gz = gzipSync(good(3000, 'g'));
  const zs = zstdCompressSync(Buffer.from(good(3000, 'z')));
  const d = setup({ 'a.jsonl.gz': gz.subarray(0, gz.length >> 1), 'b.jsonl.zst': zs.subarray(0, zs.length >> 1), 'c.jsonl': good(5, 'c') });
  const { stats } = runBoth(d, /in\/(a\.jsonl\.gz|b\.jsonl\.zst) row \d+: the compressed stream is truncated/);
  const a = stats.accounting;
  assert.equal(a.unreadableFiles, 2);
  assert.ok((a.written as number) > 5 && (a.written as number) < 6005);
  const q = gunzipSync(readFileSync(join(d, 'out-skip/quarantine/01-map/part-00000.jsonl.gz'))).toString();
  assert.match(q, /a\.jsonl\.gz/);
});

test('invalid JSON, invalid UTF-8, missing and non-string text fields: record-level quarantine with raw bytes', () => {
  const body = Buffer.concat([Buffer.from('{"text":"fine"}\n{"text":"bad\n{"id":1}\n{"text":42}\n{"text":["a"]}\n'), Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]), Buffer.from('{"text":"also fine"}\n')]);
  const d = setup({ 'x.jsonl': body });
  const { stats } = runBoth(d, /in\/x\.jsonl row 1: invalid JSON/);
  const a = stats.accounting;
  assert.deepEqual([a.recordsRead, a.written, a.quarantined], [7, 2, 5]);
  const q = gunzipSync(readFileSync(join(d, 'out-skip/quarantine/01-map/part-00000.jsonl.gz'))).toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(q.map((x) => x.row), [1, 2, 3, 4, 5]);
  assert.match(q[1].reason, /field "text" is missing/);
  assert.match(q[2].reason, /is a number, not a string/);
  assert.match(q[3].reason, /is a list, not a string/);
  assert.match(q[4].reason, /invalid UTF-8/);
  assert.deepEqual([...Buffer.from(q[4].raw_base64, 'base64')].slice(9, 11), [0xc3, 0x28]);
});

test('corrupt Parquet footer and corrupt page: clear errors; skip quarantines the file', async () => {
  const d = tmp();
  await_mkdir(join(d, 'in', 'x'));
  await writeParquet(join(d, 'in', 'ok.parquet'), 30);
  await writeParquet(join(d, 'in', 'page.parquet'), 30);
  const buf = readFileSync(join(d, 'in', 'page.parquet'));
  // scribble over the middle of the data pages (not the footer)
  for (let i = 200; i < 260; i++) buf[i] ^= 0x5a;
  writeFileSync(join(d, 'in', 'page.parquet'), buf);
  writeFileSync(join(d, 'in', 'foot.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 1), Buffer.from('PAR1')]));
  tally.tried += 2;
  const f = curate(['run', manifest(d, 'fail')], { cwd: d });
  assert.equal(f.code, 1);
  assert.match(f.stderr, /in\/foot\.parquet: cannot read the Parquet footer/);
  const s = curate(['run', manifest(d, 'skip'), '-q'], { cwd: d });
  assert.equal(s.code, 0, s.stderr);
  const st = JSON.parse(readFileSync(join(d, 'out-skip/report/stats.json'), 'utf8'));
  assert.equal(st.accounting.balanced, true);
  assert.ok(st.accounting.unreadableFiles >= 2, JSON.stringify(st.accounting));
  assert.ok(st.accounting.written >= 30);
  tally.survived += 2;
});

test('empty files: an empty .jsonl is an empty shard; an empty .gz or .parquet is an error naming the file', () => {
  const d = setup({ 'e.jsonl': '', 'g.jsonl.gz': '', 'k.jsonl': good(3, 'k') });
  const { stats } = runBoth(d, /in\/g\.jsonl\.gz: the file is empty \(0 bytes\)/);
  assert.deepEqual([stats.accounting.written, stats.accounting.unreadableFiles], [3, 1]);
});

test('a 50 MB document goes through signals and into Parquet intact', async () => {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(Math.ceil(50e6 / 56));
  const d = setup({ 'big.jsonl': JSON.stringify({ id: 'big', text: words }) + '\n' + good(2, 'small') });
  tally.tried++;
  const s = curate(['run', manifest(d, 'fail'), '-q'], { cwd: d });
  assert.equal(s.code, 0, s.stderr);
  const [row] = await duck<{ n: string; w: number }>(`SELECT length(text) AS n, n_words AS w FROM '${d}/out-fail/data/*.parquet' WHERE id = 'big'`);
  assert.equal(Number(row.n), words.length);
  assert.equal(row.w, words.trim().split(/\s+/).length);
  tally.survived++;
});

test('a file that disappears after listing: fail names it; skip quarantines it and reconciles', async () => {
  for (const onError of ['fail', 'skip'] as const) {
    tally.tried++;
    const d = setup({ 'a.jsonl': good(4, 'a'), 'b.jsonl.gz': gzipSync(good(4, 'b')) });
    const storage = createStorage();
    const { runDir, plan } = await prepareRun(manifest(d, onError), { log: quietLog });
    rmSync(join(d, 'in', 'b.jsonl.gz'));
    const step = plan.steps[0].id;
    const results = await Promise.allSettled(Array.from({ length: plan.tasks }, (_, t) => runTask(runDir, step, t, { storage, log: quietLog })));
    if (onError === 'fail') {
      const err = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(err.reason.message), /in\/b\.jsonl\.gz: file not found \(it was listed, then disappeared\?\)/);
    } else {
      assert.ok(results.every((r) => r.status === 'fulfilled'));
      const st = await aggregate(storage, runDir, plan);
      assert.equal(st.accounting.balanced, true);
      assert.deepEqual([st.accounting.written, st.accounting.unreadableFiles], [4, 1]);
    }
    tally.survived++;
  }
});
