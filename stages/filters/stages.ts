// The six datatrove filters as registered stages: gopher_quality, gopher_repetition, c4_quality, c4_paragraph,
// c4_badwords, fineweb_quality. Parameter names and defaults are datatrove's own (v0.10.0).
import { z } from 'zod';
import { defineStage, type Doc } from '../../pipeline/types.ts';
import { englishTokenizer } from '../text/spacy/tokenizer.ts';
import { wordsOf, type TokenizerKind } from '../text/words.ts';
import {
  C4_PARAGRAPH_DEFAULTS, C4_QUALITY_DEFAULTS, FINEWEB_QUALITY_DEFAULTS, GOPHER_QUALITY_DEFAULTS,
  GOPHER_REPETITION_DEFAULTS, c4BadWords, c4Paragraph, c4Quality, compileBadWords, fineWebQuality, gopherQuality,
  gopherRepetition,
} from './datatrove.ts';
import { annotationColumns, filterStage, modeParam, readParamFile, seededUniform, tokenizerParam } from './common.ts';
import { c4QualityRanges } from './c4.ts';

const G = GOPHER_QUALITY_DEFAULTS;
const threshold = (def: number | null, what: string) =>
  z.number().nullable().default(def).describe(`${what} (null or 0 disables the rule, as in datatrove)`);

export const gopherQualityParams = z.strictObject({
  min_doc_words: threshold(G.min_doc_words, 'gopher_short_doc: minimum number of non-symbol words'),
  max_doc_words: threshold(G.max_doc_words, 'gopher_long_doc: maximum number of non-symbol words'),
  min_avg_word_length: threshold(G.min_avg_word_length, 'gopher_below_avg_threshold: minimum mean length of non-symbol words'),
  max_avg_word_length: threshold(G.max_avg_word_length, 'gopher_above_avg_threshold: maximum mean length of non-symbol words'),
  max_symbol_word_ratio: threshold(G.max_symbol_word_ratio, "gopher_too_many_hashes / gopher_too_many_ellipsis: maximum count('#') and count('...')+count('…') per word"),
  max_bullet_lines_ratio: threshold(G.max_bullet_lines_ratio, 'gopher_too_many_bullets: maximum fraction of lines starting with • or -'),
  max_ellipsis_lines_ratio: threshold(G.max_ellipsis_lines_ratio, 'gopher_too_many_end_ellipsis: maximum fraction of lines ending with ... or …'),
  max_non_alpha_words_ratio: threshold(G.max_non_alpha_words_ratio, 'gopher_below_alpha_threshold: MINIMUM fraction of words with a letter (datatrove\'s name is inverted)'),
  min_stop_words: threshold(G.min_stop_words, 'gopher_enough_stop_words: minimum number of distinct stop words present (case-sensitive)'),
  stop_words: z.array(z.string()).default(G.stop_words).describe('Stop words for min_stop_words'),
  tokenizer: tokenizerParam,
  mode: modeParam,
});

export const gopherQualityStage = defineStage({
  name: 'gopher_quality',
  family: 'filters',
  description: "datatrove GopherQualityFilter: word count, mean word length, '#' and ellipsis ratios, bullet/ellipsis lines, alphabetic words, stop words (Gopher, Rae et al. 2021).",
  params: gopherQualityParams,
  reads: () => [],
  writes: (p) => annotationColumns('gopher_quality', p.mode),
  create(p) {
    const tk = p.tokenizer as TokenizerKind;
    return filterStage('gopher_quality', p.mode, { check: (d) => gopherQuality(d.text, wordsOf(d, tk), p) });
  },
});

const R = GOPHER_REPETITION_DEFAULTS;
const ngramRule = z.tuple([z.number().int().min(1), z.number()]);

export const gopherRepetitionParams = z.strictObject({
  dup_line_frac: threshold(R.dup_line_frac, 'dup_line_frac: maximum fraction of duplicate lines (split on \\n+)'),
  dup_para_frac: threshold(R.dup_para_frac, 'dup_para_frac: maximum fraction of duplicate paragraphs (split on \\n\\n+)'),
  dup_line_char_frac: threshold(R.dup_line_char_frac, 'dup_line_char_frac: maximum characters in duplicate lines / len(text)'),
  dup_para_char_frac: threshold(R.dup_para_char_frac, 'dup_para_char_frac: maximum characters in duplicate paragraphs / len(text)'),
  top_n_grams: z.array(ngramRule).default(R.top_n_grams).describe('top_{n}_gram: [n, max fraction] pairs — characters of the most frequent word n-gram × its count / len(text)'),
  dup_n_grams: z.array(ngramRule).default(R.dup_n_grams).describe('duplicated_{n}_n_grams: [n, max fraction] pairs — characters in repeated word n-grams (greedy) / len(text)'),
  tokenizer: tokenizerParam,
  mode: modeParam,
});

