// Property tests for the Parquet building blocks: snappy, the RLE/bit-packed hybrid, the Thrift compact protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteBuf, bitWidth, decodeHybrid, encodeHybrid, lz4RawDecompress, snappyCompress, snappyDecompress } from '../../pipeline/formats/parquet-codecs.ts';
import { CT, ThriftReader, ThriftWriter } from '../../pipeline/formats/parquet-thrift.ts';

test('snappy: compress then decompress is the identity; repetitive input shrinks', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 300 }), (bytes, reps) => {
      const src = new Uint8Array(bytes.length * (reps % 4 === 0 ? 3 : 1));
      for (let i = 0; i < src.length; i++) src[i] = bytes[i % Math.max(1, bytes.length)];
      const z = snappyCompress(src);
      assert.deepEqual(new Uint8Array(snappyDecompress(z)), src);
    }),
    { numRuns: 200 },
  );
  const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(5000));
  const z = snappyCompress(text);
  assert.ok(z.length < text.length / 10);
  assert.ok(Buffer.from(snappyDecompress(z)).equals(text));
  // crossing the 64 KiB block boundary with long matches and long literals
  const mixed = Buffer.concat([Buffer.alloc(70000, 7), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24))]);
  assert.ok(Buffer.from(snappyDecompress(snappyCompress(mixed))).equals(mixed));
});

test('snappy and lz4 decoders reject corrupt input instead of reading out of bounds', () => {
  const z = Buffer.from(snappyCompress(Buffer.from('abcabcabcabcabcabc'.repeat(10))));
  assert.throws(() => snappyDecompress(z.subarray(0, z.length - 3)));
  assert.throws(() => snappyDecompress(Buffer.from([10, 0b00000001 | (3 << 2), 200])));
  // lz4: literal "abcd", then match offset 4 length 4+4
  const lz = Buffer.from([0x44, 0x61, 0x62, 0x63, 0x64, 4, 0, 0x10, 0x61]);
  assert.equal(lz4RawDecompress(lz, 13).toString(), 'abcdabcdabcda');
  assert.throws(() => lz4RawDecompress(lz, 12));
  assert.throws(() => lz4RawDecompress(Buffer.from([0x04, 9, 0]), 8));
});

test('RLE/bit-packed hybrid: encode then decode is the identity for every width and run shape', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7 }), fc.array(fc.tuple(fc.nat(7), fc.integer({ min: 1, max: 40 })), { maxLength: 60 }), (max, runs) => {
      const vals: number[] = [];
      for (const [v, n] of runs) for (let i = 0; i < n; i++) vals.push(max === 0 ? 0 : v % (max + 1));
      const src = Uint8Array.from(vals);
      const w = bitWidth(max);
      const buf = new ByteBuf(16);
      if (w > 0) encodeHybrid(src, src.length, w, buf);
      const out = new Uint8Array(src.length);
      if (w > 0) {
        const end = decodeHybrid(buf.view(), 0, buf.len, w, out, 0, src.length);
        assert.ok(end <= buf.len);
      }
      assert.deepEqual(out, src);
    }),
    { numRuns: 300 },
  );
  // long constant runs become one RLE run (a few bytes)
  const b = new ByteBuf(16);
  encodeHybrid(new Uint8Array(100000).fill(3), 100000, 2, b);
  assert.ok(b.len <= 5, `${b.len} bytes`);
  assert.deepEqual([bitWidth(0), bitWidth(1), bitWidth(2), bitWidth(3), bitWidth(4), bitWidth(5)], [0, 1, 2, 2, 3, 3]);
});

/** Reference hybrid encoder for any width (bit-packed groups and RLE runs alternating), written bit by bit. */
function refHybrid(vals: number[], w: number, rleEvery: number): Uint8Array {
  const out: number[] = [];
  const varint = (v: number): void => { while (v >= 128) { out.push((v % 128) | 128); v = Math.floor(v / 128); } out.push(v); };
  let i = 0;
  let turn = 0;
  while (i < vals.length) {
    if (rleEvery > 0 && turn++ % rleEvery === 1) {
      let j = i + 1;
      while (j < vals.length && vals[j] === vals[i]) j++;
      varint((j - i) * 2);
      for (let k = 0; k < Math.ceil(w / 8); k++) out.push(Math.floor(vals[i] / 2 ** (8 * k)) % 256);
      i = j;
      continue;
    }
    const n = Math.min(vals.length - i, 8 * (1 + (turn % 3)));
    const groups = Math.ceil(n / 8);
    varint(groups * 2 + 1);
    const bits: number[] = [];
    for (let k = 0; k < groups * 8; k++) { const v = k < n ? vals[i + k] : 0; for (let b = 0; b < w; b++) bits.push(Math.floor(v / 2 ** b) % 2); }
    for (let k = 0; k < bits.length; k += 8) { let byte = 0; for (let b = 0; b < 8; b++) byte |= bits[k + b] << b; out.push(byte); }
    i += n;
  }
  return Uint8Array.from(out);
}

test('hybrid decoding of wide values (dictionary indices, widths 1..32) matches a bit-by-bit reference', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 32 }), fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), fc.nat(3), (w, raw, rleEvery) => {
      const vals = raw.map((v) => v % 2 ** w);
      const enc = refHybrid(vals, w, rleEvery);
      const out = new Uint32Array(vals.length);
      decodeHybrid(enc, 0, enc.length, w, out, 0, vals.length);
      assert.deepEqual(Array.from(out), vals);
    }),
    { numRuns: 400 },
  );
});

test('Thrift compact: written structs read back field by field (ids far apart, negative and 2^52 integers, lists)', () => {
  const w = new ThriftWriter();
  w.i32(1, -7).i64(2, 2 ** 52 + 1).string(4, 'héllo').bool(5, true).bool(6, false).i16(40, -300).i8(41, -2);
  w.list(50, CT.I32, 20);
  for (let i = 0; i < 20; i++) w.listI32(i * -1000);
  w.struct(51).i64(1, -(2 ** 40)).struct(3).end().end();
  w.list(52, CT.STRUCT, 2);
  w.listStruct().string(1, 'k').end();
  w.listStruct().string(1, 'v').end();
  w.end();
  const r = new ThriftReader(w.bytes()).struct();
  assert.equal(r[1], -7);
  assert.equal(r[2], 2 ** 52 + 1);
  assert.equal(Buffer.from(r[4] as Uint8Array).toString(), 'héllo');
  assert.equal(r[5], true);
  assert.equal(r[6], false);
  assert.equal(r[40], -300);
  assert.equal(r[41], -2);
  assert.deepEqual(r[50], Array.from({ length: 20 }, (_, i) => i * -1000 || 0));
  assert.deepEqual(r[51], { 1: -(2 ** 40), 3: {} });
  assert.deepEqual((r[52] as Record<number, Uint8Array>[]).map((x) => Buffer.from(x[1]).toString()), ['k', 'v']);
  assert.throws(() => new ThriftReader(w.bytes().subarray(0, 10)).struct(), /truncated/);
});
