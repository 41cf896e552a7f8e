import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifest, ManifestError } from '../../pipeline/manifest.ts';

const base = `name: t
sources:
  - name: a
    uri: data/*.jsonl
pipeline:
  - text_stats: {}
`;

function problems(text: string): string[] {
  try {
    loadManifest('m.yaml', text);
  } catch (e) {
    if (e instanceof ManifestError) return e.problems.map((p) => `${p.line}|${p.path}|${p.message}`);
    throw e;
  }
  return [];
}

test('a valid manifest loads with defaults and declared columns', () => {
  const lm = loadManifest('m.yaml', base + '  - filter: {expr: "n_words >= 50"}\n');
  assert.equal(lm.manifest.output.format, 'parquet');
  assert.equal(lm.manifest.executor.tasks, 'auto');
  assert.deepEqual(lm.stages.map((s) => s.id), ['01-text_stats', '02-filter']);
  assert.ok(lm.columns.some((c) => c.name === 'n_words' && c.type === 'int32'));
});

test('misspelled keys are reported with line, path and a suggestion', () => {
  const p = problems(base.replace('uri:', 'urii:') + 'outptu:\n  uri: x\n');
  assert.ok(p.some((x) => x.startsWith('4|sources[0].urii|unknown key "urii" — did you mean "uri"?')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('7|outptu|unknown key "outptu" — did you mean "output"?')), p.join('\n'));
});

test('unknown stages, bad parameters and bad expressions are all reported at once', () => {
  const p = problems(base + '  - text_stat: {}\n  - filter: {expr: "n_wrds >= 50"}\n  - filter: {exp: "x"}\n');
  assert.ok(p.some((x) => x.startsWith('7|pipeline[1].text_stat|unknown stage "text_stat" — did you mean "text_stats"?')), p.join('\n'));
  assert.ok(p.some((x) => /^8\|pipeline\[2\]\.filter\.expr\|unknown column "n_wrds" — did you mean "n_words"\?/.test(x)), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('9|pipeline[3].filter.exp|unknown key "exp" — did you mean "expr"?')), p.join('\n'));
});

test('a filter on a column that no earlier stage writes is refused', () => {
  const p = problems(base.replace('  - text_stats: {}\n', '') + '  - filter: {expr: "n_words >= 50"}\n  - text_stats: {}\n');
  assert.ok(p.some((x) => x.includes('unknown column "n_words"')), p.join('\n'));
});

test('YAML syntax errors and duplicate source names carry line numbers', () => {
  assert.ok(problems('name: t\nsources: [\n').some((x) => x.includes('YAML syntax')));
  const p = problems(base + 'extra: 1\n'.replace('extra: 1\n', '') + '').length;
  assert.equal(p, 0);
  const d = problems(base.replace('pipeline:', '  - name: a\n    uri: x.jsonl\npipeline:'));
  assert.ok(d.some((x) => x.startsWith('5|sources[1].name|duplicate source name')), d.join('\n'));
});

test('misspelled keys inside wrapped (optional/defaulted) sections get suggestions too', () => {
  const p = problems(base + 'output:\n  row_group_sizee: 5\nstorage:\n  s3:\n    endpont: http://x\n');
  assert.ok(p.some((x) => x.startsWith('8|output.row_group_sizee|unknown key "row_group_sizee" — did you mean "row_group_size"?')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('11|storage.s3.endpont|unknown key "endpont" — did you mean "endpoint"?')), p.join('\n'));
});
