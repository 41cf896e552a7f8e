// The former Parquet writer, kept for comparison benchmarks and as a second opinion in tests: Arrow record batches
// built from declared columns, encoded by parquet-wasm (arrow-rs) with zstd, one row group per `rowGroupSize` rows.
// The pipeline writes with ParquetWriter (parquet-write.ts), which is faster and byte-deterministic.
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { AtomicWriter, ColumnSpec, ColumnValue } from '../types.ts';
import { arrowSchema, columnData } from './columns.ts';

export interface WasmParquetWriterOptions {
  columns: readonly ColumnSpec[];
  rowGroupSize?: number;
  /** File-level key-value metadata (tokenizer hash, manifest hash, curate version...). */
  metadata?: Record<string, string>;
  compression?: 'zstd' | 'snappy' | 'none';
}

type Row = Record<string, ColumnValue | undefined>;

/**
 * Rows are buffered up to one row group, then handed to arrow-rs as an Arrow IPC record batch.
 * The schema comes only from the declared columns: an all-null first batch cannot change a type.
 */
export class WasmParquetWriter {
  private readonly cols: readonly ColumnSpec[];
  private readonly schema: arrow.Schema;
  private readonly rowGroupSize: number;
  private pending: Row[] = [];
  private controller!: ReadableStreamDefaultController<pw.RecordBatch>;
  private readonly pump: Promise<void>;
  private failed: unknown = null;
  rows = 0;
  bytes = 0;

  constructor(out: AtomicWriter, opts: WasmParquetWriterOptions) {
    this.cols = opts.columns;
    this.rowGroupSize = opts.rowGroupSize ?? 10_000;
    const md = new Map(Object.entries(opts.metadata ?? {}));
    this.schema = arrowSchema(this.cols);
    const comp = opts.compression ?? 'zstd';
    let b = new pw.WriterPropertiesBuilder()
      .setCompression(comp === 'zstd' ? pw.Compression.ZSTD : comp === 'snappy' ? pw.Compression.SNAPPY : pw.Compression.UNCOMPRESSED)
      .setMaxRowGroupSize(this.rowGroupSize)
      .setCreatedBy('curate (parquet-wasm/arrow-rs)');
    if (md.size) b = b.setKeyValueMetadata(md);
    const props = b.build();
    const input = new ReadableStream<pw.RecordBatch>({ start: (c) => { this.controller = c; } }, { highWaterMark: 1 });
    
    this.pump = (async () => {
      const stream = (await pw.transformParquetStream(input, props)) as ReadableStream<Uint8Array>;
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.bytes += value.length;
        await out.write(value);
      }
    })().catch((e: unknown) => { this.failed = e; });
  }

  async write(row: Row): Promise<void> {
    this.pending.push(row);
    if (this.pending.length >= this.rowGroupSize) await this.flushGroup();
  }

  private async flushGroup(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const children = this.cols.map((c) => columnData(c, rows.map((r) => r[c.name])));
    const data = arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: rows.length, nullCount: 0, children });
    const batch = new arrow.RecordBatch(this.schema, data);
    const ipc = arrow.tableToIPC(new arrow.Table(batch), 'stream');
    for (const rb of pw.Table.fromIPCStream(ipc).recordBatches()) this.controller.enqueue(rb);
    this.rows += rows.length;
    // let the encoder drain so at most ~one row group is in memory
    await new Promise((r) => setImmediate(r));
  }

  /** Writes the last row group and the footer. The caller commits the AtomicWriter afterwards. */
  async close(): Promise<void> {
    if (this.rows === 0 && this.pending.length === 0) {
      // an empty file still carries the declared schema
      const empty = new arrow.RecordBatch(this.schema, arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: 0, nullCount: 0, children: this.cols.map((c) => columnData(c, [])) }));
      for (const rb of pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(empty), 'stream')).recordBatches()) this.controller.enqueue(rb);
    }
    await this.flushGroup();
    this.controller.close();
    await this.pump;
    if (this.failed) throw this.failed;
  }
}
