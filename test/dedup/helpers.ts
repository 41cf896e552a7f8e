// Test helpers: run a dedup stage's map part over tasks, its global part, and its apply part, without the executor.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc, GlobalContext, StageDefinition } from '../../pipeline/types.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { StatsRecorder } from '../../pipeline/stats.ts';
import { runStage, testContext } from '../../pipeline/testing.ts';

export interface DedupRun {
  survivors: Doc[];
  dropped: Record<string, number>;
  summary: Record<string, unknown>;
  dir: string;
}

/** Splits docs into `tasks` contiguous groups, runs map → global → apply, returns the survivors. */
export async function runDedup<P>(
  def: StageDefinition<P>,
  rawParams: unknown,
  docs: Doc[],
  opts: { tasks?: number; sources?: { name: string; priority: number }[]; roundRobin?: boolean } = {},
): Promise<DedupRun> {
  const params = def.params.parse(rawParams);
  const tasks = opts.tasks ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'curate-dedup-test-'));
  const sideDir = join(dir, 'side');
  for (let t = 0; t < tasks; t++) {
    const mine = opts.roundRobin ? docs.filter((_, i) => i % tasks === t) : docs.slice(Math.floor((t * docs.length) / tasks), Math.floor(((t + 1) * docs.length) / tasks));
    const ctx = testContext({ task: { step: 'map', task: t, tasks }, runDir: dir, sideDir });
    const out = await runStage(def.create(params), mine, ctx);
    if (out.docs.length !== mine.length) throw new Error('map stage must pass documents through');
  }
  let summary: Record<string, unknown> = {};
  const sources = opts.sources ?? [...new Set(docs.map((d) => d.source))].map((name) => ({ name, priority: 0 }));
  const gctx: GlobalContext = {
    runDir: dir, inputDir: sideDir, outputDir: join(dir, 'global'), storage: createStorage(), tasks, workers: 1, sources,
    log: { info() {}, warn() {}, debug() {} },
    summary: (d) => { summary = d; },
  };
  await def.global!.run(params, gctx);
  const ctx = testContext({ runDir: dir, sideDir: join(dir, 'side2'), stats: new StatsRecorder('apply') } as never);
  const fresh = docs.map((d) => ({ ...d, cols: { ...d.cols } }));
  const res = await runStage(def.global!.apply(params, gctx.outputDir), fresh, ctx);
  return { survivors: res.docs, dropped: res.stats.data.dropped, summary, dir };
}
