// Stage behaviour of the named filters: registration, parameters, drop vs annotate, reasons in the stats,
// C4's rewrite, word lists from paths, and the Zyda-1 / NeMo presets on hand-checked inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStage, makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import type { StageDefinition } from '../../pipeline/types.ts';
import { registry } from '../../stages/registry.ts';
import { nemoEnglishCascade, nemoHeuristics } from '../../stages/filters/nemo.ts';
import { ZYDA1_DEFAULTS, compileZyda1, zyda1Features, zyda1Filter, zyda1Transform } from '../../stages/filters/zyda1.ts';
import { BADWORDS_EN } from './reference.ts';

const NAMES = ['gopher_quality', 'gopher_repetition', 'c4_quality', 'c4_paragraph', 'c4_badwords', 'fineweb_quality', 'zyda1_filters', 'nemo_heuristics'];

function def(name: string): StageDefinition<unknown> {
  const d = registry.get(name);
  assert.ok(d, `${name} is registered`);
  return d as StageDefinition<unknown>;
}

const PROSE = [
  'The committee met on Tuesday to review the annual budget and the plans for the new library.',
  'Several members argued that the reading room should stay open later during the winter months.',
  'After a long discussion, the chair proposed a compromise that satisfied most of the people present.',
  'Funding for the children\'s section will increase, while the cost of heating is expected to fall.',
  'A local architect presented drawings of the extension, which will face the river and the old mill.',
  'Construction should begin in spring if the council approves the final design before March.',
  'Volunteers will help move thousands of books into temporary storage at the school gymnasium.',
  'The mayor thanked everyone for their patience and promised regular updates on the project website.',
].join('\n');

test('every named filter is registered in the filters family with described parameters', () => {
  for (const n of NAMES) {
    const d = def(n);
    assert.equal(d.family, 'filters');
    const shape = (d.params as unknown as { shape: Record<string, { description?: string }> }).shape;
    for (const [k, v] of Object.entries(shape)) assert.ok(v.description, `${n}.${k} has a description`);
    assert.deepEqual(d.writes(d.params.parse(n === 'c4_badwords' ? { words_path: 'x' } : {})), []);
    const ann = d.writes(d.params.parse({ ...(n === 'c4_badwords' ? { words_path: 'x' } : {}), mode: 'annotate' }));
    assert.deepEqual(ann.map((c) => c.name), [`${n}_keep`, `${n}_reason`]);
  }
});

test('parameters are validated: unknown keys and wrong types are rejected', () => {
  assert.throws(() => def('gopher_quality').params.parse({ min_doc_wordz: 3 }));
  assert.throws(() => def('fineweb_quality').params.parse({ line_punct_thr: 'high' }));
  assert.throws(() => def('nemo_heuristics').params.parse({ thresholds: { no_such_filter: 1 } }));
  assert.doesNotThrow(() => def('nemo_heuristics').params.parse({ thresholds: { word_count: 10, word_count_max: 20 } }));
});

test('drop mode counts datatrove reasons; annotate mode keeps every document', async () => {
  const docs = [makeDoc('too short', { id: 'a' }), makeDoc(PROSE, { id: 'b' })];
  const ctx = testContext();
  const { docs: out, stats } = await runStage(buildStage(def('gopher_quality')), docs, ctx);
  assert.deepEqual(out.map((d) => d.id), ['b']);
  assert.deepEqual(stats.data.dropped, { gopher_short_doc: 1 });
  const { docs: all } = await runStage(buildStage(def('gopher_quality'), { mode: 'annotate' }), docs.map((d) => ({ ...d, cols: {} })));
  assert.deepEqual(all.map((d) => [d.cols.gopher_quality_keep, d.cols.gopher_quality_reason]), [[false, 'gopher_short_doc'], [true, null]]);
});

test('thresholds are settable: a disabled rule no longer fires, a stricter one does', async () => {
  const short = [makeDoc('one two three four five six seven eight nine ten the of and', { id: 's' })];
  const off = await runStage(buildStage(def('gopher_quality'), { min_doc_words: null }), short);
  assert.deepEqual(off.stats.data.dropped, {}); // every other rule passes on this text
  const strict = await runStage(buildStage(def('fineweb_quality'), { short_line_thr: 0 }), [makeDoc(PROSE)]);
  assert.deepEqual(strict.stats.data.dropped, {});
  const strict2 = await runStage(buildStage(def('fineweb_quality'), { char_duplicates_ratio: -1 }), [makeDoc(PROSE)]);
  assert.deepEqual(strict2.stats.data.dropped, { char_dup_ratio: 1 });
});

