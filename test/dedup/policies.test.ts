// Cluster resolution policies on hand-built clusters, the full map → global → apply path, determinism across
// task counts, exact and URL dedup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDoc } from '../../pipeline/testing.ts';
import type { Doc } from '../../pipeline/types.ts';
import { resolveCluster, UnionFind, type Member } from '../../stages/dedup/cluster.ts';
import { exactDedup, minhashDedup, normalizeUrl, urlDedup } from '../../stages/dedup/stages.ts';
import { sortRecords } from '../../stages/dedup/sidefiles.ts';
import { runDedup } from './helpers.ts';

const m = (g: number, source: string, priority: number, id = `d${g}`, score = NaN): Member => ({ g, id, source, priority, score });

test('cross-source-priority: single-source clusters untouched', () => {
  assert.deepEqual([...resolveCluster([m(0, 'dclm', 3), m(1, 'dclm', 3), m(2, 'dclm', 3)], 'cross-source-priority')], []);
});

test('cross-source-priority: 3 DCLM + 1 Dolma → the Dolma doc goes, all DCLM stay', () => {
  const r = resolveCluster([m(0, 'dclm', 3), m(1, 'dclm', 3), m(2, 'dolma-cc', 1), m(3, 'dclm', 3)], 'cross-source-priority');
  assert.deepEqual([...r].sort(), [2]);
});

test('cross-source-priority: FWE > DCLM > Zyda > Dolma, every lower source removed, top-source in-duplicates kept', () => {
  const c = [m(0, 'zyda', 2), m(1, 'fwe2', 4), m(2, 'dolma-cc', 1), m(3, 'fwe2', 4), m(4, 'dclm', 3), m(5, 'zyda', 2)];
  assert.deepEqual([...resolveCluster(c, 'cross-source-priority')].sort(), [0, 2, 4, 5]);
  // nothing is ever removed from the top source
  const c2 = [m(0, 'dclm', 3), m(1, 'zyda', 2), m(2, 'zyda', 2)];
  assert.deepEqual([...resolveCluster(c2, 'cross-source-priority')].sort(), [1, 2]);
});

test('keep-one: top-ranked source, then smallest id', () => {
  const c = [m(0, 'zyda', 2, 'b'), m(1, 'dclm', 3, 'z'), m(2, 'dclm', 3, 'c'), m(3, 'dolma', 1, 'a')];
  assert.deepEqual([...resolveCluster(c, 'keep-one')].sort(), [0, 1, 3]);
  // within one source too (Zyda-1 removes in-source duplicates)
  assert.deepEqual([...resolveCluster([m(0, 's', 1, 'y'), m(1, 's', 1, 'x')], 'keep-one')], [0]);
});

test('keep-best: best score, then id; missing scores rank last', () => {
  const c = [m(0, 'a', 1, 'a', 0.2), m(1, 'b', 9, 'b', 0.9), m(2, 'c', 1, 'c', 0.9), m(3, 'd', 1, 'd')];
  assert.deepEqual([...resolveCluster(c, 'keep-best')].sort(), [0, 2, 3]);
});

test('union-find over typed arrays', () => {
  const uf = new UnionFind(6);
  uf.union(0, 1); uf.union(2, 3); uf.union(1, 3);
  assert.equal(uf.find(0), uf.find(2));
  assert.notEqual(uf.find(0), uf.find(4));
  assert.equal(uf.union(0, 3), false);
});

test('radix sort of band records is stable by (hi, lo)', () => {
  const hi = new Uint32Array([5, 1, 5, 0xffffffff, 1, 5]);
  const lo = new Uint32Array([2, 7, 2, 0, 0x80000000, 1]);
  const doc = new Uint32Array([0, 1, 2, 3, 4, 5]);
  const s = sortRecords(hi, lo, doc, 6);
  const triples = [];
  for (let i = 0; i < 6; i++) triples.push([s[3 * i], s[3 * i + 1], s[3 * i + 2]]);
  assert.deepEqual(triples, [[1, 7, 1], [1, 0x80000000, 4], [5, 1, 5], [5, 2, 0], [5, 2, 2], [0xffffffff, 0, 3]]);
});

