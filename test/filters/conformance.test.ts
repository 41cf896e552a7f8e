// Conformance of the six datatrove filters with the reference outputs (datatrove v0.10.0 with spaCy 3.6.1) on the
// 200 documentation pages, the 588 web documents and the 33 edge cases: every (document, filter) decision and
// reason, every single-rule check (`*_checks`: one rule on, the others off), and C4's rewritten text and line
// counters. Runs through the registered stages (drop mode and annotate mode). Prints the agreement rates; fails
// under 99.5 % per set (the port reaches 100 %; docs/filters.md lists any remaining mismatch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStage, makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import type { Doc, StageDefinition } from '../../pipeline/types.ts';
import {
  C4_QUALITY_DEFAULTS, FINEWEB_QUALITY_DEFAULTS, GOPHER_QUALITY_DEFAULTS, GOPHER_REPETITION_DEFAULTS, c4Quality,
  fineWebQuality, gopherQuality, gopherRepetition, type FilterResult, type GopherQualityParams,
  type GopherRepetitionParams,
} from '../../stages/filters/datatrove.ts';
import { datatroveFilterStages } from '../../stages/filters/stages.ts';
import { c4QualityRanges } from '../../stages/filters/c4.ts';
import { wordsOf } from '../../stages/text/words.ts';
import { BADWORDS_EN, haveShared, referenceSets, type RefDoc } from './reference.ts';

const FILTERS = ['gopher_quality', 'gopher_repetition', 'c4_quality', 'c4_paragraph', 'c4_badwords', 'fineweb_quality'];
const BAR = 0.995;

// One Doc object per reference document, shared by all tests: the word list is computed once per document
// (wordsOf caches it on the object) however many filters look at it.
let loaded: { name: string; docs: RefDoc[]; objs: Doc[] }[] | null = null;
function sets(): { name: string; docs: RefDoc[]; objs: Doc[] }[] {
  loaded ??= referenceSets().map((s) => ({ ...s, objs: s.docs.map((d, i) => makeDoc(d.text, { id: d.id, row: i })) }));
  return loaded;
}

function def(name: string): StageDefinition<unknown> {
  const d = datatroveFilterStages.find((s) => s.name === name);
  if (!d) throw new Error(name);
  return d as StageDefinition<unknown>;
}

function params(name: string): Record<string, unknown> {
  return name === 'c4_badwords' ? { words_path: BADWORDS_EN, mode: 'annotate' } : { mode: 'annotate' };
}

test('datatrove filters: decisions and reasons equal the reference on all three sets', { skip: !haveShared }, async () => {
  const report: string[] = [];
  for (const set of sets()) {
    let total = 0;
    let equal = 0;
    let errors = 0;
    const mismatches: string[] = [];
    const docs = set.objs;
    for (const name of FILTERS) {
      // annotate mode: every document gets <name>_keep/<name>_reason; c4_quality must not rewrite then
      const stage = buildStage(def(name), { ...params(name), ...(name === 'c4_quality' ? { rewrite_text: false } : {}) });
      const { docs: out } = await runStage(stage, docs);
      assert.equal(out.length, docs.length);
      out.forEach((d, i) => {
        const ref = set.docs[i].ref.datatrove[name];
        if (ref.error) {
          errors++;
          return;
        }
        total++;
        const got = { keep: d.cols[`${name}_keep`], reason: d.cols[`${name}_reason`] };
        if (got.keep === ref.keep && got.reason === (ref.reason ?? null)) equal++;
        else mismatches.push(`${d.id} ${name}: reference ${ref.keep}/${ref.reason} port ${String(got.keep)}/${String(got.reason)}`);
      });
    }
    const rate = equal / total;
    report.push(`${set.name}: ${equal}/${total} filter decisions equal (${(100 * rate).toFixed(2)} %), ${errors} reference errors skipped`);
    for (const m of mismatches) report.push(`  mismatch: ${m}`);
    assert.ok(rate >= BAR, `${set.name}: ${(100 * rate).toFixed(2)} % < ${100 * BAR} %\n${mismatches.join('\n')}`);
  }
  console.log(report.join('\n'));
});

test('drop mode: the stages keep exactly the reference-kept documents and count drops by reason', { skip: !haveShared }, async () => {
  const set = sets().find((s) => s.name === 'docs')!;
  for (const name of FILTERS) {
    const ctx = testContext();
    // c4_quality rewrites kept texts in drop mode: give it copies
    const input = name === 'c4_quality' ? set.docs.map((d, i) => makeDoc(d.text, { id: d.id, row: i })) : set.objs;
    const p = name === 'c4_badwords' ? { words_path: BADWORDS_EN } : {};
    const { docs: out, stats } = await runStage(buildStage(def(name), p), input, ctx);
    const wantKept = set.docs.filter((d) => d.ref.datatrove[name].keep).map((d) => d.id);
    assert.deepEqual(out.map((d) => d.id), wantKept, name);
    const wantReasons: Record<string, number> = {};
    for (const d of set.docs) {
      const r = d.ref.datatrove[name];
      if (!r.keep) wantReasons[r.reason] = (wantReasons[r.reason] ?? 0) + 1;
    }
    assert.deepEqual(stats.data.dropped, wantReasons, name);
  }
});

