// Runs one task of one step: read the task's shards, stream them through the step's stages, write the output
// atomically, then write the completion marker with the task's stats. Runs the same in a local worker thread and
// in a Slurm array task.
import { createGzip } from 'node:zlib';
import type { Batch, Doc, GlobalContext, Logger, Stage, StageContext, StageStatsData, Storage } from './types.ts';
import type { GlobalStep, MapStep, Plan } from './plan.ts';
import { loadManifest, type LoadedManifest, type ResolvedStage } from './manifest.ts';
import type { SourceConfig } from './manifest-schema.ts';
import { parseSize } from './manifest-schema.ts';
import { StatsRecorder } from './stats.ts';
import { readRecords, InputError, CHANGED_INPUT_HINT } from './formats/readers.ts';
import { recordToDoc, type InputFile } from './sources.ts';
import { DocWriter, type WrittenShard } from './formats/doc-writer.ts';
import { runPaths, pad } from './rundir.ts';
import { isRemote } from './storage.ts';
import { SignalLog, signalLogUri } from './report/signal-log.ts';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface TaskMarker {
  step: string;
  task: number;
  /** Input records read (source steps) or documents read from the previous step. */
  read: number;
  /** Records that could not become documents (on_error: skip). */
  quarantined: number;
  /** Files, or file tails, that could not be read at all (on_error: skip). */
  quarantinedFiles?: number;
  quarantineReasons: Record<string, number>;
  /** Documents that entered the first stage. */
  docsIn: number;
  written: number;
  stages: StageStatsData[];
  shards: WrittenShard[];
  inputBytes: number;
  ms: number;
  summary?: Record<string, unknown>;
  /** Key-value metadata the step's stages gave its files, inherited by later steps (tokenizer name and hash...). */
  fileMetadata?: Record<string, string>;
}

export interface Progress {
  docs: number;
  bytes: number;
}

export interface TaskEnv {
  storage: Storage;
  log: Logger;
  /** Called now and then with documents and input bytes read since the last call. */
  progress?: (p: Progress) => void;
}

export async function loadPlan(storage: Storage, runDir: string): Promise<{ plan: Plan; lm: LoadedManifest }> {
  const p = runPaths(runDir);
  const plan = JSON.parse(Buffer.from(await storage.read(p.plan)).toString('utf8')) as Plan;
  const text = Buffer.from(await storage.read(p.manifestLock)).toString('utf8');
  const lm = loadManifest(plan.manifestFile, text);
  lm.baseDir = plan.baseDir;
  return { plan, lm };
}

