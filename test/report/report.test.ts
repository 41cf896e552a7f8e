// curate report / explain on real runs: the numbers agree with the run's stats and with the data itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curate, duck, repoRoot, tmp } from '../helpers.ts';
import { demoRun, dedupRun } from './helpers.ts';
import { fromScale, thresholdsOf, toScale, type ReportData } from '../../pipeline/report/data.ts';
import type { Explanation } from '../../pipeline/report/explain.ts';
import type { RunStats } from '../../pipeline/run.ts';

test('thresholdsOf reads comparisons from filter expressions, either side', () => {
  assert.deepEqual(thresholdsOf('n_words >= 300', 's', 'r'), [{ column: 'n_words', op: '>=', value: 300, stage: 's', reason: 'r' }]);
  const t = thresholdsOf('alpha_word_fraction >= 0.8 and mean_word_length < 10 or 0.5 > x and len(y) > 3 and z != -1e3', 's', 'r');
  assert.deepEqual(t.map((x) => [x.column, x.op, x.value]), [['alpha_word_fraction', '>=', 0.8], ['mean_word_length', '<', 10], ['z', '!=', -1000], ['x', '<', 0.5]]);
});

const demo = { dir: '' };
const run = (): string => (demo.dir ||= demoRun());

test('report json: funnel, histograms and drop reasons agree with the stats and the data', async () => {
  const dir = run();
  const out = join(tmp(), 'r.json');
  const r = curate(['report', dir, '--format', 'json', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(readFileSync(out, 'utf8')) as ReportData;
  const stats = JSON.parse(readFileSync(join(dir, 'report/stats.json'), 'utf8')) as RunStats;
  const stages = stats.steps[0].stages;
  assert.deepEqual(d.sources, ['moby-dick', 'sotu']);
  assert.equal(d.funnel.length, stages.length);
  for (const [i, f] of d.funnel.entries()) for (const s of d.sources) assert.equal(f.docs[s], stages[i].sources![s].out);
  const written = await duck<{ source: string; n: number }>(`SELECT source, count(*)::INT n FROM read_parquet('${dir}/data/*.parquet') GROUP BY 1`);
  const final = d.funnel[d.funnel.length - 1].docs;
  for (const w of written) assert.equal(final[w.source], w.n);
  assert.equal(d.input['moby-dick'] + d.input.sotu, stats.accounting.docsIn);

  // drop reasons: counts from the stats, per-source split sums up, samples are documents dropped for that reason
  assert.deepEqual(d.dropReasons.map((x) => [x.reason, x.count]), Object.entries(stats.accounting.droppedByReason));
  for (const x of d.dropReasons) {
    assert.equal(Object.values(x.bySource).reduce((a, b) => a + b, 0), x.count);
    assert.ok(x.samples.length > 0 && x.samples.length <= 5);
    for (const id of x.samples) { assert.equal(d.docs[id].kept, false); assert.equal(d.docs[id].reason, x.reason); assert.ok((d.docs[id].text ?? '').length > 0); }
  }

  // histograms: every document that entered the step is counted once, before filtering
  const names = d.signals.map((h) => h.column);
  for (const c of ['n_chars', 'n_words', 'n_lines', 'mean_word_length', 'alpha_word_fraction']) assert.ok(names.includes(c), c);
  for (const h of d.signals) {
    for (const s of d.sources) {
      const sh = h.sources[s];
      // columns computed before the filters (text_stats) count every input document; later ones (rpv2_signals,
      // after the filters) count the documents that reached their stage
      const total = sh.counts.reduce((a, b) => a + b, 0);
      if (h.column.startsWith('rps_')) assert.equal(total, final[s], `${h.column}/${s}`);
      else assert.equal(total, d.input[s], `${h.column}/${s}`);
      assert.equal(sh.kept.reduce((a, b) => a + b, 0), final[s], `${h.column}/${s} kept`);
    }
  }
  // the n_words threshold is drawn, and no document below it survived
  const nw = d.signals.find((h) => h.column === 'n_words')!;
  assert.deepEqual(nw.thresholds.map((t) => [t.op, t.value, t.reason]), [['>=', 300, 'too_short']]);
  assert.ok(toScale(300, nw.scale) >= nw.lo && toScale(300, nw.scale) <= nw.lo + nw.width * nw.bins);
  const truth = await duck<{ n: number }>(`SELECT count(*)::INT n FROM read_parquet('${dir}/data/*.parquet') WHERE n_words < 300`);
  assert.equal(truth[0].n, 0);
  let below = 0;
  for (let b = 0; b < nw.bins; b++) if (fromScale(nw.lo + (b + 1) * nw.width, nw.scale) <= 300) for (const s of d.sources) { assert.equal(nw.sources[s].kept[b], 0); below += nw.sources[s].counts[b]; }
  assert.equal(below, 9, "the 9 too_short documents sit in the bins left of the threshold");
  // exact min/max against the data
  const mm = await duck<{ mn: number; mx: number }>(`SELECT min(n_words)::INT mn, max(n_words)::INT mx FROM read_parquet('${dir}/data/*.parquet') WHERE source = 'sotu'`);
  assert.equal(nw.sources.sotu.min, mm[0].mn);
  assert.equal(nw.sources.sotu.max, mm[0].mx);
  // every bin sample is a document whose value falls in that bin
  for (const [b, ids] of nw.sources.sotu.samples.entries()) for (const id of ids) assert.equal(d.docs[id].source, 'sotu', `bin ${b}`);
});

test('report text prints the funnel, the drop reasons and the signal table; html is self-contained', () => {
  const dir = run();
  const r = curate(['report', dir, '--format', 'text']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Funnel/);
  assert.match(r.stdout, /too_short\s+02-filter\s+9\s+moby-dick 9/);
  assert.match(r.stdout, /n_words\s+sotu\s+59/);
  const h = curate(['report', dir]);
  assert.equal(h.code, 0, h.stderr);
  const html = readFileSync(join(dir, 'report/report.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)=["']?https?:/);
  assert.match(html, /<svg class="chart" id="chart-funnel"/);
});

test('explain: a kept and a dropped document', () => {
  const dir = run();
  const k = curate(['explain', dir, 'moby-dick/1', '--json']);
  assert.equal(k.code, 0, k.stderr);
  const e = JSON.parse(k.stdout) as Explanation;
  assert.equal(e.source, 'moby-dick');
  assert.equal(e.final.kept, true);
  assert.match(e.final.shard ?? '', /data\/part-\d+-\d+\.parquet$/);
  assert.deepEqual(e.stages.map((s) => s.decision), ['passed', 'passed', 'passed', 'passed']);
  assert.equal(typeof e.values.n_words, 'number');
  assert.ok((e.values.n_words as number) >= 300);
  assert.match(e.text.snippet ?? '', /Call me Ishmael/);

  const x = curate(['explain', dir, 'moby-dick/Epilogue']);
  assert.equal(x.code, 0, x.stderr);
  assert.match(x.stdout, /NOT in the final output: dropped by 02-filter \(too_short\)/);
  assert.match(x.stdout, /02-filter\s+DROPPED \(too_short\)/);
  assert.match(x.stdout, /03-filter\s+not reached/);
  assert.match(x.stdout, /n_words\s+267/);

  const u = curate(['explain', dir, 'Epilogue']);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /no document with id "Epilogue" entered this run\. Similar ids: moby-dick\/Epilogue/);
  assert.doesNotMatch(u.stderr, /at .*\.ts:\d+/);
});

test('report explains what it needs instead of failing with a stack trace', () => {
  const r = curate(['report', tmp()]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not a curate run directory/);
  const m = curate(['report', join(repoRoot, 'manifests/demo.yaml')]);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /--sample 1000/);
});

