// English word and sentence splitting for the filters: the spaCy-compatible tokenizer (what datatrove uses for
// "eng", so word-based rules agree with datatrove) or a fast simple splitter (approximate, for throughput).
import { englishTokenizer } from './spacy/tokenizer.ts';
import { isPySpaceCode } from './pystr.ts';

export type TokenizerKind = 'spacy' | 'simple';

const SIMPLE_WORD = /[\p{L}\p{N}\p{M}_]+(?:['’][\p{L}]+)?|[^\p{L}\p{N}\p{M}_\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gu;
const SENTENCE_END = new Set(['.', '!', '?', '。', '！', '？', '｡', '‼', '‽', '⁇', '⁈', '⁉']);

/**
 * Simple splitter: runs of letters/digits/marks/underscore (with one trailing apostrophe clitic) are words, every
 * other non-whitespace character is a word of its own. Not spaCy: abbreviations, URLs, numbers with separators
 * and contractions split differently (see docs/filters.md).
 */
export function simpleWords(text: string): string[] {
  return text.match(SIMPLE_WORD) ?? [];
}

/** Simple sentence count: a sentence ends at a run of . ! ? (and CJK/other full stops) followed by whitespace or the end. */
export function simpleSentenceCount(text: string): number {
  let n = 0;
  let inSentence = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (SENTENCE_END.has(ch)) {
      let j = i + 1;
      while (j < text.length && SENTENCE_END.has(text[j])) j++;
      if (j >= text.length || isPySpaceCode(text.charCodeAt(j))) {
        if (inSentence) n++;
        inSentence = false;
        i = j - 1;
        continue;
      }
    }
    if (!isPySpaceCode(text.charCodeAt(i))) inSentence = true;
  }
  if (inSentence) n++;
  return Math.max(1, n);
}

/** datatrove `split_into_words(text, "eng")` (spacy) or the simple splitter. */
export function splitWords(text: string, kind: TokenizerKind = 'spacy'): string[] {
  return kind === 'spacy' ? englishTokenizer().words(text) : simpleWords(text);
}

/** `len(split_into_sentences(text, "eng"))` (spacy) or the simple count. */
export function sentenceCount(text: string, kind: TokenizerKind = 'spacy'): number {
  return kind === 'spacy' ? englishTokenizer().sentenceCount(text) : simpleSentenceCount(text);
}

interface WordsEntry {
  text: string;
  kind: TokenizerKind;
  words: string[];
}

const byDoc = new WeakMap<object, WordsEntry>();

/**
 * Words of a document's current text, shared by every filter stage that runs on the same document object
 * (Gopher quality, Gopher repetition and FineWeb all split the same text): computed once per text version.
 */
export function wordsOf(doc: { text: string }, kind: TokenizerKind = 'spacy'): string[] {
  const e = byDoc.get(doc);
  if (e && e.text === doc.text && e.kind === kind) return e.words;
  const words = splitWords(doc.text, kind);
  byDoc.set(doc, { text: doc.text, kind, words });
  return words;
}
