// Conformance of the RPv2 signals with the reference outputs of the original Python code (RedPajama-Data @ 6d2cee9)
// on the three reference sets of ../shared/fixtures/reference-signals. Bar: >= 99.5% of (document, signal) values
// equal (spans equal, scores within 1e-6); remaining mismatches are listed in docs/signals-rpv2.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadReferenceSets, runConformance } from './conformance.ts';

const BAR = 0.995;

describe('RPv2 signals vs reference outputs', () => {
  const sets = loadReferenceSets();
  const res = runConformance(sets);

  it('covers the three reference sets and every signal RPv2 wrote there', () => {
    assert.deepEqual(Object.keys(res.perSet).sort(), ['docs', 'edge_cases', 'web_docs']);
    assert.equal(sets.docs.length, 200);
    assert.equal(sets.web_docs.length, 588);
    assert.equal(sets.edge_cases.length, 33);
    // 28 signals per document (27 text signals + rps_doc_ldnoobw_words)
    assert.equal(res.compared, (200 + 588 + 33) * 28);
  });

  it(`agrees on >= ${BAR * 100}% of (document, signal) values`, () => {
    const rate = res.equal / res.compared;
    for (const [name, s] of Object.entries(res.perSet)) {
      console.log(`  ${name}: ${s.equal}/${s.compared} = ${((100 * s.equal) / s.compared).toFixed(3)}%`);
    }
    console.log(`  overall agreement: ${res.equal}/${res.compared} = ${(100 * rate).toFixed(3)}%`);
    for (const m of res.mismatches.slice(0, 50)) {
      console.log(`  MISMATCH ${m.set} ${m.id} ${m.signal}: expected ${JSON.stringify(m.expected).slice(0, 200)} got ${JSON.stringify(m.actual).slice(0, 200)}`);
    }
    assert.ok(rate >= BAR, `agreement ${(100 * rate).toFixed(3)}% is below ${BAR * 100}%`);
  });

  it('reproduces the LDNOOBW counts where the references have matches (incl. overlapping n-grams)', () => {
    let nonzero = 0;
    for (const docs of Object.values(sets)) {
      for (const d of docs) if ((d.signals.rps_doc_ldnoobw_words?.[0]?.[2] ?? 0) > 0) nonzero++;
    }
    assert.ok(nonzero >= 30, `expected the references to exercise the list (${nonzero} documents with matches)`);
    assert.equal(res.mismatches.filter((m) => m.signal === 'rps_doc_ldnoobw_words').length, 0);
  });
});
