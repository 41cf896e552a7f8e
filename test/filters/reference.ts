// Loads the reference outputs of ../shared/fixtures/reference-signals for the filter conformance tests.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const BADWORDS_EN = fileURLToPath(new URL('./fixtures/ldnoobw/en', import.meta.url));

export interface RefDoc {
  id: string;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ref: any;
}

function jsonl(path: string): Record<string, unknown>[] {
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The three reference sets: (input documents, reference outputs), joined by position and checked by id. */
export function referenceSets(): { name: string; docs: RefDoc[] }[] {
  const R = SHARED + 'fixtures/reference-signals/';
  const pairs: [string, string, string][] = [
    ['docs', R + 'docs.jsonl.gz', R + 'rpv2_signals.jsonl.gz'],
    ['web_docs', SHARED + 'data/web_docs.jsonl.gz', R + 'web_docs_signals.jsonl.gz'],
    ['edge_cases', R + 'edge_cases.jsonl.gz', R + 'edge_cases_signals.jsonl.gz'],
  ];
  return pairs.map(([name, inp, out]) => {
    const a = jsonl(inp);
    const b = jsonl(out);
    if (a.length !== b.length) throw new Error(`${name}: ${a.length} inputs vs ${b.length} reference rows`);
    const docs = a.map((d, i) => {
      if (d.id !== b[i].id) throw new Error(`${name}: row ${i} id ${String(d.id)} vs ${String(b[i].id)}`);
      return { id: String(d.id), text: String(d.text), ref: b[i] };
    });
    return { name, docs };
  });
}

export const haveShared = existsSync(SHARED + 'fixtures/reference-signals/docs.jsonl.gz');
