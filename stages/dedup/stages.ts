// Stage definitions of the dedup family: minhash_dedup (MinHash-LSH near-duplicates), exact_dedup (text hash),
// url_dedup (normalised URL). Each has a map part (keys per document into per-task side files), a global part
// (clusters + resolution, runDedupGlobal) and an apply part (drops removed rows, writes cluster columns).
import { z } from 'zod';
import type { Batch, ColumnSpec, Doc, GlobalContext, Stage, StageContext } from '../../pipeline/types.ts';
import { defineStage } from '../../pipeline/types.ts';
import { joinUri } from '../../pipeline/storage.ts';
import { dropReason, type Policy } from './cluster.ts';
import { runDedupGlobal, shardFileName, type GlobalHooks, type ShardResult } from './global.ts';
import { key64, murmur3Words } from './hash.ts';
import { MinHasher, type MinHashConfig } from './minhash.ts';
import { normalizer } from './normalize.ts';
import { resolveMinhashConfig } from './presets.ts';
import { SideWriter, provenanceKey } from './sidefiles.ts';

const policyField = z
  .enum(['cross-source-priority', 'keep-one', 'keep-best'])
  .default('cross-source-priority')
  .describe('Cluster resolution: cross-source-priority (Zyda-2: only clusters spanning several sources; keep every member of the top-priority source present), keep-one (Zyda-1: keep the top-ranked member by source priority then id), keep-best (keep the member with the best score column, then id)');
const commonFields = {
  policy: policyField,
  score_column: z.string().optional().describe('Numeric column ranking members for policy keep-best (higher is better; missing ranks last)'),
  priority_order: z.enum(['higher-first', 'lower-first']).default('higher-first').describe("How to read the manifest's source priority: higher-first means a larger priority number wins"),
  spill_docs: z.number().int().min(1).default(262144).describe('Documents per sorted run file a task spills (bounds the map task memory)'),
};

// ---------------------------------------------------------------------------
// apply: drop removed rows, add cluster columns

function clusterColumns(prefix: string): ColumnSpec[] {
  return [
    { name: `${prefix}_cluster_id`, type: 'string', description: 'Smallest document id of the duplicate cluster (null when the document has no duplicate)' },
    { name: `${prefix}_cluster_size`, type: 'int32', description: 'Number of documents in the duplicate cluster (1 when none)', nullable: false },
  ];
}

interface ShardState {
  removed: Set<number>;
  cluster: Map<number, [string, number]>;
}

export function applyStage(name: string, prefix: string, policy: Policy, outputDir: string): Stage {
  const reason = dropReason(prefix, policy);
  const idCol = `${prefix}_cluster_id`, sizeCol = `${prefix}_cluster_size`;
  const cache = new Map<string, ShardState>();
  const load = async (ctx: StageContext, shard: string): Promise<ShardState> => {
    let s = cache.get(shard);
    if (s) return s;
    const uri = joinUri(outputDir, shardFileName(shard));
    s = { removed: new Set(), cluster: new Map() };
    if (await ctx.storage.stat(uri)) {
      const r = JSON.parse(new TextDecoder().decode(await ctx.storage.read(uri))) as ShardResult;
      s.removed = new Set(r.removed);
      for (const [row, id, size] of r.clusters) s.cluster.set(row, [id, size]);
    }
    if (cache.size >= 4) cache.delete(cache.keys().next().value!);
    cache.set(shard, s);
    return s;
  };
  return {
    name,
    async *run(batches: AsyncIterable<Batch>, ctx: StageContext): AsyncIterable<Batch> {
      if (!(await ctx.storage.stat(joinUri(outputDir, 'index.json')))) throw new Error(`${name}: no global output in ${outputDir}; the global dedup step has not run`);
      for await (const batch of batches) {
        const out: Doc[] = [];
        for (const d of batch.docs) {
          const s = await load(ctx, provenanceKey(d));
          if (s.removed.has(d.row)) { ctx.stats.drop(reason, d); continue; }
          const c = s.cluster.get(d.row);
          d.cols[idCol] = c ? c[0] : null;
          d.cols[sizeCol] = c ? c[1] : 1;
          out.push(d);
        }
        if (out.length) yield { docs: out };
      }
    },
  };
}

