// `rpv2_signals`: the RedPajama-V2 quality signals as columns. Document-level signals become number columns named
// exactly like RPv2's signal (the score of the single [0, len, score] span), line-level signals become `spans`
// columns ([start, end, score] per RPv2 line, code point offsets). Word lists come from the manifest (local path or
// s3://); nothing is downloaded at run time.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineStage, type ColumnSpec, type Doc, type Span, type StageContext } from '../../pipeline/types.ts';
import {
  ALL_RPV2_SIGNALS, RPV2_INT_SIGNALS, Rpv2Signals, dsirOf, isLineSignal, mlModelOf, prepareBadWords,
  type BadWordList, type DsirOptions, type DsirTarget, type MlModelName, type Rpv2SignalName,
} from './rpv2.ts';
import { loadFastTextModel, type FastTextModel } from './fasttext.ts';
import { readNpy, type DsirDataset } from './dsir.ts';
import { RPV2_STOP_WORDS } from './data/stopwords.ts';
import { loadUt1Index } from './ut1.ts';
import { DocView } from './view.ts';

const SIGNAL_NAMES = ALL_RPV2_SIGNALS as readonly string[];

const dsirDataset = z.strictObject({
  counts: z.string().min(1).describe('Bucket counts (.npy, 1-D integer array), e.g. wikipedia.en.10000.counts.npy'),
  lambda: z.string().min(1).optional().describe('Mean length (.npy scalar), e.g. wikipedia.en.lambda.npy; needed for *_length_correction'),
});

export const rpv2Params = z.strictObject({
  signals: z
    .array(z.string())
    .optional()
    .superRefine((list, ctx) => {
      for (const s of list ?? []) {
        if (SIGNAL_NAMES.includes(s)) continue;
        ctx.addIssue({ code: 'custom', message: `unknown RPv2 signal "${s}"; known: ${SIGNAL_NAMES.join(', ')}` });
      }
    })
    .describe(
      'RPv2 signal names to compute (rps_doc_*, rps_lines_*). Default: every computable one — the 27 text signals, plus rps_doc_ldnoobw_words when `ldnoobw` is set, rps_doc_ut1_blacklist when `ut1` is set, rps_doc_ml_<name>_score for each model in `models` and rps_doc_<target>_importance[_length_correction] for each target in `dsir`',
    ),
  language: z
    .enum(Object.keys(RPV2_STOP_WORDS) as [string, ...string[]])
    .default('en')
    .describe("Stop word list of rps_doc_stop_word_fraction (RPv2's lists for en, de, fr, es, it)"),
  ldnoobw: z
    .string()
    .min(1)
    .optional()
    .describe(
      'LDNOOBW word list for rps_doc_ldnoobw_words: a text file, one entry per line (local path relative to the manifest, or s3://). RPv2 used the `en` file of LDNOOBW at commit 5faf2ba',
    ),
  ut1: z
    .string()
    .min(1)
    .optional()
    .describe(
      "UT1 blacklist for rps_doc_ut1_blacklist: RPv2's domain_to_category_id.json (domain -> category-set id), or a UT1 `blacklists` folder (needs `ut1Categories`)",
    ),
  ut1Categories: z
    .array(z.string().min(1))
    .optional()
    .describe("UT1 categories RPv2 was configured with (its --block_categories); needed when `ut1` is a folder, to number the category sets as RPv2 does"),
  models: z
    .strictObject({
      wikiref: z.string().min(1).optional().describe('fastText model of rps_doc_ml_wikiref_score (RPv2: wikiref.model.bin)'),
      palm: z.string().min(1).optional().describe('fastText model of rps_doc_ml_palm_score (RPv2 artefact: CCNet vs Wikipedia, OpenWebText, books)'),
      wikipedia: z.string().min(1).optional().describe('fastText model of rps_doc_ml_wikipedia_score (RPv2 artefact: CCNet vs Wikipedia)'),
    })
    .optional()
    .describe('fastText supervised models (.bin, not quantized .ftz; local path or s3://) for the rps_doc_ml_* signals; label __label__cc marks CCNet, as in RPv2'),
  dsir: z
    .strictObject({
      seed: z.number().int().min(0).max(4294967295).default(42).describe("PYTHONHASHSEED the artefacts were computed with (RPv2's Dockerfile sets 42); CPython's hash() is re-implemented for it"),
      ccnet: dsirDataset.describe('Source distribution (RPv2: ccnet.<lang>.<buckets>.counts.npy and ccnet.<lang>.lambda.npy)'),
      wikipedia: dsirDataset.optional().describe('Target of rps_doc_wikipedia_importance[_length_correction]'),
      books: dsirDataset.optional().describe('Target of rps_doc_books_importance[_length_correction]'),
      openwebtext: dsirDataset.optional().describe('Target of rps_doc_openwebtext_importance[_length_correction]'),
    })
    .optional()
    .describe("DSIR artefacts of RPv2's artifacts/hash_dist.py (.npy, local path or s3://) for the importance-weight signals"),
  domainField: z
    .string()
    .min(1)
    .default('source_domain')
    .describe("meta field with the document's domain for the UT1 lookup (RPv2 uses CCNet's source_domain); when missing, the host of meta.url is used"),
});