class QuarantineSink {
  private gz: ReturnType<typeof createGzip> | null = null;
  private done: Promise<void> | null = null;
  private out: Awaited<ReturnType<Storage['writer']>> | null = null;
  count = 0;
  files = 0;
  reasons: Record<string, number> = {};
  private readonly storage: Storage;
  private readonly uri: string;
  constructor(storage: Storage, uri: string) {
    this.storage = storage;
    this.uri = uri;
  }
  async add(file: string, row: number, reason: string, raw: Uint8Array | null): Promise<void> {
    if (!this.gz) {
      this.out = await this.storage.writer(this.uri);
      const gz = createGzip();
      const out = this.out;
      this.gz = gz;
      this.done = (async () => { for await (const c of gz) await out.write(c as Buffer); })();
    }
    this.count++;
    const key = reason.replace(/\s*\(.*$/, '');
    this.reasons[key] = (this.reasons[key] ?? 0) + 1;
    const rawText = raw ? Buffer.from(raw).toString('base64') : null;
    this.gz.write(JSON.stringify({ file, row, reason, raw_base64: rawText }) + '\n');
  }
  /** A whole file (or its tail from `row` on) that could not be read. */
  addFile(file: string, row: number | null, reason: string): Promise<void> {
    this.files++;
    this.count--; // add() counts records; this entry is not one
    return this.add(file, row ?? -1, reason, null);
  }
  async close(): Promise<void> {
    if (!this.gz) return;
    this.gz.end();
    await this.done;
    await this.out!.commit();
  }
}

/** Documents of the task's input files, in batches, with bad records quarantined or failing the task. */
async function* sourceDocs(plan: Plan, lm: LoadedManifest, env: TaskEnv, task: number, q: QuarantineSink, counters: { read: number; bytes: number }): AsyncIterable<Batch> {
  const batchSize = lm.manifest.executor.batch_size;
  const skip = lm.manifest.on_error === 'skip';
  const sources = new Map<string, SourceConfig>(lm.manifest.sources.map((s) => [s.name, s]));
  let batch: Doc[] = [];
  for (const fi of plan.taskFiles[task]) {
    const file: InputFile = plan.inputs[fi];
    const src = sources.get(file.source)!;
    try {
      // an input replaced after the listing (same name, other bytes) must not be read as if it were the listed one
      const st = await env.storage.stat(file.uri);
      if (st && (st.size !== file.size || (file.etag && st.etag && st.etag !== file.etag))) {
        throw new InputError(file.uri, null, `the file changed after it was listed (listed: ${file.size} bytes${file.etag ? `, ETag ${file.etag}` : ''}; now: ${st.size} bytes${st.etag ? `, ETag ${st.etag}` : ''}). ${CHANGED_INPUT_HINT}`);
      }
      // and every read is pinned to the listed version (S3 If-Match), so a replacement during the read fails too
      for await (const items of readRecords(env.storage, file.uri, file.format, { etag: file.etag })) {
        let bytes = 0;
        for (const it of items) {
          counters.read++;
          if ('error' in it) {
            if (!skip) throw new InputError(file.uri, it.row, `${it.error}. Fix the file, or set \`on_error: skip\` to quarantine bad records.`);
            await q.add(file.uri, it.row, it.error, it.raw);
            continue;
          }
          bytes += it.bytes;
          const r = recordToDoc(it.rec, it.row, file, src);
          if ('error' in r) {
            if (!skip) throw new InputError(file.uri, it.row, `${r.error}. Fix the data or the source settings, or set \`on_error: skip\`.`);
            await q.add(file.uri, it.row, r.error, Buffer.from(JSON.stringify(it.rec)));
            continue;
          }
          batch.push(r.doc);
          if (batch.length >= batchSize) { yield { docs: batch }; batch = []; }
        }
        counters.bytes += bytes;
        env.progress?.({ docs: items.length, bytes });
      }
    } catch (e) {
      // an unreadable file or file tail (truncated, corrupt, vanished) under on_error: skip is one quarantine
      // entry: the records it held cannot be counted, so they are reported as files, not records
      if (!(e instanceof InputError) || !skip) throw e;
      env.log.warn(`${e.message} — quarantined (on_error: skip)`);
      await q.addFile(file.uri, e.row, e.message);
    }
  }
  if (batch.length) yield { docs: batch };
}

/** Documents written by the previous map step for this task. */
async function* stepDocs(runDir: string, step: string, env: TaskEnv, task: number, batchSize: number, counters: { read: number; bytes: number }): AsyncIterable<Batch> {
  const uri = runPaths(runDir).stepData(step, task);
  let batch: Doc[] = [];
  for await (const items of readRecords(env.storage, uri, 'parquet')) {
    let bytes = 0;
    for (const it of items) {
      if ('error' in it) throw new InputError(uri, it.row, it.error);
      const { id, source, source_file, source_row, text, meta, ...cols } = it.rec;
      counters.read++;
      bytes += it.bytes;
      batch.push({
        id: id as string, source: source as string, shard: source_file as string, row: Number(source_row),
        text: (text as string | null) ?? '', meta: meta ? (JSON.parse(meta as string) as Record<string, unknown>) : {},
        cols: cols as Doc['cols'],
      });
      if (batch.length >= batchSize) { yield { docs: batch }; batch = []; }
    }
    counters.bytes += bytes;
    env.progress?.({ docs: items.length, bytes });
  }
  if (batch.length) yield { docs: batch };
}

/** Counts documents in and out of a stage, per source, and the time spent inside it. */
function instrument(stage: Stage, rec: StatsRecorder, input: AsyncIterable<Batch>, ctx: StageContext): AsyncIterable<Batch> {
  const data = rec.data;
  data.sources = {};
  const bySrc = data.sources;
  let upstreamMs = 0;
  async function* counted(): AsyncIterable<Batch> {
    const it = input[Symbol.asyncIterator]();
    for (;;) {
      const t = performance.now();
      const r = await it.next();
      upstreamMs += performance.now() - t;
      if (r.done) return;
      data.in += r.value.docs.length;
      for (const d of r.value.docs) (bySrc[d.source] ??= { in: 0, out: 0 }).in++;
      yield r.value;
    }
  }
  const out = stage.run(counted(), ctx);
  return (async function* () {
    const it = out[Symbol.asyncIterator]();
    for (;;) {
      const t = performance.now();
      const before = upstreamMs;
      const r = await it.next();
      data.ms += performance.now() - t - (upstreamMs - before);
      if (r.done) return;
      data.out += r.value.docs.length;
      for (const d of r.value.docs) (bySrc[d.source] ??= { in: 0, out: 0 }).out++;
      yield r.value;
    }
  })();
}

function stageFor(lm: LoadedManifest, ref: string, runDir: string, plan: Plan): { stage: Stage; id: string; rs: ResolvedStage } {
  const apply = ref.startsWith('apply:');
  const id = apply ? ref.slice(6) : ref;
  const rs = lm.stages.find((s) => s.id === id);
  if (!rs) throw new Error(`the run plan names stage ${id}, which the manifest lock does not have; rerun with --force-restart`);
  if (!apply) return { stage: rs.def.create(rs.params), id, rs };
  const g = plan.steps.find((s): s is GlobalStep => s.kind === 'global' && s.stage === id)!;
  return { stage: rs.def.global!.apply(rs.params, runPaths(runDir).globalOut(g.id)), id: ref.replace(':', '-'), rs };
}

/** Removes hidden temp files a killed attempt of this task left behind (local runs; S3 never shows them). */
async function cleanStaleTemps(runDir: string, step: MapStep, task: number): Promise<void> {
  if (isRemote(runDir)) return;
  const paths = runPaths(runDir);
  const targets = [step.final ? paths.data(task, 0, 'x') : paths.stepData(step.id, task), paths.quarantine(step.id, task), paths.rejected(step.id, task), signalLogUri(runDir, step.id, task)];
  for (const t of targets) {
    const dir = dirname(t);
    const stem = step.final && t === targets[0] ? `part-${pad(task)}-` : basename(t);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.startsWith(`.tmp-${stem}`)) await rm(join(dir, n), { force: true });
  }
}