// a small corpus: base paragraphs with near-copies across sources
const BASE = [
  'The river flooded the lower town for the third time this decade, and the council has again promised a new embankment along the eastern bank before next winter arrives with its storms.',
  'Researchers measured the growth of seedlings under red and blue light and found that the blue group grew taller but produced fewer leaves during the six weeks of the experiment in the greenhouse.',
  'A volunteer team restored the old railway station, repainting the waiting room, fixing the clock above the platform and planting flowers in the beds where weeds had grown for years.',
];
function corpus(): Doc[] {
  const docs: Doc[] = [];
  let row = 0;
  const add = (text: string, source: string, shard: string): void => { docs.push(makeDoc(text, { source, shard, row: row++, id: `${source}-${row}` })); };
  add(BASE[0], 'fwe', 'fwe/0');
  add(BASE[0] + ' Read more.', 'dclm', 'dclm/0');
  add(BASE[0].replace('storms.', 'storms!'), 'dclm', 'dclm/0');
  add(BASE[0], 'dolma', 'dolma/0');
  add(BASE[1], 'dclm', 'dclm/1');
  add(BASE[1] + ' Share this.', 'dclm', 'dclm/1'); // in-source duplicate only
  add(BASE[2], 'zyda', 'zyda/0');
  add(BASE[2], 'dolma', 'dolma/0');
  add('Completely unrelated text about cooking pasta with garlic, olive oil, chili flakes and a handful of parsley for a quick dinner.', 'dolma', 'dolma/1');
  return docs;
}
const PRIO = [{ name: 'fwe', priority: 4 }, { name: 'dclm', priority: 3 }, { name: 'zyda', priority: 2 }, { name: 'dolma', priority: 1 }];

test('minhash_dedup end to end (zyda2 preset, cross-source-priority): removal sets, reasons, cluster columns, report', async () => {
  const r = await runDedup(minhashDedup, { preset: 'zyda2', verify: true, threshold: 0.7 }, corpus(), { sources: PRIO });
  const kept = r.survivors.map((d) => d.id).sort();
  // cluster 0: fwe + 2 dclm + dolma → only fwe stays; cluster 1: dclm-only → both stay; cluster 2: zyda beats dolma
  assert.deepEqual(kept, ['dclm-5', 'dclm-6', 'dolma-9', 'fwe-1', 'zyda-7']);
  assert.equal(r.dropped.dedup_cross_source, 4);
  const fwe = r.survivors.find((d) => d.id === 'fwe-1')!;
  assert.equal(fwe.cols.dedup_cluster_size, 4);
  assert.equal(fwe.cols.dedup_cluster_id, 'dclm-2');
  const lone = r.survivors.find((d) => d.id === 'dolma-9')!;
  assert.equal(lone.cols.dedup_cluster_size, 1);
  assert.equal(lone.cols.dedup_cluster_id, null);
  assert.equal(r.summary.clusters, 3);
  assert.deepEqual(r.summary.clusterSizeHistogram, { '2': 2, '4': 1 });
  const between = r.summary.duplicatesBetweenSources as Record<string, { clusters: number }>;
  assert.equal(between['dclm | fwe'].clusters, 1);
  assert.equal(between['dolma | zyda'].clusters, 1);
  assert.equal(between['dclm | dclm'].clusters, 2);
});

test('survivors are the same whatever the task count and layout (with and without verify)', async () => {
  const docs = corpus();
  for (const verify of [false, true]) {
    const ref = (await runDedup(minhashDedup, { preset: 'zyda2', verify, threshold: 0.7, policy: 'keep-one' }, docs, { sources: PRIO })).survivors.map((d) => d.id).sort();
    for (const [tasks, roundRobin] of [[2, false], [3, true], [9, false]] as const) {
      const r = await runDedup(minhashDedup, { preset: 'zyda2', verify, threshold: 0.7, policy: 'keep-one', spill_docs: 2 }, docs, { tasks, roundRobin, sources: PRIO });
      assert.deepEqual(r.survivors.map((d) => d.id).sort(), ref, `tasks=${tasks} verify=${verify}`);
    }
    assert.deepEqual(ref, ['dclm-5', 'dolma-9', 'fwe-1', 'zyda-7']);
  }
});