export const gopherRepetitionStage = defineStage({
  name: 'gopher_repetition',
  family: 'filters',
  description: 'datatrove GopherRepetitionFilter: duplicate lines/paragraphs (count and characters), top n-gram and duplicated n-gram character fractions.',
  params: gopherRepetitionParams,
  reads: () => [],
  writes: (p) => annotationColumns('gopher_repetition', p.mode),
  create(p) {
    const tk = p.tokenizer as TokenizerKind;
    return filterStage('gopher_repetition', p.mode, { check: (d) => gopherRepetition(d.text, () => wordsOf(d, tk), p) });
  },
});

const C = C4_QUALITY_DEFAULTS;

export const c4QualityParams = z.strictObject({
  split_paragraph: z.boolean().default(C.split_paragraph).describe('true: judge each line (str.splitlines); false: judge each spaCy sentence and join kept ones with spaces'),
  remove_citations: z.boolean().default(C.remove_citations).describe('Remove [1], [edit], [citation needed] from lines'),
  filter_no_terminal_punct: z.boolean().default(C.filter_no_terminal_punct).describe('Drop lines not ending with . ? ! " \' (or ending with ...)'),
  min_num_sentences: z.number().int().default(C.min_num_sentences).describe('too_few_sentences: minimum sentences over the kept lines (-1 disables)'),
  min_words_per_line: z.number().int().default(C.min_words_per_line).describe('Drop lines with fewer whitespace-separated words (-1 disables)'),
  max_word_length: z.number().int().default(C.max_word_length).describe('Drop lines with a longer word (-1 disables)'),
  filter_lorem_ipsum: z.boolean().default(C.filter_lorem_ipsum).describe('lorem_ipsum: drop the document when a kept-so-far line contains "lorem ipsum"'),
  filter_javascript: z.boolean().default(C.filter_javascript).describe('Drop lines mentioning "javascript"'),
  filter_curly_bracket: z.boolean().default(C.filter_curly_bracket).describe('curly_bracket: drop the document when a kept-so-far line contains "{"'),
  filter_policy: z.boolean().default(C.filter_policy).describe('Drop lines with terms-of-use / privacy / cookie phrases'),
  rewrite_text: z.boolean().default(true).describe("Replace a kept document's text by its kept lines (datatrove's behaviour); false keeps the text unchanged"),
  tokenizer: tokenizerParam,
  mode: modeParam,
});

export const c4QualityStage = defineStage({
  name: 'c4_quality',
  family: 'filters',
  description: 'datatrove C4QualityFilter: removes lines (no terminal punctuation, too few words, javascript, policy, long words, citations) and drops documents with lorem ipsum, a curly bracket or too few sentences; rewrites the text of kept documents.',
  params: c4QualityParams,
  reads: () => [],
  writes: (p) => annotationColumns('c4_quality', p.mode),
  create(p) {
    const tk = p.tokenizer as TokenizerKind;
    const parts = (t: string): string[] => englishTokenizer().sentences(t);
    return filterStage('c4_quality', p.mode, {
      check(d, ctx) {
        const r = c4QualityRanges(d.text, p, tk, parts);
        ctx.stats.metric('c4_lines_kept', r.lineStats['line-kept'] ?? 0);
        ctx.stats.metric('c4_lines_total', r.lineStats['line-total'] ?? 0);
        if (r.keep && p.rewrite_text && r.text !== undefined) d.text = r.text;
        return r;
      },
    });
  },
});

export const c4ParagraphParams = z.strictObject({
  min_paragraphs: z.number().int().default(C4_PARAGRAPH_DEFAULTS.min_paragraphs).describe('Minimum number of \\n-separated lines (datatrove hard-codes 3)'),
  min_paragraph_len: z.number().int().default(C4_PARAGRAPH_DEFAULTS.min_paragraph_len).describe('The 3rd-longest line must have at least this many characters (datatrove hard-codes 200)'),
  mode: modeParam,
});

export const c4ParagraphStage = defineStage({
  name: 'c4_paragraph',
  family: 'filters',
  description: 'datatrove C4ParagraphFilter (mC4): drop documents with fewer than 3 lines or whose 3rd-longest line is under 200 characters.',
  params: c4ParagraphParams,
  reads: () => [],
  writes: (p) => annotationColumns('c4_paragraph', p.mode),
  create(p) {
    return filterStage('c4_paragraph', p.mode, { check: (d) => c4Paragraph(d.text, p) });
  },
});

