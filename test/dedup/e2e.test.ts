// End to end through `curate run`: a manifest with minhash_dedup (map → global → apply) over four sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curate, duck, hashTree, tmp } from '../helpers.ts';

const BASE = [
  'The river flooded the lower town for the third time this decade, and the council has again promised a new embankment along the eastern bank before next winter arrives with its storms.',
  'Researchers measured the growth of seedlings under red and blue light and found that the blue group grew taller but produced fewer leaves during the six weeks of the experiment in the greenhouse.',
  'A volunteer team restored the old railway station, repainting the waiting room, fixing the clock above the platform and planting flowers in the beds where weeds had grown for years.',
];
const FILES: Record<string, { id: string; text: string }[]> = {
  fwe: [{ id: 'fwe-1', text: BASE[0] }],
  dclm: [
    { id: 'dclm-2', text: BASE[0] + ' Read more.' },
    { id: 'dclm-3', text: BASE[0].replace('storms.', 'storms!') },
    { id: 'dclm-5', text: BASE[1] },
    { id: 'dclm-6', text: BASE[1] + ' Share this.' },
  ],
  zyda: [{ id: 'zyda-7', text: BASE[2] }],
  dolma: [
    { id: 'dolma-4', text: BASE[0] },
    { id: 'dolma-8', text: BASE[2] },
    { id: 'dolma-9', text: 'Completely unrelated text about cooking pasta with garlic, olive oil, chili flakes and a handful of parsley for a quick dinner.' },
  ],
};

function setup(tasks: number, policy = 'cross-source-priority'): string {
  const d = tmp('curate-dedup-e2e-');
  const prio: Record<string, number> = { fwe: 4, dclm: 3, zyda: 2, dolma: 1 };
  for (const [src, docs] of Object.entries(FILES)) {
    mkdirSync(join(d, 'data', src), { recursive: true });
    // two files per source so that several tasks really split the input
    const half = Math.ceil(docs.length / 2);
    writeFileSync(join(d, 'data', src, 'a.jsonl'), docs.slice(0, half).map((x) => JSON.stringify(x)).join('\n') + '\n');
    if (docs.length > half) writeFileSync(join(d, 'data', src, 'b.jsonl'), docs.slice(half).map((x) => JSON.stringify(x)).join('\n') + '\n');
  }
  const manifest = [
    'name: dedup-e2e',
    'sources:',
    ...Object.keys(FILES).map((s) => `  - name: ${s}\n    uri: ../data/${s}/\n    priority: ${prio[s]}`),
    'pipeline:',
    '  - minhash_dedup:',
    '      preset: zyda2',
    '      verify: true',
    '      threshold: 0.7',
    `      policy: ${policy}`,
    'output:',
    '  uri: ../out',
    'executor:',
    `  tasks: ${tasks}`,
    '',
  ].join('\n');
  mkdirSync(join(d, 'manifests'));
  writeFileSync(join(d, 'manifests/m.yaml'), manifest);
  return d;
}

test('curate run with minhash_dedup: cross-source removal, cluster columns, dedup report, accounting', async () => {
  const d = setup(2);
  const r = curate(['run', 'manifests/m.yaml', '-q'], { cwd: d });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const stats = JSON.parse(readFileSync(join(d, 'out/report/stats.json'), 'utf8')) as { accounting: { droppedByReason: Record<string, number>; balanced: boolean; written: number } };
  assert.equal(stats.accounting.balanced, true);
  assert.equal(stats.accounting.droppedByReason.dedup_cross_source, 4);
  assert.equal(stats.accounting.written, 5);
  const rows = await duck<{ id: string; dedup_cluster_id: string | null; dedup_cluster_size: number }>(`SELECT id, dedup_cluster_id, dedup_cluster_size FROM '${d}/out/data/*.parquet' ORDER BY id`);
  assert.deepEqual(rows.map((x) => x.id), ['dclm-5', 'dclm-6', 'dolma-9', 'fwe-1', 'zyda-7']);
  const fwe = rows.find((x) => x.id === 'fwe-1')!;
  assert.equal(Number(fwe.dedup_cluster_size), 4);
  assert.equal(fwe.dedup_cluster_id, 'dclm-2');
  assert.equal(rows.find((x) => x.id === 'dolma-9')!.dedup_cluster_id, null);
  const text = readFileSync(join(d, 'out/report/stats.json'), 'utf8');
  assert.match(text, /clusterSizeHistogram/);
  assert.match(text, /duplicatesBetweenSources/);
});

test('curate run with minhash_dedup: same output bytes with 1 task and with 4 tasks', () => {
  const a = setup(1, 'keep-one'), b = setup(4, 'keep-one');
  assert.equal(curate(['run', 'manifests/m.yaml', '-q'], { cwd: a }).code, 0);
  assert.equal(curate(['run', 'manifests/m.yaml', '-q', '--workers', '2'], { cwd: b }).code, 0);
  const ids = (dir: string): string[] => Object.keys(hashTree(join(dir, 'out/data')));
  assert.ok(ids(a).length > 0);
  const sa = JSON.parse(readFileSync(join(a, 'out/report/stats.json'), 'utf8')) as { accounting: { droppedByReason: Record<string, number>; written: number } };
  const sb = JSON.parse(readFileSync(join(b, 'out/report/stats.json'), 'utf8')) as { accounting: { droppedByReason: Record<string, number>; written: number } };
  assert.deepEqual(sa.accounting.droppedByReason, sb.accounting.droppedByReason);
  assert.equal(sa.accounting.written, 4);
  assert.equal(sb.accounting.written, 4);
});
