// RedPajama-V2 quality signals (togethercomputer/RedPajama-Data @ 6d2cee9, app/src/core/quality_signals/), ported
// to run on the shared document view. Names, span format ([start, end, score], code point offsets, one span per
// RPv2 line for line-level signals), score types and Python round(x, 8) follow the original.
// Definitions: docs/signals-rpv2.md and ../shared/reference/quality-signals.md.
import { DocView } from './view.ts';
import { pyRound8 } from './unicode.ts';
import { RPV2_STOP_WORDS } from './data/stopwords.ts';
import { pySplitlines, pySplitWhitespace, pyStrip } from './text.ts';
import type { FastTextModel } from './fasttext.ts';
import { DsirWeights, viewHashFeatures, type DsirDataset } from './dsir.ts';

/** One RPv2 span: code point offsets and a score (`null` where RPv2 writes None). */
export type RpsSpan = [start: number, end: number, score: number | null];
export type RpsSignals = Record<string, RpsSpan[]>;

/** Document-level signals computed from the text alone, in RPv2's output order. */
export const RPV2_DOC_SIGNALS = [
  'rps_doc_curly_bracket',
  'rps_doc_ldnoobw_words',
  'rps_doc_lorem_ipsum',
  'rps_doc_stop_word_fraction',
  'rps_doc_ut1_blacklist',
  'rps_doc_frac_chars_dupe_10grams',
  'rps_doc_frac_chars_dupe_5grams',
  'rps_doc_frac_chars_dupe_6grams',
  'rps_doc_frac_chars_dupe_7grams',
  'rps_doc_frac_chars_dupe_8grams',
  'rps_doc_frac_chars_dupe_9grams',
  'rps_doc_frac_chars_top_2gram',
  'rps_doc_frac_chars_top_3gram',
  'rps_doc_frac_chars_top_4gram',
  'rps_doc_frac_all_caps_words',
  'rps_doc_frac_lines_end_with_ellipsis',
  'rps_doc_frac_no_alph_words',
  'rps_doc_frac_unique_words',
  'rps_doc_mean_word_length',
  'rps_doc_num_sentences',
  'rps_doc_symbol_to_word_ratio',
  'rps_doc_unigram_entropy',
  'rps_doc_word_count',
] as const;

/** Line-level signals: one span per RPv2 line. */
export const RPV2_LINE_SIGNALS = [
  'rps_lines_ending_with_terminal_punctution_mark',
  'rps_lines_javascript_counts',
  'rps_lines_num_words',
  'rps_lines_numerical_chars_fraction',
  'rps_lines_start_with_bulletpoint',
  'rps_lines_uppercase_letter_fraction',
] as const;

/** fastText classifier signals: computed when the user supplies the model (.bin) files. */
export const RPV2_ML_SIGNALS = ['rps_doc_ml_wikiref_score', 'rps_doc_ml_palm_score', 'rps_doc_ml_wikipedia_score'] as const;

/** DSIR importance weights: computed when the user supplies RPv2's count artefacts (and lambdas for *_length_correction). */
export const RPV2_DSIR_SIGNALS = [
  'rps_doc_books_importance',
  'rps_doc_books_importance_length_correction',
  'rps_doc_openwebtext_importance',
  'rps_doc_openwebtext_importance_length_correction',
  'rps_doc_wikipedia_importance',
  'rps_doc_wikipedia_importance_length_correction',
] as const;

export type DsirTarget = 'books' | 'openwebtext' | 'wikipedia';

/** Target dataset and length-correction flag of a DSIR signal. */
export function dsirOf(signal: string): { target: DsirTarget; lengthCorrection: boolean } | undefined {
  const m = /^rps_doc_(books|openwebtext|wikipedia)_importance(_length_correction)?$/.exec(signal);
  return m ? { target: m[1] as DsirTarget, lengthCorrection: m[2] !== undefined } : undefined;
}

/** DSIR artefacts: the source (CCNet) and target bucket counts, lambdas, and the PYTHONHASHSEED of hash(). */
export interface DsirOptions {
  /** PYTHONHASHSEED the artefacts were computed with (RPv2's Dockerfile: 42). */
  seed: number;
  source: DsirDataset;
  targets: Partial<Record<DsirTarget, DsirDataset>>;
}