export const c4BadWordsParams = z.strictObject({
  words_path: z.string().min(1).optional().describe("Bad-words list of `default_language` (one entry per line; local path relative to the manifest, or s3://). datatrove uses LDNOOBW `en` at commit 25e679f; never downloaded"),
  paths: z.record(z.string(), z.string().min(1)).default({}).describe('Lists of other languages: {language: path}. ja, th and zh lists match without word boundaries, as in datatrove'),
  default_language: z.string().default('en').describe('Language of documents without a language field'),
  language_field: z.string().default('language').describe("meta field holding the document's language (datatrove: metadata['language'])"),
  keep_fraction: z.number().min(0).max(1).default(0).describe('Keep this fraction of documents with bad words (seeded draw; not numpy\'s stream)'),
  seed: z.number().int().default(0).describe('Seed of the keep_fraction draws'),
  fail_on_missing_language: z.boolean().default(true).describe('Fail on a document whose language has no list (datatrove default); false keeps such documents'),
  mode: modeParam,
});

export const c4BadWordsStage = defineStage({
  name: 'c4_badwords',
  family: 'filters',
  description: "datatrove C4BadWordsFilter: drop documents whose lowercased text contains a listed word between non-word characters (LDNOOBW list from a user-supplied path).",
  params: c4BadWordsParams,
  reads: () => [],
  writes: (p) => annotationColumns('c4_badwords', p.mode),
  create(p) {
    const regexes = new Map<string, RegExp>();
    const draw = p.keep_fraction > 0 ? seededUniform(p.seed) : null;
    return filterStage('c4_badwords', p.mode, {
      async setup(ctx) {
        const all: Record<string, string> = { ...p.paths };
        if (p.words_path) all[p.default_language] = p.words_path;
        if (Object.keys(all).length === 0) {
          throw new Error('c4_badwords: no word list given. Set `words_path` to a local or s3:// copy of the LDNOOBW list (datatrove uses LDNOOBW `en` at commit 25e679f); lists are never downloaded');
        }
        for (const [lang, path] of Object.entries(all)) {
          regexes.set(lang, compileBadWords(await readParamFile(ctx, path), lang));
        }
      },
      check(d: Doc) {
        const v = d.meta[p.language_field];
        const lang = typeof v === 'string' ? v : p.default_language;
        const re = regexes.get(lang);
        if (!re) {
          if (p.fail_on_missing_language) {
            throw new Error(`c4_badwords: document ${d.id} has language "${lang}" but no bad-words list was given for it; add it under \`paths\` or set fail_on_missing_language: false`);
          }
          return { keep: true, reason: null };
        }
        return c4BadWords(d.text, re, draw ? () => draw() < p.keep_fraction : undefined);
      },
    });
  },
});

const W = FINEWEB_QUALITY_DEFAULTS;

export const fineWebQualityParams = z.strictObject({
  line_punct_thr: z.number().default(W.line_punct_thr).describe('line_punct_ratio: minimum fraction of non-blank lines ending with a terminal mark'),
  line_punct_exclude_zero: z.boolean().default(W.line_punct_exclude_zero).describe('Do not drop documents where that fraction is exactly 0'),
  stop_chars: z.array(z.string()).nullable().default(W.stop_chars).describe("Line endings that count as punctuation (null = datatrove's TERMINAL_PUNCTUATION, 159 marks)"),
  short_line_thr: z.number().default(W.short_line_thr).describe('short_line_ratio: maximum fraction of lines with at most short_line_length characters'),
  short_line_length: z.number().int().default(W.short_line_length).describe('Length of a short line (characters)'),
  char_duplicates_ratio: z.number().default(W.char_duplicates_ratio).describe('char_dup_ratio: maximum characters in duplicate lines / characters without \\n'),
  new_line_ratio: z.number().default(W.new_line_ratio).describe("list_ratio: maximum count('\\n') / number of words"),
  tokenizer: tokenizerParam,
  mode: modeParam,
});

export const fineWebQualityStage = defineStage({
  name: 'fineweb_quality',
  family: 'filters',
  description: 'datatrove FineWebQualityFilter: terminal-punctuation lines, short lines, duplicated line characters, newline-to-word ratio.',
  params: fineWebQualityParams,
  reads: () => [],
  writes: (p) => annotationColumns('fineweb_quality', p.mode),
  create(p) {
    const tk = p.tokenizer as TokenizerKind;
    return filterStage('fineweb_quality', p.mode, { check: (d) => fineWebQuality(d.text, () => wordsOf(d, tk), p) });
  },
});

export const datatroveFilterStages = [
  gopherQualityStage, gopherRepetitionStage, c4QualityStage, c4ParagraphStage, c4BadWordsStage, fineWebQualityStage,
];
