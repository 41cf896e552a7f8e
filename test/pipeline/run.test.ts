// End-to-end: the demo through the real CLI, resume after SIGKILL, refusal of a changed manifest, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { curate, curateAsync, tmp, hashTree, duck, repoRoot, sharedDir } from '../helpers.ts';

const demo = join(repoRoot, 'manifests/demo.yaml');

function stats(out: string): { accounting: { recordsRead: number; written: number; dropped: number; quarantined: number; balanced: boolean; droppedByReason: Record<string, number> } } {
  return JSON.parse(readFileSync(join(out, 'report/stats.json'), 'utf8'));
}

const dataFiles = (out: string): Record<string, string> => Object.fromEntries(Object.entries(hashTree(join(out, 'data'))));

test('the demo runs, reconciles, and its Parquet output opens in DuckDB with the declared schema', async () => {
  const out = tmp();
  const r = curate(['run', demo, '--output', out, '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✓ reconciled/);
  const s = stats(out).accounting;
  assert.equal(s.balanced, true);
  assert.equal(s.recordsRead, s.written + s.dropped + s.quarantined);
  assert.ok(s.dropped > 0 && s.written > 100);
  const [{ n, srcs }] = await duck<{ n: string; srcs: string }>(`SELECT count(*) AS n, string_agg(DISTINCT source, ',' ORDER BY source) AS srcs FROM '${out}/data/*.parquet'`);
  assert.equal(Number(n), s.written);
  assert.equal(srcs, 'moby-dick,sotu');
  const [{ short }] = await duck<{ short: string }>(`SELECT count(*) AS short FROM '${out}/data/*.parquet' WHERE n_words < 300`);
  assert.equal(Number(short), 0);
  const cols = (await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM '${out}/data/*.parquet'`)).map((c) => c.column_name);
  for (const c of ['id', 'source', 'source_file', 'source_row', 'text', 'meta', 'n_words', 'rps_doc_word_count', 'rps_lines_num_words']) assert.ok(cols.includes(c), c);
  // provenance points back at the input row
  const [row] = await duck<{ source_file: string; source_row: number; id: string }>(`SELECT source_file, source_row, id FROM '${out}/data/*.parquet' WHERE source = 'moby-dick' ORDER BY source_row LIMIT 1`);
  assert.equal(row.source_file, 'chapters.jsonl.gz');
  // a rerun resumes (nothing left to do) and leaves the bytes as they were
  const before = dataFiles(out);
  const again = curate(['run', demo, '--output', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /resuming/);
  assert.deepEqual(dataFiles(out), before);
});

test('worker count does not change the output bytes', () => {
  const a = tmp(), b = tmp();
  assert.equal(curate(['run', demo, '--output', a, '-q', '--workers', '1']).code, 0);
  assert.equal(curate(['run', demo, '--output', b, '-q', '--workers', '2']).code, 0);
  assert.deepEqual(dataFiles(a), dataFiles(b));
});

test('a changed manifest is refused with a clear message; --force-restart starts over', () => {
  const d = tmp();
  cpSync(join(repoRoot, 'data/demo'), join(d, 'data/demo'), { recursive: true });
  mkdirSync(join(d, 'manifests'));
  const text = readFileSync(demo, 'utf8');
  writeFileSync(join(d, 'manifests/demo.yaml'), text);
  assert.equal(curate(['run', 'manifests/demo.yaml', '-q'], { cwd: d }).code, 0);
  writeFileSync(join(d, 'manifests/demo.yaml'), text.replace('n_words >= 300', 'n_words >= 400'));
  const r = curate(['run', 'manifests/demo.yaml'], { cwd: d });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /does not match this manifest: the manifest changed/);
  assert.match(r.stderr, /--force-restart/);
  const f = curate(['run', 'manifests/demo.yaml', '-q', '--force-restart'], { cwd: d });
  assert.equal(f.code, 0, f.stderr);
});

/** A run with enough tasks to be killed half-way: the demo corpus split into many small files. */
function killableRun(): { dir: string; manifest: string } {
  const dir = tmp();
  mkdirSync(join(dir, 'in'));
  const docs = readFileSync(join(repoRoot, 'data/demo/moby-dick/chapters.jsonl.gz'));
  const lines = (require_gunzip(docs)).split('\n').filter(Boolean);
  for (let i = 0; i < 12; i++) writeFileSync(join(dir, 'in', `part-${String(i).padStart(2, '0')}.jsonl.gz`), gzipSync(lines.filter((_, j) => j % 12 === i).join('\n') + '\n'));
  const manifest = join(dir, 'm.yaml');
  writeFileSync(manifest, `name: kill\nsources:\n  - name: moby\n    uri: in/*.jsonl.gz\npipeline:\n  - text_stats: {}\n  - filter: {expr: "n_words >= 300"}\noutput:\n  uri: out\n  shard_docs: 3\n  row_group_size: 2\nexecutor:\n  workers: 1\n`);
  return { dir, manifest };
}

import { gunzipSync } from 'node:zlib';
function require_gunzip(b: Buffer): string { return gunzipSync(b).toString('utf8'); }

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) { if (cond()) return true; await new Promise((r) => setTimeout(r, 20)); }
  return false;
}

test('SIGKILL mid-run (before, between and during tasks), then rerun: byte-identical output, no partial file visible', async () => {
  const ref = killableRun();
  const rr = curate(['run', ref.manifest, '-q'], { cwd: ref.dir });
  assert.equal(rr.code, 0, rr.stderr);
  const want = dataFiles(join(ref.dir, 'out'));
  assert.equal(Object.keys(want).filter((f) => f.endsWith('.parquet')).length, 48);
  const markers = (out: string): number => (existsSync(join(out, '_done/01-map')) ? readdirSync(join(out, '_done/01-map')).length : 0);
  const dataCount = (out: string): number => (existsSync(join(out, 'data')) ? readdirSync(join(out, 'data')).length : 0);
  // kill points: while planning, after the first data file, after 1, 5 and 9 finished tasks (plus a random extra delay)
  const points: ((out: string) => boolean)[] = [
    (o) => existsSync(join(o, '_run/plan.json')),
    (o) => dataCount(o) >= 1,
    (o) => markers(o) >= 1,
    (o) => markers(o) >= 5,
    (o) => markers(o) >= 9,
  ];
  let midway = 0;
  for (const [i, point] of points.entries()) {
    const k = killableRun();
    const out = join(k.dir, 'out');
    const child = curateAsync(['run', k.manifest, '-q'], { cwd: k.dir });
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor(() => point(out), 120_000);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
    const stillRunning = child.exitCode === null;
    child.kill('SIGKILL');
    await exited;
    if (stillRunning && markers(out) < 12) midway++;
    // nothing partial is visible: only hidden temp names may remain
    if (existsSync(join(out, 'data'))) for (const f of readdirSync(join(out, 'data'))) assert.match(f, /^(part-\d{5}-\d{4}\.parquet|\.tmp-.*|_index\.json)$/);
    const r = curate(['run', k.manifest, '-q'], { cwd: k.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(dataFiles(out), want, `after kill point ${i} (stale temp files must be cleaned too)`);
    assert.equal(stats(out).accounting.balanced, true);
  }
  assert.ok(midway >= 3, `kills must land mid-run (landed ${midway} of ${points.length})`);
});

test('bad input: on_error fail names file and row; skip quarantines and still reconciles', () => {
  const d = tmp();
  mkdirSync(join(d, 'in'));
  writeFileSync(join(d, 'in', 'a.jsonl'), '{"text":"one two three"}\n{"text": nope}\n{"txt":"wrong field"}\n{"text":"four five"}\n');
  const m = (onError: string): string => `name: bad\nsources:\n  - name: a\n    uri: in/a.jsonl\npipeline:\n  - text_stats: {}\non_error: ${onError}\noutput:\n  uri: out-${onError}\n`;
  writeFileSync(join(d, 'fail.yaml'), m('fail'));
  writeFileSync(join(d, 'skip.yaml'), m('skip'));
  const f = curate(['run', 'fail.yaml'], { cwd: d });
  assert.equal(f.code, 1);
  assert.match(f.stderr, /in\/a\.jsonl row 1: invalid JSON/);
  assert.match(f.stderr, /on_error: skip/);
  const s = curate(['run', 'skip.yaml', '-q'], { cwd: d });
  assert.equal(s.code, 0, s.stderr);
  const a = stats(join(d, 'out-skip')).accounting;
  assert.deepEqual([a.recordsRead, a.written, a.quarantined, a.balanced], [4, 2, 2, true]);
  const q = gunzipSync(readFileSync(join(d, 'out-skip/quarantine/01-map/part-00000.jsonl.gz'))).toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(q.map((x) => x.row), [1, 2]);
  assert.match(q[1].reason, /field "text" is missing/);
  assert.equal(Buffer.from(q[0].raw_base64, 'base64').toString(), '{"text": nope}');
});

test('bulk_sample as JSONL.gz and as a Parquet copy give the same documents', { skip: !existsSync(join(sharedDir, 'data/bulk_sample')) && 'needs ../shared/data' }, async () => {
  const d = tmp();
  const src = join(sharedDir, 'data/bulk_sample/bulk-00000.jsonl.gz');
  await duck(`COPY (SELECT * FROM read_json_auto('${src}')) TO '${d}/bulk.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100)`);
  const m = (uri: string, out: string): string => `name: bulk\nsources:\n  - name: bulk\n    uri: ${uri}\npipeline:\n  - text_stats: {}\n  - filter: {expr: "n_words >= 100"}\noutput:\n  uri: ${out}\n`;
  writeFileSync(join(d, 'j.yaml'), m(src, 'oj'));
  writeFileSync(join(d, 'p.yaml'), m(`${d}/bulk.parquet`, 'op'));
  assert.equal(curate(['run', 'j.yaml', '-q'], { cwd: d }).code, 0);
  assert.equal(curate(['run', 'p.yaml', '-q'], { cwd: d }).code, 0);
  const q = (o: string): string => `SELECT id, text, n_words, source_row FROM '${d}/${o}/data/*.parquet' ORDER BY id`;
  const [a, b] = [await duck(q('oj')), await duck(q('op'))];
  assert.ok(a.length > 500);
  assert.deepEqual(a, b);
});
