// manifests/zyda2.yaml end to end on stand-in shards in the real upstream schemas, with the fixture quality model
// standing in for NVIDIA's: cross-source dedup by priority, High-only on Zyda-1/Dolma-CC, fwe3, tokens, mix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curate, tmp, duck, repoRoot, sharedDir } from '../helpers.ts';
import { buildStandins } from './standins.ts';

const model = join(sharedDir, 'fixtures/models/quality-deberta-tiny');

test('manifests/zyda2.yaml runs end to end and its output has the documented schema', { skip: !existsSync(model) && 'needs ../shared fixtures' }, async () => {
  const d = tmp();
  const counts = await buildStandins(sharedDir, join(d, 'data'));
  const out = join(d, 'out');
  const env = { ZYDA2_DATA: join(d, 'data'), CURATE_QUALITY_MODEL: model, CURATE_OUT: out };
  assert.equal(curate(['validate', 'manifests/zyda2.yaml'], { env }).code, 0);
  const r = curate(['run', join(repoRoot, 'manifests/zyda2.yaml'), '-q'], { env });
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(out, 'report/stats.json'), 'utf8'));
  assert.equal(stats.accounting.balanced, true);
  assert.equal(stats.accounting.recordsRead, counts.fwe + counts.dclm + counts.zyda + counts.dolma);
  const reasons = stats.accounting.droppedByReason;
  for (const k of ['dedup_cross_source', 'quality_not_high', 'fineweb_edu_int_score_below_3']) assert.ok(reasons[k] > 0, `${k}: ${JSON.stringify(reasons)}`);
  // the dedup apply stage never removes FineWeb-Edu (top priority)
  const apply = stats.steps.flatMap((s: { stages: { stage: string; sources?: Record<string, { in: number; out: number }> }[] }) => s.stages).find((s: { stage: string }) => s.stage.startsWith('apply-'))!;
  assert.equal(apply.sources['fineweb-edu'].in, apply.sources['fineweb-edu'].out);
  assert.ok(apply.sources['dolma-cc'].in > apply.sources['dolma-cc'].out);

  const files = `'${out}/data/*.parquet'`;
  const schema = Object.fromEntries((await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${files}`)).map((c) => [c.column_name, c.column_type]));
  for (const [c, t] of Object.entries({ id: 'VARCHAR', source: 'VARCHAR', source_file: 'VARCHAR', source_row: 'BIGINT', text: 'VARCHAR', meta: 'VARCHAR', dedup_cluster_id: 'VARCHAR', dedup_cluster_size: 'INTEGER', quality_label: 'VARCHAR', token_ids: 'UINTEGER[]', n_tokens: 'INTEGER', mix_copy: 'INTEGER' })) assert.equal(schema[c], t, c);
  const bad = await duck(`SELECT source, id FROM ${files} WHERE (source IN ('zyda', 'dolma-cc') AND quality_label <> 'High') OR (source = 'fineweb-edu' AND CAST(json_extract(meta, '$.int_score') AS INTEGER) < 3) OR len(token_ids) <> n_tokens`);
  assert.deepEqual(bad, []);
  const kv = Object.fromEntries((await duck<{ k: string; v: string }>(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${files})`)).map((x) => [x.k, x.v]));
  assert.equal(kv['curate.manifest_sha256'], stats.manifestHash);
  assert.ok(Object.keys(kv).some((k) => k.startsWith('curate.tokenizer')), JSON.stringify(kv));
  // the mix lands near the card's token shares (dclm and fwe3 about 47.6% each)
  assert.ok(Math.abs(stats.mix.dclm.achievedShare - 4 / 8.4) < 0.05, JSON.stringify(stats.mix));
  assert.ok(Math.abs(stats.mix['fineweb-edu'].achievedShare - 4 / 8.4) < 0.05, JSON.stringify(stats.mix));
  const index = JSON.parse(readFileSync(join(out, 'data/_index.json'), 'utf8'));
  const [{ tokens }] = await duck<{ tokens: string }>(`SELECT sum(n_tokens) AS tokens FROM ${files}`);
  assert.equal(index.tokens, Number(tokens));
});
