// `curate run`: plan, check the lock (resume or refuse), execute, then reconcile and summarise the stats.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Logger, StageStatsData, Storage } from './types.ts';
import { loadManifest, type LoadedManifest } from './manifest.ts';
import { listSource, type InputFile } from './sources.ts';
import { planRun, type Plan } from './plan.ts';
import { runPaths } from './rundir.ts';
import { openStorage } from './storage-settings.ts';
import { localExecutor } from './executors/local.ts';
import type { Executor, RunHandle } from './executors/types.ts';
import type { TaskMarker } from './task.ts';
import { mergeStageStats, totalDropped } from './stats.ts';
import { ProgressDisplay } from './progress.ts';
import { VERSION } from './version.ts';

export interface RunOptions {
  output?: string;
  workers?: number;
  forceRestart?: boolean;
  log: Logger;
  /** Show a progress bar (TTY) or periodic log lines. */
  progress?: boolean;
}

export class UserError extends Error {}

export function resolveRunDir(lm: LoadedManifest, storage: Storage, override?: string): string {
  const uri = (override ?? lm.manifest.output.uri).replaceAll('{name}', lm.manifest.name);
  return override ? storage.resolve(process.cwd(), uri) : storage.resolve(lm.baseDir, uri);
}

export async function listInputs(lm: LoadedManifest, storage: Storage): Promise<InputFile[]> {
  const all: InputFile[] = [];
  for (const s of lm.manifest.sources) all.push(...(await listSource(storage, s, lm.baseDir)));
  return all;
}

async function readJson<T>(storage: Storage, uri: string): Promise<T | null> {
  const st = await storage.stat(uri);
  if (!st) return null;
  return JSON.parse(Buffer.from(await storage.read(uri)).toString('utf8')) as T;
}

/** Refuses to mix a changed manifest, input listing or task count into an existing run. */
function compareLock(old: Plan, plan: Plan, runDir: string): void {
  const diffs: string[] = [];
  if (old.manifestHash !== plan.manifestHash) diffs.push('the manifest changed (stages, parameters, sources or output settings)');
  if (old.inputsHash !== plan.inputsHash) diffs.push(`the input files changed (${old.inputs.length} → ${plan.inputs.length} files, or sizes differ)`);
  if (old.tasks !== plan.tasks) diffs.push(`the task count changed (${old.tasks} → ${plan.tasks})`);
  if (diffs.length) {
    throw new UserError(`${runDir} holds a run that does not match this manifest: ${diffs.join('; ')}.\n` +
      `Resuming would mix two different runs. Either restore the manifest/inputs, write to another --output, or start over with --force-restart (deletes that run's outputs).`);
  }
}

export interface RunSummary {
  runDir: string;
  plan: Plan;
  stats: RunStats;
}

export interface StepStats {
  id: string;
  kind: 'map' | 'global';
  tasks: number;
  read: number;
  quarantined: number;
  quarantinedFiles: number;
  quarantineReasons: Record<string, number>;
  docsIn: number;
  written: number;
  inputBytes: number;
  ms: number;
  stages: StageStatsData[];
  summary?: Record<string, unknown>;
}

export interface RunStats {
  name: string;
  curateVersion: string;
  manifestHash: string;
  inputs: { files: number; bytes: number };
  steps: StepStats[];
  accounting: { recordsRead: number; quarantined: number; unreadableFiles: number; docsIn: number; added: number; dropped: number; droppedByReason: Record<string, number>; written: number; balanced: boolean };
  output: { shards: number; docs: number; bytes: number; tokens: number };
  /** Requested vs achieved token shares, when the run mixes sources. */
  mix?: Record<string, { requestedShare: number; achievedShare: number; targetTokens: number; achievedTokens: number }>;
  finishedAt: string;
}

function mixReport(steps: StepStats[]): RunStats['mix'] {
  const g = steps.find((s) => s.kind === 'global' && s.summary && 'mix' in s.summary);
  if (!g) return undefined;
  const plan = g.summary!.mix as { sources: Record<string, { requestedShare: number; targetTokens: number }> };
  const achieved: Record<string, number> = {};
  for (const s of steps) for (const st of s.stages) for (const [k, m] of Object.entries(st.metrics)) {
    if (k.startsWith('mix_tokens:')) achieved[k.slice(11)] = (achieved[k.slice(11)] ?? 0) + m.n * m.mean;
  }
  const total = Object.keys(plan.sources).reduce((a, s) => a + (achieved[s] ?? 0), 0);
  return Object.fromEntries(Object.entries(plan.sources).map(([s, v]) => [s, {
    requestedShare: v.requestedShare, achievedShare: total > 0 ? (achieved[s] ?? 0) / total : 0, targetTokens: Math.round(v.targetTokens), achievedTokens: Math.round(achieved[s] ?? 0),
  }]));
}

