// Parquet format constants (parquet.thrift) and the declared-column -> Parquet schema mapping shared by the
// writer and its tests. Lists follow the spec's 3-level structure: <name> (LIST) / repeated group `list` /
// `element`, which is what arrow-rs, Arrow C++ (pyarrow), DuckDB and HF datasets expect.
import type { ColumnSpec, ColumnType } from '../types.ts';

export const PType = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
export const Conv = {
  UTF8: 0, MAP: 1, MAP_KEY_VALUE: 2, LIST: 3, ENUM: 4, DECIMAL: 5, DATE: 6, TIME_MILLIS: 7, TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10, UINT_8: 11, UINT_16: 12, UINT_32: 13, UINT_64: 14, INT_8: 15,
  INT_16: 16, INT_32: 17, INT_64: 18, JSON: 19, BSON: 20, INTERVAL: 21,
} as const;
export const Rep = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export const Enc = {
  PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, BIT_PACKED: 4, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7, RLE_DICTIONARY: 8, BYTE_STREAM_SPLIT: 9,
} as const;
export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;

/** LogicalType union member ids. */
export const Logical = { STRING: 1, MAP: 2, LIST: 3, ENUM: 4, DECIMAL: 5, DATE: 6, TIME: 7, TIMESTAMP: 8, INTEGER: 10, UNKNOWN: 11, JSON: 12, BSON: 13, UUID: 14, FLOAT16: 15 } as const;

/** One node of the flattened schema, as written into FileMetaData.schema. */
export interface SchemaNode {
  name: string;
  repetition?: number; // absent for the root
  type?: number;
  numChildren?: number;
  converted?: number;
  /** LogicalType: member id plus, for INTEGER, its width and signedness. */
  logical?: { id: number; bitWidth?: number; signed?: boolean };
}

/** Physical value kinds the writer encodes. */
export type LeafKind = 'str' | 'bool' | 'i32' | 'i64' | 'f64';

export interface LeafSpec {
  kind: LeafKind;
  ptype: number;
  maxDef: number;
  maxRep: number;
  path: string[];
}

function leafNode(kind: 'string' | 'int32' | 'uint16' | 'uint32' | 'float64', name: string, repetition: number): SchemaNode {
  switch (kind) {
    case 'string': return { name, repetition, type: PType.BYTE_ARRAY, converted: Conv.UTF8, logical: { id: Logical.STRING } };
    case 'int32': return { name, repetition, type: PType.INT32 };
    case 'uint16': return { name, repetition, type: PType.INT32, converted: Conv.UINT_16, logical: { id: Logical.INTEGER, bitWidth: 16, signed: false } };
    case 'uint32': return { name, repetition, type: PType.INT32, converted: Conv.UINT_32, logical: { id: Logical.INTEGER, bitWidth: 32, signed: false } };
    case 'float64': return { name, repetition, type: PType.DOUBLE };
  }
}

const listElem: Record<string, 'string' | 'int32' | 'uint16' | 'uint32' | 'float64'> = {
  'list<int32>': 'int32', 'list<uint16>': 'uint16', 'list<uint32>': 'uint32', 'list<float64>': 'float64', 'list<string>': 'string',
};

/** Schema nodes (depth-first) and the leaf description of one declared column. */
export function columnSchema(spec: ColumnSpec): { nodes: SchemaNode[]; leaf: LeafSpec } {
  const rep = spec.nullable === false ? Rep.REQUIRED : Rep.OPTIONAL;
  const d0 = rep === Rep.OPTIONAL ? 1 : 0;
  const t: ColumnType = spec.type;
  const name = spec.name;
  const list = (n: number): SchemaNode[] => [
    { name, repetition: rep, numChildren: 1, converted: Conv.LIST, logical: { id: Logical.LIST } },
    { name: 'list', repetition: Rep.REPEATED, numChildren: n },
  ];
  switch (t) {
    case 'string': return { nodes: [leafNode('string', name, rep)], leaf: { kind: 'str', ptype: PType.BYTE_ARRAY, maxDef: d0, maxRep: 0, path: [name] } };
    case 'bool': return { nodes: [{ name, repetition: rep, type: PType.BOOLEAN }], leaf: { kind: 'bool', ptype: PType.BOOLEAN, maxDef: d0, maxRep: 0, path: [name] } };
    case 'int32': return { nodes: [leafNode('int32', name, rep)], leaf: { kind: 'i32', ptype: PType.INT32, maxDef: d0, maxRep: 0, path: [name] } };
    case 'int64': return { nodes: [{ name, repetition: rep, type: PType.INT64 }], leaf: { kind: 'i64', ptype: PType.INT64, maxDef: d0, maxRep: 0, path: [name] } };
    case 'float64': return { nodes: [leafNode('float64', name, rep)], leaf: { kind: 'f64', ptype: PType.DOUBLE, maxDef: d0, maxRep: 0, path: [name] } };
    case 'spans': {
      const nodes = [
        ...list(1),
        { name: 'element', repetition: Rep.OPTIONAL, numChildren: 1, converted: Conv.LIST, logical: { id: Logical.LIST } },
        { name: 'list', repetition: Rep.REPEATED, numChildren: 1 },
        leafNode('float64', 'element', Rep.OPTIONAL),
      ];
      return { nodes, leaf: { kind: 'f64', ptype: PType.DOUBLE, maxDef: d0 + 4, maxRep: 2, path: [name, 'list', 'element', 'list', 'element'] } };
    }
    default: {
      const et = listElem[t];
      if (!et) throw new TypeError(`column "${name}": unknown column type ${String(t)}`);
      const el = leafNode(et, 'element', Rep.OPTIONAL);
      const kind: LeafKind = et === 'string' ? 'str' : et === 'float64' ? 'f64' : 'i32';
      return { nodes: [...list(1), el], leaf: { kind, ptype: el.type!, maxDef: d0 + 2, maxRep: 1, path: [name, 'list', 'element'] } };
    }
  }
}
