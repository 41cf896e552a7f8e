// Word -> token ids cache keyed directly by a range of a string's UTF-16 code units: a hit costs one hash over the
// code units and one comparison, with no string slicing and no allocation. Keys and values live in typed-array
// pools; when a pool fills up the whole cache is reset (simple, and the hot words come back quickly).

const EMPTY = 0;

export class WordCache {
  private mask: number;
  private slots: Int32Array; // entry index + 1, 0 = empty
  private keyOff: Int32Array;
  private keyLen: Int32Array;
  private valOff: Int32Array;
  private valLen: Int32Array;
  private hashes: Int32Array;
  private keys: Uint16Array;
  private vals: Uint32Array;
  private entries = 0;
  private keyUsed = 0;
  private valUsed = 0;
  private readonly maxEntries: number;
  /** After a hit: where the ids are in `values`. */
  hitOff = 0;
  hitLen = 0;

  constructor(maxEntries = 1 << 18, keyPool = 1 << 21, valPool = 1 << 20) {
    this.maxEntries = maxEntries;
    let cap = 16;
    while (cap < maxEntries * 2) cap <<= 1;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.keyOff = new Int32Array(maxEntries);
    this.keyLen = new Int32Array(maxEntries);
    this.valOff = new Int32Array(maxEntries);
    this.valLen = new Int32Array(maxEntries);
    this.hashes = new Int32Array(maxEntries);
    this.keys = new Uint16Array(keyPool);
    this.vals = new Uint32Array(valPool);
  }

  get values(): Uint32Array {
    return this.vals;
  }

  get size(): number {
    return this.entries;
  }

  static hash(s: string, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h;
  }

  /** Looks up s[start, end) whose hash is h; on a hit sets hitOff/hitLen and returns true. */
  get(s: string, start: number, end: number, h: number): boolean {
    const len = end - start;
    const mask = this.mask;
    const keys = this.keys;
    let p = h & mask;
    while (true) {
      const e = this.slots[p];
      if (e === EMPTY) return false;
      const k = e - 1;
      if (this.hashes[k] === h && this.keyLen[k] === len) {
        const o = this.keyOff[k];
        let i = 0;
        while (i < len && keys[o + i] === s.charCodeAt(start + i)) i++;
        if (i === len) {
          this.hitOff = this.valOff[k];
          this.hitLen = this.valLen[k];
          return true;
        }
      }
      p = (p + 1) & mask;
    }
  }

  /** Stores ids for s[start, end) (not already present). */
  set(s: string, start: number, end: number, h: number, ids: ArrayLike<number>, idsLen: number): void {
    const len = end - start;
    if (len > this.keys.length >> 4 || idsLen > this.vals.length >> 4) return;
    if (this.entries >= this.maxEntries || this.keyUsed + len > this.keys.length || this.valUsed + idsLen > this.vals.length) {
      this.clear();
    }
    const k = this.entries++;
    const ko = this.keyUsed;
    for (let i = 0; i < len; i++) this.keys[ko + i] = s.charCodeAt(start + i);
    this.keyUsed += len;
    const vo = this.valUsed;
    for (let i = 0; i < idsLen; i++) this.vals[vo + i] = ids[i];
    this.valUsed += idsLen;
    this.keyOff[k] = ko;
    this.keyLen[k] = len;
    this.valOff[k] = vo;
    this.valLen[k] = idsLen;
    this.hashes[k] = h;
    let p = h & this.mask;
    while (this.slots[p] !== EMPTY) p = (p + 1) & this.mask;
    this.slots[p] = k + 1;
  }

  clear(): void {
    this.slots.fill(0);
    this.entries = 0;
    this.keyUsed = 0;
    this.valUsed = 0;
  }
}