// ---------------------------------------------------------------------------
// minhash_dedup

const minhashParams = z.object({
  preset: z.enum(['zyda2', 'fineweb', 'zyda1', 'rpv2']).default('zyda2').describe('Recipe preset: zyda2 (25-char shingles, 128 hashes, 8x16), fineweb (5-word datatrove-normalised shingles, 14x8), zyda1 (13-word shingles, 32x4), rpv2 (13-word shingles; bands from threshold 0.7/0.8/0.9/1)'),
  threshold: z.number().min(0).max(1).default(0.8).describe('Jaccard threshold: edges under it are dropped when verify is on; also picks the rpv2 band layout'),
  verify: z.boolean().default(false).describe('Compute the true Jaccard (on the preset shingles) of every candidate edge and drop edges under threshold'),
  unit: z.enum(['char', 'word']).optional().describe('Override: shingle unit'),
  ngram: z.number().int().min(1).optional().describe('Override: shingle length in characters or words'),
  normalize: z.enum(['none', 'whitespace', 'datatrove', 'zyda1', 'rpv2']).optional().describe('Override: text normalisation before shingling'),
  num_perm: z.number().int().min(1).max(1024).optional().describe('Override: signature length (number of permutations)'),
  bands: z.number().int().min(1).optional().describe('Override: LSH bands'),
  rows: z.number().int().min(1).optional().describe('Override: rows (hashes) per band'),
  seed: z.number().int().min(0).optional().describe('Override: RandomState seed of the permutation parameters a,b'),
  draw: z.enum(['nemo', 'datatrove']).optional().describe("Override: how a,b are drawn (NeMo Curator's 31-bit pairs or datatrove/datasketch's 61-bit arrays)"),
  permutation: z.enum(['u32', 'mod61']).optional().describe('Override: permutation arithmetic, u32 (cuDF, wraps mod 2^32) or mod61 (numpy uint64, mod 2^61-1)'),
  hash_seed: z.union([z.number().int().min(0), z.literal('a0')]).optional().describe("Override: MurmurHash3 seed per shingle ('a0' = the first permutation's a, as NeMo does)"),
  short_docs: z.enum(['whole', 'skip']).optional().describe('Override: documents shorter than one shingle are hashed whole as one shingle, or get no signature (never clustered)'),
  keep_signatures: z.boolean().default(false).describe('Also write signatures to the side output (needed only for estimated-Jaccard pair output)'),
  column_prefix: z.string().default('dedup').describe('Prefix of the drop reason and of the <prefix>_cluster_id / <prefix>_cluster_size columns'),
  ...commonFields,
});
export type MinhashParams = z.infer<typeof minhashParams>;

export function minhashConfigOf(p: MinhashParams): MinHashConfig {
  return resolveMinhashConfig(p);
}

function scoreOf(d: Doc, col: string | undefined): number | null {
  if (!col) return null;
  const v = d.cols[col] ?? (d.meta[col] as unknown);
  return typeof v === 'number' ? v : null;
}

function globalParamsOf(p: { policy: Policy; priority_order: 'higher-first' | 'lower-first'; verify?: boolean; threshold?: number }, prefix: string, fingerprint: string) {
  return { policy: p.policy, priority_order: p.priority_order, verify: p.verify ?? false, threshold: p.threshold ?? 1, prefix, fingerprint };
}

function checkPolicy(p: { policy: Policy; score_column?: string }): void {
  if (p.policy === 'keep-best' && !p.score_column) throw new Error('policy keep-best needs score_column (the column to rank cluster members by)');
}

