// Filter expressions over columns, e.g. `rps_doc_word_count >= 50 and int_score >= 3`.
// Parsed into a typed tree, checked against the declared columns, compiled to closures. Never eval'd.
import type { ColumnType, Doc } from './types.ts';

export type ValueKind = 'number' | 'string' | 'bool' | 'list' | 'null' | 'any';

type Node =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'col'; name: string; pos: number }
  | { k: 'not'; e: Node }
  | { k: 'neg'; e: Node }
  | { k: 'bin'; op: string; a: Node; b: Node; pos: number }
  | { k: 'in'; e: Node; list: Node[]; negate: boolean }
  | { k: 'call'; fn: string; args: Node[]; pos: number };

export class ExprError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.pos = pos;
  }
}

type Tok = { t: 'num' | 'str' | 'id' | 'op' | 'end'; v: string; pos: number };

const OPS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<', '(', ')', '[', ']', ',', '+', '-', '*', '/', '%', '!'];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: m[0], pos: start }); i += m[0].length; continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1; let s = '';
      while (j < src.length && src[j] !== c) { if (src[j] === '\\' && j + 1 < src.length) j++; s += src[j++]; }
      if (j >= src.length) throw new ExprError(`unterminated string starting at column ${start + 1}`, start);
      out.push({ t: 'str', v: s, pos: start }); i = j + 1; continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.:]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], pos: start }); i += m[0].length; continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected character "${c}" at column ${i + 1}`, i);
    out.push({ t: 'op', v: op, pos: start }); i += op.length;
  }
  out.push({ t: 'end', v: '', pos: src.length });
  return out;
}

const KEYWORDS: Record<string, string> = { and: '&&', or: '||', not: '!' };
const FUNCS: Record<string, { args: number; kind: ValueKind }> = {
  len: { args: 1, kind: 'number' },
  abs: { args: 1, kind: 'number' },
  lower: { args: 1, kind: 'string' },
};

function parse(src: string): Node {
  const toks = lex(src);
  let p = 0;
  const peek = (): Tok => toks[p];
  const isOp = (v: string): boolean => { const t = peek(); return (t.t === 'op' && t.v === v) || (t.t === 'id' && KEYWORDS[t.v] === v); };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new ExprError(`expected "${v}" at column ${peek().pos + 1}${peek().t === 'end' ? ' (end of expression)' : `, found "${peek().v}"`}`, peek().pos);
    p++;
  };
  const or = (): Node => { let a = and(); while (isOp('||')) { const pos = peek().pos; p++; a = { k: 'bin', op: '||', a, b: and(), pos }; } return a; };
  const and = (): Node => { let a = not(); while (isOp('&&')) { const pos = peek().pos; p++; a = { k: 'bin', op: '&&', a, b: not(), pos }; } return a; };
  const not = (): Node => { if (isOp('!')) { p++; return { k: 'not', e: not() }; } return cmp(); };
  const cmp = (): Node => {
    const a = add();
    const t = peek();
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) { p++; return { k: 'bin', op: t.v, a, b: add(), pos: t.pos }; }
    const negate = t.t === 'id' && t.v === 'not' && toks[p + 1]?.t === 'id' && toks[p + 1].v === 'in';
    if ((t.t === 'id' && t.v === 'in') || negate) {
      p += negate ? 2 : 1;
      expect('[');
      const list: Node[] = [];
      if (!isOp(']')) { list.push(add()); while (isOp(',')) { p++; list.push(add()); } }
      expect(']');
      return { k: 'in', e: a, list, negate };
    }
    return a;
  };
  const add = (): Node => { let a = mul(); for (;;) { const t = peek(); if (t.t === 'op' && (t.v === '+' || t.v === '-')) { p++; a = { k: 'bin', op: t.v, a, b: mul(), pos: t.pos }; } else return a; } };
  const mul = (): Node => { let a = unary(); for (;;) { const t = peek(); if (t.t === 'op' && ['*', '/', '%'].includes(t.v)) { p++; a = { k: 'bin', op: t.v, a, b: unary(), pos: t.pos }; } else return a; } };
  const unary = (): Node => { if (isOp('-')) { p++; return { k: 'neg', e: unary() }; } return atom(); };
  const atom = (): Node => {
    const t = peek();
    if (t.t === 'num') { p++; return { k: 'num', v: Number(t.v) }; }
    if (t.t === 'str') { p++; return { k: 'str', v: t.v }; }
    if (t.t === 'op' && t.v === '(') { p++; const e = or(); expect(')'); return e; }
    if (t.t === 'id') {
      p++;
      if (t.v === 'true' || t.v === 'True') return { k: 'bool', v: true };
      if (t.v === 'false' || t.v === 'False') return { k: 'bool', v: false };
      if (t.v === 'null' || t.v === 'None') return { k: 'null' };
      if (isOp('(')) {
        p++;
        const args: Node[] = [];
        if (!isOp(')')) { args.push(or()); while (isOp(',')) { p++; args.push(or()); } }
        expect(')');
        return { k: 'call', fn: t.v, args, pos: t.pos };
      }
      return { k: 'col', name: t.v, pos: t.pos };
    }
    throw new ExprError(t.t === 'end' ? 'expression ends too early' : `unexpected "${t.v}" at column ${t.pos + 1}`, t.pos);
  };
  const e = or();
  if (peek().t !== 'end') throw new ExprError(`unexpected "${peek().v}" at column ${peek().pos + 1}`, peek().pos);
  return e;
}

export function kindOf(t: ColumnType): ValueKind {
  if (t === 'string') return 'string';
  if (t === 'bool') return 'bool';
  if (t === 'int32' || t === 'int64' || t === 'float64') return 'number';
  return 'list';
}

/** Columns every document has, whatever the stages. */
export const BUILTIN_COLUMNS: Record<string, ValueKind> = { id: 'string', text: 'string', source: 'string', source_file: 'string', source_row: 'number' };

export interface CompiledExpr {
  source: string;
  columns: string[];
  test(doc: Doc): boolean;
}

type Fn = (d: Doc) => unknown;

/** Parses and type-checks an expression. `columns` maps every known column name to its kind. */
export function compileExpr(src: string, columns: Record<string, ValueKind>, suggest?: (name: string) => string | undefined): CompiledExpr {
  const tree = parse(src);
  const used = new Set<string>();
  const check = (n: Node): ValueKind => {
    switch (n.k) {
      case 'num': return 'number';
      case 'str': return 'string';
      case 'bool': return 'bool';
      case 'null': return 'null';
      case 'col': {
        const kind = columns[n.name] ?? (n.name.startsWith('meta.') ? 'any' : undefined);
        if (!kind) {
          const s = suggest?.(n.name);
          throw new ExprError(`unknown column "${n.name}"${s ? ` — did you mean "${s}"?` : ''}. Columns come from the source and from the stages before this filter.`, n.pos);
        }
        used.add(n.name);
        return kind;
      }
      case 'not': check(n.e); return 'bool';
      case 'neg': { const k = check(n.e); if (k !== 'number' && k !== 'any') throw new ExprError('"-" needs a number', 0); return 'number'; }
      case 'in': check(n.e); n.list.forEach(check); return 'bool';
      case 'call': {
        const f = FUNCS[n.fn];
        if (!f) throw new ExprError(`unknown function "${n.fn}" (known: ${Object.keys(FUNCS).join(', ')})`, n.pos);
        if (n.args.length !== f.args) throw new ExprError(`${n.fn}() takes ${f.args} argument(s)`, n.pos);
        n.args.forEach(check);
        return f.kind;
      }
      case 'bin': {
        const a = check(n.a), b = check(n.b);
        if (n.op === '&&' || n.op === '||') return 'bool';
        const num = (k: ValueKind): boolean => k === 'number' || k === 'any';
        if (['+', '-', '*', '/', '%'].includes(n.op)) {
          if (!num(a) || !num(b)) throw new ExprError(`"${n.op}" at column ${n.pos + 1} needs numbers (got ${a} and ${b})`, n.pos);
          return 'number';
        }
        if (['<', '<=', '>', '>='].includes(n.op)) {
          const ok = (num(a) && num(b)) || ((a === 'string' || a === 'any') && (b === 'string' || b === 'any'));
          if (!ok) throw new ExprError(`cannot compare ${a} with ${b} using "${n.op}" at column ${n.pos + 1}`, n.pos);
          return 'bool';
        }
        if (a !== b && a !== 'any' && b !== 'any' && a !== 'null' && b !== 'null') throw new ExprError(`"${n.op}" at column ${n.pos + 1} compares ${a} with ${b}; they are never equal`, n.pos);
        return 'bool';
      }
    }
  };
  check(tree);
  const fn = compile(tree);
  return { source: src, columns: [...used], test: (d) => truthy(fn(d)) };
}

function truthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false && v !== 0 && !(typeof v === 'number' && Number.isNaN(v)) && v !== '';
}

function readCol(name: string): Fn {
  switch (name) {
    case 'id': return (d) => d.id;
    case 'text': return (d) => d.text;
    case 'source': return (d) => d.source;
    case 'source_file': return (d) => d.shard;
    case 'source_row': return (d) => d.row;
  }
  if (name.startsWith('meta.')) { const k = name.slice(5); return (d) => (k in d.cols ? d.cols[k] : d.meta[k]) ?? null; }
  return (d) => {
    const v = d.cols[name] ?? d.meta[name];
    // RPv2 signals are stored as [[start, end, score]]: a document-level signal compares by its score
    if (Array.isArray(v) && v.length === 1 && Array.isArray(v[0]) && v[0].length === 3) return v[0][2];
    return v ?? null;
  };
}

function compile(n: Node): Fn {
  switch (n.k) {
    case 'num': case 'str': case 'bool': { const v = n.v; return () => v; }
    case 'null': return () => null;
    case 'col': return readCol(n.name);
    case 'not': { const e = compile(n.e); return (d) => !truthy(e(d)); }
    case 'neg': { const e = compile(n.e); return (d) => -(e(d) as number); }
    case 'in': {
      const e = compile(n.e); const list = n.list.map(compile); const neg = n.negate;
      return (d) => { const v = e(d); const hit = list.some((f) => f(d) === v); return neg ? !hit : hit; };
    }
    case 'call': {
      const args = n.args.map(compile);
      if (n.fn === 'len') return (d) => { const v = args[0](d); return typeof v === 'string' ? [...v].length : v && typeof v === 'object' && 'length' in v ? (v as { length: number }).length : 0; };
      if (n.fn === 'abs') return (d) => Math.abs(args[0](d) as number);
      return (d) => String(args[0](d) ?? '').toLowerCase();
    }
    case 'bin': {
      const a = compile(n.a), b = compile(n.b);
      // comparisons with a missing value (null) are false, like SQL, except == / != null
      const numOp = (f: (x: number, y: number) => boolean): Fn => (d) => { const x = a(d), y = b(d); return x == null || y == null ? false : f(x as number, y as number); };
      switch (n.op) {
        case '&&': return (d) => truthy(a(d)) && truthy(b(d));
        case '||': return (d) => truthy(a(d)) || truthy(b(d));
        case '==': return (d) => a(d) === b(d);
        case '!=': return (d) => a(d) !== b(d);
        case '<': return numOp((x, y) => x < y);
        case '<=': return numOp((x, y) => x <= y);
        case '>': return numOp((x, y) => x > y);
        case '>=': return numOp((x, y) => x >= y);
        case '+': return (d) => (a(d) as number) + (b(d) as number);
        case '-': return (d) => (a(d) as number) - (b(d) as number);
        case '*': return (d) => (a(d) as number) * (b(d) as number);
        case '/': return (d) => (a(d) as number) / (b(d) as number);
        default: return (d) => (a(d) as number) % (b(d) as number);
      }
    }
  }
}
