// The contracts every part of curate shares: documents, batches, stages, storage drivers.
// Kept dependency-free so stage families can be written and tested in isolation.
import type { z } from 'zod';

// ---------------------------------------------------------------------------
// Columns

/** Column types a stage can declare. The Parquet writer derives its schema from these, never from data. */
export type ColumnType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64' // carried as JS number (safe up to 2^53)
  | 'float64'
  | 'list<int32>'
  | 'list<uint16>'
  | 'list<uint32>'
  | 'list<float64>'
  | 'list<string>'
  /** RPv2 line/span signals: list of [start, end, score] triples; offsets are Unicode code points. */
  | 'spans';

export type Span = [start: number, end: number, score: number];

export type ColumnValue =
  | string
  | number
  | boolean
  | null
  | readonly number[]
  | Uint16Array
  | Uint32Array
  | Int32Array
  | readonly string[]
  | readonly Span[];

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  description?: string;
  nullable?: boolean; // default true
}

// ---------------------------------------------------------------------------
// Documents

/**
 * One document. `id` is stable: the upstream id when the source has one, otherwise `source/shard/row`.
 * `shard` + `row` is the provenance that makes every later removal a per-shard row set, never a join.
 */
export interface Doc {
  id: string;
  text: string;
  source: string;
  /** Input file URI (relative to the source root when the source is a folder/glob). */
  shard: string;
  /** 0-based row number inside `shard`. */
  row: number;
  /** Upstream fields passed through untouched (written as one JSON column `meta`). */
  meta: Record<string, unknown>;
  /** Values of declared columns produced by stages (signals, classifier outputs, dedup ids, tokens...). */
  cols: Record<string, ColumnValue>;
}

/** Documents travel in batches; a batch never mixes tasks, but may mix shards of the same task. */
export interface Batch {
  docs: Doc[];
}

// ---------------------------------------------------------------------------
// Stats