test('report --sample: signals of a manifest on a sample, before any run', () => {
  const out = join(tmp(), 's.json');
  const r = curate(['report', '--sample', '20', join(repoRoot, 'manifests/demo.yaml'), '--format', 'json', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(readFileSync(out, 'utf8')) as ReportData;
  assert.equal(d.kind, 'sample');
  assert.equal(d.input['moby-dick'], 20);
  assert.equal(d.input.sotu, 20);
  const nw = d.signals.find((h) => h.column === 'n_words')!;
  assert.equal(nw.thresholds[0].value, 300);
  assert.equal(nw.sources.sotu.n, 20);
  // what the filters would drop on the sample
  const dropped = d.dropReasons.reduce((a, x) => a + x.count, 0);
  assert.equal(d.input['moby-dick'] + d.input.sotu - dropped, Object.values(d.funnel[d.funnel.length - 1].docs).reduce((a, b) => a + b, 0));
});

test('dedup: report shows clusters and the source matrix; explain shows the cluster and who survived', () => {
  const dir = dedupRun();
  const out = join(tmp(), 'd.json');
  assert.equal(curate(['report', dir, '--format', 'json', '--output', out]).code, 0);
  const d = JSON.parse(readFileSync(out, 'utf8')) as ReportData;
  assert.equal(d.dedup.length, 1);
  const s = d.dedup[0].summary as { clusters: number; clusterSizeHistogram: Record<string, number>; duplicatesBetweenSources: Record<string, { clusters: number }>; removedBySource: Record<string, number> };
  assert.equal(s.clusterSizeHistogram['2'], s.clusters);
  assert.equal(s.duplicatesBetweenSources['mirror | moby-dick'].clusters, s.clusters);
  assert.equal(s.removedBySource.mirror, s.clusters);
  assert.ok(d.dropReasons.some((x) => x.reason === 'dedup_cross_source' && x.bySource.mirror === s.clusters));
  assert.equal(curate(['report', dir]).code, 0);
  assert.match(readFileSync(join(dir, 'report/report.html'), 'utf8'), /id="chart-dedup-0-clusters"/);

  const k = JSON.parse(curate(['explain', dir, 'moby-dick/1', '--json']).stdout) as Explanation;
  assert.equal(k.final.kept, true);
  assert.equal(k.dedup[0].inCluster, true);
  assert.equal(k.dedup[0].clusterSize, 2);
  assert.deepEqual(k.dedup[0].members.map((m) => [m.source, m.removed]).sort(), [['mirror', true], ['moby-dick', false]]);
  const m = curate(['explain', dir, 'mirror/mirror-chapters.jsonl.gz/3']);
  assert.match(m.stdout, /DROPPED \(dedup_cross_source\)/);
  assert.match(m.stdout, /removed: the cluster has members from moby-dick \(priority 1\), which outranks mirror \(priority 0\)/);
});
