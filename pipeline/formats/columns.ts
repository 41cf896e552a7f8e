// Declared column types -> Arrow types and Arrow vectors, built straight from JS values without builders
// (builders cost ~3x on string and list columns).
import * as arrow from 'apache-arrow';
import type { ColumnSpec, ColumnType, ColumnValue } from '../types.ts';

export function arrowType(t: ColumnType): arrow.DataType {
  switch (t) {
    case 'string': return new arrow.Utf8();
    case 'bool': return new arrow.Bool();
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'list<int32>': return new arrow.List(new arrow.Field('element', new arrow.Int32(), true));
    case 'list<uint16>': return new arrow.List(new arrow.Field('element', new arrow.Uint16(), true));
    case 'list<uint32>': return new arrow.List(new arrow.Field('element', new arrow.Uint32(), true));
    case 'list<float64>': return new arrow.List(new arrow.Field('element', new arrow.Float64(), true));
    case 'list<string>': return new arrow.List(new arrow.Field('element', new arrow.Utf8(), true));
    case 'spans':
      return new arrow.List(new arrow.Field('element', new arrow.List(new arrow.Field('element', new arrow.Float64(), true)), true));
  }
}

export function arrowSchema(cols: readonly ColumnSpec[], metadata?: Map<string, string>): arrow.Schema {
  return new arrow.Schema(cols.map((c) => new arrow.Field(c.name, arrowType(c.type), c.nullable !== false)), metadata);
}

function validity(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (const v of values) if (v === null || v === undefined) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bm = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) bm[i >> 3] |= 1 << (i & 7);
  return { bitmap: bm, nulls };
}

function utf8Data(values: readonly unknown[], column: string): arrow.Data<arrow.Utf8> {
  const { bitmap, nulls } = validity(values);
  let bytes = 0;
  for (const v of values) if (typeof v === 'string') bytes += v.length * 3;
  const buf = Buffer.allocUnsafe(bytes);
  const offsets = new Int32Array(values.length + 1);
  let off = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') off += buf.write(v, off, 'utf8');
    else if (v !== null && v !== undefined) throw new TypeError(`column "${column}" is declared string but row ${i} holds ${typeof v}`);
    offsets[i + 1] = off;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data: buf.subarray(0, off) });
}

type NumArrayCtor = Int32ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor | Float64ArrayConstructor;

function numberListData(values: readonly unknown[], type: arrow.List, Ctor: NumArrayCtor, column: string): arrow.Data {
  const { bitmap, nulls } = validity(values);
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as ArrayLike<number> | null | undefined;
    if (v != null) {
      if (typeof v !== 'object' || typeof v.length !== 'number') throw new TypeError(`column "${column}" is declared a list but row ${i} is not an array`);
      total += v.length;
    }
    offsets[i + 1] = total;
  }
  const flat = new Ctor(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as ArrayLike<number> | null | undefined;
    if (v != null) flat.set(v as ArrayLike<number>, offsets[i]);
  }
  const childType = type.children[0].type;
  const child = arrow.makeData({ type: childType, length: total, nullCount: 0, data: flat } as never);
  return arrow.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, child });
}

function stringListData(values: readonly unknown[], type: arrow.List): arrow.Data {
  const { bitmap, nulls } = validity(values);
  const offsets = new Int32Array(values.length + 1);
  const flat: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as readonly string[] | null | undefined;
    if (v != null) flat.push(...v);
    offsets[i + 1] = flat.length;
  }
  return arrow.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, child: utf8Data(flat, 'element') });
}

