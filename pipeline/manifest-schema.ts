// The manifest schema: one zod definition serving the YAML file, validation messages and docs/manifest.md.
import { z } from 'zod';
import { s3SettingsSchema } from './drivers/s3-settings.ts';

export const sourceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "-" or "."').describe('Source name; becomes the `source` column and the key for priorities and mix weights.'),
  uri: z.union([z.string(), z.array(z.string()).min(1)]).describe('File, folder, or glob (`data/*.jsonl.gz`, `s3://bucket/prefix/**/*.parquet`); a list is allowed. Relative paths resolve from the manifest folder.'),
  format: z.enum(['auto', 'jsonl', 'jsonl.gz', 'jsonl.zst', 'parquet']).default('auto').describe('Input format; `auto` decides by file extension.'),
  text_field: z.string().default('text').describe('Field holding the document text.'),
  id_field: z.string().nullable().default('id').describe('Field holding the upstream id; when absent in a record the id is `source/shard/row`. `null` always uses `source/shard/row`.'),
  metadata: z.union([z.enum(['all', 'none']), z.array(z.string())]).default('all').describe('Upstream fields passed through into the `meta` JSON column: all other fields, none, or a list.'),
  priority: z.number().int().default(0).describe('Higher wins when cross-source deduplication resolves a cluster (Zyda-2: FineWeb-Edu > DCLM > Zyda-1 > Dolma-CC).'),
});

const sizeString = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i, 'a size like 256MB or 1GiB')]);

export const outputSchema = z.strictObject({
  uri: z.string().default('out/{name}').describe('Run directory (local path or s3://). `{name}` is replaced by the manifest name. `--output` overrides it.'),
  format: z.enum(['parquet', 'jsonl.gz']).default('parquet').describe('Format of the final shards in `<out>/data/`.'),
  shard_docs: z.number().int().positive().default(100_000).describe('Start a new output shard after this many documents.'),
  shard_tokens: z.number().int().positive().optional().describe('Start a new output shard after this many tokens (column `n_tokens`, written by the tokenize stage).'),
  shard_bytes: sizeString.default('512MB').describe('Start a new output shard once the written file reaches about this size.'),
  row_group_size: z.number().int().positive().default(10_000).describe('Rows per Parquet row group.'),
  include_text: z.boolean().default(true).describe('Write the `text` column in the final shards.'),
  include_meta: z.boolean().default(true).describe('Write the upstream metadata as the JSON column `meta`.'),
  rejected: z.boolean().default(false).describe('Also write dropped documents with their drop reason to `<out>/rejected/`.'),
});

export const executorSchema = z.strictObject({
  type: z.enum(['local', 'slurm']).default('local').describe('`local`: worker threads on this machine. `slurm`: one sbatch job array per step (see docs/slurm.md).'),
  workers: z.number().int().positive().optional().describe('Parallel tasks on this machine (local executor). Default: number of CPU cores. `--workers` overrides it. With `slurm`: at most this many tasks of one step run at once (array throttle `%N`). Does not change the output.'),
  tasks: z.union([z.literal('auto'), z.number().int().positive()]).default('auto').describe('Number of tasks (input shard groups). `auto`: one per input file, at most 10,000. Changing it needs `--force-restart`.'),
  batch_size: z.number().int().positive().default(512).describe('Documents per batch between stages.'),
  partition: z.string().optional().describe('Slurm partition.'),
  cpus_per_task: z.number().int().positive().optional().describe('Slurm CPUs per task.'),
  mem: z.string().optional().describe('Slurm memory per task, e.g. `4G`.'),
  time: z.string().optional().describe('Slurm time limit per task, e.g. `02:00:00`.'),
  max_array_size: z.number().int().positive().optional().describe('Split job arrays larger than this (default: the cluster\'s MaxArraySize).'),
  sbatch_args: z.array(z.string()).default([]).describe('Extra sbatch arguments.'),
  env: z.record(z.string(), z.string()).default({}).describe('Environment variables set for every task.'),
});

export const storageSchema = z.strictObject({
  s3: s3SettingsSchema.optional().describe('S3 settings (endpoint, region, force_path_style, ...); see docs/storage.md.'),
});

/** A stage entry: `- stage_name: {params}` (or `- stage_name` with no params). */
export const stageEntrySchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const manifestSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/).describe('Run name (used in the default output path).'),
  description: z.string().optional().describe('Free text.'),
  sources: z.array(sourceSchema).min(1).describe('Input datasets.'),
  pipeline: z.array(stageEntrySchema).default([]).describe('The stage chain, in order. Each entry is `stage_name: {params}`; `curate list` shows every stage and its parameters.'),
  output: outputSchema.prefault({}).describe('Where and how the final shards are written.'),
  executor: executorSchema.prefault({}).describe('How tasks run.'),
  on_error: z.enum(['fail', 'skip']).default('fail').describe('Unreadable input records: `fail` stops the run naming file and row; `skip` quarantines them (raw bytes + reason in `<out>/quarantine/`).'),
  storage: storageSchema.prefault({}).describe('Storage backends settings.'),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type OutputConfig = z.infer<typeof outputSchema>;
export type ExecutorConfig = z.infer<typeof executorSchema>;

export function parseSize(s: number | string): number {
  if (typeof s === 'number') return s;
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(s.trim())!;
  const mult: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  return Math.round(Number(m[1]) * (mult[m[2].toLowerCase()] ?? 1));
}
