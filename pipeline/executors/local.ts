// Local executor: a pool of worker threads, one task per worker at a time, steps in order. Each task writes its
// own outputs and marker, so the result does not depend on the worker count or the order tasks finish in.
import { Worker } from 'node:worker_threads';
import type { Executor, RunHandle } from './types.ts';
import { TaskFailure } from './types.ts';

type FromWorker =
  | { type: 'progress'; docs: number; bytes: number }
  | { type: 'done' }
  | { type: 'error'; message: string; stack?: string };

const workerUrl = new URL('./local-worker.ts', import.meta.url);

function runInWorker(run: RunHandle, step: string, task: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { workerData: { runDir: run.runDir, step, task, workers: run.workers } });
    let settled = false;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'progress') run.progress?.({ docs: m.docs, bytes: m.bytes });
      else if (m.type === 'done') { settled = true; resolve(); }
      else { settled = true; reject(new TaskFailure(step, task, m.message)); }
    });
    w.on('error', (e) => { if (!settled) { settled = true; reject(new TaskFailure(step, task, e.message)); } });
    w.on('exit', (code) => { if (!settled) { settled = true; reject(new TaskFailure(step, task, `worker exited with code ${code}`)); } });
  });
}

export const localExecutor: Executor = {
  async execute(run) {
    for (const step of run.plan.steps) {
      const pending = await run.pendingTasks(step.id);
      const total = step.kind === 'global' ? 1 : run.plan.tasks;
      run.onStep?.(step.id, pending.length, total);
      if (pending.length === 0) continue;
      let next = 0;
      let failure: unknown = null;
      const lane = async (): Promise<void> => {
        while (failure === null && next < pending.length) {
          const task = pending[next++];
          try {
            await runInWorker(run, step.id, task);
          } catch (e) {
            failure ??= e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(run.workers, pending.length) }, lane));
      if (failure) throw failure;
    }
  },
};
