// Thin, testable wrappers around the Slurm commands the executor uses (sbatch, squeue, scancel, scontrol),
// plus the run directory's record of submitted jobs (Slurm forgets finished jobs; `curate cancel` needs the ids).
import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import type { Storage } from '../types.ts';
import { joinUri } from '../storage.ts';
import { UserError } from '../run.ts';

/** A Slurm command failed or refused; printed as a user-facing error (what happened, what to do). */
export class SlurmError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmError';
  }
}

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Promise<Out> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: process.env }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new SlurmError(
            `\`${cmd}\` was not found on PATH. The Slurm executor must run where the Slurm client commands are installed (a login or submit node); use \`executor: {type: local}\` elsewhere.`,
          ),
        );
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) {
      child.stdin?.end(input);
    }
  });
}

/** Cluster settings the executor needs, from `scontrol show config`. */
export interface ClusterConfig {
  maxArraySize: number;
  minJobAgeS: number;
}

export function parseConfig(text: string): ClusterConfig {
  const get = (k: string): string | undefined => new RegExp(`^${k}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
  const mas = Number(get('MaxArraySize'));
  const mja = parseInt(get('MinJobAge') ?? '300', 10);
  return { maxArraySize: Number.isFinite(mas) && mas > 0 ? mas : 1001, minJobAgeS: Number.isFinite(mja) ? mja : 300 };
}

export async function clusterConfig(): Promise<ClusterConfig> {
  const r = await run('scontrol', ['show', 'config']);
  if (r.code !== 0) throw new SlurmError(`\`scontrol show config\` failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}. Is slurmctld reachable from here?`);
  return parseConfig(r.stdout);
}

/** Submits a batch script through stdin; returns the job id. */
export async function sbatch(args: string[], script: string): Promise<string> {
  const r = await run('sbatch', ['--parsable', ...args], script);
  const id = r.stdout.trim().split(';')[0];
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    throw new SlurmError(`sbatch refused the job (exit ${r.code}): ${(r.stderr || r.stdout).trim()}\n  sbatch ${args.join(' ')}`);
  }
  return id;
}

export interface QueueEntry {
  /** Array job id (the id sbatch printed). */
  jobId: string;
  /** `123_4`, `123_[5-9]` or `123`. */
  id: string;
  state: string;
  reason: string;
}

/** Jobs (of the given ids) that Slurm still knows and that have not ended. An empty list: all ended or forgotten. */
export async function queue(jobIds: string[]): Promise<QueueEntry[]> {
  if (jobIds.length === 0) return [];
  const r = await run('squeue', ['-h', '-o', '%F|%i|%T|%r', '-j', jobIds.join(',')]);
  if (r.code !== 0) {
    // A single id Slurm has forgotten is an error for squeue; several ids are not. Either way: nothing queued.
    if (/Invalid job id/i.test(r.stderr)) return [];
    throw new SlurmError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  const active = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [jobId, id, state, reason] = l.split('|');
      return { jobId, id, state, reason };
    })
    .filter((e) => active.has(e.state));
}

export async function scancel(jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const r = await run('scancel', jobIds);
  // Ids Slurm has already forgotten make scancel complain; that is not a failure.
  if (r.code !== 0 && !/Invalid job id|already completing or completed/i.test(r.stderr)) {
    throw new SlurmError(`scancel ${jobIds.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
}

// ---------------------------------------------------------------------------
// Job record in the run directory

export interface SubmittedJob {
  step: string;
  jobId: string;
  /** Task numbers, as compact ranges (`0-99,120`). */
  tasks: string;
}

export interface Submission {
  at: string;
  host: string;
  user: string;
  jobs: SubmittedJob[];
}

export interface JobRecord {
  submissions: Submission[];
}

export const jobRecordUri = (runDir: string): string => joinUri(runDir, '_run', 'slurm', 'jobs.json');

export async function readJobRecord(storage: Storage, runDir: string): Promise<JobRecord> {
  const uri = jobRecordUri(runDir);
  if (!(await storage.stat(uri))) return { submissions: [] };
  return JSON.parse(Buffer.from(await storage.read(uri)).toString('utf8')) as JobRecord;
}

export async function appendSubmission(storage: Storage, runDir: string, jobs: SubmittedJob[]): Promise<void> {
  const rec = await readJobRecord(storage, runDir);
  rec.submissions.push({ at: new Date().toISOString(), host: hostname(), user: process.env.USER ?? process.env.LOGNAME ?? userInfo().username, jobs });
  await storage.write(jobRecordUri(runDir), JSON.stringify(rec, null, 1));
}

export function allJobIds(rec: JobRecord): string[] {
  return [...new Set(rec.submissions.flatMap((s) => s.jobs.map((j) => j.jobId)))];
}

/** `[0,1,2,5,7,8]` -> `0-2,5,7-8` */
export function compactRanges(ns: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    out.push(i === j ? String(ns[i]) : `${ns[i]}-${ns[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export function expandRanges(s: string): number[] {
  if (!s) return [];
  return s.split(',').flatMap((p) => {
    const [a, b] = p.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}


/** Job ids of the run that Slurm still has queued or running (e.g. to refuse `--force-restart` while they run). */
export async function activeJobIds(storage: Storage, runDir: string): Promise<string[]> {
  const ids = allJobIds(await readJobRecord(storage, runDir));
  if (ids.length === 0) return [];
  return [...new Set((await queue(ids)).map((e) => e.jobId))];
}
