// datatrove's Gopher n-gram statistics written directly on strings: the reference the typed-array WordNgrams is
// tested against (test/filters/ngrams.test.ts, gopher-repetition.test.ts).
import { cpLen } from '../../stages/text/pystr.ts';

/** find_top_duplicate(get_n_grams(words, n)): len(top) * count(top), top = Counter.most_common(1) (first seen on ties). */
export function naiveTop(words: readonly string[], n: number): number | null {
  const counts = new Map<string, number>(); // insertion order = first occurrence
  for (let i = 0; i + n <= words.length; i++) {
    const g = words.slice(i, i + n).join(' ');
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  if (counts.size === 0) return null;
  let best = '';
  let bestCount = 0;
  for (const [g, c] of counts) {
    if (c > bestCount) {
      best = g;
      bestCount = c;
    }
  }
  return cpLen(best) * bestCount;
}

/** find_all_duplicate(words, n): greedy scan over "".join n-grams. */
export function naiveDup(words: readonly string[], n: number): number {
  const seen = new Set<string>();
  let rep = 0;
  let i = 0;
  while (i < words.length - n + 1) {
    const g = words.slice(i, i + n).join('');
    if (seen.has(g)) {
      rep += cpLen(g);
      i += n;
    } else {
      seen.add(g);
      i += 1;
    }
  }
  return rep;
}
