// Opens a finished (or partly finished) run directory as a report source.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plan } from '../plan.ts';
import { aggregate, UserError, type RunStats } from '../run.ts';
import { runPaths } from '../rundir.ts';
import { loadPlan } from '../task.ts';
import { openStorage } from '../storage-settings.ts';
import { isRemote } from '../storage.ts';
import type { LoadedManifest } from '../manifest.ts';
import { runFiles, type ReportSource } from './data.ts';

export interface OpenedRun {
  runDir: string;
  plan: Plan;
  lm: LoadedManifest;
  stats: RunStats;
  source: ReportSource;
}

export async function openRun(dir: string): Promise<OpenedRun> {
  if (isRemote(dir)) {
    throw new UserError(`${dir} is on S3; the report reads a run directory on local disk. Copy it first (e.g. \`aws s3 sync ${dir} ./run --exclude "data/*" --exclude "steps/*/data/*"\` keeps it small; include them to get sample texts) and run \`curate report ./run\`.`);
  }
  const runDir = resolve(dir);
  const paths = runPaths(runDir);
  if (!existsSync(paths.plan)) throw new UserError(`${dir} is not a curate run directory (no _run/plan.json). Give the --output folder of \`curate run\`, or use \`curate report --sample N <manifest>\` to look at signals before a run.`);
  const storage = await openStorage(runDir);
  let plan: Plan;
  let lm: LoadedManifest;
  try {
    ({ plan, lm } = await loadPlan(storage, runDir));
  } catch (e) {
    throw new UserError(`cannot load the manifest of the run in ${dir}: ${(e as Error).message.split('\n')[0]}`);
  }
  let stats: RunStats;
  if (existsSync(paths.stats)) stats = JSON.parse(readFileSync(paths.stats, 'utf8')) as RunStats;
  else {
    try {
      stats = await aggregate(storage, runDir, plan);
    } catch (e) {
      throw new UserError(`the run in ${dir} is not finished (${(e as Error).message}). \`curate status ${dir}\` shows what is left; rerun \`curate run\` with the same manifest to finish it.`);
    }
  }
  const files = runFiles(runDir, plan);
  const dedup = stats.steps.filter((s) => s.kind === 'global' && s.summary).map((s) => {
    const st = plan.steps.find((x) => x.id === s.id);
    return { step: s.id, stage: st && st.kind === 'global' ? st.stage : s.id, summary: s.summary! };
  });
  const source: ReportSource = {
    kind: 'run', name: plan.name, runDir, curateVersion: plan.curateVersion, manifestHash: plan.manifestHash, lm, plan,
    stageStats: stats.steps.filter((s) => s.kind === 'map').map((s) => ({ step: s.id, stages: s.stages })),
    logs: files.logs, textParquet: files.textParquet, textJson: files.textJson, dedup,
    accounting: stats.accounting, output: stats.output, mixShares: stats.mix, notes: [],
  };
  return { runDir, plan, lm, stats, source };
}
