// Runs the report tests share: the demo (with rejected docs kept) and a cross-source dedup run.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curate, repoRoot, tmp } from '../helpers.ts';

/** The demo manifest with absolute source paths and `output.rejected: true`; returns the run directory. */
export function demoRun(): string {
  const d = tmp('curate-report-');
  const text = readFileSync(join(repoRoot, 'manifests/demo.yaml'), 'utf8')
    .replaceAll('../data/demo', join(repoRoot, 'data/demo'))
    .replace(/^(\s*)row_group_size: (\d+)$/m, '$1row_group_size: $2\n$1rejected: true');
  writeFileSync(join(d, 'demo.yaml'), text);
  const r = curate(['run', join(d, 'demo.yaml'), '--output', join(d, 'run'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  return join(d, 'run');
}

/** Moby-Dick twice (a renamed copy as source `mirror`, lower priority) through minhash_dedup. */
export function dedupRun(): string {
  const d = tmp('curate-report-dedup-');
  mkdirSync(join(d, 'mirror'));
  copyFileSync(join(repoRoot, 'data/demo/moby-dick/chapters.jsonl.gz'), join(d, 'mirror', 'mirror-chapters.jsonl.gz'));
  writeFileSync(join(d, 'm.yaml'), `name: dd
sources:
  - name: moby-dick
    uri: ${join(repoRoot, 'data/demo/moby-dick/*.jsonl.gz')}
    priority: 1
  - name: mirror
    uri: ${join(d, 'mirror')}/*.jsonl.gz
    id_field: null
    priority: 0
pipeline:
  - text_stats: {}
  - filter:
      expr: n_words >= 300
      reason: too_short
  - minhash_dedup: {}
output:
  rejected: true
`);
  const r = curate(['run', join(d, 'm.yaml'), '--output', join(d, 'run'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  return join(d, 'run');
}
