// `shuffle`: a deterministic random permutation of all documents across output shards, by external merge sort on a
// seeded per-document key, without holding the dataset in memory.
// Map part: each task sorts its documents by key in runs of `run_docs`, written as blocks of zstd-compressed JSON
// lines with an index (byte range and key range per block). Global part: collects the run indexes. Apply part:
// task j takes the keys in [j/T, (j+1)/T) from every run — ranged reads of just the overlapping blocks — and merges
// them by key, so memory is one block per run. The documents also pass through the map part unchanged (keeping the
// per-step accounting exact); the apply part discards that stream and emits its key range instead.
import { z } from 'zod';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { defineStage, type Doc, type Storage } from '../../pipeline/types.ts';
import { joinUri } from '../../pipeline/storage.ts';
import { uniform } from './sample.ts';

const params = z.strictObject({
  seed: z.number().int().default(0).describe('Seed of the permutation.'),
  run_docs: z.number().int().positive().default(20_000).describe('Documents sorted in memory at a time by the map part (one run file each).'),
  block_docs: z.number().int().positive().default(256).describe('Documents per compressed block; the merge holds one block per run.'),
});

interface BlockIndex { start: number; end: number; minKey: number; maxKey: number; docs: number }
interface RunIndex { uri: string; blocks: BlockIndex[] }

type Keyed = { key: number; doc: Doc };

const keyOf = (seed: number, d: Doc): number => uniform(seed, `${d.source}\u0000${d.id}\u0000${String(d.cols.mix_copy ?? 0)}`);

function serialize(d: Doc): string {
  const cols: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d.cols)) cols[k] = ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v;
  return JSON.stringify([d.id, d.text, d.source, d.shard, d.row, d.meta, cols]);
}

function deserialize(line: string): Doc {
  const [id, text, source, shard, row, meta, cols] = JSON.parse(line) as [string, string, string, string, number, Doc['meta'], Doc['cols']];
  return { id, text, source, shard, row, meta, cols };
}

async function writeRun(storage: Storage, uri: string, items: Keyed[], blockDocs: number): Promise<RunIndex> {
  items.sort((a, b) => a.key - b.key || (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0));
  const w = await storage.writer(uri);
  const blocks: BlockIndex[] = [];
  let off = 0;
  try {
    for (let i = 0; i < items.length; i += blockDocs) {
      const part = items.slice(i, i + blockDocs);
      const bytes = zstdCompressSync(Buffer.from(part.map((x) => `${x.key}\t${serialize(x.doc)}`).join('\n')));
      await w.write(bytes);
      blocks.push({ start: off, end: off + bytes.length, minKey: part[0].key, maxKey: part[part.length - 1].key, docs: part.length });
      off += bytes.length;
    }
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return { uri, blocks };
}

/** Streams one run's documents with key in [lo, hi), in key order, reading only the blocks that overlap. */
async function* runRange(storage: Storage, run: RunIndex, lo: number, hi: number): AsyncGenerator<Keyed> {
  for (const b of run.blocks) {
    if (b.maxKey < lo || b.minKey >= hi) continue;
    const text = zstdDecompressSync(await storage.readRange(run.uri, b.start, b.end)).toString('utf8');
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      const key = Number(line.slice(0, tab));
      if (key >= lo && key < hi) yield { key, doc: deserialize(line.slice(tab + 1)) };
    }
  }
}

export const shuffleStage = defineStage({
  name: 'shuffle',
  family: 'mix',
  description: 'Deterministic random permutation of all documents across the output shards (external merge sort on a seeded key).',
  params,
  reads: () => [],
  writes: () => [],
  create(p) {
    return {
      name: 'shuffle',
      async *run(batches, ctx) {
        const runs: RunIndex[] = [];
        let buf: Keyed[] = [];
        const flush = async (): Promise<void> => {
          if (!buf.length) return;
          runs.push(await writeRun(ctx.storage, joinUri(ctx.sideDir, `task-${String(ctx.task.task).padStart(5, '0')}-run-${runs.length}.bin`), buf, p.block_docs));
          buf = [];
        };
        for await (const b of batches) {
          for (const d of b.docs) buf.push({ key: keyOf(p.seed, d), doc: d });
          if (buf.length >= p.run_docs) await flush();
          yield b;
        }
        await flush();
        await ctx.storage.write(joinUri(ctx.sideDir, `task-${String(ctx.task.task).padStart(5, '0')}.runs.json`), JSON.stringify(runs));
      },
    };
  },
  global: {
    async run(_p, ctx) {
      const runs: RunIndex[] = [];
      for (let t = 0; t < ctx.tasks; t++) runs.push(...(JSON.parse(Buffer.from(await ctx.storage.read(joinUri(ctx.inputDir, `task-${String(t).padStart(5, '0')}.runs.json`))).toString()) as RunIndex[]));
      await ctx.storage.write(joinUri(ctx.outputDir, 'runs.json'), JSON.stringify(runs));
      ctx.summary({ shuffle: { runs: runs.length, docs: runs.reduce((a, r) => a + r.blocks.reduce((x, b) => x + b.docs, 0), 0) } });
    },
    apply(p, dir) {
      let runs: RunIndex[] = [];
      return {
        name: 'shuffle-apply',
        async setup(ctx) {
          runs = JSON.parse(Buffer.from(await ctx.storage.read(joinUri(dir, 'runs.json'))).toString()) as RunIndex[];
        },
        async *run(batches, ctx) {
          for await (const _ of batches) { /* this task's own documents were already placed into the runs */ }
          const lo = ctx.task.task / ctx.task.tasks;
          const hi = (ctx.task.task + 1) / ctx.task.tasks;
          // k-way merge of the runs' streams by key (a small binary heap)
          const heads: { item: Keyed; it: AsyncGenerator<Keyed> }[] = [];
          for (const r of runs) {
            const it = runRange(ctx.storage, r, lo, hi);
            const first = await it.next();
            if (!first.done) heads.push({ item: first.value, it });
          }
          const less = (a: Keyed, b: Keyed): boolean => a.key < b.key || (a.key === b.key && a.doc.id < b.doc.id);
          const down = (i: number): void => {
            for (;;) {
              const l = 2 * i + 1, r = l + 1;
              let m = i;
              if (l < heads.length && less(heads[l].item, heads[m].item)) m = l;
              if (r < heads.length && less(heads[r].item, heads[m].item)) m = r;
              if (m === i) return;
              [heads[i], heads[m]] = [heads[m], heads[i]];
              i = m;
            }
          };
          for (let i = (heads.length >> 1) - 1; i >= 0; i--) down(i);
          let out: Doc[] = [];
          while (heads.length) {
            const top = heads[0];
            out.push(top.item.doc);
            const nx = await top.it.next();
            if (nx.done) { heads[0] = heads[heads.length - 1]; heads.pop(); } else top.item = nx.value;
            if (heads.length) down(0);
            if (out.length >= 512) { yield { docs: out }; out = []; }
          }
          if (out.length) yield { docs: out };
        },
      };
    },
  },
});
