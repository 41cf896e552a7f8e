// Slurm executor: one sbatch job array per step (split when larger than the cluster's MaxArraySize), each step
// `--dependency=afterok` on the previous step's arrays with `--kill-on-invalid-dep=yes`, one log file per task,
// the environment passed through. Completion is decided by the run's own markers (`_done/<step>/<task>.json`):
// Slurm forgets finished jobs, so a rerun submits exactly the tasks without a marker. Submitted job ids are
// recorded in `<run>/_run/slurm/jobs.json` for `curate cancel`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor, RunHandle } from './types.ts';
import { TaskFailure } from './types.ts';
import { isRemote } from '../storage.ts';
import { loadPlan } from '../task.ts';
import type { ExecutorConfig } from '../manifest-schema.ts';
import { runPaths, pad } from '../rundir.ts';
import {
  SlurmError,
  appendSubmission,
  allJobIds,
  clusterConfig,
  compactRanges,
  queue,
  readJobRecord,
  sbatch,
  scancel,
  type SubmittedJob,
} from './slurm-cli.ts';

// ---------------------------------------------------------------------------
// Pure parts (unit-tested without a cluster)

export interface ArrayJobSpec {
  step: string;
  /** Task numbers run by this array job; array index i runs tasks[i]. */
  tasks: number[];
  /** 0-based part of the step (a step is split into several arrays when it exceeds the array size limit). */
  part: number;
  parts: number;
}

/** Splits each step's pending tasks into arrays of at most `maxArray` elements (indices 0..n-1 < MaxArraySize). */
export function splitArrays(steps: { step: string; tasks: number[] }[], maxArray: number): ArrayJobSpec[] {
  if (!(maxArray >= 1)) throw new Error(`array size limit must be >= 1, got ${maxArray}`);
  const out: ArrayJobSpec[] = [];
  for (const s of steps) {
    if (s.tasks.length === 0) continue;
    const parts = Math.ceil(s.tasks.length / maxArray);
    for (let p = 0; p < parts; p++) out.push({ step: s.step, tasks: s.tasks.slice(p * maxArray, (p + 1) * maxArray), part: p, parts });
  }
  return out;
}

/** Single-quotes a string for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ScriptInput {
  runDir: string;
  step: string;
  tasks: number[];
  /** The task command with `{TASK}` where the task number goes. */
  command: string[];
  /** Local (shared-filesystem) folder for this step's task logs. */
  logDir: string;
  /** When the run dir is remote: where each task's log is copied when the task ends (`{TASK}` = 5-digit task). */
  logUploadUri?: string;
  /** Command that copies a local file to a URI (`<cmd...> <local> <uri>`). */
  uploadCommand?: string[];
  env: Record<string, string>;
  cwd: string;
}

