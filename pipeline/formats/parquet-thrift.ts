// Thrift compact protocol, just what Parquet's footer and page headers need: a writer that emits structs field by
// field, and a generic reader that turns any struct into an object keyed by field id (unknown fields are kept,
// so newer writers' extra fields are skipped naturally). Integers are JS numbers: exact up to 2^53, which covers
// every size, offset and count a Parquet file can hold in practice.

/** Compact-protocol wire types. */
export const CT = {
  STOP: 0,
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export class ThriftWriter {
  private buf: Uint8Array = new Uint8Array(256);
  len = 0;
  private lastId: number[] = [];
  private last = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  private varint(v: number): void {
    this.ensure(10);
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  private zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private header(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.last = id;
  }

  i32(id: number, v: number): this {
    this.header(id, CT.I32);
    this.zigzag(v);
    return this;
  }

  i64(id: number, v: number): this {
    this.header(id, CT.I64);
    this.zigzag(v);
    return this;
  }

  i16(id: number, v: number): this {
    this.header(id, CT.I16);
    this.zigzag(v);
    return this;
  }

  i8(id: number, v: number): this {
    this.header(id, CT.BYTE);
    this.byte(v & 255);
    return this;
  }

  bool(id: number, v: boolean): this {
    this.header(id, v ? CT.TRUE : CT.FALSE);
    return this;
  }

  binary(id: number, v: Uint8Array): this {
    this.header(id, CT.BINARY);
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
    return this;
  }

  string(id: number, s: string): this {
    return this.binary(id, Buffer.from(s, 'utf8'));
  }

  /** Opens a struct-valued field; close it with end(). */
  struct(id: number): this {
    this.header(id, CT.STRUCT);
    this.lastId.push(this.last);
    this.last = 0;
    return this;
  }

  /** Opens a list field; then write `n` elements with listI32/listBinary/listStruct. */
  list(id: number, elemType: number, n: number): this {
    this.header(id, CT.LIST);
    if (n < 15) this.byte((n << 4) | elemType);
    else {
      this.byte(0xf0 | elemType);
      this.varint(n);
    }
    return this;
  }

  listI32(v: number): this {
    this.zigzag(v);
    return this;
  }

  listBinary(v: Uint8Array): this {
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
    return this;
  }

  /** Begins a struct element inside a list; close it with end(). */
  listStruct(): this {
    this.lastId.push(this.last);
    this.last = 0;
    return this;
  }

  /** Ends the innermost struct (writes STOP). */
  end(): this {
    this.byte(CT.STOP);
    this.last = this.lastId.pop() ?? 0;
    return this;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** A decoded struct: field id -> value. Lists are arrays, structs nested objects, binaries Uint8Array. */
export interface TStruct {
  [id: number]: TValue;
}
export type TValue = number | boolean | Uint8Array | TValue[] | TStruct | Map<TValue, TValue>;

export class ThriftError extends Error {}

export class ThriftReader {
  pos: number;
  private readonly buf: Uint8Array;
  private readonly end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new ThriftError('truncated Thrift data');
    return this.buf[this.pos++];
  }

  private varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new ThriftError('varint too long');
    }
  }

  private zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  private value(type: number, depth: number): TValue {
    switch (type) {
      case CT.TRUE: return true;
      case CT.FALSE: return false;
      case CT.BYTE: { const b = this.byte(); return b > 127 ? b - 256 : b; }
      case CT.I16:
      case CT.I32:
      case CT.I64: return this.zigzag();
      case CT.DOUBLE: {
        if (this.pos + 8 > this.end) throw new ThriftError('truncated Thrift data');
        const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case CT.BINARY: {
        const n = this.varint();
        if (this.pos + n > this.end) throw new ThriftError('truncated Thrift binary');
        const v = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case CT.LIST:
      case CT.SET: {
        const h = this.byte();
        let n = h >> 4;
        const et = h & 15;
        if (n === 15) n = this.varint();
        const out: TValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = et === CT.TRUE || et === CT.FALSE ? this.byte() === 1 : this.value(et, depth + 1);
        return out;
      }
      case CT.MAP: {
        const n = this.varint();
        const m = new Map<TValue, TValue>();
        if (n === 0) return m;
        const kv = this.byte();
        for (let i = 0; i < n; i++) {
          const k = this.value(kv >> 4, depth + 1);
          m.set(k, this.value(kv & 15, depth + 1));
        }
        return m;
      }
      case CT.STRUCT: return this.struct(depth + 1);
      default: throw new ThriftError(`unknown Thrift compact type ${type}`);
    }
  }

  struct(depth = 0): TStruct {
    if (depth > 64) throw new ThriftError('Thrift nesting too deep');
    const out: TStruct = {};
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === CT.STOP) return out;
      const type = h & 15;
      const delta = h >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      last = id;
      out[id] = this.value(type, depth);
    }
  }
}
