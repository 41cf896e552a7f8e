// Code point classes used by the hand-written pre-tokenizer scanners.
//
// The regexes in tokenizer.json files are run by Oniguruma inside HF tokenizers. Their classes, as used there:
//   \p{L}  letters (Lu Ll Lt Lm Lo), \p{N} numbers (Nd Nl No),
//   \s     Oniguruma's Unicode space class = the White_Space property (includes U+0085, excludes U+FEFF,
//          unlike JavaScript's \s which is the other way round).
// The classes come from the JS engine's Unicode tables (ICU), so code points added in a Unicode version newer than
// the Oniguruma build may classify differently; that only concerns characters assigned very recently.

export const C_L = 1; // letter
export const C_N = 2; // number
export const C_WS = 4; // White_Space
export const C_CRLF = 8; // '\r' or '\n'

const BLOCK_BITS = 10; // 1024 code points per lazily built block
const BLOCKS = 0x110000 >>> BLOCK_BITS;
const table = new Uint8Array(0x110000);
const built = new Uint8Array(BLOCKS);

const RE_L = /^\p{L}$/u;
const RE_N = /^\p{N}$/u;
const RE_WS = /^\p{White_Space}$/u;

function buildBlock(b: number): void {
  const start = b << BLOCK_BITS;
  const end = start + (1 << BLOCK_BITS);
  for (let cp = start; cp < end; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates: "other"
    const s = String.fromCodePoint(cp);
    let k = 0;
    if (RE_L.test(s)) k |= C_L;
    else if (RE_N.test(s)) k |= C_N;
    else if (RE_WS.test(s)) k |= C_WS;
    if (cp === 10 || cp === 13) k |= C_CRLF;
    table[cp] = k;
  }
  built[b] = 1;
}

// ASCII and Latin-1 are needed by every document: build them now.
buildBlock(0);

/** Class bits of a code point (C_L, C_N, C_WS, C_CRLF); 0 for everything else ("other"). */
export function cpClass(cp: number): number {
  const b = cp >>> BLOCK_BITS;
  if (built[b] === 0) buildBlock(b);
  return table[cp];
}

/** The class table itself, valid for code points of already-built blocks (used by the hot loops via cpClass). */
export function classTable(): Uint8Array {
  return table;
}

export function isBuilt(cp: number): boolean {
  return built[cp >>> BLOCK_BITS] === 1;
}
