// The registered `rpv2_signals` stage: parameters, declared columns, values written, word lists and UT1 index.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStage, makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import { registry } from '../../stages/registry.ts';
import { rpv2SignalsStage } from '../../stages/signals/rpv2-stage.ts';
import { computeRpv2Signals, prepareBadWords, RPV2_TEXT_SIGNALS } from '../../stages/signals/rpv2.ts';
import { categorySetId } from '../../stages/signals/ut1.ts';

const LDNOOBW = fileURLToPath(new URL('./fixtures/ldnoobw/en', import.meta.url));
const TEXT = 'The big black dog sat by the pipeline.\nA girl on top of the hill waved.\n• item\n';

describe('rpv2_signals stage', () => {
  it('is registered in the signals family', () => {
    assert.equal(registry.get('rpv2_signals'), rpv2SignalsStage);
    assert.equal(rpv2SignalsStage.family, 'signals');
  });

  it('declares one column per computable signal: numbers for documents, spans for lines', () => {
    const p = rpv2SignalsStage.params.parse({});
    const cols = rpv2SignalsStage.writes(p);
    assert.equal(cols.length, 27);
    assert.deepEqual(cols.map((c) => c.name).sort(), [...RPV2_TEXT_SIGNALS].sort());
    const type = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    assert.equal(type.rps_doc_word_count, 'int32');
    assert.equal(type.rps_doc_mean_word_length, 'float64');
    assert.equal(type.rps_lines_num_words, 'spans');
    const withLists = rpv2SignalsStage.writes(rpv2SignalsStage.params.parse({ ldnoobw: 'x', ut1: 'y.json' }));
    assert.equal(withLists.length, 29);
    assert.equal(withLists.find((c) => c.name === 'rps_doc_ut1_blacklist')!.type, 'int32');
  });

  it('rejects unknown signals; model/artefact signals are accepted and need their files at setup', () => {
    assert.throws(() => rpv2SignalsStage.params.parse({ signals: ['rps_doc_nope'] }), /unknown RPv2 signal/);
    assert.doesNotThrow(() => rpv2SignalsStage.params.parse({ signals: ['rps_doc_ml_palm_score', 'rps_doc_wikipedia_importance'] }));
  });

  it('writes the signal values as columns, equal to computeRpv2Signals', async () => {
    const stage = buildStage(rpv2SignalsStage, { ldnoobw: LDNOOBW });
    const docs = [makeDoc(TEXT), makeDoc('', { row: 1 }), makeDoc('la la la la la la la la la la la la', { row: 2 })];
    const { docs: out, stats } = await runStage(stage, docs);
    assert.equal(out.length, 3);
    const ref = computeRpv2Signals(TEXT, { badWords: prepareBadWords(readFileSync(LDNOOBW, 'utf8')) });
    for (const [name, spans] of Object.entries(ref)) {
      if (name.startsWith('rps_lines_')) assert.deepEqual(out[0].cols[name], spans, name);
      else assert.equal(out[0].cols[name], spans[0][2], name);
    }
    assert.equal(out[0].cols.rps_doc_ldnoobw_words, 3); // "big black", "girl on", "girl on top"
    assert.equal(out[1].cols.rps_doc_mean_word_length, null);
    assert.deepEqual(out[1].cols.rps_lines_start_with_bulletpoint, [[0, 0, null]]);
    assert.equal(out[2].cols.rps_doc_frac_chars_top_2gram, 1.83333333);
    assert.equal(stats.data.metrics.rps_doc_word_count.n, 3);
  });

  it('computes only the requested signals', async () => {
    const stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_word_count', 'rps_lines_num_words'] });
    const { docs } = await runStage(stage, [makeDoc('a b c\nd')]);
    assert.deepEqual(Object.keys(docs[0].cols).sort(), ['rps_doc_word_count', 'rps_lines_num_words']);
    assert.equal(docs[0].cols.rps_doc_word_count, 4);
    assert.deepEqual(docs[0].cols.rps_lines_num_words, [[0, 6, 3], [6, 7, 1]]);
  });

  it('fails at setup with a clear message when a requested list is missing', async () => {
    const stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_ldnoobw_words'] });
    await assert.rejects(runStage(stage, [makeDoc('x')]), /needs the `ldnoobw` parameter/);
  });

  it('looks the domain up in a UT1 index (RPv2 JSON artefact, or a UT1 folder numbered as RPv2 does)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ut1-'));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ 'bad.example': 4 }));
    let stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_ut1_blacklist'], ut1: 'index.json' });
    let res = await runStage(stage, [makeDoc('x', { meta: { source_domain: 'bad.example' } }), makeDoc('y', { meta: { url: 'https://good.example/a' } })], testContext({ baseDir: dir }));
    assert.equal(res.docs[0].cols.rps_doc_ut1_blacklist, 4);
    assert.equal(res.docs[1].cols.rps_doc_ut1_blacklist, null);

    for (const [cat, doms] of Object.entries({ adult: 'a.example\nboth.example\n', gambling: 'g.example\nboth.example\n', phishing: 'p.example\n' })) {
      mkdirSync(join(dir, 'blacklists', cat), { recursive: true });
      writeFileSync(join(dir, 'blacklists', cat, 'domains'), doms);
    }
    stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_ut1_blacklist'], ut1: dir, ut1Categories: ['phishing', 'gambling', 'adult'] });
    res = await runStage(stage, ['a', 'g', 'p', 'both', 'none'].map((d, i) => makeDoc('t', { row: i, meta: { url: `http://${d}.example/x` } })));
    // sorted categories adult(0) gambling(1) phishing(2): singles 0,1,2; pairs (a,g)=3 ...
    assert.deepEqual(res.docs.map((d) => d.cols.rps_doc_ut1_blacklist), [0, 1, 2, 3, null]);
  });

  it('numbers category sets like itertools.combinations over the sorted categories', () => {
    const cats = ['a', 'b', 'c', 'd', 'e'];
    let id = 0;
    for (let r = 1; r <= cats.length; r++) {
      const rec = (start: number, acc: string[]): void => {
        if (acc.length === r) {
          assert.equal(categorySetId(cats, acc), id++, acc.join(','));
          return;
        }
        for (let i = start; i < cats.length; i++) rec(i + 1, [...acc, cats[i]]);
      };
      rec(0, []);
    }
    assert.equal(id, 31);
  });
});

describe('rpv2_signals stage with a missing model or artefact', () => {
  it('fails at setup naming the parameter', async () => {
    let stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_ml_palm_score'] });
    await assert.rejects(runStage(stage, [makeDoc('x')]), /models\.palm/);
    stage = buildStage(rpv2SignalsStage, { signals: ['rps_doc_books_importance'] });
    await assert.rejects(runStage(stage, [makeDoc('x')]), /`dsir`/);
  });
});
