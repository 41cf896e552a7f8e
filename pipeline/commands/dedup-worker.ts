// Worker thread for `curate dedup --threads n`: runs the minhash_dedup map stage for one task.
import { parentPort, workerData } from 'node:worker_threads';
import type { Batch, Doc, StageContext } from '../types.ts';
import { StatsRecorder } from '../stats.ts';
import { createStorage } from '../storage.ts';
import { minhashMapStage, type MinhashParams } from '../../stages/dedup/stages.ts';
import { readJsonlDocs } from './dedup-read.ts';

interface Job { files: string[]; task: number; tasks: number; sideDir: string; workDir: string; params: MinhashParams }
const job = workerData as Job;

async function* batched(files: string[]): AsyncIterable<Batch> {
  let docs: Doc[] = [];
  for (const f of files) for await (const d of readJsonlDocs(f)) { docs.push(d); if (docs.length >= 512) { yield { docs }; docs = []; } }
  if (docs.length) yield { docs };
}

const sources = new Set<string>();
const ctx: StageContext = {
  task: { step: 'dedup', task: job.task, tasks: job.tasks }, runDir: job.workDir, sideDir: job.sideDir, storage: createStorage(),
  stats: new StatsRecorder('minhash_dedup'), log: { info() {}, warn: (m) => parentPort!.postMessage({ warn: m }), debug() {} }, baseDir: process.cwd(),
};
const stage = minhashMapStage(job.params);
await stage.setup?.(ctx);
async function* tap(): AsyncIterable<Batch> { for await (const b of batched(job.files)) { for (const d of b.docs) sources.add(d.source); yield b; } }
for await (const _b of stage.run(tap(), ctx)) { /* drain */ }
await stage.teardown?.();
parentPort!.postMessage({ done: true, sources: [...sources] });
