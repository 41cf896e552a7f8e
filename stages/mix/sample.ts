// Deterministic per-document uniform numbers: the same (seed, id, copy) always gives the same draw, whatever the
// task split or worker count, so sampling and shuffling are reproducible.
import { createHash } from 'node:crypto';

/** A uniform number in [0, 1) from the first 52 bits of sha256(seed | key). */
export function uniform(seed: number | string, key: string): number {
  const h = createHash('sha256').update(`${seed}\u0000${key}`).digest();
  // 52 bits: 4 bytes + 20 bits, exact in a double
  return (h.readUInt32BE(0) * 2 ** 20 + (h.readUInt32BE(4) >>> 12)) / 2 ** 52;
}
