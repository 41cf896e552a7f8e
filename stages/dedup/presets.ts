// MinHash presets: each reproduces one reference recipe's shingling, signature length and banding.
import type { MinHashConfig } from './minhash.ts';

export type PresetName = 'zyda2' | 'fineweb' | 'zyda1' | 'rpv2';

/** RedPajama-V2 band layouts per similarity (configs/rp_v2.0.conf via datasketch optimal_param, 128 hashes). */
export const RPV2_BANDS: Record<string, [number, number]> = { '0.7': [14, 9], '0.8': [9, 13], '0.9': [5, 25], '1': [1, 128] };

export const PRESETS: Record<PresetName, MinHashConfig> = {
  // Zyda-2 (NeMo Curator tutorial 1_fuzzy_dedup): 25-char shingles of raw text, 128 MurmurHash3_x86_32-based
  // permutations with NeMo's seed-10 a,b, 8 bands x 16 rows.
  zyda2: { unit: 'char', ngram: 25, normalize: 'none', num_perm: 128, bands: 8, rows: 16, seed: 10, draw: 'nemo', permutation: 'u32', hash_seed: 'a0', short_docs: 'whole' },
  // FineWeb (datatrove MinhashConfig): 5-word shingles after simplify_text, 14 bands x 8 rows.
  fineweb: { unit: 'word', ngram: 5, normalize: 'datatrove', num_perm: 112, bands: 14, rows: 8, seed: 1, draw: 'nemo', permutation: 'u32', hash_seed: 0, short_docs: 'skip' },
  // Zyda-1 (Zyda_processing lsh_minhash): word 13-grams after its normalisation, 128 perms, 32 bands x 4 rows.
  zyda1: { unit: 'word', ngram: 13, normalize: 'zyda1', num_perm: 128, bands: 32, rows: 4, seed: 1, draw: 'datatrove', permutation: 'mod61', hash_seed: 0, short_docs: 'skip' },
  // RedPajama-V2 (app/src/dedupe): 13-word shingles, 128 perms, seed 42; bands x rows from the threshold.
  rpv2: { unit: 'word', ngram: 13, normalize: 'rpv2', num_perm: 128, bands: 9, rows: 13, seed: 42, draw: 'datatrove', permutation: 'mod61', hash_seed: 0, short_docs: 'skip' },
};

export interface PresetOverrides extends Partial<MinHashConfig> {
  preset: PresetName;
  threshold: number;
}

/** Resolves a preset plus explicit overrides into a full configuration. */
export function resolveMinhashConfig(p: PresetOverrides): MinHashConfig {
  const base = { ...PRESETS[p.preset] };
  if (p.preset === 'rpv2' && p.bands === undefined && p.rows === undefined) {
    const key = String(p.threshold);
    const br = RPV2_BANDS[key];
    if (!br) throw new Error(`rpv2 preset: bands are defined for thresholds 0.7, 0.8, 0.9 and 1 (got ${p.threshold}); set bands and rows explicitly`);
    [base.bands, base.rows] = br;
  }
  const out: MinHashConfig = { ...base };
  for (const k of Object.keys(base) as (keyof MinHashConfig)[]) {
    const v = p[k];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (out.bands * out.rows > out.num_perm) throw new Error(`bands × rows = ${out.bands * out.rows} exceeds num_perm = ${out.num_perm}`);
  return out;
}

/** Probability that a pair with Jaccard s shares at least one band: 1 - (1 - s^r)^b. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}
