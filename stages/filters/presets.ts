// Named presets: `zyda1_filters` (Zyda-1's transform + filter table) and `nemo_heuristics` (NeMo Curator's
// default English heuristic cascade). Thresholds default to the originals and can be overridden.
import { z } from 'zod';
import { defineStage } from '../../pipeline/types.ts';
import { annotationColumns, filterStage, modeParam, readParamFile } from './common.ts';
import { nemoEnglishCascade, nemoHeuristics } from './nemo.ts';
import { ZYDA1_DEFAULTS, compileZyda1, zyda1Features, zyda1Filter, type Zyda1Compiled } from './zyda1.ts';

const Z = ZYDA1_DEFAULTS;
const ZYDA_LISTS = ['profanity_word_list', 'sexual_word_list', 'zh_pornsignals', 'cursed_substrings'] as const;

export const zyda1Params = z.strictObject({
  min_length: z.number().default(Z.min_length).describe('zyda1_min_length: minimum characters of the transformed text'),
  min_mean_word_length: z.number().default(Z.min_mean_word_length).describe('zyda1_min_mean_word_length (words split on whitespace, - / \\ .)'),
  max_mean_word_length: z.number().default(Z.max_mean_word_length).describe('zyda1_max_mean_word_length'),
  max_fraction_non_alphanumeric: z.number().default(Z.max_fraction_non_alphanumeric).describe('zyda1_fraction_non_alphanumeric: maximum [^\\w\\s] characters / len(text)'),
  max_fraction_numerical: z.number().default(Z.max_fraction_numerical).describe('zyda1_fraction_numerical: maximum \\d characters / len(text)'),
  max_repeated_substrings: z.number().default(Z.max_repeated_substrings).describe('zyda1_repeated_substrings: maximum runs of one word character repeated 7+ times (transformed text)'),
  patterns_with_max_counts: z.record(z.string(), z.number()).default(Z.patterns_with_max_counts).describe('zyda1_pattern_count:<p>: Python regex -> maximum number of matches'),
  patterns_with_max_fractions: z.record(z.string(), z.number()).default(Z.patterns_with_max_fractions).describe('zyda1_pattern_fraction:<p>: Python regex -> maximum matches / len(transformed text)'),
  word_lists_with_max_counts: z.record(z.string(), z.number()).default(Z.word_lists_with_max_counts).describe('zyda1_word_list_count:<list>: maximum total matches of a list'),
  word_lists_with_max_fractions: z.record(z.string(), z.number()).default(Z.word_lists_with_max_fractions).describe('zyda1_word_list_fraction:<list>: maximum total matches / len(transformed text)'),
  word_lists: z
    .partialRecord(z.enum(ZYDA_LISTS), z.string().min(1))
    .default({})
    .describe("Paths (local or s3://) of Zyda-1's word lists: JSON files {\"words\": [...]} as in Zyda_processing (profanity_word_list, sexual_word_list, zh_pornsignals, cursed_substrings). Rules of lists not given are skipped (logged)"),
  transform: z.boolean().default(true).describe('Replace the text of kept documents by the transformed text (Zyda-1 kept the transformed text)'),
  mode: modeParam,
});

export const zyda1FiltersStage = defineStage({
  name: 'zyda1_filters',
  family: 'filters',
  description: "Zyda-1 preset: collapse runs of repeated characters (Zyda_processing transform), then Zyda-1's filter table (length, mean word length, symbol/digit fractions, repeated characters, patterns, word lists).",
  params: zyda1Params,
  reads: () => [],
  writes: (p) => annotationColumns('zyda1_filters', p.mode),
  create(p) {
    let compiled: Zyda1Compiled;
    return filterStage('zyda1_filters', p.mode, {
      async setup(ctx) {
        const lists: Record<string, string[]> = {};
        for (const [name, path] of Object.entries(p.word_lists)) {
          if (!path) continue;
          const raw = await readParamFile(ctx, path);
          let words: unknown;
          try {
            words = (JSON.parse(raw) as { words?: unknown }).words;
          } catch (e) {
            throw new Error(`zyda1_filters: ${path} is not JSON (${(e as Error).message}); expected {"words": [...]}`);
          }
          if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) {
            throw new Error(`zyda1_filters: ${path} must be a JSON object {"words": [string, ...]}`);
          }
          lists[name] = words as string[];
        }
        compiled = compileZyda1(p, lists);
        const missing = ZYDA_LISTS.filter((l) => !(l in lists));
        if (missing.length) ctx.log.warn(`zyda1_filters: no word list given for ${missing.join(', ')}: their rules are skipped`);
      },
      check(d) {
        const f = zyda1Features(d.text, compiled);
        const r = zyda1Filter(f, p);
        if (r.keep && p.transform) d.text = f.transformed;
        return r;
      },
    });
  },
});

const NEMO_NAMES = nemoEnglishCascade().map((r) => r.name);

export const nemoParams = z.strictObject({
  thresholds: z
    .record(z.string(), z.number())
    .default({})
    .superRefine((t, ctx) => {
      for (const k of Object.keys(t)) {
        const base = k.replace(/_max$/, '');
        if (!NEMO_NAMES.includes(base)) ctx.addIssue({ code: 'custom', message: `unknown NeMo filter "${k}" (known: ${NEMO_NAMES.join(', ')})` });
      }
    })
    .describe('Override thresholds by NeMo filter name, e.g. {word_count: 100, word_count_max: 50000, alpha_numeric: 0.3}; `<name>_max` sets the upper bound of word_count and mean_word_length'),
  skip: z.array(z.enum(NEMO_NAMES as [string, ...string[]])).default([]).describe('NeMo filters to leave out of the cascade'),
  mode: modeParam,
});

export const nemoHeuristicsStage = defineStage({
  name: 'nemo_heuristics',
  family: 'filters',
  description: "NeMo Curator's default English heuristic filter cascade (heuristic_filter_english_pipeline.yaml): 28 filters in order, the first failing one's name is the drop reason.",
  params: nemoParams,
  reads: () => [],
  writes: (p) => annotationColumns('nemo_heuristics', p.mode),
  create(p) {
    const rules = nemoEnglishCascade()
      .filter((r) => !p.skip.includes(r.name))
      .map((r) => ({
        ...r,
        threshold: p.thresholds[r.name] ?? r.threshold,
        threshold2: p.thresholds[`${r.name}_max`] ?? r.threshold2,
      }));
    return filterStage('nemo_heuristics', p.mode, { check: (d) => nemoHeuristics(d.text, rules) });
  },
});
