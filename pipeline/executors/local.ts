// Local executor: a pool of worker threads kept for the whole run (module loading costs seconds per thread),
// one task per worker at a time, steps in order. Each task writes its own outputs and marker, so the result does
// not depend on the worker count or the order in which tasks finish.
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import type { Executor, RunHandle } from './types.ts';
import { TaskFailure } from './types.ts';

type FromWorker =
  | { type: 'progress'; docs: number; bytes: number }
  | { type: 'log'; level: 'info' | 'warn'; msg: string }
  | { type: 'done' }
  | { type: 'error'; message: string; stack?: string };

const workerUrl = new URL('./local-worker.ts', import.meta.url);

/**
 * Maximum young-generation size of a worker thread (MB). A batch of documents in flight (512 by default: read,
 * processed, encoded into the writer's column buffers) should die there instead of being promoted: what reaches the
 * old generation is only collected by a full GC, which V8 schedules once the old generation has grown to a multiple of
 * its live size, so peak RSS then grows with the length of the run. Measured (docs/reliability.md, bounded memory):
 * with a maximum of 4-16 MB the old generation filled with dead documents (+21-32% peak RSS at 10x the input); with
 * 64 or 128 MB V8 grows the young generation, under survival pressure, to sizes reached only in long runs (+17-21%).
 * 32 MB is V8's own default maximum on 64-bit Linux (a worker starts at 4 MB and reaches it within the first
 * batches); it is set explicitly so that the bound does not depend on V8's defaults.
 */
export const YOUNG_GENERATION_MB = 32;

let flagsSet = false;
/**
 * Turns off V8's allocation-site pretenuring (process-wide; node accepts no V8 flags in a Worker's execArgv, and V8
 * reads this one at every GC). When a scavenge happens while a batch is alive, nearly all objects created at a
 * per-document allocation site since the previous scavenge survive it, and V8 may decide (seen with
 * --trace-pretenuring, in about 1 run in 6 of the memory test, and in every run after a change that only moved GC
 * timing) to allocate that site's objects directly in the old generation from then on. Dead documents there keep
 * their texts alive through scavenges, so the texts are promoted too, and the old generation fills at the input rate:
 * +15-33% peak RSS at 10x the input. Streaming documents never live long, so pretenuring them is never right; the
 * cost is that long-lived objects built by global steps are copied once more before reaching the old generation.
 */
function setWorkerHeapFlags(): void {
  if (flagsSet) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
  flagsSet = true;
}

class PooledWorker {
  private readonly w: Worker;
  private current: { resolve: () => void; reject: (e: unknown) => void; step: string; task: number } | null = null;
  private dead: Error | null = null;

  constructor(run: RunHandle, seen: Set<string>) {
    // bounded young generation, no pretenuring: peak RSS stays flat as the input grows (see the two above)
    setWorkerHeapFlags();
    this.w = new Worker(workerUrl, { workerData: { workers: run.workers }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.w.on('message', (m: FromWorker) => {
      if (m.type === 'log') {
        const key = `${m.level}:${m.msg}`;
        if (!seen.has(key)) { seen.add(key); (m.level === 'warn' ? run.log.warn : run.log.info)(m.msg); }
        return;
      }
      const c = this.current;
      if (!c) return;
      if (m.type === 'progress') run.progress?.({ docs: m.docs, bytes: m.bytes });
      else if (m.type === 'done') { this.current = null; c.resolve(); }
      else { this.current = null; c.reject(new TaskFailure(c.step, c.task, m.message)); }
    });
    const fail = (e: Error): void => {
      this.dead = e;
      const c = this.current;
      this.current = null;
      c?.reject(new TaskFailure(c.step, c.task, e.message));
    };
    this.w.on('error', fail);
    this.w.on('exit', (code) => fail(new Error(`worker thread exited with code ${code}`)));
  }

  run(runDir: string, step: string, task: number): Promise<void> {
    if (this.dead) return Promise.reject(new TaskFailure(step, task, this.dead.message));
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject, step, task };
      this.w.postMessage({ runDir, step, task });
    });
  }

  async close(): Promise<void> {
    this.w.removeAllListeners('exit');
    await this.w.terminate();
  }
}

export const localExecutor: Executor = {
  async execute(run) {
    const pool: PooledWorker[] = [];
    const seenLogs = new Set<string>();
    try {
      for (const step of run.plan.steps) {
        const pending = await run.pendingTasks(step.id);
        const total = step.kind === 'global' ? 1 : run.plan.tasks;
        run.onStep?.(step.id, pending.length, total);
        if (pending.length === 0) continue;
        let next = 0;
        // after a failure no new task starts; tasks already running finish, and the failure of the lowest-numbered
        // task is reported, so the message does not depend on which worker happened to fail first
        const failures: { task: number; e: unknown }[] = [];
        const lanes = Math.min(run.workers, pending.length);
        while (pool.length < lanes) pool.push(new PooledWorker(run, seenLogs));
        const lane = async (w: PooledWorker): Promise<void> => {
          while (failures.length === 0 && next < pending.length) {
            const task = pending[next++];
            try {
              await w.run(run.runDir, step.id, task);
            } catch (e) {
              failures.push({ task, e });
            }
          }
        };
        await Promise.all(pool.slice(0, lanes).map(lane));
        if (failures.length) throw failures.reduce((a, b) => (b.task < a.task ? b : a)).e;
      }
    } finally {
      await Promise.all(pool.map((w) => w.close()));
    }
  },
};
