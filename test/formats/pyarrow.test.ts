// The Parquet files curate writes, read by the Python stack users load them with: pyarrow (full validation of every
// column) and, when installed, Hugging Face `datasets`. Two outputs: the demo run (strings, ints, doubles, nested
// span lists) and `curate tokenize` (uint32 token lists, tokenizer file metadata). Values are compared with DuckDB's.
// Needs a Python with pyarrow: CURATE_PYTHON (default python3). Skipped with a message when there is none; a
// failure instead of a skip with CURATE_REQUIRE_PYARROW=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { curate, duck, repoRoot, tmp } from '../helpers.ts';

const PY = process.env.CURATE_PYTHON ?? 'python3';
const probe = spawnSync(PY, ['-c', 'import pyarrow; print(pyarrow.__version__)'], { encoding: 'utf8' });
const pyarrowVersion = probe.status === 0 ? probe.stdout.trim() : null;
const required = process.env.CURATE_REQUIRE_PYARROW === '1';
const skip = pyarrowVersion === null && !required
  ? `no pyarrow in ${PY} (set CURATE_PYTHON to a Python with pyarrow, e.g. a venv with \`pip install pyarrow datasets\`)`
  : false;

// Reads each file with pyarrow, validates it fully, and prints per file: rows, schema, key/value metadata, ids and a
// per-row digest of the columns compared below; then loads all files with `datasets` when it is importable.
const SCRIPT = String.raw`
import json, sys
import pyarrow.parquet as pq
out = {"files": {}, "datasets": None}
for f in sys.argv[1:]:
    pf = pq.ParquetFile(f)
    t = pf.read()
    t.validate(full=True)
    meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
    cols = t.to_pydict()
    rec = {"rows": t.num_rows, "row_groups": pf.metadata.num_row_groups,
           "schema": {x.name: str(x.type) for x in t.schema}, "meta": meta, "ids": cols.get("id")}
    if "text" in cols: rec["text_len"] = [len(x) for x in cols["text"]]
    if "token_ids" in cols: rec["token_sum"] = [sum(x) for x in cols["token_ids"]]
    if "rps_lines_num_words" in cols: rec["lines"] = [len(x) for x in cols["rps_lines_num_words"]]
    out["files"][f] = rec
try:
    import datasets
    ds = datasets.load_dataset("parquet", data_files=sys.argv[1:], split="train")
    out["datasets"] = {"version": datasets.__version__, "rows": ds.num_rows, "features": sorted(ds.features)}
except ImportError:
    pass
print(json.dumps(out))
`;

interface PyFile {
  rows: number;
  row_groups: number;
  schema: Record<string, string>;
  meta: Record<string, string>;
  ids: string[];
  text_len?: number[];
  token_sum?: number[];
  lines?: number[];
}
interface PyOut {
  files: Record<string, PyFile>;
  datasets: { version: string; rows: number; features: string[] } | null;
}

function readWithPython(files: string[]): PyOut {
  const r = spawnSync(PY, ['-c', SCRIPT, ...files], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `pyarrow could not read the files:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PyOut;
}

const parquetIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => join(dir, f));
const q = (s: string): string => `'${s.replaceAll("'", "''")}'`;

test(`demo output reads in pyarrow ${pyarrowVersion ?? '(absent)'} with full validation, same values as DuckDB`, { skip, timeout: 300_000 }, async () => {
  const d = tmp('curate-pyarrow-');
  const run = curate(['run', 'manifests/demo.yaml', '--output', d, '-q'], { cwd: repoRoot });
  assert.equal(run.code, 0, run.stderr);
  const files = parquetIn(join(d, 'data'));
  assert.ok(files.length >= 2);
  const py = readWithPython(files);
  let total = 0;
  for (const f of files) {
    const p = py.files[f];
    // DuckDB keeps a file's row order (preserve_insertion_order is on by default)
    const rows = await duck<{ id: string; n: number; lines: number }>(
      `SELECT id, length(text)::INTEGER AS n, length(rps_lines_num_words)::INTEGER AS lines FROM read_parquet(${q(f)})`,
    );
    assert.equal(p.rows, rows.length, f);
    assert.deepEqual(p.ids, rows.map((r) => r.id), `${f}: ids in row order`);
    // Python len() counts code points, DuckDB length() too
    assert.deepEqual(p.text_len, rows.map((r) => Number(r.n)), `${f}: text lengths`);
    assert.deepEqual(p.lines, rows.map((r) => Number(r.lines)), `${f}: line-span list lengths`);
    assert.equal(p.schema.rps_lines_num_words, 'list<element: list<element: double>>');
    assert.equal(p.schema.source_row, 'int64');
    assert.ok(p.meta['curate.manifest_sha256'], `${f}: manifest hash in the file metadata`);
    total += p.rows;
  }
  if (py.datasets) {
    assert.equal(py.datasets.rows, total);
    assert.ok(py.datasets.features.includes('text') && py.datasets.features.includes('rps_doc_word_count'));
  }
  console.log(`# pyarrow ${pyarrowVersion}: ${files.length} demo shards, ${total} rows validated` +
    (py.datasets ? `; datasets ${py.datasets.version} loaded ${py.datasets.rows} rows` : '; datasets not installed'));
});

test('tokenized Parquet (uint32 token lists, tokenizer metadata) reads in pyarrow, same tokens as DuckDB', { skip, timeout: 300_000 }, async () => {
  const d = tmp('curate-pyarrow-tok-');
  const out = join(d, 'tok.parquet');
  const r = curate(['tokenize', '--tokenizer', 'llama3', join(repoRoot, 'data/demo/moby-dick/chapters.jsonl.gz'), '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const py = readWithPython([out]);
  const p = py.files[out];
  const rows = await duck<{ id: string; s: bigint | number }>(`SELECT id, list_sum(token_ids) AS s FROM read_parquet(${q(out)})`);
  assert.equal(p.rows, rows.length);
  assert.deepEqual(p.ids, rows.map((x) => x.id));
  assert.deepEqual(p.token_sum, rows.map((x) => Number(x.s)));
  assert.equal(p.schema.token_ids, 'list<element: uint32>');
  assert.equal(p.meta['curate.tokenizer'], 'llama3');
  console.log(`# pyarrow ${pyarrowVersion}: ${p.rows} tokenized rows validated`);
});
