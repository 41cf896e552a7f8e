// Pre-tokenizers: split a (normalized) string into pieces that the model encodes independently.
//
// The two regexes that byte-level BPE tokenizers use in practice are implemented as hand-written scanners that give
// exactly the matches Oniguruma gives for them (leftmost alternative first, with the backtracking each alternative
// implies); any other Split regex is translated to a JavaScript RegExp.
//   GPT-2 (ByteLevel use_regex=true, gpt-neox-20b, RoBERTa...):
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama 3 / tiktoken cl100k style (Split, Isolated), and the Qwen2 variant with \p{N} instead of \p{N}{1,3}:
//     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
import { C_CRLF, C_L, C_N, C_WS, cpClass } from './unicode.ts';

/** Growable list of [start, end) UTF-16 ranges. */
export class Pieces {
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  n = 0;
  clear(): void {
    this.n = 0;
  }
  push(start: number, end: number): void {
    if (this.n === this.starts.length) {
      const s = new Int32Array(this.n * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Int32Array(this.n * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[this.n] = start;
    this.ends[this.n] = end;
    this.n++;
  }
}

/** A splitter appends the pieces of `s` to `out` (pieces cover what the splitter keeps, in order). */
export type Splitter = (s: string, out: Pieces) => void;

export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
export const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
export const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = cpClass(c);

function cls(cp: number): number {
  return cp < 128 ? ASCII[cp] : cpClass(cp);
}

/** UTF-16 width of the code point starting at i (1 or 2). */
function cpw(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

/** Length (in UTF-16 units) of a contraction at i ('s 't 're 've 'm 'll 'd), 0 if none. */
function contraction(s: string, i: number, len: number, ci: boolean): number {
  if (i + 1 >= len) return 0;
  let a = s.charCodeAt(i + 1);
  if (ci && a >= 65 && a <= 90) a += 32;
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  if (i + 2 >= len) return 0;
  let b = s.charCodeAt(i + 2);
  if (ci && b >= 65 && b <= 90) b += 32;
  if ((a === 114 && b === 101) || (a === 118 && b === 101) || (a === 108 && b === 108)) return 3; // re ve ll
  return 0;
}

/** Extends a run of code points whose class has any of `mask` bits, from i; returns the end index. */
function runOf(s: string, i: number, len: number, mask: number): number {
  while (i < len) {
    const cp = s.codePointAt(i)!;
    if ((cls(cp) & mask) === 0) break;
    i += cpw(cp);
  }
  return i;
}

/** Extends a run of "other" code points (neither letter, number nor white space). */
function runOther(s: string, i: number, len: number): number {
  while (i < len) {
    const cp = s.codePointAt(i)!;
    if ((cls(cp) & (C_L | C_N | C_WS)) !== 0) break;
    i += cpw(cp);
  }
  return i;
}

/** End of the white-space alternatives (\s*[\r\n]+ when withNewlines, then \s+(?!\S), then \s+) at i. */
function wsEnd(s: string, i: number, len: number, withNewlines: boolean): number {
  let k = i;
  let lastNl = -1;
  let lastStart = i;
  while (k < len) {
    const cp = s.codePointAt(k)!;
    const c = cls(cp);
    if ((c & C_WS) === 0) break;
    if ((c & C_CRLF) !== 0) lastNl = k;
    lastStart = k;
    k += cpw(cp);
  }
  if (withNewlines && lastNl >= 0) return lastNl + 1;
  if (k === len) return k;
  if (lastStart > i) return lastStart; // \s+(?!\S): leave the last white-space char for the next piece
  return k;
}

export function gpt2Splitter(s: string, out: Pieces): void {
  const len = s.length;
  let i = 0;
  while (i < len) {
    const cp = s.codePointAt(i)!;
    let end: number;
    if (cp === 39 && (end = contraction(s, i, len, false)) > 0) {
      out.push(i, i + end);
      i += end;
      continue;
    }
    let j = i;
    let c = cls(cp);
    if (cp === 32 && i + 1 < len) {
      const cp2 = s.codePointAt(i + 1)!;
      const c2 = cls(cp2);
      if ((c2 & C_WS) === 0) {
        j = i + 1;
        c = c2;
      }
    }
    if (c & C_L) end = runOf(s, j, len, C_L);
    else if (c & C_N) end = runOf(s, j, len, C_N);
    else if ((c & C_WS) === 0) end = runOther(s, j, len);
    else end = wsEnd(s, i, len, false);
    out.push(i, end);
    i = end;
  }
}

function makeLlama3Splitter(maxDigits: number): Splitter {
  return function llama3Splitter(s: string, out: Pieces): void {
    const len = s.length;
    let i = 0;
    while (i < len) {
      const cp = s.codePointAt(i)!;
      const w = cpw(cp);
      const c = cls(cp);
      let end: number;
      if (cp === 39 && (end = contraction(s, i, len, true)) > 0) {
        out.push(i, i + end);
        i += end;
        continue;
      }
      if (c & C_L) {
        end = runOf(s, i + w, len, C_L);
      } else if (c & C_N) {
        end = i + w;
        for (let d = 1; d < maxDigits && end < len; d++) {
          const cp2 = s.codePointAt(end)!;
          if ((cls(cp2) & C_N) === 0) break;
          end += cpw(cp2);
        }
      } else {
        // [^\r\n\p{L}\p{N}]? followed by a letter
        let next = -1;
        if ((c & C_CRLF) === 0 && i + w < len) {
          const cp2 = s.codePointAt(i + w)!;
          if (cls(cp2) & C_L) next = i + w;
        }
        if (next >= 0) {
          end = runOf(s, next, len, C_L);
        } else {
          // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
          let j = -1;
          if ((c & C_WS) === 0) j = i;
          else if (cp === 32 && i + 1 < len) {
            const cp2 = s.codePointAt(i + 1)!;
            if ((cls(cp2) & (C_L | C_N | C_WS)) === 0) j = i + 1;
          }
          if (j >= 0) {
            end = runOther(s, j, len);
            while (end < len) {
              const ch = s.charCodeAt(end);
              if (ch !== 10 && ch !== 13) break;
              end++;
            }
          } else {
            end = wsEnd(s, i, len, true);
          }
        }
      }
      out.push(i, end);
      i = end;
    }
  };
}

export const llama3Splitter = makeLlama3Splitter(3);
export const qwen2Splitter = makeLlama3Splitter(1);

/**
 * Translates an Oniguruma pattern to a JavaScript RegExp where the semantics agree: `\s`/`\S` become the
 * White_Space property (Oniguruma's definition). Returns null for constructs JavaScript lacks (inline flags).
 */
export function translateRegex(pattern: string): RegExp | null {
  if (/\(\?[imsx-]+[:)]/.test(pattern)) return null;
  // \s and \S outside and inside classes; leave escaped backslashes alone
  const out = pattern.replace(/\\\\|\\s|\\S/g, (m) => (m === '\\s' ? '\\p{White_Space}' : m === '\\S' ? '\\P{White_Space}' : m));
  try {
    return new RegExp(out, 'gu');
  } catch {
    return null;
  }
}

export type SplitBehavior = 'Isolated' | 'Removed' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** A Split pre-tokenizer over a JS RegExp (or a literal string), with HF's delimiter behaviours. */
export function regexSplitter(re: RegExp, behavior: SplitBehavior): Splitter {
  return (s: string, out: Pieces): void => {
    re.lastIndex = 0;
    let prev = 0; // end of the last region
    let m: RegExpExecArray | null;
    const matches: number[] = [];
    while ((m = re.exec(s)) !== null) {
      const start = m.index;
      const end = start + m[0].length;
      if (end === start) {
        // empty match: advance one code point, no split
        re.lastIndex = start + (s.codePointAt(start)! > 0xffff ? 2 : 1);
        continue;
      }
      matches.push(start, end);
    }
    // Build regions: gap / match alternating, then apply the behaviour.
    const regions: [number, number, boolean][] = [];
    for (let k = 0; k < matches.length; k += 2) {
      const a = matches[k];
      const b = matches[k + 1];
      if (a > prev) regions.push([prev, a, false]);
      regions.push([a, b, true]);
      prev = b;
    }
    if (prev < s.length) regions.push([prev, s.length, false]);
    switch (behavior) {
      case 'Isolated':
        for (const [a, b] of regions) out.push(a, b);
        break;
      case 'Removed':
        for (const [a, b, d] of regions) if (!d) out.push(a, b);
        break;
      case 'MergedWithPrevious': {
        let start = -1;
        for (const [a, b, d] of regions) {
          if (start < 0) start = a;
          if (d) {
            out.push(start, b);
            start = -1;
          } else if (start !== a) {
            out.push(start, a);
            start = a;
          }
        }
        if (start >= 0) out.push(start, s.length);
        break;
      }
      case 'MergedWithNext': {
        let start = -1;
        for (const [a, b, d] of regions) {
          if (d) {
            if (start >= 0) out.push(start, a);
            start = a;
          } else {
            if (start < 0) start = a;
            out.push(start, b);
            start = -1;
          }
        }
        if (start >= 0) out.push(start, s.length);
        break;
      }
      case 'Contiguous': {
        let start = -1;
        let lastD = false;
        for (const [a, , d] of regions) {
          if (start >= 0 && d && lastD) continue; // extend a run of adjacent delimiters
          if (start >= 0) out.push(start, a);
          start = a;
          lastD = d;
        }
        if (start >= 0) out.push(start, s.length);
        break;
      }
    }
  };
}

/** Splits before every occurrence of `ch` (HF SplitDelimiterBehavior::MergedWithNext on a char). */
export function mergedWithNextChar(ch: string): Splitter {
  const code = ch.charCodeAt(0);
  return (s: string, out: Pieces): void => {
    let start = 0;
    for (let i = 1; i < s.length; i++) {
      if (s.charCodeAt(i) === code) {
        out.push(start, i);
        start = i;
      }
    }
    if (s.length > 0) out.push(start, s.length);
  };
}

/** Digits pre-tokenizer: numbers (Rust char::is_numeric = Unicode N) apart from the rest, one by one or as runs. */
export function digitsSplitter(individual: boolean): Splitter {
  return (s: string, out: Pieces): void => {
    const len = s.length;
    let i = 0;
    while (i < len) {
      const cp = s.codePointAt(i)!;
      const isNum = (cls(cp) & C_N) !== 0;
      let j = i + cpw(cp);
      if (isNum) {
        if (!individual) j = runOf(s, j, len, C_N);
      } else {
        while (j < len) {
          const cp2 = s.codePointAt(j)!;
          if (cls(cp2) & C_N) break;
          j += cpw(cp2);
        }
      }
      out.push(i, j);
      i = j;
    }
  };
}

/** WhitespaceSplit: pieces are the maximal runs of non-white-space characters (Rust char::is_whitespace). */
export function whitespaceSplitSplitter(s: string, out: Pieces): void {
  const len = s.length;
  let i = 0;
  while (i < len) {
    while (i < len && (cls(s.codePointAt(i)!) & C_WS) !== 0) i += cpw(s.codePointAt(i)!);
    if (i >= len) break;
    let j = i;
    while (j < len) {
      const cp = s.codePointAt(j)!;
      if (cls(cp) & C_WS) break;
      j += cpw(cp);
    }
    out.push(i, j);
    i = j;
  }
}