/** Mergeable summary (Chan et al. parallel variance), so per-task summaries combine exactly. */
export interface MetricSummary {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

export interface StageStatsData {
  stage: string;
  in: number;
  out: number;
  /** Drops by reason string (reasons are the filter's own words, e.g. datatrove's `gopher_short_doc`). */
  dropped: Record<string, number>;
  /** Documents created by the stage (e.g. mixing repeats); keeps the accounting invariant exact. */
  added: number;
  metrics: Record<string, MetricSummary>;
  /** Wall-clock milliseconds spent inside the stage's run(). */
  ms: number;
  /** Per-source document counts in and out of the stage (the report's funnel). */
  sources?: Record<string, { in: number; out: number }>;
}

/** Handed to each stage: count what you drop, with a reason, and summarise what you compute. */
export interface StageStats {
  drop(reason: string, doc?: Doc): void;
  add(n?: number): void;
  metric(name: string, value: number): void;
}

// ---------------------------------------------------------------------------
// Storage

export interface FileInfo {
  /** Absolute URI: `file:///abs/path` is written as a plain absolute path; S3 as `s3://bucket/key`. */
  uri: string;
  size: number;
  mtimeMs?: number;
  etag?: string;
}

/** A write that only becomes visible when committed (temp name + rename, or multipart complete). */
export interface AtomicWriter {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Options of a read. */
export interface ReadOptions {
  /**
   * The version the caller expects (the listing's ETag): a store that versions objects refuses the read when the
   * object is no longer that version, and the driver throws an error with `code: 'OBJECT_CHANGED'`. Ignored by
   * stores without ETags (local files).
   */
  etag?: string;
}

/** One storage backend. Implementations live in pipeline/drivers/<name>.ts. */
export interface Driver {
  readonly name: string;
  /** True when this driver handles the URI (e.g. `s3://` for S3). */
  accepts(uri: string): boolean;
  /** Every object/file under a prefix or folder, recursively, sorted by URI. */
  list(prefix: string): AsyncIterable<FileInfo>;
  stat(uri: string): Promise<FileInfo | null>;
  read(uri: string): Promise<Uint8Array>;
  /** Bytes [start, end) — explicit ranges only. */
  readRange(uri: string, start: number, end: number, opts?: ReadOptions): Promise<Uint8Array>;
  readStream(uri: string, opts?: ReadOptions): AsyncIterable<Uint8Array>;
  /** Atomic whole-object write. */
  write(uri: string, data: Uint8Array | string): Promise<void>;
  writer(uri: string): Promise<AtomicWriter>;
  delete(uri: string): Promise<void>;
  /** A local path for the URI, downloading to a cache when the object is remote (models, word lists). */
  localPath(uri: string): Promise<string>;
}

// ---------------------------------------------------------------------------
// Stages

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

export interface TaskInfo {
  step: string;
  task: number;
  tasks: number;
}

/** What a stage receives in setup() and run(). */
export interface StageContext {
  task: TaskInfo;
  /** Run directory URI (local path or s3://). */
  runDir: string;
  /** Directory (in the run dir) where this stage may write per-task side outputs, e.g. minhash band files. */
  sideDir: string;
  storage: Storage;
  stats: StageStats;
  log: Logger;
  /** Folder holding the manifest, to resolve relative paths in stage parameters. */
  baseDir: string;
}

/** Storage resolved over all registered drivers. */
export interface Storage extends Omit<Driver, 'name' | 'accepts'> {
  driverFor(uri: string): Driver;
  /** Resolves a path relative to a base (local folder or s3:// prefix). */
  resolve(base: string, path: string): string;
}

/** A map stage: transforms a stream of batches, one task at a time. */
export interface Stage {
  readonly name: string;
  setup?(ctx: StageContext): Promise<void>;
  run(batches: AsyncIterable<Batch>, ctx: StageContext): AsyncIterable<Batch>;
  teardown?(): Promise<void>;
  /** Key-value metadata for the output files, known after setup() (e.g. tokenizer name and hash). */
  fileMetadata?(): Record<string, string>;
}

export type StageFamily = 'io' | 'signals' | 'filters' | 'transform' | 'dedup' | 'classify' | 'tokenize' | 'mix';

/** Everything a global step sees: all tasks' side outputs of the previous map step. */
export interface GlobalContext {
  runDir: string;
  /** Side-output directory of the map stage this global step consumes (e.g. `.../steps/01-map/minhash`). */
  inputDir: string;
  /** Where this global step writes its results (read later by the `apply` stage). */
  outputDir: string;
  storage: Storage;
  log: Logger;
  tasks: number;
  workers: number;
  /** Priority and rank of each source, from the manifest. */
  sources: { name: string; priority: number }[];
  /** Record a summary the report shows (e.g. cluster counts). */
  summary(data: Record<string, unknown>): void;
}

/**
 * A registered stage: how the manifest names it, its parameters (zod schema, also used for docs and validation),
 * the columns it reads and writes, and how to build it.
 */
export interface StageDefinition<P = Record<string, unknown>> {
  name: string;
  family: StageFamily;
  description: string;
  params: z.ZodType<P>;
  /** Columns the stage needs on incoming documents (checked against earlier stages before the run). */
  reads(params: P): string[];
  /** Columns the stage adds (fix the output Parquet schema). `env.baseDir` is the manifest's folder. */
  writes(params: P, env?: { baseDir: string }): ColumnSpec[];
  create(params: P): Stage;
  /**
   * Stages that need every task's output first (dedup clustering, mix planning) declare a global part:
   * the planner ends the map step after this stage, runs `global` once, then starts the next map step with
   * `apply` (e.g. drop the removed rows) before the rest of the chain.
   */
  global?: {
    run(params: P, ctx: GlobalContext): Promise<void>;
    apply(params: P, globalOutputDir: string): Stage;
    /** Columns `apply` adds. */
    writes?(params: P): ColumnSpec[];
  };
}

/** Shorthand for a definition whose params are inferred from a zod schema. */
export function defineStage<S extends z.ZodType>(def: StageDefinition<z.infer<S>> & { params: S }): StageDefinition<z.infer<S>> {
  return def;
}