export type Rpv2SignalName =
  | (typeof RPV2_DOC_SIGNALS)[number]
  | (typeof RPV2_LINE_SIGNALS)[number]
  | (typeof RPV2_ML_SIGNALS)[number]
  | (typeof RPV2_DSIR_SIGNALS)[number];

export type MlModelName = 'wikiref' | 'palm' | 'wikipedia';

/** The model each rps_doc_ml_* signal uses. */
export function mlModelOf(signal: string): MlModelName | undefined {
  const m = /^rps_doc_ml_(wikiref|palm|wikipedia)_score$/.exec(signal);
  return m ? (m[1] as MlModelName) : undefined;
}

/** Signals that need a user-supplied list (LDNOOBW words, UT1 domain index). */
export const RPV2_LIST_SIGNALS: readonly Rpv2SignalName[] = ['rps_doc_ldnoobw_words', 'rps_doc_ut1_blacklist'];

/** Every signal computed from the text alone (the 27 that need no list or model). */
export const RPV2_TEXT_SIGNALS: readonly Rpv2SignalName[] = [...RPV2_DOC_SIGNALS, ...RPV2_LINE_SIGNALS].filter(
  (s) => !RPV2_LIST_SIGNALS.includes(s),
);

/** Every signal this port computes (given the lists and models), in RPv2's output order. */
export const ALL_RPV2_SIGNALS: readonly Rpv2SignalName[] = [...RPV2_DOC_SIGNALS, ...RPV2_LINE_SIGNALS, ...RPV2_ML_SIGNALS, ...RPV2_DSIR_SIGNALS];

/** Whether DSIR options provide what a DSIR signal needs. */
export function dsirAvailable(signal: string, dsir: DsirOptions | undefined): boolean {
  const d = dsirOf(signal);
  if (!d) return true;
  const t = dsir?.targets[d.target];
  if (!t) return false;
  return !d.lengthCorrection || (t.lambda !== undefined && dsir!.source.lambda !== undefined);
}

/** Integer-valued signals (RPv2 writes ints); every other computed signal is a float (or null). */
export const RPV2_INT_SIGNALS: readonly Rpv2SignalName[] = ['rps_doc_word_count', 'rps_lines_num_words', 'rps_doc_ut1_blacklist'];

export function isLineSignal(name: string): boolean {
  return name.startsWith('rps_lines_');
}

/** A LDNOOBW word list prepared for matching n-grams of normalised words. */
export interface BadWordList {
  /** Entries without a space (n = 1). */
  unigrams: ReadonlySet<string>;
  /** Entries with n > 1 words, split on single spaces (entries that can never match are dropped). */
  multi: readonly (readonly string[])[];
  /** Number of entries in the source list (after strip and de-duplication, as RPv2 loads it). */
  size: number;
  /** Every matchable entry (unigrams as one-word arrays) under its first word. */
  byFirst: ReadonlyMap<string, readonly (readonly string[])[]>;
}

/**
 * Prepares a LDNOOBW list the way RPv2 loads it (`set(ln.strip() for ln in f.readlines())`): an entry with k spaces
 * is compared with the k+1-grams of normalised words joined by one space.
 */
export function prepareBadWords(fileText: string): BadWordList {
  const entries = new Set<string>();
  // Python readlines() with universal newlines: no element after a final newline
  for (const ln of fileText.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []) entries.add(pyStrip(ln));
  const unigrams = new Set<string>();
  const multi: string[][] = [];
  for (const e of entries) {
    if (!e.includes(' ')) {
      if (e.length > 0) unigrams.add(e);
      continue;
    }
    const parts = e.split(' ');
    // an n-gram of whitespace-free, non-empty words joined by single spaces can only equal such an entry
    if (parts.every((p) => p.length > 0 && pySplitWhitespace(p).length === 1 && pySplitWhitespace(p)[0] === p)) multi.push(parts);
  }
  const byFirst = new Map<string, string[][]>();
  for (const parts of [...[...unigrams].map((w) => [w]), ...multi]) {
    const list = byFirst.get(parts[0]);
    if (list) list.push(parts);
    else byFirst.set(parts[0], [parts]);
  }
  return { unigrams, multi, size: entries.size, byFirst };
}