test('keep-best through the pipeline uses the score column', async () => {
  const docs = corpus();
  docs.forEach((d, i) => (d.cols.quality = i === 2 ? 0.99 : 0.1 * (i % 5)));
  const r = await runDedup(minhashDedup, { preset: 'zyda2', verify: true, threshold: 0.7, policy: 'keep-best', score_column: 'quality' }, docs, { sources: PRIO });
  assert.ok(r.survivors.some((d) => d.id === 'dclm-3'));
  assert.ok(!r.survivors.some((d) => d.id === 'fwe-1'));
  assert.equal(r.dropped.dedup_keep_best, 5);
  assert.throws(() => minhashDedup.create(minhashDedup.params.parse({ policy: 'keep-best' })), /score_column/);
});

test('exact_dedup: byte-identical texts, optional normalisation, empty texts left alone', async () => {
  const docs = [
    makeDoc('Hello world.', { source: 'a', row: 0, id: 'a0' }),
    makeDoc('Hello world.', { source: 'b', row: 1, id: 'b1' }),
    makeDoc('hello   WORLD', { source: 'b', row: 2, id: 'b2' }),
    makeDoc('', { source: 'b', row: 3, id: 'b3' }),
    makeDoc('', { source: 'a', row: 4, id: 'a4' }),
  ];
  const plain = await runDedup(exactDedup, { policy: 'keep-one' }, docs, { sources: [{ name: 'a', priority: 2 }, { name: 'b', priority: 1 }] });
  assert.deepEqual(plain.survivors.map((d) => d.id), ['a0', 'b2', 'b3', 'a4']);
  assert.equal(plain.dropped.exact_dedup_keep_one, 1);
  const norm = await runDedup(exactDedup, { policy: 'keep-one', normalize: 'datatrove' }, docs, { sources: [{ name: 'a', priority: 2 }, { name: 'b', priority: 1 }] });
  assert.deepEqual(norm.survivors.map((d) => d.id), ['a0', 'b3', 'a4']);
  assert.equal(norm.survivors[0].cols.exact_dedup_cluster_size, 3);
});

test('url_dedup: normalised URLs, cross-source-priority', async () => {
  assert.equal(normalizeUrl('HTTPS://Example.COM:443/a/b/#frag'), 'https://example.com/a/b');
  assert.equal(normalizeUrl('http://example.com/'), 'http://example.com');
  const docs = [
    makeDoc('x', { source: 'a', row: 0, id: 'a0', meta: { url: 'https://example.com/page/' } }),
    makeDoc('y', { source: 'b', row: 1, id: 'b1', meta: { url: 'https://EXAMPLE.com/page#top' } }),
    makeDoc('z', { source: 'b', row: 2, id: 'b2', meta: { url: null } }),
    makeDoc('w', { source: 'b', row: 3, id: 'b3', meta: {} }),
  ];
  const r = await runDedup(urlDedup, {}, docs, { sources: [{ name: 'a', priority: 1 }, { name: 'b', priority: 2 }] });
  assert.deepEqual(r.survivors.map((d) => d.id), ['b1', 'b2', 'b3']);
  assert.equal(r.dropped.url_dedup_cross_source, 1);
});

test('global step refuses incomplete or mixed side outputs', async () => {
  const docs = corpus();
  await assert.rejects(runDedup(minhashDedup, { preset: 'zyda2' }, docs, { tasks: 2, sources: PRIO }).then(async (r) => {
    const { rmSync } = await import('node:fs');
    rmSync(`${r.dir}/side/t00001.meta.json`);
    const { runDedupGlobal } = await import('../../stages/dedup/global.ts');
    await runDedupGlobal({ policy: 'keep-one', verify: false, threshold: 1, priority_order: 'higher-first', prefix: 'dedup', fingerprint: '' }, {
      runDir: r.dir, inputDir: `${r.dir}/side`, outputDir: `${r.dir}/g2`, storage: (await import('../../pipeline/storage.ts')).createStorage(), tasks: 2, workers: 1, sources: PRIO,
      log: { info() {}, warn() {}, debug() {} }, summary() {},
    });
  }), /task\(s\) 1 missing/);
});
