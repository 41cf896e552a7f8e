// `mix`: token-weighted mixing. The map part counts available tokens per source; the global part turns the weights
// (shares of the resulting dataset, by tokens — Zyda-2's card: DCLM 4.0, FWE3 4.0, Zyda 0.16, Dolma-CC 0.24) and an
// optional token budget into a per-source rate; the apply part emits each document floor(rate) times plus once more
// with probability frac(rate) (DCLM's sampling frequencies: a rate above 1 repeats documents), from a seeded hash
// of the document id, so the sample does not depend on tasks or workers.
import { z } from 'zod';
import { defineStage, type Doc, type GlobalContext } from '../../pipeline/types.ts';
import { joinUri } from '../../pipeline/storage.ts';
import { uniform } from './sample.ts';

const params = z.strictObject({
  weights: z.record(z.string(), z.number().nonnegative()).describe('Share of each source in the output, by tokens (relative numbers, e.g. {dclm: 4.0, fwe3: 4.0, zyda: 0.16, dolma_cc: 0.24}). Sources not listed pass unchanged (rate 1).'),
  total_tokens: z.number().positive().optional().describe('Token budget of the listed sources together. Default: the tokens they have now (the mix redistributes, it does not grow or shrink).'),
  seed: z.number().int().default(0).describe('Seed of the per-document draws.'),
  token_column: z.string().default('n_tokens').describe('Column with each document\'s token count (written by the tokenize stage). Use `n_chars` or another count to mix before tokenizing.'),
});
type Params = z.infer<typeof params>;

export interface MixPlan {
  seed: number;
  totalTokens: number;
  sources: Record<string, { availableTokens: number; availableDocs: number; weight: number; requestedShare: number; targetTokens: number; rate: number }>;
}

interface Counts { [source: string]: { tokens: number; docs: number } }

const countsFile = (dir: string, task: number): string => joinUri(dir, `counts-${String(task).padStart(5, '0')}.json`);

export function planMix(p: Params, counts: Counts): MixPlan {
  const listed = Object.keys(p.weights);
  const wsum = listed.reduce((a, s) => a + p.weights[s], 0);
  if (wsum <= 0) throw new Error('mix: the weights sum to 0; give at least one source a positive weight');
  const available = listed.reduce((a, s) => a + (counts[s]?.tokens ?? 0), 0);
  const total = p.total_tokens ?? available;
  const sources: MixPlan['sources'] = {};
  for (const s of listed) {
    const have = counts[s]?.tokens ?? 0;
    const target = (total * p.weights[s]) / wsum;
    if (have === 0 && p.weights[s] > 0) throw new Error(`mix: source "${s}" has weight ${p.weights[s]} but no tokens reached the mix stage (all filtered, or the name is misspelled)`);
    sources[s] = { availableTokens: have, availableDocs: counts[s]?.docs ?? 0, weight: p.weights[s], requestedShare: p.weights[s] / wsum, targetTokens: target, rate: have > 0 ? target / have : 0 };
  }
  return { seed: p.seed, totalTokens: total, sources };
}

export const mixStage = defineStage({
  name: 'mix',
  family: 'mix',
  description: 'Token-weighted mixing of sources: per-source rates from weights (and an optional budget), deterministic sampling and repeats.',
  params,
  reads: (p) => [p.token_column],
  writes: () => [],
  create(p) {
    return {
      name: 'mix',
      async *run(batches, ctx) {
        const counts: Counts = {};
        for await (const b of batches) {
          for (const d of b.docs) {
            const c = (counts[d.source] ??= { tokens: 0, docs: 0 });
            c.tokens += Number(d.cols[p.token_column] ?? 0);
            c.docs++;
          }
          yield b;
        }
        await ctx.storage.write(countsFile(ctx.sideDir, ctx.task.task), JSON.stringify(counts));
      },
    };
  },
  global: {
    writes: () => [{ name: 'mix_copy', type: 'int32', description: '0 for the first copy of a document, k for its k-th repeat.' }],
    async run(p, ctx: GlobalContext) {
      const counts: Counts = {};
      for (let t = 0; t < ctx.tasks; t++) {
        const c = JSON.parse(Buffer.from(await ctx.storage.read(countsFile(ctx.inputDir, t))).toString()) as Counts;
        for (const [s, v] of Object.entries(c)) { const x = (counts[s] ??= { tokens: 0, docs: 0 }); x.tokens += v.tokens; x.docs += v.docs; }
      }
      const plan = planMix(p, counts);
      await ctx.storage.write(joinUri(ctx.outputDir, 'mix-plan.json'), JSON.stringify(plan, null, 1));
      ctx.summary({ mix: plan });
      for (const [s, v] of Object.entries(plan.sources)) ctx.log.info(`mix: ${s} has ${v.availableTokens} tokens, target ${Math.round(v.targetTokens)} (${(100 * v.requestedShare).toFixed(1)}%), rate ${v.rate.toFixed(4)}`);
    },
    apply(p, dir) {
      let plan: MixPlan;
      return {
        name: 'mix-apply',
        async setup(ctx) {
          plan = JSON.parse(Buffer.from(await ctx.storage.read(joinUri(dir, 'mix-plan.json'))).toString()) as MixPlan;
        },
        async *run(batches, ctx) {
          for await (const b of batches) {
            const out: Doc[] = [];
            for (const d of b.docs) {
              const rate = plan.sources[d.source]?.rate ?? 1;
              const whole = Math.floor(rate);
              const copies = whole + (uniform(plan.seed, `${d.source}\u0000${d.id}`) < rate - whole ? 1 : 0);
              if (copies === 0) { ctx.stats.drop('mix_sampled_out', d); continue; }
              const tokens = Number(d.cols[p.token_column] ?? 0);
              for (let k = 0; k < copies; k++) {
                out.push(k === 0 ? d : { ...d, cols: { ...d.cols } });
                out[out.length - 1].cols.mix_copy = k;
                ctx.stats.metric(`mix_tokens:${d.source}`, tokens);
              }
              if (copies > 1) ctx.stats.add(copies - 1);
            }
            if (out.length) yield { docs: out };
          }
        },
      };
    },
  },
});
