// CPython `str` semantics that the reference implementations (datatrove, spaCy, NeMo, Zyda) rely on and
// that JavaScript strings do not share: code-point lengths, Python's whitespace set, `splitlines`, `strip`,
// `isalpha`/`isupper`, and Python-`re` character classes (`\s`, `\w`, `\d`) written for JS `u` regexes.

/** Python's `str.isspace()` set (also `re` `\s`, `str.split()`, `str.strip()`), as a regex class body. */
export const PY_WS_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python `re` `\w` for str patterns (letters, numbers of every kind, underscore). */
export const PY_WORD_CLASS = '\\p{L}\\p{N}_';
/** Python `re` `\d` for str patterns (Unicode decimal digits). */
export const PY_DIGIT_CLASS = '\\p{Nd}';

/** True for the code units Python treats as whitespace (every member is in the BMP). */
export function isPySpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
  );
}

// Python's len/strip/split/splitlines live with the RPv2 signals (one implementation for every stage family).
import { cpLength } from '../signals/unicode.ts';
export { cpLength as cpLen };
export { pyStrip, pyLStrip as pyLstrip, pyRStrip as pyRstrip, pySplitWhitespace as pySplit, pySplitlines } from '../signals/text.ts';

/** Python `s.count(sub)`: non-overlapping occurrences, left to right. */
export function pyCount(s: string, sub: string): number {
  if (sub.length === 0) return cpLength(s) + 1;
  let n = 0;
  let i = s.indexOf(sub);
  while (i !== -1) {
    n++;
    i = s.indexOf(sub, i + sub.length);
  }
  return n;
}

const ALPHA_RE = /\p{L}/u;
/** Python `any(c.isalpha() for c in w)`. */
export function hasAlpha(w: string): boolean {
  return ALPHA_RE.test(w);
}

/** Python `s.endswith(tuple)`/`startswith(tuple)` helpers take plain strings; JS has them natively. */
export function endsWithAny(s: string, suffixes: readonly string[]): boolean {
  for (const x of suffixes) if (s.endsWith(x)) return true;
  return false;
}

/**
 * Rewrites a pattern written in Python `re` syntax (as the reference projects publish them) into an equivalent
 * JavaScript `u`-mode pattern (optionally with Python's end-of-string `$`): `\UXXXXXXXX` escapes, `\d` `\w` `\s` `\S` `\W` `\D` with Python's Unicode meaning
 * (also inside character classes), and identity escapes of characters that `u` mode rejects (`\'`, `\!`, ...).
 */
export function pyRegexToJs(src: string, opts: { pythonDollar?: boolean } = {}): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) throw new Error('pattern ends with a backslash');
      if (n === 'U') {
        const hex = src.slice(i + 1, i + 9);
        out += `\\u{${hex}}`;
        i += 8;
      } else if (n === 'u') {
        out += '\\u' + src.slice(i + 1, i + 5);
        i += 4;
      } else if (n === 'x') {
        out += '\\x' + src.slice(i + 1, i + 3);
        i += 2;
      } else if (n === 'd') out += inClass ? PY_DIGIT_CLASS : `[${PY_DIGIT_CLASS}]`;
      else if (n === 'w') out += inClass ? PY_WORD_CLASS : `[${PY_WORD_CLASS}]`;
      else if (n === 's') out += inClass ? PY_WS_CLASS : `[${PY_WS_CLASS}]`;
      else if (n === 'D' || n === 'W' || n === 'S') {
        if (inClass) throw new Error(`negated class escape \\${n} inside a character class is not supported`);
        const body = n === 'D' ? PY_DIGIT_CLASS : n === 'W' ? PY_WORD_CLASS : PY_WS_CLASS;
        out += `[^${body}]`;
      } else if ('^$\\.*+?()[]{}|/-'.includes(n)) out += '\\' + n;
      else if ('ntrfv0'.includes(n)) out += '\\' + n;
      else if (/[A-Za-z0-9]/.test(n)) throw new Error(`unsupported escape \\${n} in pattern`);
      else out += n;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '$' && opts.pythonDollar) {
      // Python's `$` (no MULTILINE) also matches just before a newline that ends the string
      out += '(?=\\n?$)';
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      // a leading ^ or ] belongs to the class syntax
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    out += ch;
  }
  return out;
}
