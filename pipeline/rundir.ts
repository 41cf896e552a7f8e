// Where everything lives inside a run directory (local path or s3:// prefix).
import { joinUri } from './storage.ts';

export const pad = (n: number, w = 5): string => String(n).padStart(w, '0');

export const runPaths = (runDir: string) => ({
  plan: joinUri(runDir, '_run', 'plan.json'),
  manifestLock: joinUri(runDir, 'manifest.lock.yaml'),
  marker: (step: string, task: number) => joinUri(runDir, '_done', step, `${pad(task)}.json`),
  markerDir: (step: string) => joinUri(runDir, '_done', step),
  stepData: (step: string, task: number) => joinUri(runDir, 'steps', step, 'data', `part-${pad(task)}.parquet`),
  side: (step: string, stageId: string) => joinUri(runDir, 'steps', step, 'side', stageId),
  globalOut: (step: string) => joinUri(runDir, 'steps', step, 'out'),
  data: (task: number, k: number, ext: string) => joinUri(runDir, 'data', `part-${pad(task)}-${pad(k, 4)}.${ext}`),
  dataDir: joinUri(runDir, 'data'),
  index: joinUri(runDir, 'data', '_index.json'),
  quarantine: (step: string, task: number) => joinUri(runDir, 'quarantine', step, `part-${pad(task)}.jsonl.gz`),
  rejected: (step: string, task: number) => joinUri(runDir, 'rejected', step, `part-${pad(task)}.jsonl.gz`),
  stats: joinUri(runDir, 'report', 'stats.json'),
  logs: joinUri(runDir, 'logs'),
});
