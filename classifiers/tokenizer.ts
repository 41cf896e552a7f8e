// The one place the classifiers touch a tokenizer implementation.
//
// Classifier models ship a Hugging Face `tokenizer.json`. Fidelity is what matters (the ids must be exactly those of
// HF tokenizers in Python), so this uses the `tokenizers` npm package: HF's own Rust library behind a Node binding.
// Everything else in classifiers/ sees only the small `TextTokenizer` interface below, so another implementation
// (e.g. the tokenize stage's fast layer in classifiers/tokenizers/) can be swapped in once it proves identical ids.
import { readFileSync } from 'node:fs';
import { Tokenizer } from 'tokenizers';

export interface TextTokenizer {
  /** Token ids per text: special tokens added (BERT [CLS] … [SEP] etc.), truncated to at most `maxTokens`. */
  encodeBatch(texts: readonly string[]): Promise<Int32Array[]>;
  /** Id used to pad a batch (attention mask 0 there). */
  readonly padId: number;
  readonly maxTokens: number;
}

interface TokenizerJson {
  padding?: { pad_id?: number } | null;
  added_tokens?: { id: number; content: string }[];
  normalizer?: Component | null;
  pre_tokenizer?: Component | null;
}

interface Component {
  type: string;
  normalizers?: Component[];
  pretokenizers?: Component[];
  pattern?: { String?: string; Regex?: string };
  split?: boolean;
  use_regex?: boolean;
}

/**
 * True when tokenizing a text cut just before a space (after a non-space) gives exactly the leading tokens of the
 * whole text: every normalizer works per character (or replaces space-free strings) and the pre-tokenizer splits
 * at spaces. Other pipelines (Precompiled, Regex replacements, no pre-tokenizer) always tokenize the whole text.
 */
export function isSpaceLocal(json: { normalizer?: Component | null; pre_tokenizer?: Component | null }): boolean {
  const localNorm = (n: Component | null | undefined): boolean => {
    if (!n) return true;
    switch (n.type) {
      case 'BertNormalizer':
      case 'Lowercase':
      case 'NFC':
      case 'NFD':
      case 'NFKC':
      case 'NFKD':
      case 'StripAccents':
      case 'Prepend':
        return true;
      case 'Replace':
        return typeof n.pattern?.String === 'string' && !/\s/.test(n.pattern.String);
      case 'Sequence':
        return (n.normalizers ?? []).every(localNorm);
      default:
        return false;
    }
  };
  const splitsAtSpace = (p: Component | null | undefined): boolean => {
    if (!p) return false;
    switch (p.type) {
      case 'BertPreTokenizer':
      case 'Whitespace':
      case 'WhitespaceSplit':
        return true;
      case 'Metaspace':
        return p.split !== false;
      case 'ByteLevel':
        return p.use_regex !== false;
      case 'Sequence':
        return (p.pretokenizers ?? []).some(splitsAtSpace) && (p.pretokenizers ?? []).every((q) => splitsAtSpace(q) || q.type === 'Punctuation' || q.type === 'Digits');
      default:
        return false;
    }
  };
  return localNorm(json.normalizer) && splitsAtSpace(json.pre_tokenizer);
}

/** The text up to the last space at or before `limit` that follows a non-space; null when there is none nearby. */
function cutAtSpace(text: string, limit: number): string | null {
  const floor = limit >> 1;
  for (let i = limit; i > floor; i--) {
    if (text.charCodeAt(i) === 32) {
      const p = text.charCodeAt(i - 1);
      if (p !== 32 && p !== 9 && p !== 10 && p !== 13 && p !== 12 && p !== 11) return text.slice(0, i);
    }
  }
  return null;
}

/** Characters of a document tokenized first per token of the budget (grown x4 when a prefix falls short). */
const CHARS_PER_TOKEN = 8;

/**
 * Loads a Hugging Face tokenizer.json with truncation to `maxTokens` (longest-first, right side, specials counted in
 * the budget: the same as `tokenizer(text, truncation=True, max_length=maxTokens)` in transformers).
 */
const cache = new Map<string, TextTokenizer>();

export function loadHfTokenizer(path: string, maxTokens: number, fallbackPadId?: number): TextTokenizer {
  // one instance per file and settings in this worker: later tasks reuse it (large tokenizer.json files parse slowly)
  const key = `${path}|${maxTokens}|${fallbackPadId ?? ''}`;
  let t = cache.get(key);
  if (!t) {
    t = createHfTokenizer(path, maxTokens, fallbackPadId);
    cache.set(key, t);
  }
  return t;
}

function createHfTokenizer(path: string, maxTokens: number, fallbackPadId?: number): TextTokenizer {
  const raw = readFileSync(path, 'utf8');
  const json = JSON.parse(raw) as TokenizerJson;
  const tok = Tokenizer.fromString(raw);
  tok.setTruncation(maxTokens);
  tok.disablePadding();
  let padId = json.padding?.pad_id ?? fallbackPadId;
  if (padId === undefined) {
    const pad = json.added_tokens?.find((t) => t.content === '[PAD]' || t.content === '<pad>' || t.content === '<|pad|>');
    padId = pad?.id ?? 0;
  }
  // added tokens are matched in the raw text before normalization; one containing a space could straddle the cut
  const prefixCut = isSpaceLocal(json) && !(json.added_tokens ?? []).some((t) => /\s/.test(t.content));
  const encode = async (texts: string[]): Promise<Int32Array[]> => {
    const encs = await tok.encodeBatch(texts);
    return encs.map((e) => Int32Array.from(e.getIds()));
  };
  return {
    padId,
    maxTokens,
    async encodeBatch(texts: readonly string[]): Promise<Int32Array[]> {
      if (texts.length === 0) return [];
      if (!prefixCut) return encode(texts as string[]);
      // Long documents: tokenize a prefix cut at a space. When the prefix alone fills the token budget, its tokens
      // are the whole text's leading tokens, so the truncated ids are identical; otherwise retry with more text.
      let limit = maxTokens * CHARS_PER_TOKEN;
      const out: Int32Array[] = new Array(texts.length);
      let todo = texts.map((_, i) => i);
      while (todo.length > 0) {
        const inputs: string[] = [];
        const cut: boolean[] = [];
        for (const i of todo) {
          const t = texts[i];
          const p = t.length > limit ? cutAtSpace(t, limit) : null;
          inputs.push(p ?? t);
          cut.push(p !== null);
        }
        const ids = await encode(inputs);
        const again: number[] = [];
        todo.forEach((i, j) => {
          if (cut[j] && ids[j].length < maxTokens) again.push(i);
          else out[i] = ids[j];
        });
        todo = again;
        limit *= 4;
      }
      return out;
    },
  };
}