/** The batch script of one array job: maps the array index to a task, logs to one file per task. */
export function arrayScript(i: ScriptInput): string {
  const lines = [
    '#!/bin/bash',
    `# curate: step ${i.step} of run ${i.runDir}`,
    'set -u',
    `TASKS=(${i.tasks.join(' ')})`,
    'TASK=${TASKS[$SLURM_ARRAY_TASK_ID]}',
    'TASK5=$(printf %05d "$TASK")',
    `LOGDIR=${shq(i.logDir)}`,
    'mkdir -p "$LOGDIR"',
    'LOG="$LOGDIR/task-$TASK5.log"',
    'exec >>"$LOG" 2>&1',
    `echo "=== curate task $TASK of step ${i.step}: Slurm job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
    ...Object.entries(i.env).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`executor.env: "${k}" is not a valid environment variable name`);
      return `export ${k}=${shq(v)}`;
    }),
    `cd ${shq(i.cwd)} || exit 1`,
    `${i.command.map((a) => (a === '{TASK}' ? '"$TASK"' : shq(a))).join(' ')}`,
    'RC=$?',
    'echo "=== exit $RC $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
  ];
  if (i.logUploadUri && i.uploadCommand) {
    const uri = shq(i.logUploadUri).replace('{TASK}', `'"$TASK5"'`);
    lines.push(`${i.uploadCommand.map(shq).join(' ')} "$LOG" ${uri} || echo "warning: could not copy the log to the run directory"`);
  }
  // Slurm's own output file only catches what happens before the task log opens; drop it when empty.
  lines.push('SOUT="$LOGDIR/slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.out"', '[ -s "$SOUT" ] || rm -f "$SOUT"');
  lines.push('exit $RC', '');
  return lines.join('\n');
}

export interface SlurmSettings {
  partition?: string;
  cpus_per_task?: number;
  mem?: string;
  time?: string;
  max_array_size?: number;
  /** Array throttle: at most this many tasks of one array run at once (`--array=0-N%workers`). */
  workers?: number;
  sbatch_args: string[];
  env: Record<string, string>;
}

export function sbatchArgs(spec: ArrayJobSpec, s: SlurmSettings, o: { jobName: string; dependsOn: string[]; slurmOut: string; cwd: string }): string[] {
  const n = spec.tasks.length;
  const args = [
    `--job-name=${o.jobName}`,
    `--array=0-${n - 1}${s.workers ? `%${s.workers}` : ''}`,
    `--output=${o.slurmOut}`,
    '--export=ALL',
    `--chdir=${o.cwd}`,
  ];
  if (s.partition) args.push(`--partition=${s.partition}`);
  if (s.cpus_per_task) args.push(`--cpus-per-task=${s.cpus_per_task}`);
  if (s.mem) args.push(`--mem=${s.mem}`);
  if (s.time) args.push(`--time=${s.time}`);
  if (o.dependsOn.length) args.push(`--dependency=afterok:${o.dependsOn.join(':')}`, '--kill-on-invalid-dep=yes');
  args.push(...s.sbatch_args);
  return args;
}

// ---------------------------------------------------------------------------
// Paths

const uploadScript = fileURLToPath(new URL('./slurm-log-upload.ts', import.meta.url));

/** Local folder for task logs: `<run>/logs` for a local run dir; for a remote one CURATE_SLURM_LOG_DIR or ./curate-slurm-logs/<run>. */
export function localLogRoot(runDir: string, name: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (!isRemote(runDir)) return runPaths(runDir).logs;
  const tag = createHash('sha256').update(runDir).digest('hex').slice(0, 8);
  return join(env.CURATE_SLURM_LOG_DIR || join(cwd, 'curate-slurm-logs'), `${name}-${tag}`);
}

export function taskLogPath(logRoot: string, step: string, task: number): string {
  return join(logRoot, step, `task-${pad(task)}.log`);
}

function tail(path: string, n = 12): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

// ---------------------------------------------------------------------------
// The executor

function settingsFrom(cfg: ExecutorConfig): SlurmSettings {
  return {
    partition: cfg.partition,
    cpus_per_task: cfg.cpus_per_task,
    mem: cfg.mem,
    time: cfg.time,
    max_array_size: cfg.max_array_size,
    workers: cfg.workers,
    sbatch_args: cfg.sbatch_args ?? [],
    env: cfg.env ?? {},
  };
}

export interface SubmitResult {
  jobs: SubmittedJob[];
  logRoot: string;
}

/** Submits every unfinished task of the run: one array (or several, split) per step, chained by afterok. */
export async function submitRun(run: RunHandle, s: SlurmSettings): Promise<SubmitResult> {
  const { storage, runDir, plan, log } = run;
  // Jobs of an earlier submission still queued: a second submission would run the same tasks twice.
  const active = await queue(allJobIds(await readJobRecord(storage, runDir)));
  if (active.length) {
    const ids = [...new Set(active.map((e) => e.jobId))];
    throw new SlurmError(
      `${runDir} still has Slurm jobs queued or running (${ids.join(', ')}). Wait for them (\`curate status ${runDir}\`), or stop them with \`curate cancel ${runDir}\`, then run again.`,
    );
  }
  const cluster = await clusterConfig();
  const maxArray = Math.min(s.max_array_size ?? cluster.maxArraySize, cluster.maxArraySize);
  const steps: { step: string; tasks: number[] }[] = [];
  for (const st of plan.steps) {
    const pending = await run.pendingTasks(st.id);
    const total = st.kind === 'global' ? 1 : plan.tasks;
    if (pending.length < total) log.info(`step ${st.id}: ${total - pending.length} of ${total} tasks already done`);
    steps.push({ step: st.id, tasks: pending });
  }
  const specs = splitArrays(steps, maxArray);
  const logRoot = localLogRoot(runDir, plan.name);
  const cwd = process.cwd();
  const submitted: SubmittedJob[] = [];
  let prevStepJobs: string[] = [];
  let curStep = '';
  let curStepJobs: string[] = [];
  try {
    for (const spec of specs) {
      if (spec.step !== curStep) {
        if (curStepJobs.length) prevStepJobs = curStepJobs;
        curStep = spec.step;
        curStepJobs = [];
      }
      const stepLogs = join(logRoot, spec.step);
      mkdirSync(stepLogs, { recursive: true });
      const command = run.taskCommand(spec.step, 0);
      command[command.length - 1] = '{TASK}';
      const script = arrayScript({
        runDir,
        step: spec.step,
        tasks: spec.tasks,
        command,
        logDir: stepLogs,
        logUploadUri: isRemote(runDir) ? `${runPaths(runDir).logs}/${spec.step}/task-{TASK}.log` : undefined,
        uploadCommand: isRemote(runDir) ? [process.execPath, uploadScript] : undefined,
        env: s.env,
        cwd,
      });
      const args = sbatchArgs(spec, s, {
        jobName: `curate-${plan.name}-${spec.step}`,
        dependsOn: prevStepJobs,
        slurmOut: join(stepLogs, 'slurm-%A_%a.out'),
        cwd,
      });
      const jobId = await sbatch(args, script);
      writeFileSync(join(stepLogs, `submit-${jobId}.sh`), `# sbatch ${args.map(shq).join(' ')}\n${script}`);
      curStepJobs.push(jobId);
      submitted.push({ step: spec.step, jobId, tasks: compactRanges(spec.tasks) });
      log.info(
        `submitted step ${spec.step}${spec.parts > 1 ? ` part ${spec.part + 1}/${spec.parts}` : ''}: ${spec.tasks.length} task(s) as job array ${jobId}` +
          (prevStepJobs.length ? ` (after ${prevStepJobs.join(', ')})` : ''),
      );
    }
  } catch (e) {
    // Half a submission would leave later steps unsubmitted: take back what was submitted, then report.
    await scancel(submitted.map((j) => j.jobId)).catch(() => {});
    throw e;
  } finally {
    if (submitted.length) await appendSubmission(storage, runDir, submitted);
  }
  return { jobs: submitted, logRoot };
}

