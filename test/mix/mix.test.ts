import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planMix } from '../../stages/mix/mix.ts';
import { uniform } from '../../stages/mix/sample.ts';
import { curate, tmp, duck } from '../helpers.ts';

test('planMix turns token weights into rates (Zyda-2 weights, with and without a budget)', () => {
  const counts = { dclm: { tokens: 3349, docs: 2590 }, fwe3: { tokens: 1319, docs: 1279 }, zyda: { tokens: 164, docs: 248 }, dolma: { tokens: 238, docs: 446 } };
  const p = planMix({ weights: { dclm: 4, fwe3: 4, zyda: 0.16, dolma: 0.24 }, seed: 0, token_column: 'n_tokens' }, counts);
  const total = 3349 + 1319 + 164 + 238;
  assert.equal(p.totalTokens, total);
  assert.ok(Math.abs(p.sources.dclm.requestedShare - 4 / 8.4) < 1e-12);
  assert.ok(Math.abs(p.sources.fwe3.targetTokens - (total * 4) / 8.4) < 1e-9);
  assert.ok(p.sources.fwe3.rate > 1.8, 'FineWeb-Edu is upsampled');
  assert.ok(p.sources.dclm.rate < 1, 'DCLM is subsampled');
  const b = planMix({ weights: { dclm: 1, fwe3: 1 }, total_tokens: 100, seed: 0, token_column: 'n_tokens' }, counts);
  assert.ok(Math.abs(b.sources.dclm.rate - 50 / 3349) < 1e-12);
  assert.throws(() => planMix({ weights: { nope: 1 }, seed: 0, token_column: 'n_tokens' }, counts), /no tokens reached the mix stage/);
});

test('uniform draws are deterministic, in [0, 1), and spread evenly', () => {
  assert.equal(uniform(1, 'a'), uniform(1, 'a'));
  assert.notEqual(uniform(1, 'a'), uniform(2, 'a'));
  const xs = Array.from({ length: 20000 }, (_, i) => uniform(3, `doc-${i}`));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, String(mean));
});

test('a mixed run repeats and samples, reconciles, and reports achieved vs requested shares', async () => {
  const d = tmp();
  const docs = (n: number, words: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `d${i}`, text: Array.from({ length: words }, (_, j) => `w${(i * 7 + j) % 97}`).join(' ') })).join('\n') + '\n';
  writeFileSync(join(d, 'a.jsonl'), docs(400, 20));
  writeFileSync(join(d, 'b.jsonl'), docs(400, 20));
  writeFileSync(join(d, 'm.yaml'), `name: mix\nsources:\n  - name: a\n    uri: a.jsonl\n  - name: b\n    uri: b.jsonl\npipeline:\n  - text_stats: {}\n  - mix: {weights: {a: 3, b: 1}, token_column: n_words, seed: 1}\noutput:\n  uri: out\n`);
  const r = curate(['run', 'm.yaml', '-q'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(d, 'out/report/stats.json'), 'utf8'));
  assert.equal(stats.accounting.balanced, true);
  // a: rate 1.5 (every doc once, about half twice); b: rate 0.5
  assert.ok(Math.abs(stats.mix.a.achievedShare - 0.75) < 0.03, JSON.stringify(stats.mix));
  const rows = await duck<{ source: string; n: string; reps: string }>(`SELECT source, count(*) AS n, count(*) FILTER (WHERE mix_copy > 0) AS reps FROM '${d}/out/data/*.parquet' GROUP BY source ORDER BY source`);
  assert.ok(Number(rows[0].n) > 540 && Number(rows[0].n) < 660, JSON.stringify(rows));
  assert.ok(Number(rows[1].n) > 160 && Number(rows[1].n) < 240, JSON.stringify(rows));
  assert.equal(Number(rows[1].reps), 0);
  // same seed, same sample whatever the worker count
  const r2 = curate(['run', 'm.yaml', '-q', '--output', join(d, 'out2'), '--workers', '1'], { cwd: d });
  assert.equal(r2.code, 0, r2.stderr);
  const ids = async (o: string): Promise<unknown[]> => duck(`SELECT source, id, mix_copy FROM '${o}/data/*.parquet' ORDER BY ALL`);
  assert.deepEqual(await ids(join(d, 'out')), await ids(join(d, 'out2')));
});

test('shuffle permutes documents across shards deterministically, keeps every document once, and reconciles', async () => {
  const d = tmp();
  for (let f = 0; f < 4; f++) writeFileSync(join(d, `in-${f}.jsonl`), Array.from({ length: 150 }, (_, i) => JSON.stringify({ id: `f${f}-${i}`, text: `document ${f} ${i}` })).join('\n') + '\n');
  writeFileSync(join(d, 'm.yaml'), `name: sh\nsources:\n  - name: a\n    uri: in-*.jsonl\npipeline:\n  - text_stats: {}\n  - shuffle: {seed: 5, run_docs: 40, block_docs: 8}\noutput:\n  uri: out\n`);
  const r = curate(['run', 'm.yaml', '-q'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(d, 'out/report/stats.json'), 'utf8'));
  assert.equal(stats.accounting.balanced, true);
  assert.equal(stats.accounting.written, 600);
  const rows = await duck<{ id: string; f: string }>(`SELECT id, filename AS f FROM read_parquet('${d}/out/data/*.parquet', filename = true)`);
  assert.equal(new Set(rows.map((x) => x.id)).size, 600);
  // every output shard mixes documents of every input file, in a non-sorted order
  const byShard = new Map<string, string[]>();
  for (const x of rows) byShard.set(x.f, [...(byShard.get(x.f) ?? []), x.id]);
  assert.equal(byShard.size, 4);
  for (const ids of byShard.values()) {
    assert.equal(new Set(ids.map((i) => i.split('-')[0])).size, 4);
    assert.notDeepEqual(ids, [...ids].sort());
  }
  const r2 = curate(['run', 'm.yaml', '-q', '--output', join(d, 'out2'), '--workers', '1'], { cwd: d });
  assert.equal(r2.code, 0, r2.stderr);
  const order = async (o: string): Promise<unknown[]> => duck(`SELECT id FROM read_parquet('${o}/data/*.parquet', filename = true) ORDER BY filename, file_row_number`);
  assert.deepEqual(await order(join(d, 'out')), await order(join(d, 'out2')));
});
