// Python string operations the signals and filters are defined with, ported with CPython 3.11 semantics
// (whitespace, word characters, code point lengths). See docs/signals-rpv2.md, "Python vs JavaScript".
import { CP_FLAGS, F_SPACE, F_WORD, pyLower, pyNFD } from './unicode.ts';

/** Code point at UTF-16 index i (a lone surrogate is returned as itself, like a Python str would hold it). */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

function isSpaceUnit(c: number): boolean {
  // every Python whitespace character is in the BMP, so a surrogate unit is never whitespace
  return (CP_FLAGS[c] & F_SPACE) !== 0 && (c < 0xd800 || c > 0xdfff);
}

/** Python `s.strip()` (whitespace = `str.isspace()`). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceUnit(s.charCodeAt(a))) a++;
  while (b > a && isSpaceUnit(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Python `s.lstrip()`. */
export function pyLStrip(s: string): string {
  let a = 0;
  while (a < s.length && isSpaceUnit(s.charCodeAt(a))) a++;
  return a === 0 ? s : s.slice(a);
}

/** Python `s.rstrip()`. */
export function pyRStrip(s: string): string {
  let b = s.length;
  while (b > 0 && isSpaceUnit(s.charCodeAt(b - 1))) b--;
  return b === s.length ? s : s.slice(0, b);
}

/** Python `s.split()` (no argument): runs of non-whitespace. */
export function pySplitWhitespace(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isSpaceUnit(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Line boundaries of Python `str.splitlines()`. */
export function isLineBoundary(c: number): boolean {
  return (c >= 0x0a && c <= 0x0d) || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Python `s.splitlines()`: splits on \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029; no trailing empty element. */
export function pySplitlines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isLineBoundary(c)) {
      out.push(s.slice(start, i));
      i += c === 0x0d && s.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      start = i;
    } else i++;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** A slice of a text: UTF-16 bounds for slicing, code point bounds for RPv2 spans. */
export interface TextRange {
  /** UTF-16 index of the first unit. */
  start16: number;
  /** UTF-16 index after the last unit. */
  end16: number;
  /** Code point offset of the start (Python index). */
  start: number;
  /** Code point offset of the end (Python index). */
  end: number;
}

/**
 * RPv2 lines: the matches of `([^\n]*\n|[^\n]+$)`: each line keeps its `\n`, empty lines are kept, no empty last
 * line after a final `\n`, and `""` has no lines.
 */
export function rpv2Lines(s: string): TextRange[] {
  const out: TextRange[] = [];
  let start16 = 0;
  let startCp = 0;
  let cp = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    cp++;
    if (c === 0x0a) {
      out.push({ start16, end16: i + 1, start: startCp, end: cp });
      start16 = i + 1;
      startCp = cp;
    }
  }
  if (start16 < s.length) out.push({ start16, end16: s.length, start: startCp, end: cp });
  return out;
}

/** ASCII `string.punctuation`, which RPv2's normalisation deletes. */
export const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PUNCT_RE = /[!-/:-@[-`{-~]/g;

/** True for the code units of `string.punctuation`. */
export function isAsciiPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/**
 * RPv2 `normalize(s)` (utilities/text/normalization.py), in its order: delete ASCII punctuation, `lower()`, `strip()`,
 * collapse whitespace runs to one space, NFD. Reference implementation on a whole string; the document view computes
 * the same words token by token.
 */
export function rpv2Normalize(s: string): string {
  let t = s.replace(PUNCT_RE, '');
  t = pyLower(t);
  return pyNFD(pySplitWhitespace(t).join(' '));
}

/** `tok` without ASCII punctuation (`PUNCT_RE`), by slices (no regex pass: most tokens lose one end character). */
function deleteAsciiPunct(tok: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if ((c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e)) {
      if (i > start) out += tok.slice(start, i);
      start = i + 1;
    }
  }
  if (start === 0) return tok;
  return start < tok.length ? out + tok.slice(start) : out;
}

/** Normalises one whitespace-free token the RPv2 way ('' when it was only punctuation). */
export function rpv2NormalizeToken(tok: string, hasPunct: boolean, nonAscii: boolean, hasUpper: boolean): string {
  let t = hasPunct ? deleteAsciiPunct(tok) : tok;
  if (t.length === 0) return t;
  if (nonAscii) return pyNFD(pyLower(t));
  return hasUpper ? t.toLowerCase() : t;
}

/**
 * NLTK `WordPunctTokenizer().tokenize(s)`: `re.findall(r"\w+|[^\w\s]+", s)` with Python's Unicode `\w` and `\s`.
 */
export function wordPunctTokenize(s: string): string[] {
  const out: string[] = [];
  let cls = 0; // 0 none, 1 word, 2 other
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    const f = CP_FLAGS[cp];
    const k = f & F_WORD ? 1 : f & F_SPACE ? 0 : 2;
    if (k !== cls) {
      if (cls !== 0) out.push(s.slice(start, i));
      cls = k;
      start = i;
    }
    if (cp > 0xffff) i++;
  }
  if (cls !== 0) out.push(s.slice(start));
  return out;
}
