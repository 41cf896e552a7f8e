// The signal log: one compact Parquet file per map task (no text) with one row per document that entered the
// step — kept or dropped — holding every scalar column the document had at that moment (signals, scores, labels,
// cluster ids), whether it was kept, and if not which stage dropped it and why. Filters drop documents after the
// signals were computed, so this is what lets the report draw signal histograms *before filtering* and lets
// `curate explain` show every value and decision, without depending on any stage family's internals and without
// `output.rejected`.
//
// Written by the runtime (pipeline/task.ts) next to the step's other outputs:
//   <run>/steps/<step>/signals/part-<task>.parquet
import type { ColumnSpec, ColumnType, Doc, Storage } from '../types.ts';
import { DocWriter } from '../formats/doc-writer.ts';
import { joinUri } from '../storage.ts';
import { pad } from '../rundir.ts';

export const SIGNAL_LOG_COLUMNS: ColumnSpec[] = [
  { name: 'kept', type: 'bool', nullable: false, description: 'True when the document left the step (written), false when a stage dropped it.' },
  { name: 'drop_reason', type: 'string', description: 'Reason recorded by the stage that dropped the document.' },
  { name: 'drop_stage', type: 'string', description: 'Id of the stage that dropped the document (e.g. 02-filter).' },
];

const SCALAR: ReadonlySet<ColumnType> = new Set<ColumnType>(['string', 'bool', 'int32', 'int64', 'float64']);
const RESERVED = new Set(['id', 'source', 'source_file', 'source_row', 'text', 'meta', 'kept', 'drop_reason', 'drop_stage']);

/** The columns of a step worth logging: scalars only (lists and spans are large and have no histogram). */
export function loggedColumns(columns: ColumnSpec[]): ColumnSpec[] {
  return columns.filter((c) => SCALAR.has(c.type) && !RESERVED.has(c.name)).map((c) => ({ ...c, nullable: true }));
}

export function signalLogUri(runDir: string, step: string, task: number): string {
  return joinUri(runDir, 'steps', step, 'signals', `part-${pad(task)}.parquet`);
}

export function signalLogDir(runDir: string, step: string): string {
  return joinUri(runDir, 'steps', step, 'signals');
}

/**
 * Collects rows synchronously (drops are reported from inside stages) and writes them when `flush()` is awaited.
 * Rows are snapshots: later stages mutating a document do not change what was logged for it.
 */
export class SignalLog {
  private readonly writer: DocWriter;
  private readonly cols: string[];
  private pending: Doc[] = [];
  count = 0;
  constructor(storage: Storage, uri: string, stepColumns: ColumnSpec[]) {
    const logged = loggedColumns(stepColumns);
    this.cols = logged.map((c) => c.name);
    this.writer = new DocWriter(storage, {
      format: 'parquet',
      columns: [...SIGNAL_LOG_COLUMNS, ...logged],
      includeText: false,
      includeMeta: false,
      rowGroupSize: 4096,
      shardUri: () => uri,
    });
  }

  private snapshot(d: Doc, kept: boolean, reason: string | null, stage: string | null): Doc {
    const cols: Doc['cols'] = { kept, drop_reason: reason, drop_stage: stage };
    for (const c of this.cols) {
      const v = d.cols[c];
      if (v !== undefined) cols[c] = v;
    }
    return { id: d.id, source: d.source, shard: d.shard, row: d.row, text: '', meta: {}, cols };
  }

  dropped(d: Doc, reason: string, stage: string): void {
    this.pending.push(this.snapshot(d, false, reason, stage));
  }

  kept(d: Doc): void {
    this.pending.push(this.snapshot(d, true, null, null));
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    for (const r of rows) await this.writer.write(r);
    this.count += rows.length;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }

  async abort(): Promise<void> {
    this.pending = [];
    await this.writer.abort();
  }
}
