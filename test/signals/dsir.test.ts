// DSIR importance weights (rps_doc_*_importance[_length_correction]): CPython 3.11 hash() re-implemented for
// PYTHONHASHSEED, .npy artefacts, and the scores of RPv2's formulas (fixtures/dsir/make_fixtures.py, computed with
// CPython 3.11, numpy and scipy under PYTHONHASHSEED=42).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashSecret, poissonPmf, pyStrHash, pyTupleHash, readNpy } from '../../stages/signals/dsir.ts';
import { Rpv2Signals, RPV2_DSIR_SIGNALS } from '../../stages/signals/rpv2.ts';
import { DocView } from '../../stages/signals/view.ts';
import { buildStage, makeDoc, runStage } from '../../pipeline/testing.ts';
import { rpv2SignalsStage } from '../../stages/signals/rpv2-stage.ts';

const dir = new URL('./fixtures/dsir/', import.meta.url);
const npy = (f: string) => readNpy(readFileSync(new URL(f, dir)));
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { text: string; expected: Record<string, number | null> }[];

describe('CPython hash()', () => {
  it('str hashes (SipHash-1-3 over the PEP 393 bytes) for PYTHONHASHSEED=42', () => {
    // values printed by CPython 3.11 with PYTHONHASHSEED=42, as unsigned 64-bit
    const key = hashSecret(42);
    const ref: [string, string][] = JSON.parse(readFileSync(new URL('hashes.json', dir), 'utf8'));
    for (const [s, h] of ref) assert.equal(pyStrHash(s, key).toString(), h, JSON.stringify(s));
  });
  it('tuple hash combines the item hashes', () => {
    const key = hashSecret(42);
    const ref: [string, string, string][] = JSON.parse(readFileSync(new URL('tuple_hashes.json', dir), 'utf8'));
    for (const [a, b, h] of ref) assert.equal(pyTupleHash([pyStrHash(a, key), pyStrHash(b, key)]).toString(), h);
  });
  it('PYTHONHASHSEED=0 means a zero key', () => {
    assert.deepEqual(hashSecret(0), [0n, 0n]);
  });
});

describe('DSIR importance weights', () => {
  const source = { counts: npy('ccnet.en.1000.counts.npy').data, lambda: npy('ccnet.en.lambda.npy').data[0] };
  const targets = {
    wikipedia: { counts: npy('wikipedia.en.1000.counts.npy').data, lambda: npy('wikipedia.en.lambda.npy').data[0] },
    books: { counts: npy('books.en.1000.counts.npy').data, lambda: npy('books.en.lambda.npy').data[0] },
  };

  it('reads .npy arrays and scalars', () => {
    const c = npy('ccnet.en.1000.counts.npy');
    assert.deepEqual(c.shape, [1000]);
    assert.equal(npy('ccnet.en.lambda.npy').shape.length, 0);
    assert.equal(source.lambda, 180);
  });

  it('matches RPv2 formulas on every fixture text (within 1e-6; exact for most)', () => {
    const sig = new Rpv2Signals({ signals: RPV2_DSIR_SIGNALS.filter((s) => !s.includes('openwebtext')), dsir: { seed: 42, source, targets } });
    let exact = 0;
    let n = 0;
    for (const { text, expected: exp } of expected) {
      const got = sig.compute(new DocView(text));
      for (const [name, v] of Object.entries(exp)) {
        n++;
        const g = got[name][0][2];
        if (v === null) assert.equal(g, null, name);
        else {
          assert.ok(g !== null && Math.abs(g - v) <= 1e-6, `${name} on ${JSON.stringify(text).slice(0, 40)}: ${g} vs ${v}`);
          if (g === v) exact++;
        }
      }
    }
    console.log(`  DSIR: ${exact}/${n} values bit-identical, all within 1e-6`);
    assert.ok(n >= 240);
  });

  it('Poisson pmf', () => {
    assert.ok(Math.abs(poissonPmf(3, 2) - 0.18044704431548356) < 1e-15);
    assert.ok(Math.abs(poissonPmf(300, 260) / 0.0012292382131011232 - 1) < 1e-11); // scipy.stats.poisson.pmf
    assert.ok(Math.abs(poissonPmf(20000, 18000) / 7.754358070901513e-50 - 1) < 1e-9);
  });

  it('is computed by the stage from .npy paths', async () => {
    const p = (f: string) => fileURLToPath(new URL(f, dir));
    const params = {
      signals: ['rps_doc_wikipedia_importance', 'rps_doc_wikipedia_importance_length_correction'],
      dsir: { ccnet: { counts: p('ccnet.en.1000.counts.npy'), lambda: p('ccnet.en.lambda.npy') }, wikipedia: { counts: p('wikipedia.en.1000.counts.npy'), lambda: p('wikipedia.en.lambda.npy') } },
    };
    const stage = buildStage(rpv2SignalsStage, params);
    const t = expected[5];
    const { docs } = await runStage(stage, [makeDoc(t.text)]);
    assert.ok(Math.abs((docs[0].cols.rps_doc_wikipedia_importance as number) - (t.expected.rps_doc_wikipedia_importance as number)) <= 1e-6);
    // default selection: targets given -> their signals
    const cols = rpv2SignalsStage.writes(rpv2SignalsStage.params.parse({ dsir: params.dsir })).map((c) => c.name);
    assert.ok(cols.includes('rps_doc_wikipedia_importance_length_correction') && !cols.includes('rps_doc_books_importance'));
  });
});
