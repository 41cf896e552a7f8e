// Loads a YAML manifest and checks everything that can be checked before a run: schema, stage names and
// parameters, filter expressions, and that every column a stage reads is produced earlier in the chain.
// Every problem is reported with file:line, the path inside the manifest, and a suggestion when a key is misspelled.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML, { isMap, isSeq, isScalar, LineCounter, type Document, type Node as YNode } from 'yaml';
import { z } from 'zod';
import { manifestSchema, type Manifest } from './manifest-schema.ts';
import type { ColumnSpec, StageDefinition } from './types.ts';
import { registry } from '../stages/registry.ts';
import { BUILTIN_COLUMNS, ExprError, compileExpr, kindOf, type ValueKind } from './expr.ts';

export interface ManifestProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export class ManifestError extends Error {
  readonly problems: ManifestProblem[];
  constructor(problems: ManifestProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatProblem(p: ManifestProblem): string {
  return `${p.file}:${p.line}:${p.col}  ${p.path || '(top level)'}: ${p.message}`;
}

export interface ResolvedStage {
  /** Position-qualified id, unique in the chain: `03-minhash`. */
  id: string;
  name: string;
  def: StageDefinition<unknown>;
  params: unknown;
  /** Columns this stage adds. */
  writes: ColumnSpec[];
}

export interface LoadedManifest {
  file: string;
  baseDir: string;
  text: string;
  manifest: Manifest;
  stages: ResolvedStage[];
  /** Columns present after the whole chain (declared by stages, in order). */
  columns: ColumnSpec[];
}

export function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) { bestD = dist; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function nodeAt(doc: Document, path: (string | number)[]): YNode | null {
  let n: unknown = doc.contents;
  for (const k of path) {
    if (isMap(n)) {
      const pair = n.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === k);
      if (!pair) return n as YNode;
      n = pair.value ?? pair.key;
    } else if (isSeq(n) && typeof k === 'number') {
      n = n.items[k] ?? n;
    } else break;
  }
  return (n as YNode) ?? null;
}

function keyNodeAt(doc: Document, path: (string | number)[], key: string): YNode | null {
  const parent = nodeAt(doc, path);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
    if (pair && isScalar(pair.key)) return pair.key as YNode;
  }
  return parent;
}

/** Strips optional/default/prefault/pipe wrappers down to the schema that has the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 16; i++) {
    const d = (s as unknown as { def?: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const next = d?.innerType ?? d?.in;
    if (!next) break;
    s = next;
  }
  return s;
}

function shapeKeys(schema: z.ZodType): string[] | null {
  const s = schema as unknown as { shape?: Record<string, unknown>; def?: { innerType?: z.ZodType; in?: z.ZodType } };
  if (s.shape) return Object.keys(s.shape);
  if (s.def?.innerType) return shapeKeys(s.def.innerType);
  if (s.def?.in) return shapeKeys(s.def.in);
  return null;
}

function valueAt(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function pathString(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * `${VAR}` and `${VAR:-default}` in a manifest are replaced from the environment before parsing (on one line, so
 * line numbers stay right). An unset variable without a default is an error naming the line.
 */
