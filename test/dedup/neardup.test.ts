// The near-duplicate evaluation set (../shared/data/neardup): `curate dedup --preset fineweb --verify` must reach
// precision ≥ 0.95 and recall ≥ 0.95 on pairs with j_norm ≥ 0.8, scored exactly as scripts/eval_neardup.py does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { runDedupCommand } from '../../pipeline/commands/dedup.ts';

const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
const ND = join(SHARED, 'data/neardup');

function readJsonl(path: string): Record<string, unknown>[] {
  const raw = path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
  return raw.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** precision/recall at j_norm ≥ 0.8, like eval_neardup.py (pairs, or all pairs inside predicted clusters). */
export function score(predPath: string, threshold = 0.8): { precision: number; recall: number; predicted: number } {
  const pos = new Set<string>();
  for (const r of readJsonl(join(ND, 'pairs_truth.jsonl.gz'))) if ((r.j_norm as number) >= threshold) pos.add(`${r.a}\t${r.b}`);
  const pred = new Set<string>();
  const clusters = new Map<string, string[]>();
  const key = (a: string, b: string): string => (a < b ? `${a}\t${b}` : `${b}\t${a}`);
  for (const r of readJsonl(predPath)) {
    if ('a' in r && 'b' in r) { if (r.a !== r.b) pred.add(key(String(r.a), String(r.b))); }
    else if ('id' in r && 'cluster' in r) {
      const k = JSON.stringify(r.cluster);
      (clusters.get(k) ?? clusters.set(k, []).get(k)!).push(String(r.id));
    }
  }
  for (const mem of clusters.values()) {
    const u = [...new Set(mem)].sort();
    for (let i = 0; i < u.length; i++) for (let j = i + 1; j < u.length; j++) pred.add(key(u[i], u[j]));
  }
  let tp = 0;
  for (const p of pred) if (pos.has(p)) tp++;
  return { precision: pred.size ? tp / pred.size : 0, recall: pos.size ? tp / pos.size : 0, predicted: pred.size };
}

test('neardup: fineweb preset + verify reaches precision ≥ 0.95 and recall ≥ 0.95 at j_norm ≥ 0.8', { skip: !existsSync(ND) && 'shared data not present' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'curate-neardup-'));
  const out = join(dir, 'pairs.jsonl');
  const s = await runDedupCommand([join(ND, 'corpus.jsonl.gz')], { preset: 'fineweb', threshold: '0.8', verify: true, out, clustersOut: join(dir, 'clusters.jsonl'), tasks: '1', cliqueCap: '64', policy: 'keep-one', quiet: true });
  const r = score(out);
  assert.ok(r.precision >= 0.95, `precision ${r.precision}`);
  assert.ok(r.recall >= 0.95, `recall ${r.recall}`);
  assert.equal(s.documents, 3465);
  // every written pair is a verified one
  for (const p of readJsonl(out)) assert.ok((p.jaccard as number) >= 0.8);
  const c = score(join(dir, 'clusters.jsonl'));
  assert.ok(c.recall >= r.recall, 'cluster transitivity can only add pairs');
});

test('curate dedup: worker threads and task count do not change the pairs; user errors are clean', { skip: !existsSync(ND) && 'shared data not present' }, async () => {
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'curate-neardup-thr-'));
  const rows = gunzipSync(readFileSync(join(ND, 'corpus.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean).slice(0, 900);
  for (let k = 0; k < 3; k++) writeFileSync(join(dir, `p${k}.jsonl`), rows.filter((_, i) => i % 3 === k).join('\n') + '\n');
  const run = async (tasks: string, threads: string): Promise<string[]> => {
    const out = join(dir, `pairs-${tasks}-${threads}.jsonl`);
    await runDedupCommand([dir], { preset: 'fineweb', threshold: '0.8', verify: true, out, tasks, threads, cliqueCap: '64', policy: 'keep-one', quiet: true });
    return readFileSync(out, 'utf8').split('\n').filter(Boolean).sort();
  };
  const one = await run('1', '1');
  assert.ok(one.length > 50);
  assert.deepEqual(await run('3', '2'), one);
  await assert.rejects(runDedupCommand([join(dir, 'missing')], { preset: 'fineweb', threshold: '0.8', out: join(dir, 'x'), tasks: '1', cliqueCap: '64', policy: 'keep-one', quiet: true }), /input not found/);
  await assert.rejects(runDedupCommand([dir], { preset: 'rpv2', threshold: '0.75', out: join(dir, 'x'), tasks: '1', cliqueCap: '64', policy: 'keep-one', quiet: true }), /0.7, 0.8, 0.9/);
});
