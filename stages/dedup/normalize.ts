// Text normalisations used before word shingling, one per reference recipe.
// Each returns words separated by exactly one ASCII space, no leading/trailing space, so that a shingle of n
// consecutive words is a contiguous substring (hashed in place, without building the joined string).

/** datatrove `utils/text.py` PUNCTUATION: the listed symbols plus control characters 0-8, 11-12, 13-31, 127-159. */
const DATATROVE_PUNCT = (() => {
  let s = '!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„\';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_."}►»';
  for (const [a, b] of [[0, 9], [11, 13], [13, 32], [127, 160]] as const) for (let c = a; c < b; c++) s += String.fromCharCode(c);
  return s;
})();
const escapeClass = (s: string): string => [...s].map((c) => '\\u{' + c.codePointAt(0)!.toString(16) + '}').join('');
const DATATROVE_PUNCT_RE = new RegExp('[' + escapeClass(DATATROVE_PUNCT) + ']', 'gu');
/** Python's string.punctuation. */
const ASCII_PUNCT_RE = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** Runs of Python str.isspace() characters (Python's `\s` on str; JS `\s` differs at U+001C-1F, U+0085, U+FEFF). */
const WS_RE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const MN_RE = /\p{Mn}/gu;
const DIGITS_RE = /\p{Nd}+/gu;

function collapse(s: string): string {
  s = s.replace(WS_RE, ' ');
  const a = s.charCodeAt(0) === 0x20 ? 1 : 0;
  const b = s.length > a && s.charCodeAt(s.length - 1) === 0x20 ? s.length - 1 : s.length;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * datatrove `simplify_text` with its default TextNormConfig: lowercase, whitespace to one space, remove datatrove's
 * PUNCTUATION set, NFD + drop combining marks (Mn), every digit run to "0". Followed by whitespace splitting
 * (datatrove then applies its word tokenizer; after punctuation removal that is whitespace splitting for the
 * scripts we target; see docs/dedup.md).
 */
export function datatroveNormalize(text: string): string {
  let t = text.toLowerCase();
  t = collapse(t);
  t = t.replace(DATATROVE_PUNCT_RE, '');
  t = t.normalize('NFD').replace(MN_RE, '');
  t = t.replace(DIGITS_RE, '0');
  return collapse(t);
}

/**
 * Zyda-1 `get_normalized_words`: NFC (ftfy.fix_text's final step; ftfy's mojibake repair is not ported),
 * lowercase, remove string.punctuation, collapse whitespace; then words (nltk.word_tokenize on punctuation-free
 * text is approximated by whitespace splitting).
 */
export function zyda1Normalize(text: string): string {
  let t = text.normalize('NFC').toLowerCase();
  t = t.replace(ASCII_PUNCT_RE, '');
  return collapse(t);
}

/** RedPajama-V2 `normalize`: remove string.punctuation, lowercase, collapse whitespace, NFD; words = split(). */
export function rpv2Normalize(text: string): string {
  let t = text.replace(ASCII_PUNCT_RE, '').toLowerCase();
  t = collapse(t).normalize('NFD');
  return collapse(t);
}

/** Whitespace-only normalisation: words are the raw `text.split()` tokens. */
export function whitespaceNormalize(text: string): string {
  return collapse(text);
}

// --- fused datatrove normalisation straight into UTF-8 bytes (the fineweb hot path) ---------------------------

const F_PUNCT = 1, F_WS = 2, F_MN = 4, F_ND = 8;
/** Python's str.isspace() set (what `\s` and strip() use on str), which differs from JS `\s` in a few code points. */
const PY_WS = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];
const BMP = (() => {
  const f = new Uint8Array(65536);
  for (const ch of DATATROVE_PUNCT) f[ch.charCodeAt(0)] |= F_PUNCT;
  for (const c of PY_WS) f[c] = F_WS; // whitespace is collapsed before punctuation removal, so it wins
  const mn = /^\p{Mn}$/u, nd = /^\p{Nd}$/u;
  for (let c = 0x80; c < 65536; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    const s = String.fromCharCode(c);
    if (mn.test(s)) f[c] |= F_MN;
    if (nd.test(s)) f[c] |= F_ND;
  }
  for (let c = 0x30; c <= 0x39; c++) f[c] |= F_ND;
  return f;
})();
function astralFlags(cp: number): number {
  const s = String.fromCodePoint(cp);
  return (/^\p{Mn}$/u.test(s) ? F_MN : 0) | (/^\p{Nd}$/u.test(s) ? F_ND : 0);
}
const NON_ASCII = /[^\x00-\x7f]/;
let pbuf = new Uint16Array(1 << 14);
const utf16 = new TextDecoder('utf-16le');

function removePunct(t: string): string {
  if (pbuf.length < t.length) pbuf = new Uint16Array(t.length * 2);
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((BMP[c] & (F_PUNCT | F_WS)) !== F_PUNCT) pbuf[n++] = c;
  }
  return utf16.decode(pbuf.subarray(0, n));
}

/**
 * datatrove simplify_text (default config) followed by whitespace tokenisation, written as UTF-8 into `out`
 * (which must hold 3 bytes per UTF-16 unit): words joined by single spaces. Same result as
 * datatroveNormalize(text) encoded, in one pass for ASCII text.
 */
export function datatroveNormalizeBytes(text: string, out: Uint8Array): number {
  let t = text.toLowerCase();
  let checkPunct = true;
  if (NON_ASCII.test(t)) {
    t = removePunct(t).normalize('NFD'); // punctuation goes before NFD, as in datatrove
    checkPunct = false;
  }
  let n = 0, space = true, digits = false;
  const len = t.length;
  for (let i = 0; i < len; i++) {
    let c = t.charCodeAt(i);
    let f: number;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
      const d = t.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        f = astralFlags(c);
      } else f = 0;
    } else f = BMP[c];
    if (f !== 0) {
      if (f & F_WS) { if (!space) { out[n++] = 0x20; space = true; } digits = false; continue; }
      if (checkPunct && f & F_PUNCT) continue;
      if (f & F_MN) continue;
      if (f & F_ND) { if (!digits) { out[n++] = 0x30; digits = true; space = false; } continue; }
    }
    digits = false;
    space = false;
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) { out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63); }
    else if (c < 0x10000) {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // lone surrogate, as TextEncoder does
      out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
    } else { out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
  }
  if (space && n > 0) n--;
  return n;
}

export type Normalization = 'none' | 'whitespace' | 'datatrove' | 'zyda1' | 'rpv2';

export function normalizer(n: Normalization): (t: string) => string {
  switch (n) {
    case 'none':
      return (t) => t;
    case 'whitespace':
      return whitespaceNormalize;
    case 'datatrove':
      return datatroveNormalize;
    case 'zyda1':
      return zyda1Normalize;
    case 'rpv2':
      return rpv2Normalize;
  }
}