export async function runMapTask(runDir: string, plan: Plan, lm: LoadedManifest, step: MapStep, task: number, env: TaskEnv): Promise<TaskMarker> {
  const t0 = performance.now();
  const paths = runPaths(runDir);
  await cleanStaleTemps(runDir, step, task);
  const q = new QuarantineSink(env.storage, paths.quarantine(step.id, task));
  const counters = { read: 0, bytes: 0 };
  const batchSize = lm.manifest.executor.batch_size;
  let stream: AsyncIterable<Batch> = step.input === 'sources'
    ? sourceDocs(plan, lm, env, task, q, counters)
    : stepDocs(runDir, step.input, env, task, batchSize, counters);

  // count the documents entering the first stage
  let docsIn = 0;
  stream = (async function* (src) { for await (const b of src) { docsIn += b.docs.length; yield b; } })(stream);

  const out = lm.manifest.output;
  const rejected = out.rejected ? new DocWriter(env.storage, { format: 'jsonl.gz', columns: [{ name: 'drop_reason', type: 'string' }, { name: 'drop_stage', type: 'string' }], includeText: true, shardUri: () => paths.rejected(step.id, task) }) : null;
  const pendingRejects: Doc[] = [];
  // every document in or out of the step, with its scalar columns (the report's pre-filter histograms, `explain`)
  const slog = new SignalLog(env.storage, signalLogUri(runDir, step.id, task), step.columns);

  const recorders: StatsRecorder[] = [];
  const built: Stage[] = [];
  try {
    for (const ref of step.stages) {
      const { stage, id } = stageFor(lm, ref, runDir, plan);
      const rec = new StatsRecorder(id);
      rec.onDrop = (reason, d) => {
        if (!d) return;
        slog.dropped(d, reason, id);
        if (rejected) { d.cols.drop_reason = reason; d.cols.drop_stage = id; pendingRejects.push(d); }
      };
      const ctx: StageContext = {
        task: { step: step.id, task, tasks: plan.tasks },
        runDir,
        sideDir: paths.side(step.id, id),
        storage: env.storage,
        stats: rec,
        log: env.log,
        baseDir: plan.baseDir,
      };
      await stage.setup?.(ctx);
      built.push(stage);
      recorders.push(rec);
      stream = instrument(stage, rec, stream, ctx);
    }

    // metadata from this step's stages, on top of what earlier steps' stages declared for this task
    const inherited = step.input === 'sources' ? {} : ((JSON.parse(Buffer.from(await env.storage.read(paths.marker(step.input, task))).toString()) as TaskMarker).fileMetadata ?? {});
    const fileMetadata: Record<string, string> = Object.assign({ 'curate.version': plan.curateVersion, 'curate.manifest_sha256': plan.manifestHash }, inherited, ...built.map((s) => s.fileMetadata?.() ?? {}));
    const fmt = step.final ? out.format : 'parquet';
    const ext = fmt === 'parquet' ? 'parquet' : 'jsonl.gz';
    const writer = new DocWriter(env.storage, {
      format: fmt,
      columns: step.columns,
      includeText: step.final ? out.include_text : true,
      includeMeta: step.final ? out.include_meta : true,
      rowGroupSize: out.row_group_size,
      shardDocs: step.final ? out.shard_docs : undefined,
      shardBytes: step.final ? parseSize(out.shard_bytes) : undefined,
      shardTokens: step.final ? out.shard_tokens : undefined,
      metadata: { ...fileMetadata, 'curate.step': step.id },
      shardUri: step.final ? (k) => paths.data(task, k, ext) : () => paths.stepData(step.id, task),
    });
    let written = 0;
    try {
      for await (const b of stream) {
        for (const d of b.docs) { await writer.write(d); slog.kept(d); }
        written += b.docs.length;
        await slog.flush();
        if (rejected && pendingRejects.length) for (const d of pendingRejects.splice(0)) await rejected.write(d);
      }
      if (rejected) { for (const d of pendingRejects.splice(0)) await rejected.write(d); await rejected.close(); }
      await slog.close();
    } catch (e) {
      await writer.abort();
      await rejected?.abort();
      await slog.abort();
      throw e;
    }
    const shards = await writer.close();
    await q.close();
    for (const s of built) await s.teardown?.();
    const marker: TaskMarker = {
      step: step.id, task, read: counters.read, quarantined: q.count, quarantinedFiles: q.files, quarantineReasons: q.reasons, docsIn, written,
      stages: recorders.map((r) => r.data), shards, inputBytes: counters.bytes, ms: Math.round(performance.now() - t0), fileMetadata,
    };
    return marker;
  } catch (e) {
    for (const s of built) await s.teardown?.().catch(() => {});
    throw e;
  }
}