/** Waits until none of the jobs is queued or running, logging per-step progress from the markers. */
export async function waitForJobs(run: RunHandle, jobs: SubmittedJob[], pollMs: number): Promise<void> {
  const ids = [...new Set(jobs.map((j) => j.jobId))];
  const last = new Map<string, number>();
  const onInt = (): void => {
    console.error(
      `\ninterrupted: the Slurm jobs keep running (${ids.join(', ')}).\n` +
        `  progress: curate status ${run.runDir}\n  stop them: curate cancel ${run.runDir}\n  collect the result later: run the same \`curate run\` again.`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInt);
  try {
    for (;;) {
      const q = await queue(ids);
      for (const st of run.plan.steps) {
        const total = st.kind === 'global' ? 1 : run.plan.tasks;
        const done = total - (await run.pendingTasks(st.id)).length;
        if (last.get(st.id) !== done) {
          if (last.has(st.id) || done > 0) run.log.info(`step ${st.id}: ${done}/${total} tasks done`);
          last.set(st.id, done);
        }
      }
      if (q.length === 0) return;
      // Belt and braces: a dependent job that can never start (should have been killed by --kill-on-invalid-dep).
      const stuck = q.filter((e) => e.state === 'PENDING' && /DependencyNeverSatisfied/i.test(e.reason));
      if (stuck.length === q.length) {
        await scancel([...new Set(stuck.map((e) => e.jobId))]);
        return;
      }
      await sleep(pollMs);
    }
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}

/** After the jobs ended: every task must have its marker, else name the failed task and show its log. */
export async function checkCompletion(run: RunHandle, logRoot: string): Promise<void> {
  for (const st of run.plan.steps) {
    const pending = await run.pendingTasks(st.id);
    if (pending.length === 0) continue;
    const ran = pending.filter((t) => existsSync(taskLogPath(logRoot, st.id, t)));
    const failed = ran.length ? ran : pending;
    const first = failed[0];
    const logPath = taskLogPath(logRoot, st.id, first);
    const later = run.plan.steps.slice(run.plan.steps.indexOf(st) + 1).map((x) => x.id);
    const lines = [
      `${failed.length} task(s) of step ${st.id} did not finish (${compactRanges(failed)})` +
        (later.length ? `; the later step(s) ${later.join(', ')} did not run (Slurm cancelled them: their dependency failed)` : '') +
        '.',
      existsSync(logPath) ? `Log of task ${first}: ${logPath}\n${tail(logPath)}` : `No log for task ${first} (expected ${logPath}): the job may have been cancelled, or failed before it started; see ${join(logRoot, st.id)}/slurm-*.out.`,
    ];
    throw new TaskFailure(st.id, first, lines.join('\n'));
  }
}

export const slurmExecutor: Executor = {
  async execute(run: RunHandle): Promise<void> {
    const { lm } = await loadPlan(run.storage, run.runDir);
    const s = settingsFrom(lm.manifest.executor);
    const pending = await Promise.all(run.plan.steps.map((st) => run.pendingTasks(st.id)));
    if (pending.every((p) => p.length === 0)) {
      run.log.info('every task is done already; nothing to submit');
      return;
    }
    const { jobs, logRoot } = await submitRun(run, s);
    run.log.info(`logs: ${logRoot}/<step>/task-NNNNN.log; cancel with: curate cancel ${run.runDir}`);
    const pollMs = Math.max(100, Number(process.env.CURATE_SLURM_POLL_S ?? 5) * 1000);
    await waitForJobs(run, jobs, pollMs);
    await checkCompletion(run, logRoot);
  },
};
