// Shared by the conformance test and the mismatch report: loads the reference outputs of the original RPv2 code
// (../shared/fixtures/reference-signals) with their input texts and compares them with this port.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { prepareBadWords, Rpv2Signals, type RpsSignals, type RpsSpan } from '../../stages/signals/rpv2.ts';
import { DocView } from '../../stages/signals/view.ts';

export const SHARED = new URL('../../../shared/', import.meta.url);

export interface RefDoc {
  id: string;
  text: string;
  signals: Record<string, RpsSpan[]>;
}

function readJsonl(url: URL): Record<string, unknown>[] {
  const text = gunzipSync(readFileSync(url)).toString('utf8');
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The three reference sets: name -> documents with their texts and reference signals. */
export function loadReferenceSets(): Record<string, RefDoc[]> {
  const sets: [string, URL, URL][] = [
    ['docs', new URL('fixtures/reference-signals/docs.jsonl.gz', SHARED), new URL('fixtures/reference-signals/rpv2_signals.jsonl.gz', SHARED)],
    ['web_docs', new URL('data/web_docs.jsonl.gz', SHARED), new URL('fixtures/reference-signals/web_docs_signals.jsonl.gz', SHARED)],
    ['edge_cases', new URL('fixtures/reference-signals/edge_cases.jsonl.gz', SHARED), new URL('fixtures/reference-signals/edge_cases_signals.jsonl.gz', SHARED)],
  ];
  const out: Record<string, RefDoc[]> = {};
  for (const [name, input, ref] of sets) {
    const texts = new Map<string, string>();
    for (const r of readJsonl(input)) texts.set(r.id as string, r.text as string);
    out[name] = readJsonl(ref).map((r) => {
      const id = r.id as string;
      const text = texts.get(id);
      if (text === undefined) throw new Error(`reference ${name}: no input text for ${id}`);
      return { id, text, signals: r.quality_signals as Record<string, RpsSpan[]> };
    });
  }
  return out;
}

export function ldnoobwFixture(): string {
  return readFileSync(fileURLToPath(new URL('./fixtures/ldnoobw/en', import.meta.url)), 'utf8');
}

export interface Mismatch {
  set: string;
  id: string;
  signal: string;
  expected: unknown;
  actual: unknown;
}

function scoreEqual(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-6;
}

/** A (document, signal) value matches when every span is equal and every score within 1e-6 (null only with null). */
export function signalEqual(exp: RpsSpan[] | undefined, act: RpsSpan[] | undefined): boolean {
  if (!exp || !act || exp.length !== act.length) return false;
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i];
    const a = act[i];
    if (e[0] !== a[0] || e[1] !== a[1] || !scoreEqual(e[2], a[2])) return false;
  }
  return true;
}

export interface ConformanceResult {
  compared: number;
  equal: number;
  mismatches: Mismatch[];
  perSet: Record<string, { compared: number; equal: number }>;
}

export function runConformance(sets: Record<string, RefDoc[]>): ConformanceResult {
  const signals = new Rpv2Signals({ badWords: prepareBadWords(ldnoobwFixture()) });
  const res: ConformanceResult = { compared: 0, equal: 0, mismatches: [], perSet: {} };
  for (const [set, docs] of Object.entries(sets)) {
    const ps = { compared: 0, equal: 0 };
    for (const d of docs) {
      const got: RpsSignals = signals.compute(new DocView(d.text));
      for (const [name, exp] of Object.entries(d.signals)) {
        ps.compared++;
        if (signalEqual(exp, got[name])) ps.equal++;
        else res.mismatches.push({ set, id: d.id, signal: name, expected: exp, actual: got[name] });
      }
    }
    res.perSet[set] = ps;
    res.compared += ps.compared;
    res.equal += ps.equal;
  }
  return res;
}
