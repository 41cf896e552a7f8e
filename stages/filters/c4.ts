// datatrove's C4QualityFilter with `split_paragraph=True` (its default), walked over the text's lines as index ranges:
// same rules, same order, same line counters and rewritten text as the line-by-line port in datatrove.ts
// (`c4Quality`), which stays the reference (the tests compare the two) and serves `split_paragraph=False`.
//
// What the range walk saves: no list of line strings (a line is sliced only once it passes the cheap rules), and no
// tokenizer pass per line for the sentence count. With the spaCy tokenizer, a stripped line's sentence count is one
// plus the sentence starts of the whole text that fall inside the line (see `sentenceStartOffsets`); the whole text
// is usually tokenized already, for the word-based filters of the same document. Lines that citation removal
// changed are counted the direct way.
import { cpLen, isPySpaceCode, pyStrip } from '../text/pystr.ts';
import { isLineBoundary } from '../signals/text.ts';
import { englishTokenizer } from '../text/spacy/tokenizer.ts';
import { sentenceCount, type TokenizerKind } from '../text/words.ts';
import { CITATION, c4ContentRules, c4Quality, type C4QualityParams, type C4QualityResult } from './datatrove.ts';


/** `len(text[a:b].split())`, or -1 when `maxLen != -1` and a word has more than `maxLen` code points. */
function countSplitWords(text: string, a: number, b: number, maxLen: number): number {
  let n = 0;
  let start = -1;
  for (let i = a; i < b; i++) {
    if (isPySpaceCode(text.charCodeAt(i))) {
      if (start >= 0) {
        if (maxLen !== -1 && i - start > maxLen && cpLen(text.slice(start, i)) > maxLen) return -1;
        n++;
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) {
    if (maxLen !== -1 && b - start > maxLen && cpLen(text.slice(start, b)) > maxLen) return -1;
    n++;
  }
  return n;
}

/** `line.endswith(('.', '?', '!', '"', "'")) and not line.endswith('...')` for text[a, b). */
function endsWithTerminal(s: string, a: number, b: number): boolean {
  if (b <= a) return false;
  const c = s.charCodeAt(b - 1);
  if (c === 0x2e) return !(b - a >= 3 && s.charCodeAt(b - 2) === 0x2e && s.charCodeAt(b - 3) === 0x2e);
  return c === 0x3f || c === 0x21 || c === 0x22 || c === 0x27;
}

/** Whether text[a, b) contains the UTF-16 unit `c`. */
function hasUnit(text: string, c: string, a: number, b: number): boolean {
  const i = text.indexOf(c, a);
  return i !== -1 && i < b;
}

/**
 * C4QualityFilter's decision, line counters and rewritten text: by line ranges when `split_paragraph` is set (the
 * default), else by datatrove.ts's line-by-line port (which needs the sentence splitter for `split_paragraph=False`).
 */
export function c4QualityRanges(
  text: string,
  p: C4QualityParams,
  tokenizer: TokenizerKind = 'spacy',
  sentenceParts?: (t: string) => string[],
): C4QualityResult {
  return p.split_paragraph ? c4QualityByRanges(text, p, tokenizer) : c4Quality(text, p, tokenizer, sentenceParts);
}

export function c4QualityByRanges(text: string, p: C4QualityParams, tokenizer: TokenizerKind): C4QualityResult {
  const stats: Record<string, number> = {};
  const bump = (k: string): void => {
    stats[k] = (stats[k] ?? 0) + 1;
  };
  const countSentences = p.min_num_sentences !== -1;
  const starts = countSentences && tokenizer === 'spacy' ? englishTokenizer().sentenceStartOffsets(text) : null;
  let si = 0;
  let numSentences = 0;
  const kept: string[] = [];
  const n = text.length;
  let a = 0;
  while (a < n) {
    // the next splitlines() line is text[a, e); the one after starts at `next`
    let e = a;
    while (e < n && !isLineBoundary(text.charCodeAt(e))) e++;
    const next = e < n && text.charCodeAt(e) === 0x0d && text.charCodeAt(e + 1) === 0x0a ? e + 2 : e + 1;
    // strip
    let x = a;
    let y = e;
    while (x < y && isPySpaceCode(text.charCodeAt(x))) x++;
    while (y > x && isPySpaceCode(text.charCodeAt(y - 1))) y--;
    a = next;

    const nWords = countSplitWords(text, x, y, p.max_word_length);
    bump('line-total');
    if (nWords < 0) {
      bump('line-filter-too_long_word');
      continue;
    }
    let line: string | null = null;
    // `[` starts every citation pattern: no regex pass over lines without one
    if (p.remove_citations && hasUnit(text, '[', x, y)) {
      const raw = text.slice(x, y);
      line = raw.replace(CITATION, '');
      if (line.length === raw.length) line = raw;
    }
    const changed = line !== null && line.length !== y - x;
    if (p.filter_no_terminal_punct && !(changed ? endsWithTerminal(line!, 0, line!.length) : endsWithTerminal(text, x, y))) {
      bump('line-filter-no_terminal_punc');
      continue;
    }
    if (nWords < p.min_words_per_line) {
      bump('line-filter-too_few_words');
      continue;
    }
    line ??= text.slice(x, y);
    const verdict = c4ContentRules(line, p);
    if (verdict !== null) {
      if (verdict.startsWith('line-')) {
        bump(verdict);
        continue;
      }
      return { keep: false, reason: verdict, lineStats: stats };
    }
    // only `num_sentences < min_num_sentences` is ever asked, so counting can stop once the minimum is reached
    if (countSentences && numSentences < p.min_num_sentences) {
      if (starts !== null && !changed) {
        while (si < starts.length && starts[si] <= x) si++;
        let k = si;
        while (k < starts.length && starts[k] < y) k++;
        numSentences += 1 + k - si;
        si = k;
      } else numSentences += sentenceCount(line, tokenizer);
    }
    kept.push(line);
    bump('line-kept');
  }
  if (numSentences < p.min_num_sentences) return { keep: false, reason: 'too_few_sentences', lineStats: stats };
  return { keep: true, reason: null, text: pyStrip(kept.join('\n')), lineStats: stats };
}