export interface Rpv2Options {
  /** Signals to compute; default: every signal whose inputs are available. */
  signals?: readonly string[];
  /** Stop word language (RPv2: en, de, fr, es, it). Default en. */
  language?: string;
  /** LDNOOBW list for `rps_doc_ldnoobw_words` (prepareBadWords). Without it the signal is not computed. */
  badWords?: BadWordList;
  /** UT1 index (domain -> category-set id) for `rps_doc_ut1_blacklist`. Without it the signal is not computed. */
  ut1?: ReadonlyMap<string, number>;
  /** The document's domain (RPv2: CCNet `source_domain`), looked up in `ut1`. */
  domain?: string | null;
  /** fastText models of the rps_doc_ml_* signals (RPv2 artefacts); a signal is computed when its model is given. */
  models?: Partial<Record<MlModelName, FastTextModel>>;
  /** DSIR artefacts for the rps_doc_*_importance signals. */
  dsir?: DsirOptions;
}

/** A compiled signal set: resolve options once, then compute per document. */
export class Rpv2Signals {
  readonly names: readonly Rpv2SignalName[];
  private readonly want: Set<string>;
  private readonly stop: ReadonlySet<string>;
  /**
   * ASCII trie of the stop words over their own alphabet: `v = trie[node * stride + stopChar[c]]` is 0 when no stop
   * word continues with c, else 2 * child + 1 when the child ends a stop word, 2 * child otherwise. Column 0 (the
   * characters in no stop word) stays 0, so an unknown character ends the walk without a test of its own.
   */
  private readonly trie: Uint16Array;
  private readonly stride: number;
  /** ASCII unit -> column of the trie (1..stride-1), 0 when no ASCII stop word has it. */
  private readonly stopChar: Uint8Array;
  /** Length in UTF-16 units of the longest ASCII stop word. */
  private readonly stopMaxLen: number;
  /** Whether the list has non-ASCII words (looked up in `stop` for the tokens with non-ASCII units). */
  private readonly stopNonAscii: boolean;
  private readonly badWords?: BadWordList;
  private readonly ut1?: ReadonlyMap<string, number>;
  private readonly models: Partial<Record<MlModelName, FastTextModel>>;
  private readonly dsir?: DsirOptions;
  private readonly dsirWeights: Partial<Record<DsirTarget, DsirWeights>> = {};
  private readonly dsirBuckets: number = 0;

