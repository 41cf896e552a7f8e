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
 * Young-generation size of a worker thread (MB), fixed from the thread's start. A batch of documents in flight (512
 * by default: read, processed, encoded into the writer's column buffers) should die there instead of being promoted:
 * what reaches the old generation is only collected by a full GC, which V8 schedules once the old generation has
 * grown to a multiple of its live size, so peak RSS then grows with the length of the run. Measured (docs/reliability.md,
 * bounded memory):
 * - a maximum of 4-16 MB: the old generation fills with dead documents (+21-32% peak RSS at 10x the input);
 * - a maximum of 64 or 128 MB: V8 grows the young generation under survival pressure, to sizes reached only in long
 *   runs (+17-21%);
 * - 32 MB (V8's own default maximum on 64-bit Linux) without a minimum: V8 starts the young generation at 4 MB and
 *   grows it; while it is small, most objects of a batch survive each scavenge, and in about 1 run in 6 V8 then
 *   decided to allocate per-document objects directly in the old generation (allocation-site pretenuring, seen with
 *   --trace-pretenuring). Dead documents in the old generation keep their texts alive through scavenges, so the
 *   texts were promoted too: +15-33% peak RSS in those runs. Starting at the full size avoids that window.
 */
export const YOUNG_GENERATION_MB = 32;

let youngSized = false;
/**
 * V8 reads --min-semi-space-size when it creates an isolate, and node accepts no V8 flags in a Worker's execArgv, so
 * the flag is set (once, process-wide) before the first worker thread is created. The main thread's heap is already
 * configured and keeps its sizes. The young generation of a worker is two semi-spaces.
 */
function fixWorkerYoungGeneration(): void {
  if (youngSized) return;
  setFlagsFromString(`--min-semi-space-size=${YOUNG_GENERATION_MB / 2}`);
  youngSized = true;
}

class PooledWorker {
  private readonly w: Worker;
  private current: { resolve: () => void; reject: (e: unknown) => void; step: string; task: number } | null = null;
  private dead: Error | null = null;

  constructor(run: RunHandle, seen: Set<string>) {
    // a young generation of fixed size keeps peak RSS flat as the input grows: see YOUNG_GENERATION_MB
    fixWorkerYoungGeneration();
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
        let failure: unknown = null;
        const lanes = Math.min(run.workers, pending.length);
        while (pool.length < lanes) pool.push(new PooledWorker(run, seenLogs));
        const lane = async (w: PooledWorker): Promise<void> => {
          while (failure === null && next < pending.length) {
            const task = pending[next++];
            try {
              await w.run(run.runDir, step.id, task);
            } catch (e) {
              failure ??= e;
            }
          }
        };
        await Promise.all(pool.slice(0, lanes).map(lane));
        if (failure) throw failure;
      }
    } finally {
      await Promise.all(pool.map((w) => w.close()));
    }
  },
};
