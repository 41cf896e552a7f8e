// Helpers for unit tests of stages: run a stage over in-memory documents without the executor.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch, Doc, Stage, StageContext, StageDefinition } from './types.ts';
import { StatsRecorder } from './stats.ts';
import { createStorage } from './storage.ts';

export function makeDoc(text: string, over: Partial<Doc> = {}): Doc {
  const row = over.row ?? 0;
  const source = over.source ?? 'test';
  const shard = over.shard ?? 'shard-0';
  return { id: over.id ?? `${source}/${shard}/${row}`, text, source, shard, row, meta: over.meta ?? {}, cols: over.cols ?? {} };
}

export function testContext(over: Partial<StageContext> = {}): StageContext & { stats: StatsRecorder } {
  const dir = mkdtempSync(join(tmpdir(), 'curate-test-'));
  const stats = new StatsRecorder('test');
  return {
    task: { step: 'test', task: 0, tasks: 1 },
    runDir: dir,
    sideDir: join(dir, 'side'),
    storage: createStorage(),
    stats,
    log: { info() {}, warn() {}, debug() {} },
    baseDir: process.cwd(),
    ...over,
  } as StageContext & { stats: StatsRecorder };
}

async function* once(docs: Doc[], batchSize: number): AsyncIterable<Batch> {
  for (let i = 0; i < docs.length; i += batchSize) yield { docs: docs.slice(i, i + batchSize) };
}

/** Runs one stage (setup, run, teardown) and returns the surviving documents plus the stats. */
export async function runStage(
  stage: Stage,
  docs: Doc[],
  ctx: StageContext & { stats: StatsRecorder } = testContext(),
  batchSize = 64,
): Promise<{ docs: Doc[]; stats: StatsRecorder }> {
  await stage.setup?.(ctx);
  const out: Doc[] = [];
  try {
    for await (const b of stage.run(once(docs, batchSize), ctx)) out.push(...b.docs);
  } finally {
    await stage.teardown?.();
  }
  return { docs: out, stats: ctx.stats };
}

/** Builds a stage from its registered definition, parsing params through the definition's schema. */
export function buildStage<P>(def: StageDefinition<P>, params: unknown = {}): Stage {
  return def.create(def.params.parse(params));
}