export type Rpv2Params = z.infer<typeof rpv2Params>;

/** Signals the stage computes for these parameters (fixes the columns before the run). */
export function selectedSignals(p: Rpv2Params): Rpv2SignalName[] {
  if (p.signals) return ALL_RPV2_SIGNALS.filter((s) => p.signals!.includes(s));
  return ALL_RPV2_SIGNALS.filter((s) => {
    const m = mlModelOf(s);
    const d = dsirOf(s);
    const dsirOk = !d || (p.dsir?.[d.target] !== undefined && (!d.lengthCorrection || (p.dsir[d.target]!.lambda !== undefined && p.dsir.ccnet.lambda !== undefined)));
    return (s !== 'rps_doc_ldnoobw_words' || p.ldnoobw) && (s !== 'rps_doc_ut1_blacklist' || p.ut1) && (!m || p.models?.[m]) && dsirOk;
  });
}

const DESCRIPTIONS: Record<string, string> = {
  rps_doc_curly_bracket: "('{' + '}' count) / len(text)",
  rps_doc_ldnoobw_words: 'n-grams of normalised words listed in LDNOOBW',
  rps_doc_lorem_ipsum: "'lorem ipsum' matches / len(normalised text)",
  rps_doc_stop_word_fraction: 'stop words / WordPunct tokens (case-sensitive)',
  rps_doc_ut1_blacklist: 'UT1 category-set id of the domain (null if not listed)',
  rps_doc_frac_all_caps_words: 'WordPunct tokens with str.isupper()',
  rps_doc_frac_lines_end_with_ellipsis: 'lines whose rstrip() ends with ... or …',
  rps_doc_frac_no_alph_words: 'WordPunct tokens without an ASCII letter',
  rps_doc_frac_unique_words: 'distinct / all normalised words',
  rps_doc_mean_word_length: 'mean code points per normalised word',
  rps_doc_num_sentences: 'matches of \\b[^.!?]+[.!?]*',
  rps_doc_symbol_to_word_ratio: "('#' + '...' + '…') / WordPunct tokens",
  rps_doc_unigram_entropy: 'entropy of normalised word counts (nats)',
  rps_doc_word_count: 'normalised words',
  rps_lines_ending_with_terminal_punctution_mark: 'per line: rstrip() ends with . ! ? ”',
  rps_lines_javascript_counts: "per line: normalised words equal to 'javascript'",
  rps_lines_num_words: 'per line: normalised words',
  rps_lines_numerical_chars_fraction: 'per line: numeric chars / len(normalised line)',
  rps_lines_start_with_bulletpoint: 'per line: lstrip() starts with a bullet character',
  rps_lines_uppercase_letter_fraction: 'per line: uppercase chars / len(line)',
  rps_doc_ml_wikiref_score: 'fastText wikiref classifier score (1 - p if __label__cc)',
  rps_doc_ml_palm_score: 'fastText palm classifier score (1 - p if __label__cc)',
  rps_doc_ml_wikipedia_score: 'fastText wikipedia classifier score (1 - p if __label__cc)',
};
for (const t of ['books', 'openwebtext', 'wikipedia']) {
  DESCRIPTIONS[`rps_doc_${t}_importance`] = `DSIR log-likelihood ratio ${t} vs CCNet of the hashed word uni/bigrams`;
  DESCRIPTIONS[`rps_doc_${t}_importance_length_correction`] = `DSIR ${t} vs CCNet with the Poisson length term`;
}

export function rpv2Columns(p: Rpv2Params): ColumnSpec[] {
  return selectedSignals(p).map((s): ColumnSpec => {
    const m = /^rps_doc_frac_chars_(dupe|top)_(\d+)grams?$/.exec(s);
    const description =
      DESCRIPTIONS[s] ??
      (m ? (m[1] === 'dupe' ? `chars in words covered by repeated ${m[2]}-grams / all chars` : `chars of the most frequent repeated ${m[2]}-gram × its count / all chars`) : s);
    if (isLineSignal(s)) return { name: s, type: 'spans', description: `RPv2 ${description}` };
    return { name: s, type: RPV2_INT_SIGNALS.includes(s) ? 'int32' : 'float64', description: `RPv2 ${description}` };
  });
}

async function readLocal(ctx: StageContext, path: string): Promise<Buffer> {
  const uri = ctx.storage.resolve(ctx.baseDir, path);
  const local = await ctx.storage.localPath(uri);
  return readFile(local);
}

/** Domain of a document for the UT1 lookup: meta[domainField], else the host of meta.url. */
export function documentDomain(doc: Doc, field: string): string | null {
  const d = doc.meta[field];
  if (typeof d === 'string') return d;
  const url = doc.meta.url;
  if (typeof url === 'string') {
    try {
      return new URL(url).host;
    } catch {
      return null;
    }
  }
  return null;
}