function spansData(values: readonly unknown[], type: arrow.List): arrow.Data {
  const { bitmap, nulls } = validity(values);
  const outer = new Int32Array(values.length + 1);
  let nSpans = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as readonly (readonly number[])[] | null | undefined;
    if (v != null) nSpans += v.length;
    outer[i + 1] = nSpans;
  }
  const inner = new Int32Array(nSpans + 1);
  let nVals = 0;
  let k = 0;
  for (const v of values as (readonly (readonly number[])[] | null)[]) {
    if (v == null) continue;
    for (const s of v) { nVals += s.length; inner[++k] = nVals; }
  }
  const flat = new Float64Array(nVals);
  let p = 0;
  for (const v of values as (readonly (readonly number[])[] | null)[]) {
    if (v == null) continue;
    for (const s of v) for (const x of s) flat[p++] = x;
  }
  const innerType = type.children[0].type as arrow.List;
  const leaf = arrow.makeData({ type: innerType.children[0].type as arrow.Float64, length: nVals, nullCount: 0, data: flat });
  const mid = arrow.makeData({ type: innerType, length: nSpans, nullCount: 0, valueOffsets: inner, child: leaf });
  return arrow.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: outer, child: mid });
}

/** One Arrow column from JS values; throws naming the column when a value does not fit its declared type. */
export function columnData(spec: ColumnSpec, values: readonly (ColumnValue | undefined)[]): arrow.Data {
  const type = arrowType(spec.type);
  switch (spec.type) {
    case 'string': return utf8Data(values, spec.name);
    case 'bool': {
      const { bitmap, nulls } = validity(values);
      const bits = new Uint8Array((values.length + 7) >> 3);
      for (let i = 0; i < values.length; i++) if (values[i] === true) bits[i >> 3] |= 1 << (i & 7);
      return arrow.makeData({ type: type as arrow.Bool, length: values.length, nullCount: nulls, nullBitmap: bitmap, data: bits });
    }
    case 'int32':
    case 'float64': {
      const { bitmap, nulls } = validity(values);
      const arr = spec.type === 'int32' ? new Int32Array(values.length) : new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v == null) continue;
        if (typeof v === 'number') arr[i] = v;
        else if (typeof v === 'boolean') arr[i] = v ? 1 : 0;
        else throw new TypeError(`column "${spec.name}" is declared ${spec.type} but row ${i} holds ${typeof v}`);
      }
      return arrow.makeData({ type: type as arrow.Int32, length: values.length, nullCount: nulls, nullBitmap: bitmap, data: arr } as never);
    }
    case 'int64': {
      const { bitmap, nulls } = validity(values);
      const arr = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v === 'number') arr[i] = BigInt(Math.trunc(v));
        else if (v != null) throw new TypeError(`column "${spec.name}" is declared int64 but row ${i} holds ${typeof v}`);
      }
      return arrow.makeData({ type: type as arrow.Int64, length: values.length, nullCount: nulls, nullBitmap: bitmap, data: arr });
    }
    case 'list<int32>': return numberListData(values, type as arrow.List, Int32Array, spec.name);
    case 'list<uint16>': return numberListData(values, type as arrow.List, Uint16Array, spec.name);
    case 'list<uint32>': return numberListData(values, type as arrow.List, Uint32Array, spec.name);
    case 'list<float64>': return numberListData(values, type as arrow.List, Float64Array, spec.name);
    case 'list<string>': return stringListData(values, type as arrow.List);
    case 'spans': return spansData(values, type as arrow.List);
  }
}

/** Arrow value -> plain JS value of the declared kind (lists become typed arrays or arrays). */
export function fromArrow(v: unknown): ColumnValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object') {
    if (v instanceof arrow.Vector) {
      const t = v.type;
      if (arrow.DataType.isList(t)) return Array.from(v as arrow.Vector, (x) => fromArrow(x) as number[]) as unknown as ColumnValue;
      if (arrow.DataType.isUtf8(t)) return v.toArray() as string[];
      const arr = v.toArray() as ArrayLike<number>;
      if (arr instanceof Uint16Array || arr instanceof Uint32Array || arr instanceof Int32Array) return arr.slice();
      return Array.from(arr);
    }
  }
  return v as ColumnValue;
}