test('c4_quality rewrites kept documents (datatrove) unless rewrite_text is false', async () => {
  const text = `Title without punctuation\n${PROSE}\nPlease enable JavaScript to continue.\nshort.`;
  const { docs } = await runStage(buildStage(def('c4_quality')), [makeDoc(text)]);
  assert.equal(docs[0].text, PROSE);
  const { docs: same } = await runStage(buildStage(def('c4_quality'), { rewrite_text: false }), [makeDoc(text)]);
  assert.equal(same[0].text, text);
  const curly = await runStage(buildStage(def('c4_quality')), [makeDoc(`${PROSE}\nfunction f() { return 1; }.`)]);
  assert.deepEqual(curly.stats.data.dropped, { curly_bracket: 1 });
});

test('c4_badwords: list from a path, per-language lists, missing list errors', async () => {
  const docs = [makeDoc('a perfectly clean sentence'), makeDoc('This is bullshit, really.')];
  const { docs: out, stats } = await runStage(buildStage(def('c4_badwords'), { words_path: BADWORDS_EN }), docs);
  assert.equal(out.length, 1);
  assert.deepEqual(stats.data.dropped, { document_removed_with_badwords: 1 });
  // word boundaries: a listed word inside a longer word does not match
  const inner = await runStage(buildStage(def('c4_badwords'), { words_path: BADWORDS_EN }), [makeDoc('Scunthorpe analysis of class assignments')]);
  assert.equal(inner.docs.length, 1);
  await assert.rejects(runStage(buildStage(def('c4_badwords'), {}), docs), /no word list given/);
  const de = [makeDoc('Das ist gut', { meta: { language: 'de' } })];
  await assert.rejects(runStage(buildStage(def('c4_badwords'), { words_path: BADWORDS_EN }), de), /language "de"/);
  const dir = mkdtempSync(join(tmpdir(), 'badwords-'));
  writeFileSync(join(dir, 'de.txt'), 'schlecht\n');
  const ok = await runStage(
    buildStage(def('c4_badwords'), { words_path: BADWORDS_EN, paths: { de: 'de.txt' } }),
    [makeDoc('Das ist schlecht.', { meta: { language: 'de' } }), ...de],
    testContext({ baseDir: dir }),
  );
  assert.equal(ok.docs.length, 1);
  const kept = await runStage(buildStage(def('c4_badwords'), { words_path: BADWORDS_EN, fail_on_missing_language: false }), de);
  assert.equal(kept.docs.length, 1);
});

test('simple tokenizer option runs the same rules with the fast splitter', async () => {
  const { docs } = await runStage(buildStage(def('gopher_repetition'), { tokenizer: 'simple', mode: 'annotate' }), [makeDoc(PROSE)]);
  assert.equal(docs[0].cols.gopher_repetition_keep, true);
  const { stats } = await runStage(buildStage(def('fineweb_quality'), { tokenizer: 'simple' }), [makeDoc('a\nb\nc\nd')]);
  assert.equal(Object.values(stats.data.dropped)[0], 1);
});

test('zyda1 transform collapses runs at the original thresholds only', () => {
  assert.equal(zyda1Transform('a' + '-'.repeat(10) + 'b' + '-'.repeat(9) + 'c'), 'a-b' + '-'.repeat(9) + 'c');
  assert.equal(zyda1Transform('x' + ' '.repeat(40) + 'y' + ' '.repeat(39) + 'z'), 'x y' + ' '.repeat(39) + 'z');
  assert.equal(zyda1Transform('p' + '\t'.repeat(20) + 'q' + '.'.repeat(12) + '\\'.repeat(10)), 'p\tq.\\');
});

