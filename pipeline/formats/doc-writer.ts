// Writes documents to Parquet or JSONL.gz shards with the schema fixed up front, rolling over to a new shard
// by document count or bytes. Every shard is atomic (temp name, then rename / multipart complete).
import { createGzip } from 'node:zlib';
import type { AtomicWriter, ColumnSpec, Doc, Storage } from '../types.ts';
import { ParquetWriter, type Row } from './parquet-writer.ts';

/** Columns every written document has, before the stage-declared ones. */
export const BASE_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'string', nullable: false },
  { name: 'source', type: 'string', nullable: false },
  { name: 'source_file', type: 'string', nullable: false, description: 'Input file, relative to its source root.' },
  { name: 'source_row', type: 'int64', nullable: false, description: '0-based row in the input file.' },
  { name: 'text', type: 'string' },
  { name: 'meta', type: 'string', description: 'Upstream fields as JSON.' },
];

export interface WrittenShard {
  uri: string;
  docs: number;
  bytes: number;
  tokens: number;
}

export interface DocWriterOptions {
  format: 'parquet' | 'jsonl.gz';
  columns: ColumnSpec[];
  includeText?: boolean;
  includeMeta?: boolean;
  rowGroupSize?: number;
  shardDocs?: number;
  shardBytes?: number;
  shardTokens?: number;
  metadata?: Record<string, string>;
  /** URI of the k-th shard. */
  shardUri: (k: number) => string;
}

interface OpenShard {
  uri: string;
  out: AtomicWriter;
  pq?: ParquetWriter;
  gz?: ReturnType<typeof createGzip>;
  gzDone?: Promise<void>;
  docs: number;
  bytes: number;
  tokens: number;
}

export function docToRow(d: Doc, includeText: boolean, includeMeta: boolean): Row {
  const row: Row = { ...d.cols, id: d.id, source: d.source, source_file: d.shard, source_row: d.row };
  row.text = includeText ? d.text : null;
  row.meta = includeMeta ? JSON.stringify(d.meta) : null;
  return row;
}

export class DocWriter {
  private readonly opts: DocWriterOptions;
  private readonly columns: ColumnSpec[];
  private cur: OpenShard | null = null;
  private k = 0;
  readonly shards: WrittenShard[] = [];

  private readonly storage: Storage;

  constructor(storage: Storage, opts: DocWriterOptions) {
    this.storage = storage;
    this.opts = opts;
    const names = new Set(BASE_COLUMNS.map((c) => c.name));
    this.columns = [
      ...BASE_COLUMNS.filter((c) => (c.name !== 'text' || opts.includeText !== false) && (c.name !== 'meta' || opts.includeMeta !== false)),
      ...opts.columns.filter((c) => !names.has(c.name)),
    ];
  }

  private async open(): Promise<OpenShard> {
    const uri = this.opts.shardUri(this.k++);
    const out = await this.storage.writer(uri);
    const s: OpenShard = { uri, out, docs: 0, bytes: 0, tokens: 0 };
    if (this.opts.format === 'parquet') {
      s.pq = new ParquetWriter(out, { columns: this.columns, rowGroupSize: this.opts.rowGroupSize, metadata: this.opts.metadata });
    } else {
      // mtime 0 in the gzip header (zlib's default) keeps the bytes identical across reruns
      const gz = createGzip({ level: 6 });
      s.gz = gz;
      s.gzDone = (async () => { for await (const chunk of gz) { s.bytes += (chunk as Buffer).length; await out.write(chunk as Buffer); } })();
    }
    return s;
  }

  async write(d: Doc): Promise<void> {
    this.cur ??= await this.open();
    const s = this.cur;
    const row = docToRow(d, this.opts.includeText !== false, this.opts.includeMeta !== false);
    if (s.pq) {
      await s.pq.write(row);
      s.bytes = s.pq.bytes;
    } else {
      const obj: Record<string, unknown> = {};
      for (const c of this.columns) {
        const v = row[c.name];
        obj[c.name] = ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v ?? null;
      }
      if (!s.gz!.write(JSON.stringify(obj) + '\n')) await new Promise((r) => s.gz!.once('drain', r));
    }
    s.docs++;
    if (typeof d.cols.n_tokens === 'number') s.tokens += d.cols.n_tokens;
    const maxDocs = this.opts.shardDocs ?? Infinity;
    const maxBytes = this.opts.shardBytes ?? Infinity;
    if (s.docs >= maxDocs || s.bytes >= maxBytes || s.tokens >= (this.opts.shardTokens ?? Infinity)) await this.finishShard();
  }

  private async finishShard(): Promise<void> {
    const s = this.cur;
    if (!s) return;
    this.cur = null;
    try {
      if (s.pq) { await s.pq.close(); s.bytes = s.pq.bytes; }
      else { s.gz!.end(); await s.gzDone; }
      await s.out.commit();
    } catch (e) {
      await s.out.abort();
      throw e;
    }
    this.shards.push({ uri: s.uri, docs: s.docs, bytes: s.bytes, tokens: s.tokens });
  }

  /** Closes the last shard. A task that wrote nothing still leaves one (empty) shard so readers see the schema. */
  async close(): Promise<WrittenShard[]> {
    if (!this.cur && this.shards.length === 0) this.cur = await this.open();
    await this.finishShard();
    return this.shards;
  }

  async abort(): Promise<void> {
    if (this.cur) await this.cur.out.abort();
    this.cur = null;
  }
}
