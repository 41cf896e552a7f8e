// numpy's legacy RandomState, as far as MinHash permutation draws need it: MT19937 seeded with an integer
// (init_genrand), and `randint(low, high, dtype=uint32|uint64)` with numpy's masked rejection sampling.
// Written from the MT19937 paper's definition and numpy's documented bounded-integer algorithm.

export class MT19937 {
  private readonly mt = new Uint32Array(624);
  private idx = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, mod 2^32, computed in two 16-bit halves to stay exact
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      let v = mt[(i + 397) % 624] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.idx = 0;
  }

  /** genrand_int32: the next 32-bit output. */
  nextUint32(): number {
    if (this.idx >= 624) this.twist();
    let y = this.mt[this.idx++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy legacy 64-bit draw: high word first, then low word. */
  nextUint64(): bigint {
    const hi = BigInt(this.nextUint32());
    const lo = BigInt(this.nextUint32());
    return (hi << 32n) | lo;
  }
}

/** numpy RandomState.randint(low, high, dtype=np.uint32) for one value (high exclusive). */
export function randintUint32(rng: MT19937, low: number, high: number): number {
  const range = high - 1 - low;
  if (range === 0) return low;
  if (range === 0xffffffff) return (low + rng.nextUint32()) >>> 0;
  let mask = range;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  let v: number;
  do v = (rng.nextUint32() & mask) >>> 0;
  while (v > range);
  return low + v;
}

/** numpy RandomState.randint(low, high, dtype=np.uint64) for one value (high exclusive). */
export function randintUint64(rng: MT19937, low: bigint, high: bigint): bigint {
  const range = high - 1n - low;
  if (range === 0n) return low;
  if (range <= 0xffffffffn) {
    // numpy draws 32-bit values when the range fits in 32 bits
    return low + BigInt(randintUint32(rng, 0, Number(range) + 1));
  }
  let mask = range;
  for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
  let v: bigint;
  do v = rng.nextUint64() & mask;
  while (v > range);
  return low + v;
}

/**
 * MinHash permutation parameters.
 * - `nemo`: NeMo Curator's GPUMinHash.generate_seeds(bit_width=32): for each permutation in turn,
 *   a = randint(1, 2^31-1, uint32) then b = randint(0, 2^31-1, uint32).
 * - `datatrove`: datatrove/datasketch: a = randint(1, 2^61-1, uint64, size=n), then b = randint(0, 2^61-1, uint64, size=n).
 * Returned as 64-bit values split into high and low 32-bit words.
 */
export function drawPermutations(kind: 'nemo' | 'datatrove', n: number, seed: number): { aHi: Uint32Array; aLo: Uint32Array; bHi: Uint32Array; bLo: Uint32Array } {
  const rng = new MT19937(seed);
  const aHi = new Uint32Array(n), aLo = new Uint32Array(n), bHi = new Uint32Array(n), bLo = new Uint32Array(n);
  if (kind === 'nemo') {
    const P = 0x7fffffff; // np.uint32((1 << 31) - 1)
    for (let i = 0; i < n; i++) {
      aLo[i] = randintUint32(rng, 1, P);
      bLo[i] = randintUint32(rng, 0, P);
    }
  } else {
    const P = (1n << 61n) - 1n;
    const as: bigint[] = [], bs: bigint[] = [];
    for (let i = 0; i < n; i++) as.push(randintUint64(rng, 1n, P));
    for (let i = 0; i < n; i++) bs.push(randintUint64(rng, 0n, P));
    for (let i = 0; i < n; i++) {
      aHi[i] = Number(as[i] >> 32n); aLo[i] = Number(as[i] & 0xffffffffn);
      bHi[i] = Number(bs[i] >> 32n); bLo[i] = Number(bs[i] & 0xffffffffn);
    }
  }
  return { aHi, aLo, bHi, bLo };
}