  constructor(opts: Omit<Rpv2Options, 'domain'> = {}) {
    const models = opts.models ?? {};
    const available = ALL_RPV2_SIGNALS.filter((s) => {
      const m = mlModelOf(s);
      return (s !== 'rps_doc_ldnoobw_words' || opts.badWords) && (s !== 'rps_doc_ut1_blacklist' || opts.ut1) && (!m || models[m]) &&
        dsirAvailable(s, opts.dsir);
    });
    let names: Rpv2SignalName[];
    if (opts.signals) {
      names = [];
      for (const s of opts.signals) {
        if (!ALL_RPV2_SIGNALS.includes(s as Rpv2SignalName)) {
          throw new Error(`unknown RPv2 signal "${s}"; known: ${ALL_RPV2_SIGNALS.join(', ')}`);
        }
        if (s === 'rps_doc_ldnoobw_words' && !opts.badWords) throw new Error('rps_doc_ldnoobw_words needs a LDNOOBW word list (badWords)');
        if (s === 'rps_doc_ut1_blacklist' && !opts.ut1) throw new Error('rps_doc_ut1_blacklist needs a UT1 domain index (ut1)');
        const m = mlModelOf(s);
        if (m && !models[m]) throw new Error(`${s} needs the fastText model "${m}" (models.${m})`);
        if (!dsirAvailable(s, opts.dsir)) throw new Error(`${s} needs DSIR counts for its target and the source${dsirOf(s)!.lengthCorrection ? ', and both lambdas' : ''} (dsir)`);
      }
      names = ALL_RPV2_SIGNALS.filter((s) => opts.signals!.includes(s));
    } else names = available;
    this.names = names;
    this.want = new Set(names);
    const lang = opts.language ?? 'en';
    const list = RPV2_STOP_WORDS[lang];
    if (!list) throw new Error(`no RPv2 stop word list for language "${lang}" (have: ${Object.keys(RPV2_STOP_WORDS).join(', ')})`);
    this.stop = new Set(list);
    // every word's ASCII prefix is a path (a non-ASCII word's, up to its first non-ASCII unit, so that a token
    // reaching a non-ASCII unit on a path is looked up in the full list); only the ASCII words mark an end
    const prefixes = list.map((w) => /^[\x00-\x7f]*/.exec(w)![0]);
    const stopChar = new Uint8Array(128);
    let stride = 1;
    for (const w of prefixes) for (let i = 0; i < w.length; i++) if (stopChar[w.charCodeAt(i)] === 0) stopChar[w.charCodeAt(i)] = stride++;
    const maxNodes = prefixes.reduce((n, w) => n + w.length, 1);
    if (2 * maxNodes + 1 > 0xffff) throw new Error(`stop word list for "${lang}" too large for the trie`);
    const trie = new Uint16Array(maxNodes * stride);
    let nodes = 1;
    let maxLen = 0;
    let nonAscii = false;
    for (let k = 0; k < list.length; k++) {
      const w = prefixes[k];
      let node = 0;
      let slot = -1;
      for (let i = 0; i < w.length; i++) {
        slot = node * stride + stopChar[w.charCodeAt(i)];
        if (trie[slot] === 0) trie[slot] = 2 * nodes++;
        node = trie[slot] >> 1;
      }
      if (w.length < list[k].length) nonAscii = true;
      else if (slot >= 0) {
        trie[slot] |= 1;
        if (w.length > maxLen) maxLen = w.length;
      }
    }
    this.trie = trie.slice(0, nodes * stride);
    this.stride = stride;
    this.stopChar = stopChar;
    this.stopMaxLen = maxLen;
    this.stopNonAscii = nonAscii;
    this.badWords = opts.badWords;
    this.ut1 = opts.ut1;
    this.models = models;
    this.dsir = opts.dsir;
    if (opts.dsir && names.some((n) => dsirOf(n))) {
      for (const n of names) {
        const d = dsirOf(n);
        if (d && !this.dsirWeights[d.target]) this.dsirWeights[d.target] = new DsirWeights(opts.dsir.targets[d.target]!, opts.dsir.source);
      }
      this.dsirBuckets = opts.dsir.source.counts.length;
    }
  }

