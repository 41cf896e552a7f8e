// MurmurHash3, MT19937/RandomState draws, permutation arithmetic and preset signatures against values computed
// independently (published MurmurHash3 vectors; numpy + a separate Python implementation: gen_reference.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { murmur3String, murmur3Words, murmur3 } from '../../stages/dedup/hash.ts';
import { MT19937, drawPermutations } from '../../stages/dedup/random.ts';
import { MinHasher } from '../../stages/dedup/minhash.ts';
import { PRESETS, resolveMinhashConfig, candidateProbability } from '../../stages/dedup/presets.ts';
import { datatroveNormalize } from '../../stages/dedup/normalize.ts';

interface Ref {
  murmur: { text: string; seed: number; hash: number }[];
  nemo_seed10: { a: number[]; b: number[] };
  datatrove_seed1_first8: { a: string[]; b: string[] };
  perm_u32: [number, number, number, number][];
  perm_mod61: [number, string, string, number][];
  zyda2: { text: string; signature: number[] }[];
  fineweb: { text: string; words: string[]; signature: number[] | null }[];
  mod61_sig: { text: string; signature: number[] }[];
}
const ref = JSON.parse(readFileSync(new URL('./reference-values.json', import.meta.url), 'utf8')) as Ref;

test('MurmurHash3_x86_32 matches the published test vectors', () => {
  const published: [string, number, number][] = [
    ['', 0, 0], ['', 1, 0x514e28b7], ['', 0xffffffff, 0x81f16f39], ['\0\0\0\0', 0, 0x2362f9de],
    ['a', 0x9747b28c, 0x7fa09ea6], ['ab', 0x9747b28c, 0x74875592], ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627], ['aaaa', 0x9747b28c, 0x5a97808a], ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['ππππππππ', 0x9747b28c, 0xd58063c1], ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ];
  for (const [t, s, h] of published) assert.equal(murmur3String(t, s), h, JSON.stringify(t));
  for (const r of ref.murmur) assert.equal(murmur3String(r.text, r.seed), r.hash);
});

test('murmur3Words equals murmur3 over the little-endian bytes', () => {
  const w = new Uint32Array([0x01020304, 0xdeadbeef, 7, 0xffffffff]);
  const b = new Uint8Array(w.buffer);
  for (let n = 0; n <= 4; n++) assert.equal(murmur3Words(w, 0, n, 42), murmur3(b, 0, n * 4, 42));
});

test('MT19937 seeded 10 gives numpy RandomState(10) raw outputs', () => {
  const r = new MT19937(10);
  // np.random.RandomState(10).randint(0, 2**32, size=3, dtype=np.uint32)
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [3312796937, 1283169405, 89128932]);
});

test("NeMo Curator's a,b for seed 10 (128 permutations) equal numpy's draws", () => {
  const p = drawPermutations('nemo', 128, 10);
  assert.deepEqual(Array.from(p.aLo), ref.nemo_seed10.a);
  assert.deepEqual(Array.from(p.bLo), ref.nemo_seed10.b);
  assert.ok(Array.from(p.aHi).every((x) => x === 0));
  assert.equal(p.aLo[0], 1165313290);
});

test("datatrove's 61-bit a,b for seed 1 equal numpy's uint64 draws", () => {
  const p = drawPermutations('datatrove', 8, 1);
  const a = Array.from(p.aHi, (h, i) => ((BigInt(h) << 32n) | BigInt(p.aLo[i])).toString());
  const b = Array.from(p.bHi, (h, i) => ((BigInt(h) << 32n) | BigInt(p.bLo[i])).toString());
  assert.deepEqual(a, ref.datatrove_seed1_first8.a);
  assert.deepEqual(b, ref.datatrove_seed1_first8.b);
});

test('permutation formula: u32 (cuDF uint32 evaluation) and mod61 (numpy uint64) against big-integer values', () => {
  for (const [h, a, b, v] of ref.perm_u32) assert.equal((Math.imul(h, a) + b) >>> 0, v);
  // mod61 through the hasher's arithmetic, with the reference's a,b injected
  const mh = new MinHasher({ ...PRESETS.zyda1, num_perm: 8, bands: 2, rows: 4 });
  const priv = mh as unknown as { aHi: Uint32Array; aLo: Uint32Array; bHi: Uint32Array; bLo: Uint32Array; aL16: Float64Array; aH16: Float64Array };
  ref.perm_mod61.forEach(([h, a, b, v], i) => {
    const A = BigInt(a), B = BigInt(b);
    priv.aHi[i] = Number(A >> 32n); priv.aLo[i] = Number(A & 0xffffffffn);
    priv.bHi[i] = Number(B >> 32n); priv.bLo[i] = Number(B & 0xffffffffn);
    priv.aL16[i] = priv.aLo[i] & 0xffff; priv.aH16[i] = priv.aLo[i] >>> 16;
    assert.equal(mh.permute61(h, i), v, `h=${h}`);
  });
});

test('zyda2 preset signatures equal the independently computed ones', () => {
  const mh = new MinHasher(PRESETS.zyda2);
  assert.equal(mh.hash_seed, ref.nemo_seed10.a[0]);
  const sig = new Uint32Array(128);
  for (const r of ref.zyda2) {
    assert.ok(mh.signature(r.text, sig));
    assert.deepEqual(Array.from(sig), r.signature, r.text);
  }
});

