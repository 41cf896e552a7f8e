// End to end through `curate run`: classify stages (presets, relative model paths, `sources`) and the lead's
// `filter` stage keeping documents by an expression over the classifier's columns; Parquet output read with DuckDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { curate, tmp, duck } from '../helpers.ts';
import { MODELS, type RefModelOut, loadReference } from './helpers.ts';

test('curate run: classify (nvidia-quality on one source, fineweb-edu on all) + filter quality_label == "High"', async () => {
  const d = tmp('curate-classify-e2e-');
  const { docs, outs } = loadReference();
  const web = docs.slice(0, 40);
  const other = docs.slice(40, 60);
  writeFileSync(join(d, 'web.jsonl'), web.map((x) => JSON.stringify({ id: x.id, text: x.text })).join('\n') + '\n');
  writeFileSync(join(d, 'other.jsonl'), other.map((x) => JSON.stringify({ id: x.id, text: x.text })).join('\n') + '\n');
  const rel = (m: string): string => relative(d, join(MODELS, m));
  writeFileSync(
    join(d, 'm.yaml'),
    `name: classify-e2e
sources:
  - {name: web, uri: web.jsonl}
  - {name: other, uri: other.jsonl}
pipeline:
  - classify: {preset: nvidia-quality, model: ${rel('quality-deberta-tiny')}, max_chars: null, sources: [web]}
  - classify: {preset: fineweb-edu, model: ${rel('edu-bert-tiny')}}
  - filter: {expr: 'quality_label == "High"', sources: [web], reason: quality_not_high}
output: {uri: out}
executor: {workers: 1}
`,
  );
  const r = curate(['run', join(d, 'm.yaml'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  const out = join(d, 'out');
  const rows = await duck<{ id: string; source: string; quality_label: string | null; quality_prob_high: number | null; fineweb_edu_score: number; fineweb_edu_int_score: number }>(
    `SELECT id, source, quality_label, quality_prob_high, fineweb_edu_score, fineweb_edu_int_score FROM '${out}/data/*.parquet'`,
  );
  const refById = new Map(docs.map((x, i) => [x.id, outs[i]]));
  const highWeb = web.filter((x) => {
    const l = (refById.get(x.id)!['quality-deberta-tiny'] as RefModelOut).logits;
    return l.indexOf(Math.max(...l)) === 0;
  });
  assert.ok(highWeb.length > 0 && highWeb.length < web.length, 'the filter keeps some web documents and drops others');
  assert.equal(rows.filter((x) => x.source === 'web').length, highWeb.length);
  assert.equal(rows.filter((x) => x.source === 'other').length, other.length);
  for (const row of rows) {
    const ref = refById.get(row.id)!;
    assert.ok(Math.abs(row.fineweb_edu_score - (ref['edu-bert-tiny'] as RefModelOut).logits[0]) <= 1e-4);
    if (row.source === 'web') assert.equal(row.quality_label, 'High');
    else {
      assert.equal(row.quality_label, null);
      assert.equal(row.quality_prob_high, null);
    }
  }
});