  /** Computes the selected signals of one document. */
  compute(view: DocView, domain?: string | null): RpsSignals {
    const out: RpsSignals = {};
    const want = this.want;
    const len = view.length;
    const doc = (name: string, score: number | null): void => {
      if (want.has(name)) out[name] = [[0, len, score]];
    };
    const N = view.wordCount;
    const nRaw = view.rawWordCount;

    // --- content
    if (want.has('rps_doc_curly_bracket')) {
      const c = view.countOpenCurly + view.countCloseCurly;
      doc('rps_doc_curly_bracket', len === 0 || c === 0 ? 0.0 : pyRound8(c / len));
    }
    if (want.has('rps_doc_ldnoobw_words')) doc('rps_doc_ldnoobw_words', N === 0 ? 0.0 : countBadWords(view, this.badWords!));
    if (want.has('rps_doc_lorem_ipsum')) doc('rps_doc_lorem_ipsum', loremIpsum(view));
    if (want.has('rps_doc_stop_word_fraction')) {
      doc('rps_doc_stop_word_fraction', N === 0 ? 0.0 : pyRound8(this.countStopWords(view) / nRaw));
    }
    if (want.has('rps_doc_ut1_blacklist')) {
      const id = domain == null ? undefined : this.ut1!.get(domain);
      doc('rps_doc_ut1_blacklist', id ?? null);
    }

    // --- repetitions
    const needDupe = want.has('rps_doc_frac_chars_dupe_5grams') || want.has('rps_doc_frac_chars_dupe_6grams') ||
      want.has('rps_doc_frac_chars_dupe_7grams') || want.has('rps_doc_frac_chars_dupe_8grams') ||
      want.has('rps_doc_frac_chars_dupe_9grams') || want.has('rps_doc_frac_chars_dupe_10grams');
    if (needDupe) {
      let none = false; // no repeated n-gram at a lower n: none at higher n either
      const dupe: Record<number, number> = {};
      for (let n = 5; n <= 10; n++) {
        if (N < n || none) {
          dupe[n] = 0.0;
          continue;
        }
        const lvl = view.ngrams(n);
        if (lvl.distinct === 0) {
          none = true;
          dupe[n] = 0.0;
          continue;
        }
        dupe[n] = pyRound8(dupedChars(lvl.pos, view.wordLength, n) / view.wordChars);
      }
      doc('rps_doc_frac_chars_dupe_10grams', dupe[10]);
      for (let n = 5; n <= 9; n++) doc(`rps_doc_frac_chars_dupe_${n}grams`, dupe[n]);
    }
    for (let n = 2; n <= 4; n++) {
      const name = `rps_doc_frac_chars_top_${n}gram`;
      if (!want.has(name)) continue;
      doc(name, N < n ? 0.0 : topNgram(view, n));
    }

    // --- natural language
    doc('rps_doc_frac_all_caps_words', nRaw === 0 ? null : pyRound8(view.rawAllCaps / nRaw));
    doc('rps_doc_frac_lines_end_with_ellipsis', view.lineCount === 0 ? null : pyRound8(sum(view.lineEllipsis, view.lineCount) / view.lineCount));
    doc('rps_doc_frac_no_alph_words', nRaw === 0 ? null : pyRound8(1.0 - view.rawWithAsciiAlpha / nRaw));
    doc('rps_doc_frac_unique_words', N === 0 ? null : pyRound8(view.vocab.length / N));
    doc('rps_doc_mean_word_length', N === 0 ? null : pyRound8(view.wordChars / N));
    doc('rps_doc_num_sentences', view.sentenceCount);
    doc(
      'rps_doc_symbol_to_word_ratio',
      nRaw === 0 ? null : pyRound8((view.countHash + view.countDots3 + view.countEllipsisChar) / nRaw),
    );
    if (want.has('rps_doc_unigram_entropy')) doc('rps_doc_unigram_entropy', N === 0 ? null : pyRound8(entropy(view.vocabCounts, N)));
    doc('rps_doc_word_count', N);

    // --- lines
    const L = view.lineCount;
    const ls = view.lineStart;
    const le = view.lineEnd;
    if (want.has('rps_lines_ending_with_terminal_punctution_mark')) {
      const a: RpsSpan[] = new Array(L);
      for (let i = 0; i < L; i++) a[i] = [ls[i], le[i], view.lineTerminal[i] ? 1.0 : 0.0];
      out['rps_lines_ending_with_terminal_punctution_mark'] = a;
    }
    if (want.has('rps_lines_javascript_counts')) {
      const a: RpsSpan[] = new Array(L);
      for (let i = 0; i < L; i++) a[i] = [ls[i], le[i], view.lineJavascript[i]];
      out['rps_lines_javascript_counts'] = a;
    }
    if (want.has('rps_lines_num_words')) {
      const a: RpsSpan[] = new Array(L);
      for (let i = 0; i < L; i++) a[i] = [ls[i], le[i], view.lineWords[i]];
      out['rps_lines_num_words'] = a;
    }
    if (want.has('rps_lines_numerical_chars_fraction')) {
      const a: RpsSpan[] = new Array(L);
      for (let i = 0; i < L; i++) {
        const nl = view.lineNormLength[i];
        a[i] = [ls[i], le[i], nl === 0 ? 0.0 : pyRound8(view.lineNumeric[i] / nl)];
      }
      out['rps_lines_numerical_chars_fraction'] = a;
    }
    if (want.has('rps_lines_start_with_bulletpoint')) {
      if (L === 0) out['rps_lines_start_with_bulletpoint'] = [[0, len, null]];
      else {
        const a: RpsSpan[] = new Array(L);
        for (let i = 0; i < L; i++) a[i] = [ls[i], le[i], view.lineBullet[i] ? 1.0 : 0.0];
        out['rps_lines_start_with_bulletpoint'] = a;
      }
    }
    if (want.has('rps_lines_uppercase_letter_fraction')) {
      const a: RpsSpan[] = new Array(L);
      for (let i = 0; i < L; i++) {
        const n = le[i] - ls[i];
        a[i] = [ls[i], le[i], n === 0 ? 0.0 : pyRound8(view.lineUpper[i] / n)];
      }
      out['rps_lines_uppercase_letter_fraction'] = a;
    }

    // --- ML classifiers (classifiers.py): fastText on the text's lines joined by spaces
    for (const name of RPV2_ML_SIGNALS) {
      if (!want.has(name)) continue;
      const model = this.models[mlModelOf(name)!]!;
      doc(name, len === 0 ? null : mlScore(model, view.text));
    }

    // --- DSIR importance weights (importance_weights.py)
    for (const name of RPV2_DSIR_SIGNALS) {
      if (!want.has(name)) continue;
      const d = dsirOf(name)!;
      if (len === 0) {
        doc(name, null);
        continue;
      }
      const features = viewHashFeatures(view, this.dsirBuckets, this.dsir!.seed);
      doc(name, this.dsirWeights[d.target]!.score(features, len, d.lengthCorrection));
    }
    return out;
  }