test('zyda1 filter table: features on the original text, lengths on the transformed one', () => {
  const c = compileZyda1(ZYDA1_DEFAULTS, { cursed_substrings: [' nr\\.$', 'Vol\\.'] });
  const prose = 'The quick brown fox jumps over the lazy dog near the river bank today. '.repeat(3);
  assert.deepEqual(zyda1Filter(zyda1Features(prose, c), ZYDA1_DEFAULTS), { keep: true, reason: null });
  assert.equal(zyda1Filter(zyda1Features('short text', c), ZYDA1_DEFAULTS).reason, 'zyda1_min_length');
  const digits = prose + '1234567890 '.repeat(12);
  assert.equal(zyda1Filter(zyda1Features(digits, c), ZYDA1_DEFAULTS).reason, 'zyda1_fraction_numerical');
  const rep = prose + 'aaaaaaa '.repeat(51);
  assert.equal(zyda1Filter(zyda1Features(rep, c), ZYDA1_DEFAULTS).reason, 'zyda1_repeated_substrings');
  // "<?xml" is an unescaped regex in Zyda-1: `<?` means an optional "<"
  const xml = prose + 'xml version= '.repeat(2);
  assert.equal(zyda1Features(xml, c).pattern_counts['<?xml version='], 2);
  // "www." matches "www" + any character; Python's `$` matches before a final newline
  assert.equal(zyda1Features('wwwx www.', c).pattern_counts['www.'], 2);
  assert.equal(zyda1Features('see page nr.\n', c).word_list_counts.cursed_substrings, 1);
  const cursed = prose + 'Vol. '.repeat(4);
  assert.equal(zyda1Filter(zyda1Features(cursed, c), ZYDA1_DEFAULTS).reason, 'zyda1_word_list_fraction:cursed_substrings');
});

test('zyda1_filters stage: word lists from JSON paths, transformed text kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zyda-'));
  writeFileSync(join(dir, 'p.json'), JSON.stringify({ words: ['darn'] }));
  const prose = 'The quick brown fox jumps over the lazy dog near the river bank today ' + '_'.repeat(12) + ' Done and dusted here, said the farmer to his neighbours.';
  const { docs } = await runStage(buildStage(def('zyda1_filters'), { word_lists: { profanity_word_list: 'p.json' } }), [makeDoc(prose)], testContext({ baseDir: dir }));
  assert.equal(docs[0].text, prose.replace('_'.repeat(12), '_'));
  const darn = await runStage(buildStage(def('zyda1_filters'), { word_lists: { profanity_word_list: 'p.json' } }), [makeDoc(prose + ' darn')], testContext({ baseDir: dir }));
  assert.deepEqual(darn.stats.data.dropped, { 'zyda1_word_list_fraction:profanity_word_list': 1 });
  writeFileSync(join(dir, 'bad.json'), '[1,2]');
  await assert.rejects(runStage(buildStage(def('zyda1_filters'), { word_lists: { sexual_word_list: 'bad.json' } }), [makeDoc(prose)], testContext({ baseDir: dir })), /words/);
});

test('nemo cascade: order, reasons and thresholds of heuristic_filter_english_pipeline.yaml', () => {
  const rules = nemoEnglishCascade();
  assert.equal(rules.length, 28);
  assert.deepEqual(rules.slice(0, 3).map((r) => r.name), ['alpha_numeric', 'symbol_to_word', 'numbers_ratio']);
  assert.equal(rules[rules.length - 1].name, 'bullet_ratio');
  const good = PROSE;
  assert.deepEqual(nemoHeuristics(good, rules).reason, null);
  assert.equal(nemoHeuristics('', rules).reason, 'alpha_numeric'); // empty text scores 1.0
  assert.equal(nemoHeuristics('# '.repeat(17) + '\n' + good, rules).reason, 'symbol_to_word');
  // NeMo counts runs of '#': "##" scores 1/2, not above 0.5
  assert.equal(nemoHeuristics('## '.repeat(17) + '\n' + good, rules).reason, null);
  assert.equal(nemoHeuristics(good.split(' ').slice(0, 40).join(' ') + '.', rules).reason, 'word_count');
  assert.equal(nemoHeuristics(good, rules.map((r) => (r.name === 'word_count' ? { ...r, threshold: 500 } : r))).reason, 'word_count');
  assert.equal(nemoHeuristics(good.toUpperCase().replace(/THE|WITH|OF|TO|AND/g, 'X'), rules).reason, 'common_english_words');
  const repeated = Array.from({ length: 10 }, () => 'the same line is repeated over and over with the house.').join('\n');
  assert.equal(nemoHeuristics(repeated, rules).reason, 'repeated_lines');
});