export function minhashMapStage(p: MinhashParams): Stage {
  checkPolicy(p);
  const cfg = minhashConfigOf(p);
  const fingerprint = JSON.stringify({ stage: 'minhash_dedup', cfg, verify: p.verify });
  let hasher: MinHasher;
  let side: SideWriter;
  return {
    name: 'minhash_dedup',
    async setup(ctx) {
      hasher = new MinHasher(cfg);
      side = new SideWriter(ctx, { bands: cfg.bands, spill_docs: p.spill_docs, signatures: p.keep_signatures ? cfg.num_perm : 0, shingles: p.verify, fingerprint });
      await side.open();
    },
    async *run(batches, ctx) {
      const sig = new Uint32Array(cfg.num_perm);
      const { bands, rows } = cfg;
      try {
        for await (const batch of batches) {
          for (const d of batch.docs) {
            const local = await side.addDoc(d, scoreOf(d, p.score_column));
            const ok = hasher.signature(d.text, sig);
            if (ok) {
              side.signed++;
              for (let b = 0; b < bands; b++) side.key(local, b, murmur3Words(sig, b * rows, (b + 1) * rows, 0x5bd1e995 + b), murmur3Words(sig, b * rows, (b + 1) * rows, 0x1b873593 ^ b));
              ctx.stats.metric('minhash_shingles', hasher.lastShingles);
            } else side.skipped++;
            await side.signature(ok ? sig : null);
            if (p.verify) await side.shingles(ok ? hasher.shingleSet(d.text) : new Uint32Array(0));
            await side.docDone();
          }
          yield batch;
        }
        const meta = await side.finish();
        ctx.log.info(`minhash_dedup: task ${ctx.task.task}: ${meta.docs} docs, ${meta.signed} signed, ${meta.skipped} without signature, ${meta.spills} run(s)`);
      } catch (e) {
        await side.abort();
        throw e;
      }
    },
  };
}

/** The global step of minhash_dedup; `hooks` (pair and cluster output) are used by `curate dedup`. */
export async function runMinhashGlobal(p: MinhashParams, ctx: GlobalContext, hooks?: GlobalHooks): Promise<Record<string, unknown>> {
  const cfg = minhashConfigOf(p);
  return runDedupGlobal(globalParamsOf(p, p.column_prefix, JSON.stringify({ stage: 'minhash_dedup', cfg, verify: p.verify })), ctx, hooks);
}

export const minhashDedup = defineStage({
  name: 'minhash_dedup',
  family: 'dedup',
  description: 'MinHash-LSH near-duplicate detection across sources (Zyda-2 / FineWeb / Zyda-1 / RPv2 presets), connected components, cluster resolution by policy; removal as per-shard row sets',
  params: minhashParams,
  reads: (p) => (p.policy === 'keep-best' && p.score_column ? [p.score_column] : []),
  writes: () => [],
  create: (p) => minhashMapStage(p),
  global: {
    run: async (p, ctx: GlobalContext) => { await runMinhashGlobal(p, ctx); },
    apply: (p, dir) => applyStage('minhash_dedup_apply', p.column_prefix, p.policy, dir),
    writes: (p) => clusterColumns(p.column_prefix),
  },
});

// ---------------------------------------------------------------------------
// exact_dedup and url_dedup: one 64-bit key per document, one "band"

function keyedMapStage(name: string, params: { spill_docs: number; policy: Policy; score_column?: string }, keyOf: (d: Doc) => string | null, fingerprint: string): Stage {
  checkPolicy(params);
  let side: SideWriter;
  return {
    name,
    async setup(ctx) {
      side = new SideWriter(ctx, { bands: 1, spill_docs: params.spill_docs, signatures: 0, shingles: false, fingerprint });
      await side.open();
    },
    async *run(batches, ctx) {
      try {
        for await (const batch of batches) {
          for (const d of batch.docs) {
            const local = await side.addDoc(d, scoreOf(d, params.score_column));
            const k = keyOf(d);
            if (k !== null) {
              const [hi, lo] = key64(k);
              side.key(local, 0, hi, lo);
              side.signed++;
            } else side.skipped++;
            await side.docDone();
          }
          yield batch;
        }
        await side.finish();
      } catch (e) {
        await side.abort();
        throw e;
      }
    },
  };
}