  /** Raw (WordPunct) tokens in the stop word list; case-sensitive, as RPv2 compares. */
  private countStopWords(view: DocView): number {
    const b = view.rawWordBounds;
    const text = view.text;
    const trie = this.trie;
    const stride = this.stride;
    const col = this.stopChar;
    const maxLen = this.stopMaxLen;
    const nonAsciiWords = this.stopNonAscii;
    let n = 0;
    const end = 2 * view.rawWordCount;
    for (let i = 0; i < end; i += 2) {
      const s = b[i];
      const e = b[i + 1];
      if (e - s > maxLen) {
        if (nonAsciiWords && this.stop.has(text.slice(s, e))) n++; // longer than every ASCII word
        continue;
      }
      let v = 0;
      let j = s;
      for (; j < e; j++) {
        const c = text.charCodeAt(j);
        if (c >= 128) break;
        v = trie[(v >> 1) * stride + col[c]];
        if (v === 0) break;
      }
      if (j === e) n += v & 1;
      else if (nonAsciiWords && text.charCodeAt(j) >= 128 && this.stop.has(text.slice(s, e))) n++; // a non-ASCII unit on a path: the full list
    }
    return n;
  }
}

/**
 * RPv2's classifier score: fastText's top label on `" ".join(text.splitlines()).strip()`; `1 - p` when the label is
 * `__label__cc`, else `p`; R8.
 */
export function mlScore(model: FastTextModel, text: string): number | null {
  const pred = model.predict(pyStrip(pySplitlines(text).join(' ')));
  if (!pred) return null; // RPv2 would raise (no prediction); only for a model without "</s>"
  return pyRound8(pred.label === '__label__cc' ? 1 - pred.prob : pred.prob);
}

function sum(a: Uint8Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}

/** Characters of the words covered by any repeated n-gram (each word counted once); `pos` ascending. */
function dupedChars(pos: Int32Array, wordLength: Int32Array, n: number): number {
  let covered = 0;
  let until = 0;
  for (let k = 0; k < pos.length; k++) {
    const end = pos[k] + n;
    for (let j = pos[k] > until ? pos[k] : until; j < end; j++) covered += wordLength[j];
    until = end;
  }
  return covered;
}

/** `Counter(ngrams).most_common(1)`: highest count, first occurrence on ties; 0.0 when no n-gram repeats. */
function topNgram(view: DocView, n: number): number {
  const lvl = view.ngrams(n);
  if (lvl.distinct === 0) return 0.0;
  // ids are in first-occurrence order: the first id with the highest count is Counter's first on ties
  const counts = lvl.counts;
  let best = 0;
  for (let id = 1; id < counts.length; id++) if (counts[id] > counts[best]) best = id;
  const count = lvl.counts[best];
  const pos = lvl.pos[lvl.ids.indexOf(best)];
  let chars = 0;
  for (let k = 0; k < n; k++) chars += view.wordLength[pos + k];
  return pyRound8((chars * count) / view.wordChars);
}