export async function aggregate(storage: Storage, runDir: string, plan: Plan): Promise<RunStats> {
  const paths = runPaths(runDir);
  const steps: StepStats[] = [];
  const shards: TaskMarker['shards'] = [];
  for (const step of plan.steps) {
    const n = step.kind === 'global' ? 1 : plan.tasks;
    const st: StepStats = { id: step.id, kind: step.kind, tasks: n, read: 0, quarantined: 0, quarantinedFiles: 0, quarantineReasons: {}, docsIn: 0, written: 0, inputBytes: 0, ms: 0, stages: [] };
    for (let t = 0; t < n; t++) {
      const m = await readJson<TaskMarker>(storage, paths.marker(step.id, t));
      if (!m) throw new Error(`task ${t} of step ${step.id} has no completion marker`);
      st.read += m.read; st.quarantined += m.quarantined; st.quarantinedFiles += m.quarantinedFiles ?? 0; st.docsIn += m.docsIn; st.written += m.written;
      st.inputBytes += m.inputBytes; st.ms += m.ms;
      for (const [k, v] of Object.entries(m.quarantineReasons)) st.quarantineReasons[k] = (st.quarantineReasons[k] ?? 0) + v;
      m.stages.forEach((s, i) => { st.stages[i] = st.stages[i] ? mergeStageStats(st.stages[i], s) : s; });
      if (m.summary) st.summary = m.summary;
      if (step.kind === 'map' && step.final) shards.push(...m.shards);
    }
    steps.push(st);
  }
  const mapSteps = steps.filter((s) => s.kind === 'map');
  const first = mapSteps[0];
  const last = mapSteps[mapSteps.length - 1];
  const droppedByReason: Record<string, number> = {};
  let added = 0;
  let balanced = true;
  for (const s of mapSteps) {
    let stepDropped = 0, stepAdded = 0;
    for (const sg of s.stages) {
      for (const [k, v] of Object.entries(sg.dropped)) droppedByReason[k] = (droppedByReason[k] ?? 0) + v;
      stepDropped += totalDropped(sg);
      stepAdded += sg.added;
    }
    added += stepAdded;
    // each step on its own: what came in = what went out + dropped - created
    if (s.docsIn + stepAdded !== s.written + stepDropped) balanced = false;
  }
  const dropped = Object.values(droppedByReason).reduce((a, b) => a + b, 0);
  const quarantined = first.quarantined;
  if (first.read !== first.docsIn + quarantined) balanced = false;
  if (first.docsIn + added !== last.written + dropped) balanced = false;
  shards.sort((a, b) => (a.uri < b.uri ? -1 : 1));
  return {
    name: plan.name,
    curateVersion: plan.curateVersion,
    manifestHash: plan.manifestHash,
    inputs: { files: plan.inputs.length, bytes: plan.inputs.reduce((a, f) => a + f.size, 0) },
    steps,
    accounting: { recordsRead: first.read, quarantined, unreadableFiles: first.quarantinedFiles, docsIn: first.docsIn, added, dropped, droppedByReason, written: last.written, balanced },
    mix: mixReport(steps),
    output: { shards: shards.length, docs: shards.reduce((a, s) => a + s.docs, 0), bytes: shards.reduce((a, s) => a + s.bytes, 0), tokens: shards.reduce((a, s) => a + s.tokens, 0) },
    finishedAt: new Date().toISOString(),
  };
}

// loaded only when asked for, so local runs never touch Slurm code
const SLURM_MODULE = './executors/slurm.ts';
const SLURM_CLI_MODULE = './executors/slurm-cli.ts';
const binPath = fileURLToPath(new URL('../bin/curate.js', import.meta.url));