export const rpv2SignalsStage = defineStage({
  name: 'rpv2_signals',
  family: 'signals',
  description:
    'RedPajama-V2 quality signals as columns named like RPv2 (document-level as numbers, line-level as spans): the 27 text signals, plus LDNOOBW / UT1 / fastText / DSIR signals from user-supplied lists, models and artefacts.',
  params: rpv2Params,
  reads: () => [],
  writes: (p) => rpv2Columns(p),
  create(p) {
    const names = selectedSignals(p);
    let compiled: Rpv2Signals | undefined;
    const wantsUt1 = names.includes('rps_doc_ut1_blacklist');
    return {
      name: 'rpv2_signals',
      async setup(ctx) {
        let badWords: BadWordList | undefined;
        if (names.includes('rps_doc_ldnoobw_words')) {
          if (!p.ldnoobw) throw new Error('rpv2_signals: rps_doc_ldnoobw_words needs the `ldnoobw` parameter (path to a LDNOOBW word list)');
          badWords = prepareBadWords((await readLocal(ctx, p.ldnoobw)).toString('utf8'));
          ctx.log.info(`rpv2_signals: LDNOOBW list ${p.ldnoobw}: ${badWords.size} entries`);
        }
        let ut1: ReadonlyMap<string, number> | undefined;
        if (wantsUt1) {
          if (!p.ut1) throw new Error('rpv2_signals: rps_doc_ut1_blacklist needs the `ut1` parameter (domain_to_category_id.json or a UT1 blacklists folder)');
          ut1 = await loadUt1Index(ctx.storage, ctx.storage.resolve(ctx.baseDir, p.ut1), p.ut1Categories);
          ctx.log.info(`rpv2_signals: UT1 index ${p.ut1}: ${ut1.size} domains`);
        }
        const models: Partial<Record<MlModelName, FastTextModel>> = {};
        for (const s of names) {
          const m = mlModelOf(s);
          if (!m) continue;
          const path = p.models?.[m];
          if (!path) throw new Error(`rpv2_signals: ${s} needs the fastText model \`models.${m}\``);
          try {
            models[m] = await loadFastTextModel(await ctx.storage.localPath(ctx.storage.resolve(ctx.baseDir, path)));
          } catch (e) {
            throw new Error(`rpv2_signals: cannot load fastText model ${path}: ${(e as Error).message}`);
          }
          const a = models[m]!.args;
          ctx.log.info(`rpv2_signals: fastText model ${m} = ${path} (${a.loss}, dim ${a.dim}, ${models[m]!.nwords} words, labels ${models[m]!.labels.join(' ')})`);
        }
        let dsir: DsirOptions | undefined;
        if (names.some((s) => dsirOf(s))) {
          if (!p.dsir) throw new Error('rpv2_signals: the importance-weight signals need the `dsir` parameter (RPv2 count artefacts)');
          const load = async (what: string, path: string): Promise<Float64Array> => {
            try {
              return readNpy(await readLocal(ctx, path)).data;
            } catch (e) {
              throw new Error(`rpv2_signals: cannot read DSIR ${what} ${path}: ${(e as Error).message}`);
            }
          };
          const dataset = async (name: string, d: { counts: string; lambda?: string }): Promise<DsirDataset> => ({
            counts: await load(`${name} counts`, d.counts),
            lambda: d.lambda ? (await load(`${name} lambda`, d.lambda))[0] : undefined,
          });
          const targets: Partial<Record<DsirTarget, DsirDataset>> = {};
          for (const t of ['wikipedia', 'books', 'openwebtext'] as const) {
            const d = p.dsir[t];
            if (d && names.some((s) => dsirOf(s)?.target === t)) targets[t] = await dataset(t, d);
          }
          dsir = { seed: p.dsir.seed, source: await dataset('ccnet', p.dsir.ccnet), targets };
          ctx.log.info(`rpv2_signals: DSIR ${dsir.source.counts.length} buckets, PYTHONHASHSEED=${dsir.seed}, targets ${Object.keys(targets).join(', ')}`);
        }
        compiled = new Rpv2Signals({ signals: names, language: p.language, badWords, ut1, models, dsir });
        const skipped = ALL_RPV2_SIGNALS.filter((s) => !names.includes(s));
        ctx.log.info(
          `rpv2_signals: computing ${names.length} signals: ${names.join(', ')}` +
            (skipped.length ? `; not computed (no list / index / model / DSIR artefact given, or not requested): ${skipped.join(', ')}` : ''),
        );
      },
      async *run(batches, ctx) {
        const sig = compiled!;
        for await (const b of batches) {
          for (const d of b.docs) {
            const view = new DocView(d.text);
            const res = sig.compute(view, wantsUt1 ? documentDomain(d, p.domainField) : undefined);
            for (const name of names) {
              const spans = res[name];
              if (isLineSignal(name)) {
                // RPv2 writes a null score only for rps_lines_start_with_bulletpoint of an empty text; the
                // spans column keeps it as null (the Parquet writer stores null span elements).
                d.cols[name] = spans as unknown as Span[];
              } else d.cols[name] = spans[0][2];
            }
            ctx.stats.metric('rps_doc_word_count', view.wordCount);
          }
          yield b;
        }
      },
    };
  },
});