export async function runGlobalTask(runDir: string, plan: Plan, lm: LoadedManifest, step: GlobalStep, env: TaskEnv, workers: number): Promise<TaskMarker> {
  const t0 = performance.now();
  const rs = lm.stages.find((s) => s.id === step.stage)!;
  const paths = runPaths(runDir);
  const summary: Record<string, unknown> = {};
  const ctx: GlobalContext = {
    runDir,
    inputDir: paths.side(step.after, step.stage),
    outputDir: paths.globalOut(step.id),
    storage: env.storage,
    log: env.log,
    tasks: plan.tasks,
    workers,
    sources: lm.manifest.sources.map((s) => ({ name: s.name, priority: s.priority })),
    summary: (d) => Object.assign(summary, d),
  };
  await rs.def.global!.run(rs.params, ctx);
  return { step: step.id, task: 0, read: 0, quarantined: 0, quarantineReasons: {}, docsIn: 0, written: 0, stages: [], shards: [], inputBytes: 0, ms: Math.round(performance.now() - t0), summary };
}

/** Runs one task and publishes its completion marker (the marker is what makes the task count as done). */
export async function runTask(runDir: string, stepId: string, task: number, env: TaskEnv, workers = 1): Promise<TaskMarker> {
  const { plan, lm } = await loadPlan(env.storage, runDir);
  const step = plan.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`step ${stepId} is not in the plan of ${runDir}`);
  const marker = step.kind === 'map'
    ? await runMapTask(runDir, plan, lm, step, task, env)
    : await runGlobalTask(runDir, plan, lm, step, env, workers);
  await env.storage.write(runPaths(runDir).marker(stepId, task), JSON.stringify(marker, null, 1));
  return marker;
}
