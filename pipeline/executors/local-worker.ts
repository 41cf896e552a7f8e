// A pooled worker thread: runs one task per message, reports progress, then done or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { runTask } from '../task.ts';
import { openStorage } from '../storage-settings.ts';

const { workers } = workerData as { workers: number };
const port = parentPort!;
// logs go to the main thread, which honours --quiet and prints a line repeated by every task only once
const log = {
  info: (m: string) => port.postMessage({ type: 'log', level: 'info', msg: m }),
  warn: (m: string) => port.postMessage({ type: 'log', level: 'warn', msg: m }),
  debug: () => {},
};
const storage = await openStorage();

port.on('message', async (msg: { runDir: string; step: string; task: number }) => {
  let docs = 0, bytes = 0, last = 0;
  try {
    await runTask(msg.runDir, msg.step, msg.task, {
      storage,
      log,
      progress: (p) => {
        docs += p.docs; bytes += p.bytes;
        const now = Date.now();
        if (now - last > 200) { port.postMessage({ type: 'progress', docs, bytes }); docs = 0; bytes = 0; last = now; }
      },
    }, workers);
    port.postMessage({ type: 'progress', docs, bytes });
    port.postMessage({ type: 'done' });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', message: err.message ?? String(e), stack: err.stack });
  }
});
