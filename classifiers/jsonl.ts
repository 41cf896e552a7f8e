// A small streaming JSONL / JSONL.gz / JSONL.zst record reader over Storage, for the classifier commands.
// (The pipeline's own readers live in pipeline/formats/; this one keeps the commands independent of them and can be
// swapped for them without changing the callers: both yield arrays of plain records.)
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as zlib from 'node:zlib';
import type { Storage } from '../pipeline/types.ts';

export type JsonRecord = Record<string, unknown>;

function decompressor(uri: string): NodeJS.ReadWriteStream | null {
  if (/\.gz$/i.test(uri)) return createGunzip();
  if (/\.zst$/i.test(uri)) {
    const make = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
    if (!make) throw new Error(`${uri}: this Node has no zstd support; decompress it first or use .jsonl/.jsonl.gz`);
    return make();
  }
  return null;
}

/** Yields records in chunks of up to `chunk`; a malformed line is an error naming the file and line. */
export async function* readJsonl(storage: Storage, uri: string, chunk = 1000): AsyncIterable<JsonRecord[]> {
  const raw = Readable.from(storage.readStream(uri));
  const dec = decompressor(uri);
  const stream: AsyncIterable<Buffer | string> = dec ? raw.pipe(dec) : raw;
  const td = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let out: JsonRecord[] = [];
  const parse = (s: string): void => {
    line++;
    if (s.trim().length === 0) return;
    try {
      const v = JSON.parse(s) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      out.push(v as JsonRecord);
    } catch (e) {
      throw new Error(`${uri}, line ${line}: ${(e as Error).message}`);
    }
  };
  for await (const part of stream) {
    rest += typeof part === 'string' ? part : td.decode(part, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      parse(rest.slice(start, nl));
      start = nl + 1;
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
    rest = rest.slice(start);
  }
  rest += td.decode();
  if (rest.length > 0) parse(rest);
  if (out.length > 0) yield out;
}

export async function readAllJsonl(storage: Storage, uri: string): Promise<JsonRecord[]> {
  const all: JsonRecord[] = [];
  for await (const c of readJsonl(storage, uri)) for (const r of c) all.push(r);
  return all;
}
