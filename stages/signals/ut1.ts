// The UT1 blacklist index of rps_doc_ut1_blacklist: domain -> id of the SET of UT1 categories listing it, as RPv2's
// artifacts/update_resources.py builds it (ids enumerate every combination of the configured categories: sorted
// categories, combinations of size 1, then 2, ..., each size in lexicographic order).
import type { Storage } from '../../pipeline/types.ts';
import { pyStrip } from './text.ts';

/** RPv2's category-set id of a (sorted, distinct) subset of the sorted configured categories. */
export function categorySetId(sortedCategories: readonly string[], subset: readonly string[]): number {
  const k = sortedCategories.length;
  const r = subset.length;
  const idx = subset.map((c) => {
    const i = sortedCategories.indexOf(c);
    if (i < 0) throw new Error(`UT1 category "${c}" is not among the configured categories`);
    return i;
  });
  let id = 0;
  for (let s = 1; s < r; s++) id += binom(k, s);
  let prev = -1;
  for (let j = 0; j < r; j++) {
    for (let x = prev + 1; x < idx[j]; x++) id += binom(k - 1 - x, r - 1 - j);
    prev = idx[j];
  }
  return id;
}

function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Loads the index from RPv2's `domain_to_category_id.json`, or builds it from an extracted UT1 tarball folder
 * (`<dir>/blacklists/<category>/domains` or `<dir>/<category>/domains`) and the categories RPv2 was run with.
 */
export async function loadUt1Index(storage: Storage, uri: string, categories?: readonly string[]): Promise<Map<string, number>> {
  if (/\.json$/i.test(uri)) {
    const raw = JSON.parse(new TextDecoder().decode(await storage.read(uri))) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`UT1 index ${uri}: expected a JSON object domain -> id`);
    const m = new Map<string, number>();
    for (const [dom, id] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new Error(`UT1 index ${uri}: id of "${dom}" is not an integer`);
      m.set(dom, id);
    }
    return m;
  }
  if (!categories || categories.length === 0) {
    throw new Error(`UT1 folder ${uri}: set ut1Categories (the UT1 categories RPv2 was configured with) to number category sets as RPv2 does`);
  }
  if (new Set(categories).size !== categories.length) throw new Error('ut1Categories: categories must be distinct');
  const sorted = [...categories].sort();
  const wanted = new Set(categories);
  const base = uri.replace(/\/+$/, '');
  const perDomain = new Map<string, Set<string>>();
  let files = 0;
  for await (const f of storage.list(base)) {
    const rel = f.uri.slice(base.length).replace(/^\/+/, '');
    const m = /^(?:blacklists\/)?([^/]+)\/domains$/.exec(rel);
    if (!m || !wanted.has(m[1])) continue;
    files++;
    const text = new TextDecoder().decode(await storage.read(f.uri));
    // Python readlines() with universal newlines: no element after a final newline
    for (const line of text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []) {
      const dom = pyStrip(line);
      let s = perDomain.get(dom);
      if (!s) perDomain.set(dom, (s = new Set()));
      s.add(m[1]);
    }
  }
  if (files === 0) throw new Error(`UT1 folder ${uri}: no <category>/domains file for the categories ${categories.join(', ')}`);
  const index = new Map<string, number>();
  for (const [dom, cats] of perDomain) index.set(dom, categorySetId(sorted, [...cats].sort()));
  return index;
}