test('c4_quality: rewritten text and per-line counters equal the reference', { skip: !haveShared }, async () => {
  let n = 0;
  for (const set of sets()) {
    const docs = set.docs.map((d, i) => makeDoc(d.text, { id: d.id, row: i }));
    const { docs: out } = await runStage(buildStage(def('c4_quality'), {}), docs);
    const byId = new Map(out.map((d) => [d.id, d]));
    for (const d of set.docs) {
      const ref = d.ref.datatrove.c4_quality;
      const r = c4Quality(d.text, C4_QUALITY_DEFAULTS);
      assert.deepEqual(r.lineStats, ref.line_stats ?? r.lineStats, `${d.id}: line stats`);
      assert.deepEqual(c4QualityRanges(d.text, C4_QUALITY_DEFAULTS).lineStats, r.lineStats, `${d.id}: line stats (line ranges)`);
      if (!ref.keep) continue;
      n++;
      assert.equal(byId.get(d.id)?.text, ref.text_after, `${d.id}: text_after`);
    }
  }
  assert.ok(n > 50, `only ${n} kept documents compared`);
});

function gopherQualityAlone(rule: string): GopherQualityParams {
  const off: GopherQualityParams = {
    ...GOPHER_QUALITY_DEFAULTS, min_doc_words: null, max_doc_words: null, min_avg_word_length: null, max_avg_word_length: null,
    max_symbol_word_ratio: null, max_bullet_lines_ratio: null, max_ellipsis_lines_ratio: null, max_non_alpha_words_ratio: null,
    min_stop_words: null,
  };
  return { ...off, [rule]: GOPHER_QUALITY_DEFAULTS[rule as keyof GopherQualityParams] };
}

function gopherRepetitionAlone(rule: string): GopherRepetitionParams {
  const off: GopherRepetitionParams = {
    dup_line_frac: null, dup_para_frac: null, dup_line_char_frac: null, dup_para_char_frac: null, top_n_grams: [], dup_n_grams: [],
  };
  const top = /^top_(\d+)_gram$/.exec(rule);
  if (top) return { ...off, top_n_grams: GOPHER_REPETITION_DEFAULTS.top_n_grams.filter(([n]) => n === Number(top[1])) };
  const dup = /^duplicated_(\d+)_n_grams$/.exec(rule);
  if (dup) return { ...off, dup_n_grams: GOPHER_REPETITION_DEFAULTS.dup_n_grams.filter(([n]) => n === Number(dup[1])) };
  return { ...off, [rule]: GOPHER_REPETITION_DEFAULTS[rule as keyof GopherRepetitionParams] };
}

const FINEWEB_RULE_PARAM: Record<string, string> = {
  line_punct_ratio: 'line_punct_thr', short_line_ratio: 'short_line_thr', char_dup_ratio: 'char_duplicates_ratio', list_ratio: 'new_line_ratio',
};

test('single-rule checks (*_checks) equal the reference', { skip: !haveShared }, () => {
  const report: string[] = [];
  for (const set of sets()) {
    let total = 0;
    let equal = 0;
    const bad: string[] = [];
    for (const [i, d] of set.docs.entries()) {
      const obj = set.objs[i];
      const words = (): string[] => wordsOf(obj);
      const dt = d.ref.datatrove;
      const cmp = (what: string, ref: { keep?: boolean; reason?: string | null; error?: string }, got: FilterResult): void => {
        if (ref.error) return;
        total++;
        if (ref.keep === got.keep && (ref.reason ?? null) === got.reason) equal++;
        else bad.push(`${d.id} ${what}: reference ${ref.keep}/${ref.reason} port ${got.keep}/${got.reason}`);
      };
      for (const [rule, ref] of Object.entries(dt.gopher_quality_checks ?? {})) {
        cmp(`gopher_quality.${rule}`, ref as never, gopherQuality(d.text, words(), gopherQualityAlone(rule)));
      }
      for (const [rule, ref] of Object.entries(dt.gopher_repetition_checks ?? {})) {
        cmp(`gopher_repetition.${rule}`, ref as never, gopherRepetition(d.text, words, gopherRepetitionAlone(rule)));
      }
      for (const [rule, ref] of Object.entries(dt.fineweb_quality_checks ?? {})) {
        const p = { ...FINEWEB_QUALITY_DEFAULTS, line_punct_thr: -Infinity, short_line_thr: Infinity, char_duplicates_ratio: Infinity, new_line_ratio: Infinity };
        const key = FINEWEB_RULE_PARAM[rule] as keyof typeof p;
        cmp(`fineweb_quality.${rule}`, ref as never, fineWebQuality(d.text, words, { ...p, [key]: FINEWEB_QUALITY_DEFAULTS[key] }));
      }
    }
    report.push(`${set.name}: ${equal}/${total} single-rule checks equal (${((100 * equal) / total).toFixed(2)} %)`);
    for (const b of bad) report.push(`  mismatch: ${b}`);
    assert.ok(equal / total >= BAR, `${set.name}\n${bad.join('\n')}`);
  }
  console.log(report.join('\n'));
});
