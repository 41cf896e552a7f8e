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
const WS_RE = /\s+/gu;
const MN_RE = /\p{Mn}/gu;
const DIGITS_RE = /\p{Nd}+/gu;

function collapse(s: string): string {
  return s.replace(WS_RE, ' ').trim();
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