const exactParams = z.object({
  normalize: z.enum(['none', 'whitespace', 'datatrove', 'zyda1', 'rpv2']).default('none').describe('Normalisation of the text before hashing (none = byte-identical texts only)'),
  skipEmpty: z.boolean().default(true).describe('Documents whose (normalised) text is empty are not clustered'),
  column_prefix: z.string().default('exact_dedup').describe('Prefix of the drop reason and of the cluster columns'),
  ...commonFields,
});

export const exactDedup = defineStage({
  name: 'exact_dedup',
  family: 'dedup',
  description: 'Exact duplicates by a 64-bit hash of the (optionally normalised) text, resolved with the same policies as minhash_dedup',
  params: exactParams,
  reads: (p) => (p.policy === 'keep-best' && p.score_column ? [p.score_column] : []),
  writes: () => [],
  create: (p) => {
    const norm = normalizer(p.normalize);
    return keyedMapStage('exact_dedup', p, (d) => {
      const t = norm(d.text);
      return p.skipEmpty && t.length === 0 ? null : t;
    }, JSON.stringify({ stage: 'exact_dedup', normalize: p.normalize, skipEmpty: p.skipEmpty }));
  },
  global: {
    run: async (p, ctx) => { await runDedupGlobal(globalParamsOf(p, p.column_prefix, 'exact'), ctx); },
    apply: (p, dir) => applyStage('exact_dedup_apply', p.column_prefix, p.policy, dir),
    writes: (p) => clusterColumns(p.column_prefix),
  },
});

/** Canonical URL: scheme and host lowercased, default port, fragment and trailing slash removed. */
export function normalizeUrl(u: string): string {
  const s = u.trim();
  try {
    const url = new URL(s);
    url.hash = '';
    let out = url.toString();
    if (out.endsWith('/') && url.pathname !== '/') out = out.slice(0, -1);
    if (url.pathname === '/' && !url.search) out = out.replace(/\/$/, '');
    return out;
  } catch {
    return s;
  }
}

const urlParams = z.object({
  field: z.string().default('url').describe('Metadata field (or column) holding the URL'),
  normalizeUrl: z.boolean().default(true).describe('Lowercase scheme and host, drop default port, fragment and trailing slash before comparing'),
  column_prefix: z.string().default('url_dedup').describe('Prefix of the drop reason and of the cluster columns'),
  ...commonFields,
});

export const urlDedup = defineStage({
  name: 'url_dedup',
  family: 'dedup',
  description: 'Duplicate URLs (documents without a URL are left alone), resolved with the same policies as minhash_dedup',
  params: urlParams,
  reads: (p) => (p.policy === 'keep-best' && p.score_column ? [p.score_column] : []),
  writes: () => [],
  create: (p) =>
    keyedMapStage('url_dedup', p, (d) => {
      const v = d.cols[p.field] ?? d.meta[p.field];
      if (typeof v !== 'string' || !v.trim()) return null;
      return p.normalizeUrl ? normalizeUrl(v) : v;
    }, JSON.stringify({ stage: 'url_dedup', field: p.field, normalizeUrl: p.normalizeUrl })),
  global: {
    run: async (p, ctx) => { await runDedupGlobal(globalParamsOf(p, p.column_prefix, 'url'), ctx); },
    apply: (p, dir) => applyStage('url_dedup_apply', p.column_prefix, p.policy, dir),
    writes: (p) => clusterColumns(p.column_prefix),
  },
});