export async function prepareRun(manifestFile: string, opts: { output?: string; forceRestart?: boolean; log: Logger }): Promise<{ lm: LoadedManifest; storage: Storage; runDir: string; plan: Plan; resumed: boolean }> {
  const lm = loadManifest(manifestFile);
  const storage = await openStorage(undefined, lm.manifest.storage);
  const runDir = resolveRunDir(lm, storage, opts.output);
  const inputs = await listInputs(lm, storage);
  const plan = planRun(lm, inputs, VERSION);
  const paths = runPaths(runDir);
  const old = await readJson<Plan>(storage, paths.plan);
  let resumed = false;
  if (old && opts.forceRestart) {
    // jobs of an earlier Slurm submission would keep writing into the new run: refuse while any is queued/running
    const { activeJobIds } = (await import(SLURM_CLI_MODULE)) as { activeJobIds(s: Storage, r: string): Promise<string[]> };
    const active = await activeJobIds(storage, runDir).catch(() => [] as string[]);
    if (active.length) throw new UserError(`${runDir} still has Slurm jobs queued or running (${active.join(', ')}); cancel them first with \`curate cancel ${runDir}\`, then use --force-restart.`);
    opts.log.info(`--force-restart: deleting the previous run in ${runDir}`);
    for (const d of ['_done', 'steps', 'data', 'report', 'quarantine', 'rejected', '_run', 'manifest.lock.yaml']) await storage.delete(`${runDir.replace(/\/+$/, '')}/${d}`);
  } else if (old) {
    compareLock(old, plan, runDir);
    resumed = true;
  }
  if (!resumed) {
    await storage.write(paths.manifestLock, `# curate ${VERSION} — manifest as run; sha256 ${plan.manifestHash}\n# inputs: ${inputs.length} files, listing sha256 ${plan.inputsHash}\n${lm.text}`);
    await storage.write(paths.plan, JSON.stringify(plan, null, 1));
  }
  return { lm, storage, runDir, plan, resumed };
}

export async function pendingTasks(storage: Storage, runDir: string, plan: Plan, stepId: string): Promise<number[]> {
  const step = plan.steps.find((s) => s.id === stepId)!;
  const n = step.kind === 'global' ? 1 : plan.tasks;
  const done = new Set<string>();
  for await (const f of storage.list(runPaths(runDir).markerDir(stepId))) done.add(f.uri.split('/').pop()!);
  const out: number[] = [];
  for (let t = 0; t < n; t++) if (!done.has(`${String(t).padStart(5, '0')}.json`)) out.push(t);
  return out;
}

export function makeHandle(storage: Storage, runDir: string, plan: Plan, log: Logger, workers: number): RunHandle {
  return {
    runDir, plan, storage, log, workers,
    pendingTasks: (stepId) => pendingTasks(storage, runDir, plan, stepId),
    taskCommand: (stepId, task) => [process.execPath, binPath, '_task', runDir, stepId, String(task)],
  };
}

export async function run(manifestFile: string, opts: RunOptions): Promise<RunSummary> {
  const { lm, storage, runDir, plan, resumed } = await prepareRun(manifestFile, opts);
  const workers = opts.workers ?? lm.manifest.executor.workers ?? availableParallelism();
  const log = opts.log;
  log.info(`${resumed ? 'resuming' : 'starting'} run "${plan.name}" → ${runDir}`);
  log.info(`${plan.inputs.length} input files, ${plan.tasks} tasks, ${plan.steps.length} steps, ${workers} workers`);
  const handle = makeHandle(storage, runDir, plan, log, workers);
  const totalBytes = plan.inputs.reduce((a, f) => a + f.size, 0);
  const display = new ProgressDisplay(opts.progress !== false, log);
  handle.onStep = (id, pending, total) => {
    display.step(id, pending, total, plan.steps.find((s) => s.id === id)!.kind === 'map' && plan.steps.find((s) => s.id === id)!.id === plan.steps[0].id ? totalBytes : 0);
    if (pending < total) log.info(`step ${id}: ${total - pending} of ${total} tasks already done, running ${pending}`);
  };
  handle.progress = (p) => display.update(p.docs, p.bytes);
  const executor: Executor = lm.manifest.executor.type === 'slurm'
    ? ((await import(SLURM_MODULE)) as { slurmExecutor: Executor }).slurmExecutor
    : localExecutor;
  try {
    await executor.execute(handle);
  } finally {
    display.stop();
  }
  const stats = await aggregate(storage, runDir, plan);
  const paths = runPaths(runDir);
  await storage.write(paths.stats, JSON.stringify(stats, null, 1));
  const shards = (await Promise.all(Array.from({ length: plan.tasks }, (_, t) => readJson<TaskMarker>(storage, paths.marker(plan.steps[plan.steps.length - 1].id, t))))).flatMap((m) => m!.shards);
  await storage.write(paths.index, JSON.stringify({ shards: shards.map((s) => ({ file: s.uri.split('/').pop(), docs: s.docs, tokens: s.tokens, bytes: s.bytes })), docs: stats.output.docs, tokens: stats.output.tokens }, null, 1));
  if (!stats.accounting.balanced) {
    throw new Error(`accounting does not reconcile: ${JSON.stringify(stats.accounting)} — this is a bug in curate; the stats are in ${paths.stats}`);
  }
  return { runDir, plan, stats };
}
