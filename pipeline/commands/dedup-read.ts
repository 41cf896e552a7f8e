// JSONL(.gz) document reader shared by `curate dedup` and its worker threads.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Doc } from '../types.ts';

export class UserError extends Error {}

/** Streams documents of one JSONL(.gz) file; id = upstream `id` or `source/file/row`. */
export async function* readJsonlDocs(file: string, textField = 'text', idField = 'id', sourceField = 'source'): AsyncIterable<Doc> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  const shard = file;
  for await (const line of rl) {
    if (!line.trim()) continue;
    let r: Record<string, unknown>;
    try { r = JSON.parse(line) as Record<string, unknown>; } catch { throw new UserError(`${file}:${row + 1}: not valid JSON`); }
    const text = r[textField];
    const source = typeof r[sourceField] === 'string' ? (r[sourceField] as string) : 'input';
    const id = r[idField] !== undefined && r[idField] !== null ? String(r[idField]) : `${source}/${file}/${row}`;
    const meta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k !== textField && k !== idField) meta[k] = v;
    yield { id, text: typeof text === 'string' ? text : '', source, shard, row, meta, cols: {} };
    row++;
  }
}

