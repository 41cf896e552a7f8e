// Input records for the classifier commands (`curate classify`, `curate classifier train|eval`): JSONL, JSONL.gz,
// JSONL.zst or Parquet, local or s3://, through the pipeline's own streaming readers (pipeline/formats/readers.ts).
import type { Storage } from '../pipeline/types.ts';
import { detectFormat, readRecords } from '../pipeline/formats/readers.ts';

export type JsonRecord = Record<string, unknown>;

/** Yields records in chunks of up to `chunk`; an unreadable record is an error naming the file and row. */
export async function* readInputRecords(storage: Storage, uri: string, chunk = 1000): AsyncIterable<JsonRecord[]> {
  const format = detectFormat(uri);
  if (!format) throw new Error(`${uri}: unknown input format; use a .jsonl, .jsonl.gz, .jsonl.zst or .parquet file`);
  let out: JsonRecord[] = [];
  for await (const items of readRecords(storage, uri, format)) {
    for (const it of items) {
      if ('error' in it) throw new Error(`${uri} row ${it.row}: ${it.error}`);
      out.push(it.rec);
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
