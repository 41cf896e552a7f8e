// fastText inference (rps_doc_ml_* signals) against the fastText 0.9.2 Python binding: five tiny models covering the
// softmax, hierarchical softmax, one-vs-all and negative-sampling heads, word n-grams and character n-grams, on
// synthetic texts (see fixtures/fasttext/make_fixtures.py). Probabilities must be bit-identical (float32).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FastTextModel } from '../../stages/signals/fasttext.ts';
import { mlScore, Rpv2Signals } from '../../stages/signals/rpv2.ts';
import { DocView } from '../../stages/signals/view.ts';
import { pySplitlines, pyStrip } from '../../stages/signals/text.ts';
import { buildStage, makeDoc, runStage } from '../../pipeline/testing.ts';
import { rpv2SignalsStage } from '../../stages/signals/rpv2-stage.ts';

const dir = new URL('./fixtures/fasttext/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as {
  texts: string[];
  predictions: Record<string, ({ label: string; prob: number; score: number } | null)[]>;
};
const load = (name: string): FastTextModel => new FastTextModel(readFileSync(new URL(`${name}.bin`, dir)));

describe('fastText inference (RPv2 rps_doc_ml_* signals)', () => {
  for (const [name, preds] of Object.entries(ref.predictions)) {
    it(`${name}: same label and float32 probability as fastText 0.9.2 on every text`, () => {
      const model = load(name);
      let n = 0;
      ref.texts.forEach((t, i) => {
        const r = preds[i];
        if (!r) return;
        n++;
        const p = model.predict(pyStrip(pySplitlines(t).join(' ')));
        assert.ok(p, `text ${i}: no prediction`);
        assert.equal(p.label, r.label, `text ${i}`);
        assert.equal(p.prob, r.prob, `text ${i}`);
        assert.equal(mlScore(model, t), r.score, `text ${i}`);
      });
      assert.ok(n > 150);
    });
  }

  it('reads the model header', () => {
    const m = load('m_softmax');
    assert.equal(m.args.loss, 'softmax');
    assert.equal(m.args.dim, 4);
    assert.equal(m.args.wordNgrams, 2);
    assert.deepEqual([m.args.minn, m.args.maxn], [2, 4]);
    assert.deepEqual([...m.labels].sort(), ['__label__books', '__label__cc', '__label__wiki']);
    assert.equal(load('m_hs').args.loss, 'hs');
  });

  it('rejects files that are not fastText models', () => {
    assert.throws(() => new FastTextModel(new Uint8Array(16)), /not a fastText model/);
  });

  it('computes the signal through Rpv2Signals (null for an empty text) and the stage', async () => {
    const model = load('m_softmax');
    const sig = new Rpv2Signals({ signals: ['rps_doc_ml_palm_score'], models: { palm: model } });
    const t = ref.texts[0];
    assert.deepEqual(sig.compute(new DocView(t)).rps_doc_ml_palm_score, [[0, [...t].length, ref.predictions.m_softmax[0]!.score]]);
    assert.deepEqual(sig.compute(new DocView('')).rps_doc_ml_palm_score, [[0, 0, null]]);
    assert.throws(() => new Rpv2Signals({ signals: ['rps_doc_ml_wikiref_score'] }), /needs the fastText model/);

    const stage = buildStage(rpv2SignalsStage, { models: { wikiref: fileURLToPath(new URL('m_hs.bin', dir)) } });
    assert.ok(rpv2SignalsStage.writes(rpv2SignalsStage.params.parse({ models: { wikiref: 'x.bin' } })).some((c) => c.name === 'rps_doc_ml_wikiref_score' && c.type === 'float64'));
    const { docs } = await runStage(stage, [makeDoc(ref.texts[1])]);
    assert.equal(docs[0].cols.rps_doc_ml_wikiref_score, ref.predictions.m_hs[1]!.score);
  });
});

describe('loading large models', () => {
  it('places the input matrix at an aligned offset and reads in chunks; same predictions', async () => {
    const { inputMatrixDataOffset, loadFastTextModel } = await import('../../stages/signals/fasttext.ts');
    const path = fileURLToPath(new URL('m_softmax.bin', dir));
    const buf = readFileSync(path);
    const off = inputMatrixDataOffset(buf)!;
    assert.ok(off > 0 && off < buf.length);
    assert.equal(inputMatrixDataOffset(buf.subarray(0, 100)), null);
    const m = await loadFastTextModel(path);
    const ref0 = load('m_softmax');
    for (const t of ref.texts.slice(0, 20)) assert.deepEqual(m.predict(t.replace(/\n/g, ' ')), ref0.predict(t.replace(/\n/g, ' ')));
  });
});