test('datatrove normalisation and fineweb preset signatures', () => {
  const mh = new MinHasher(PRESETS.fineweb);
  const sig = new Uint32Array(112);
  for (const r of ref.fineweb) {
    assert.deepEqual(datatroveNormalize(r.text).split(' ').filter(Boolean), r.words, r.text);
    const ok = mh.signature(r.text, sig);
    if (r.signature === null) assert.equal(ok, false, 'short docs get no signature with short_docs=skip');
    else assert.deepEqual(Array.from(sig), r.signature);
  }
});

test('mod61 permutation arithmetic over whole signatures', () => {
  const mh = new MinHasher({ ...PRESETS.fineweb, draw: 'datatrove', permutation: 'mod61', num_perm: 16, bands: 2, rows: 8, seed: 1, short_docs: 'whole' });
  const sig = new Uint32Array(16);
  for (const r of ref.mod61_sig) {
    assert.ok(mh.signature(r.text, sig));
    assert.deepEqual(Array.from(sig), r.signature);
  }
});

test('documents shorter than one shingle: whole vs skip; empty text never signed', () => {
  const whole = new MinHasher(PRESETS.zyda2);
  const sig = new Uint32Array(128);
  assert.equal(whole.signature('tiny', sig), true);
  assert.equal(whole.lastShingles, 1);
  assert.equal(whole.signature('', sig), false);
  const skip = new MinHasher({ ...PRESETS.zyda2, short_docs: 'skip' });
  assert.equal(skip.signature('tiny', sig), false);
  const fw = new MinHasher(PRESETS.fineweb);
  assert.equal(fw.signature('only four words here', sig), false);
  assert.equal(fw.signature('   ...  ', sig), false);
});

test('char shingles count code points, not UTF-16 units or bytes', () => {
  const mh = new MinHasher({ ...PRESETS.zyda2, ngram: 3 });
  let n = 0;
  mh.forEachShingleHash('a😀bcé', () => n++);
  assert.equal(n, 3); // 5 code points, width 3
});

test('presets: bands x rows, rpv2 thresholds, overrides', () => {
  assert.deepEqual([PRESETS.zyda2.bands, PRESETS.zyda2.rows, PRESETS.zyda2.num_perm, PRESETS.zyda2.ngram], [8, 16, 128, 25]);
  assert.deepEqual([PRESETS.fineweb.bands, PRESETS.fineweb.rows, PRESETS.fineweb.num_perm], [14, 8, 112]);
  assert.deepEqual([PRESETS.zyda1.bands, PRESETS.zyda1.rows], [32, 4]);
  for (const [t, b, r] of [[0.7, 14, 9], [0.8, 9, 13], [0.9, 5, 25]] as const) {
    const c = resolveMinhashConfig({ preset: 'rpv2', threshold: t });
    assert.deepEqual([c.bands, c.rows], [b, r]);
  }
  assert.throws(() => resolveMinhashConfig({ preset: 'rpv2', threshold: 0.75 }), /0.7, 0.8, 0.9/);
  const o = resolveMinhashConfig({ preset: 'fineweb', threshold: 0.8, bands: 20, rows: 5, ngram: 3 });
  assert.deepEqual([o.bands, o.rows, o.ngram, o.normalize], [20, 5, 3, 'datatrove']);
  assert.throws(() => resolveMinhashConfig({ preset: 'zyda2', threshold: 0.8, bands: 9 }), /exceeds/);
  // the S-curve values quoted in the Zyda-2 notes
  assert.ok(Math.abs(candidateProbability(0.85, 8, 16) - 0.46) < 0.01);
  assert.ok(Math.abs(candidateProbability(0.8, 14, 8) - 0.924) < 0.001);
});

test('fused datatrove normalisation to bytes equals the string version (tricky text and real corpus)', async () => {
  const { datatroveNormalizeBytes } = await import('../../stages/dedup/normalize.ts');
  const { gunzipSync } = await import('node:zlib');
  const samples = [
    'A  - b', '1,000 and 2.5 and ٣٤ and 𝟙𝟚', 'Ünïcödé déjà vu', '  lead\u0085and\u001ctrail\ufeff ', 'x\u037ey', 'tab\there\r\nnew',
    'emoji 😀 and \ud800 lone', 'ÀÉÎ — “quotes” «guillemets» ５％', 'a\u0301\u0302b 12\u030134',
  ];
  const shared = new URL('../../../shared/data/neardup/corpus.jsonl.gz', import.meta.url);
  try {
    const lines = gunzipSync(readFileSync(shared)).toString('utf8').split('\n').filter(Boolean).slice(0, 400);
    for (const l of lines) samples.push((JSON.parse(l) as { text: string }).text);
  } catch { /* shared data absent: tricky strings only */ }
  const out = new Uint8Array(1 << 22);
  const te = new TextEncoder();
  for (const s of samples) {
    const n = datatroveNormalizeBytes(s, out);
    assert.deepEqual(Buffer.from(out.subarray(0, n)).toString('utf8'), Buffer.from(te.encode(datatroveNormalize(s))).toString('utf8'), JSON.stringify(s.slice(0, 60)));
  }
});