/** Σ -c/N·ln(c/N) over the word counts in first-occurrence order (the order Python's Counter sums them). */
function entropy(counts: Int32Array, total: number): number {
  // most words occur once or twice: their terms are computed once (the same double each time, summed in order)
  const t1 = (-1 / total) * Math.log(1 / total);
  const t2 = (-2 / total) * Math.log(2 / total);
  let e = 0;
  for (let i = 0; i < counts.length; i++) {
    const x = counts[i];
    e += x === 1 ? t1 : x === 2 ? t2 : (-x / total) * Math.log(x / total);
  }
  return e;
}

// `re.compile("lorem ipsum", re.IGNORECASE)` as CPython matches it: besides ASCII case, `i` also matches `İ` and
// `ı`, and `s` matches `ſ`.
const LOREM_RE = /[lL][oO][rR][eE][mM] [iI\u0130\u0131][pP][sS\u017f][uU][mM]/g;

function loremIpsum(view: DocView): number {
  const N = view.wordCount;
  if (N === 0) return 0.0;
  // normalised text is lowercase and a match spans a word boundary: some word must end with "lorem"
  let maybe = false;
  for (const w of view.vocab) {
    const n = w.length;
    if (n >= 5 && w.charCodeAt(n - 1) === 0x6d && w.endsWith('lorem')) {
      maybe = true;
      break;
    }
  }
  if (!maybe) return 0.0;
  // RPv2 returns 0.0 unless the exact substring is there, even when IGNORECASE would match "lorem ıpsum" / "ipſum"
  const t = view.normalizedText;
  if (!t.includes('lorem ipsum')) return 0.0;
  const m = t.match(LOREM_RE);
  const count = m ? m.length : 0;
  return pyRound8(count / view.normalizedLength);
}

/** Number of n-grams of normalised words whose space-joined text is in the list, summed over the list's n. */
function countBadWords(view: DocView, list: BadWordList): number {
  let total = 0;
  const counts = view.vocabCounts;
  const vocab = view.vocab;
  const byFirst = list.byFirst;
  // look up from the cheaper side: the document's distinct words in the list (a string hash each), or the list's
  // first words in the document's word table (cheaper per lookup: measured break-even near half the list's size)
  if (vocab.length <= byFirst.size >> 1) {
    for (let id = 0; id < vocab.length; id++) {
      const entries = byFirst.get(vocab[id]);
      if (entries !== undefined) total += countEntries(view, entries, id);
    }
  } else {
    for (const [first, entries] of byFirst) {
      const id = view.wordId(first);
      if (id >= 0) total += countEntries(view, entries, id);
    }
  }
  return total;
}

/** Word ids of a multi-word entry (reused). */
let entryIds = new Int32Array(16);

/** Occurrences of the entries starting with word `first` (present in the document). */
function countEntries(view: DocView, entries: readonly (readonly string[])[], first: number): number {
  let total = 0;
  for (const parts of entries) {
    const n = parts.length;
    if (n === 1) {
      total += view.vocabCounts[first];
      continue;
    }
    const N = view.wordCount;
    if (n > N) continue;
    if (entryIds.length < n) entryIds = new Int32Array(n);
    const c = entryIds;
    let k = 1;
    for (; k < n; k++) {
      const id = view.wordId(parts[k]);
      if (id < 0) break;
      c[k] = id;
    }
    if (k < n) continue; // a word of the entry is not in the document
    const ids = view.wordIds;
    for (let i = 0; i + n <= N; i++) {
      if (ids[i] !== first) continue;
      k = 1;
      while (k < n && ids[i + k] === c[k]) k++;
      if (k === n) total++;
    }
  }
  return total;
}

/** RPv2 signals of one text (the reference's shape: name -> list of [start, end, score]). */
export function computeRpv2Signals(text: string, opts: Rpv2Options = {}): RpsSignals {
  return new Rpv2Signals(opts).compute(new DocView(text), opts.domain);
}
