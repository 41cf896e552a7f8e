// Normalizers of tokenizer.json (normalizers/ in HF tokenizers) as string -> string functions.
import { type ComponentJson, type PatternJson, Unsupported } from './json.ts';
import { translateRegex } from './pretokenize.ts';

export type NormalizeFn = (s: string) => string;

const LEAD_WS = /^\p{White_Space}+/u;
const TRAIL_WS = /\p{White_Space}+$/u;

export function compileNormalizer(n: ComponentJson | null | undefined): NormalizeFn | null {
  if (n == null) return null;
  switch (n.type) {
    case 'Sequence': {
      const parts = ((n.normalizers as ComponentJson[]) ?? []).map(compileNormalizer).filter((f): f is NormalizeFn => f !== null);
      if (parts.length === 0) return null;
      if (parts.length === 1) return parts[0];
      return (s) => {
        for (const f of parts) s = f(s);
        return s;
      };
    }
    case 'Prepend': {
      const p = String(n.prepend);
      return (s) => (s.length > 0 ? p + s : s);
    }
    case 'Replace': {
      const pat = n.pattern as PatternJson;
      const content = String(n.content);
      // '$' is special in replacement strings; a replacer function would avoid that but is much slower
      const safe = content.replaceAll('$', '$$$$');
      if ('String' in pat) {
        const needle = pat.String;
        if (needle === '') return null;
        return (s) => s.replaceAll(needle, safe);
      }
      const re = translateRegex(pat.Regex);
      if (!re) throw new Unsupported('Replace normalizer', `regex ${pat.Regex}`);
      return (s) => s.replace(re, safe);
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = n.type;
      return (s) => s.normalize(form);
    }
    case 'Lowercase':
      // Rust lowercases char by char (no final-sigma rule); JavaScript applies Final_Sigma, so map Σ first.
      return (s) => (s.includes('Σ') ? s.replaceAll('Σ', 'σ') : s).toLowerCase();
    case 'Strip': {
      const left = n.strip_left !== false;
      const right = n.strip_right !== false;
      return (s) => {
        if (left) s = s.replace(LEAD_WS, '');
        if (right) s = s.replace(TRAIL_WS, '');
        return s;
      };
    }
    default:
      throw new Unsupported(`${n.type} normalizer`);
  }
}