export function interpolateEnv(file: string, text: string, env: NodeJS.ProcessEnv = process.env): string {
  const problems: ManifestProblem[] = [];
  const out = text.split('\n').map((line, i) => line.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (m, name: string, def: string | undefined, col: number) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    problems.push({ file, line: i + 1, col: col + 1, path: '', message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` });
    return m;
  })).join('\n');
  if (problems.length) throw new ManifestError(problems);
  return out;
}

export function loadManifest(file: string, text = readFileSync(file, 'utf8')): LoadedManifest {
  text = interpolateEnv(file, text);
  const lc = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: ManifestProblem[] = [];
  const at = (node: YNode | null, path: (string | number)[], message: string): void => {
    const off = node?.range?.[0] ?? 0;
    const { line, col } = lc.linePos(off);
    problems.push({ file, line, col, path: pathString(path), message });
  };
  for (const e of doc.errors) {
    const { line, col } = lc.linePos(e.pos[0]);
    problems.push({ file, line, col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
  }
  if (problems.length) throw new ManifestError(problems);

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    throw new ManifestError([{ file, line: 1, col: 1, path: '', message: `YAML: ${(e as Error).message}` }]);
  }
  const reported = new Set<string>();
  const parsed = manifestSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, [], manifestSchema);
    throw new ManifestError(problems);
  }
  const manifest = parsed.data;

  function reportIssue(issue: z.core.$ZodIssue, prefix: (string | number)[], schema: z.ZodType | null): void {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        if (reported.has(pathString([...path, k]))) continue;
        reported.add(pathString([...path, k]));
        const known = knownKeysAt(issue.path as (string | number)[], schema);
        const s = known ? closest(k, known) : undefined;
        at(keyNodeAt(doc, path, k), [...path, k], `unknown key "${k}"${s ? ` — did you mean "${s}"?` : known ? ` (allowed: ${known.join(', ')})` : ''}`);
      }
      return;
    }
    const parentPath = path.slice(0, -1);
    const missing = issue.code === 'invalid_type' && valueAt(raw, path) === undefined;
    if (missing) {
      // zod stops at the missing key; the misspelling that caused it is usually a sibling: report it too
      const known = knownKeysAt((issue.path as (string | number)[]).slice(0, -1), schema);
      const obj = valueAt(raw, parentPath);
      let hinted = false;
      if (known && obj && typeof obj === 'object' && !Array.isArray(obj)) {
        for (const k of Object.keys(obj)) {
          const id = pathString([...parentPath, k]);
          if (known.includes(k) || reported.has(id)) continue;
          reported.add(id);
          const s = closest(k, known);
          if (s === path[path.length - 1]) hinted = true;
          at(keyNodeAt(doc, parentPath, k), [...parentPath, k], `unknown key "${k}"${s ? ` — did you mean "${s}"?` : ` (allowed: ${known.join(', ')})`}`);
        }
      }
      if (!hinted) at(nodeAt(doc, parentPath), path, `missing required key "${String(path[path.length - 1])}"`);
      return;
    }
    at(nodeAt(doc, path), path, issue.message);
  }

  function knownKeysAt(path: (string | number)[], schema: z.ZodType | null): string[] | null {
    if (!schema) return null;
    let s: z.ZodType = unwrap(schema);
    for (const k of path) {
      const u = s as unknown as { shape?: Record<string, z.ZodType>; def?: { innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType } };
      if (typeof k === 'number' && u.def?.element) s = u.def.element;
      else if (typeof k === 'string' && u.shape?.[k]) s = u.shape[k];
      else return null;
      s = unwrap(s);
    }
    return shapeKeys(s);
  }

  // sources: unique names
  const seen = new Set<string>();
  manifest.sources.forEach((s, i) => {
    if (seen.has(s.name)) at(nodeAt(doc, ['sources', i, 'name']), ['sources', i, 'name'], `duplicate source name "${s.name}"`);
    seen.add(s.name);
  });

  // stages
  const stages: ResolvedStage[] = [];
  const columns: ColumnSpec[] = [];
  const kinds: Record<string, ValueKind> = { ...BUILTIN_COLUMNS };
  const suggestColumn = (n: string): string | undefined => closest(n, Object.keys(kinds));
  manifest.pipeline.forEach((entry, i) => {
    const path: (string | number)[] = ['pipeline', i];
    let name: string;
    let params: unknown;
    if (typeof entry === 'string') { name = entry; params = {}; }
    else {
      const keys = Object.keys(entry);
      if (keys.length !== 1) { at(nodeAt(doc, path), path, `a stage entry is one key (the stage name) with its parameters, e.g. "- filter: {expr: ...}"; found keys ${keys.join(', ')}`); return; }
      name = keys[0];
      params = entry[name] ?? {};
    }
    const def = registry.get(name);
    if (!def) {
      const s = closest(name, registry.keys());
      at(keyNodeAt(doc, path, name), [...path, name], `unknown stage "${name}"${s ? ` — did you mean "${s}"?` : ''} (run \`curate list\` to see every stage)`);
      return;
    }
    const pr = def.params.safeParse(params);
    if (!pr.success) {
      for (const issue of pr.error.issues) reportIssue(issue, [...path, name], def.params);
      return;
    }
    const p = pr.data;
    for (const c of def.reads(p)) {
      if (!(c in kinds) && !c.startsWith('meta.')) {
        const s = suggestColumn(c);
        at(nodeAt(doc, [...path, name]), [...path, name], `stage "${name}" reads column "${c}", which no earlier stage writes${s ? ` — did you mean "${s}"?` : ''}`);
      }
    }
    if (name === 'filter') {
      const expr = (p as { expr: string }).expr;
      try { compileExpr(expr, kinds, suggestColumn); } catch (e) {
        if (e instanceof ExprError) at(nodeAt(doc, [...path, name, 'expr']), [...path, name, 'expr'], `${e.message}\n    in: ${expr}`);
        else throw e;
      }
    }
    const writes = [...def.writes(p, { baseDir: dirname(resolve(file)) }), ...(def.global?.writes?.(p) ?? [])];
    for (const w of writes) {
      const existing = columns.findIndex((c) => c.name === w.name);
      if (existing >= 0) columns[existing] = w; else columns.push(w);
      kinds[w.name] = kindOf(w.type);
    }
    stages.push({ id: `${String(i + 1).padStart(2, '0')}-${name}`, name, def: def as StageDefinition<unknown>, params: p, writes });
  });
  if (problems.length) throw new ManifestError(problems);
  return { file, baseDir: dirname(resolve(file)), text, manifest, stages, columns };
}
