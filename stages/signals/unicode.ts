// CPython 3.11 string semantics for the quality signals: character predicates (Unicode 14.0.0, the version of
// CPython 3.11's unicodedata), full lowercasing and NFD as CPython computes them, and round(x, 8).
//
// Node's ICU data is newer (Unicode 17), so `/\p{L}/u`, `toLowerCase()` and `normalize('NFD')` differ from CPython
// on the ~10k code points assigned after Unicode 14. The predicates therefore come from generated tables
// (stages/signals/unicode-data.ts), and lower/NFD treat those code points as CPython does: unchanged, combining class 0.
import {
  ALPHA_RUNS, LOWER_RUNS, NUMERIC_RUNS, SPACE_RUNS, TITLE_RUNS, UNASSIGNED_RUNS, UPPER_RUNS, WORD_RUNS,
} from './unicode-data.ts';

/** `str.isspace()`; also what `str.split()`, `strip()` and `re`'s `\s` use. */
export const F_SPACE = 1;
/** `re`'s `\w` for str patterns (= `[\p{L}\p{N}_]` in Unicode 14). */
export const F_WORD = 2;
/** Uppercase property (`c.isupper()` for one character). */
export const F_UPPER = 4;
/** Lowercase property (`c.islower()` for one character). */
export const F_LOWER = 8;
/** General category Lt (titlecase letters such as `ǅ`). */
export const F_TITLE = 16;
/** `c.isnumeric()` (includes ½ ² Ⅷ and CJK numerals such as 五). */
export const F_NUMERIC = 32;
/** `c.isalpha()` (categories Lu Ll Lt Lm Lo). */
export const F_ALPHA = 64;
/** Not assigned in Unicode 14.0.0 (CPython 3.11 leaves these unchanged by lower() and NFD). */
export const F_UNASSIGNED = 128;

function buildFlags(): Uint8Array {
  const flags = new Uint8Array(0x110000);
  const tables: [readonly number[], number][] = [
    [SPACE_RUNS, F_SPACE], [WORD_RUNS, F_WORD], [UPPER_RUNS, F_UPPER], [LOWER_RUNS, F_LOWER],
    [TITLE_RUNS, F_TITLE], [NUMERIC_RUNS, F_NUMERIC], [ALPHA_RUNS, F_ALPHA], [UNASSIGNED_RUNS, F_UNASSIGNED],
  ];
  for (const [runs, bit] of tables) {
    let cp = 0;
    for (let i = 0; i < runs.length; i += 2) {
      cp += runs[i];
      const end = cp + runs[i + 1];
      for (; cp < end; cp++) flags[cp] |= bit;
    }
  }
  return flags;
}

/** Flags of every code point (index = code point), a bit set of the F_* constants. Lone surrogates have none. */
export const CP_FLAGS: Uint8Array = buildFlags();

export function isPySpace(cp: number): boolean {
  return (CP_FLAGS[cp] & F_SPACE) !== 0;
}
export function isPyWord(cp: number): boolean {
  return (CP_FLAGS[cp] & F_WORD) !== 0;
}
export function isPyUpperChar(cp: number): boolean {
  return (CP_FLAGS[cp] & F_UPPER) !== 0;
}
export function isPyNumericChar(cp: number): boolean {
  return (CP_FLAGS[cp] & F_NUMERIC) !== 0;
}
export function isPyAlphaChar(cp: number): boolean {
  return (CP_FLAGS[cp] & F_ALPHA) !== 0;
}

/** Number of code points of a JS string (Python `len`). Lone surrogates count as one, as in Python. */
export function cpLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Python `s.isupper()` for a whole string: at least one cased character and no lowercase/titlecase one. */
export function pyIsUpper(s: string): boolean {
  let cased = false;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    const f = CP_FLAGS[cp];
    if (f & (F_LOWER | F_TITLE)) return false;
    if (f & F_UPPER) cased = true;
  }
  return cased;
}

/** True when the string has a code point CPython 3.11 does not know (assigned after Unicode 14). */
function hasUnassigned(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x0378) continue; // first unassigned code point
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (CP_FLAGS[cp] & F_UNASSIGNED) return true;
  }
  return false;
}

/** Applies `f` to the runs between code points unknown to Unicode 14, which are passed through unchanged. */
function mapKnownRuns(s: string, f: (part: string) => string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let cp = c;
    let w = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        w = 2;
      }
    }
    if (CP_FLAGS[cp] & F_UNASSIGNED) {
      if (i > runStart) out += f(s.slice(runStart, i));
      out += s.slice(i, i + w);
      runStart = i + w;
    }
    i += w - 1;
  }
  if (runStart < s.length) out += f(s.slice(runStart));
  return out;
}

const lowerPart = (p: string): string => p.toLowerCase();
const nfdPart = (p: string): string => p.normalize('NFD');

/**
 * CPython 3.11 `str.lower()`: full Unicode lowercasing (final sigma aware, `İ` -> `i̇`). V8 agrees on every code point
 * of Unicode 14; code points assigned later are left unchanged, as CPython 3.11 does (they are not cased there, and
 * they also end a final-sigma context on either side, like the run boundaries used here).
 */
export function pyLower(s: string): string {
  return hasUnassigned(s) ? mapKnownRuns(s, lowerPart) : s.toLowerCase();
}

/** CPython 3.11 `unicodedata.normalize("NFD", s)`: code points unknown to Unicode 14 stay as they are (ccc 0). */
export function pyNFD(s: string): string {
  return hasUnassigned(s) ? mapKnownRuns(s, nfdPart) : s.normalize('NFD');
}

/**
 * Python's `round(x, 8)` for floats: the decimal correctly rounded from the exact binary value with ties to even,
 * read back as the nearest double.
 */
export function pyRound8(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const ax = Math.abs(x);
  const y = ax * 1e8;
  if (y < 1e9) {
    const r = Math.floor(y);
    const frac = y - r;
    // y carries at most ~1e-7 absolute error below 1e9; away from the .5 boundary the integer is certain, and
    // r / 1e8 (both exact) is the correctly rounded double of the decimal, as Python's float(str) would give.
    if (Math.abs(frac - 0.5) > 1e-6) {
      const q = (frac > 0.5 ? r + 1 : r) / 1e8;
      return x < 0 ? -q : q;
    }
  }
  if (ax >= 1e21) return x; // an integer already
  return roundSlow(x, ax);
}

function roundSlow(x: number, ax: number): number {
  // toFixed(8) rounds the exact binary value, but breaks exact ties away from zero; Python breaks them to even.
  let s = ax.toFixed(8);
  const exact = ax.toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 9);
  if (tail[0] === '5' && /^50*$/.test(tail)) {
    // exact tie: toFixed went up; go to the even neighbour
    const kept = exact.slice(0, dot + 9); // truncated to 8 decimals
    const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
    if (lastDigit % 2 === 0) s = kept;
  }
  const q = Number(s);
  return x < 0 ? -q : q;
}
