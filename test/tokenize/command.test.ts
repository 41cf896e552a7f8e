// `curate tokenize` driven through commander in-process: JSONL, JSONL.gz and Parquet outputs, BOS/EOS flags,
// Parquet readable by DuckDB with the declared types and the tokenizer in the file metadata, friendly errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { DuckDBInstance } from '@duckdb/node-api';
import { register } from '../../pipeline/commands/tokenize.ts';
import { referenceSet } from './helpers.ts';

async function curate(...args: string[]): Promise<{ err: string; code: number }> {
  const program = new Command('curate').exitOverride();
  register(program);
  const err: string[] = [];
  const error = console.error;
  const write = process.stderr.write.bind(process.stderr);
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'curate', ...args]);
  } finally {
    console.error = error;
    process.stderr.write = write;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { err: err.join('\n'), code };
}

const { texts, refs } = referenceSet();
const N = 25;
const dir = mkdtempSync(join(tmpdir(), 'curate-tokcmd-'));
const input = join(dir, 'in.jsonl.gz');
writeFileSync(input, gzipSync(texts.slice(0, N).map((t, i) => JSON.stringify({ id: `d${i}`, text: t, other: 1 })).join('\n') + '\n'));

interface OutRow {
  id: string;
  token_ids: number[];
  n_tokens: number;
}

test('JSONL output: {"id","token_ids","n_tokens"}, EOS by default, --bos, --no-eos', async () => {
  const out = join(dir, 'o.jsonl');
  let r = await curate('tokenize', '--tokenizer', 'llama2', input, '--out', out, '--quiet');
  assert.equal(r.code, 0, r.err);
  let rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OutRow);
  assert.equal(rows.length, N);
  rows.forEach((row, i) => {
    assert.deepEqual(Object.keys(row), ['id', 'token_ids', 'n_tokens']);
    assert.equal(row.id, `d${i}`);
    assert.deepEqual(row.token_ids, [...refs[i].llama2.ids_no_special, 2]);
    assert.equal(row.n_tokens, row.token_ids.length);
  });
  r = await curate('tokenize', '--tokenizer', 'llama2', '--bos', '--no-eos', input, '--out', out, '--quiet');
  assert.equal(r.code, 0, r.err);
  rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OutRow);
  rows.forEach((row, i) => assert.deepEqual(row.token_ids, refs[i].llama2.ids_with_special));
  const gz = join(dir, 'o.jsonl.gz');
  r = await curate('tokenize', '--tokenizer', 'llama3', '--no-eos', input, '--out', gz, '--quiet', '--limit', '7');
  assert.equal(r.code, 0, r.err);
  rows = gunzipSync(readFileSync(gz)).toString().trim().split('\n').map((l) => JSON.parse(l) as OutRow);
  assert.equal(rows.length, 7);
  rows.forEach((row, i) => assert.deepEqual(row.token_ids, refs[i].llama3.ids_no_special));
});

test('Parquet output opens in DuckDB: uint16 list for llama2, uint32 list for llama3, tokenizer metadata', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const [name, type] of [['llama2', 'USMALLINT[]'], ['llama3', 'UINTEGER[]']] as const) {
    const out = join(dir, `${name}.parquet`);
    const r = await curate('tokenize', '--tokenizer', name, input, '--out', out, '--quiet');
    assert.equal(r.code, 0, r.err);
    const rows = (await c.runAndReadAll(`SELECT id, n_tokens, token_ids::INTEGER[] AS ids, typeof(token_ids) AS t FROM read_parquet('${out}') ORDER BY id`)).getRowObjectsJson() as unknown as { id: string; n_tokens: number; ids: number[]; t: string }[];
    assert.equal(rows.length, N);
    for (const row of rows) {
      const i = Number(row.id.slice(1));
      const eos = name === 'llama2' ? 2 : 128001;
      assert.deepEqual(row.ids.map(Number), [...refs[i][name].ids_no_special, eos]);
      assert.equal(Number(row.n_tokens), row.ids.length);
      assert.equal(row.t, type);
    }
    const md = Object.fromEntries(
      ((await c.runAndReadAll(`SELECT key::VARCHAR AS k, value::VARCHAR AS v FROM parquet_kv_metadata('${out}')`)).getRowObjectsJson() as unknown as { k: string; v: string }[]).map((x) => [x.k, x.v]),
    );
    assert.equal(md['curate.tokenizer'], name);
    assert.match(md['curate.tokenizer_sha256'], /^[0-9a-f]{64}$/);
  }
  c.closeSync();
});

test('user errors are one line with what to do', async () => {
  let r = await curate('tokenize', '--tokenizer', 'llama9', input, '--out', join(dir, 'x.jsonl'));
  assert.equal(r.code, 1);
  assert.match(r.err, /curate tokenize: cannot read tokenizer "llama9".*one of: llama2, llama3/);
  assert.doesNotMatch(r.err, /\n\s+at /);
  r = await curate('tokenize', input, '--out', join(dir, 'x.csv'));
  assert.match(r.err, /--out must end in .jsonl, .jsonl.gz or .parquet/);
  r = await curate('tokenize', join(dir, 'missing.jsonl'), '--out', join(dir, 'x.jsonl'));
  assert.match(r.err, /does not exist/);
  r = await curate('tokenize', '--tokenizer', 'llama3', '--id-type', 'uint16', input, '--out', join(dir, 'x.jsonl'));
  assert.match(r.err, /more than uint16 holds/);
});
