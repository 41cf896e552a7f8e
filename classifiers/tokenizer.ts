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
}

/**
 * Loads a Hugging Face tokenizer.json with truncation to `maxTokens` (longest-first, right side, specials counted in
 * the budget: the same as `tokenizer(text, truncation=True, max_length=maxTokens)` in transformers).
 */
export function loadHfTokenizer(path: string, maxTokens: number, fallbackPadId?: number): TextTokenizer {
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
  return {
    padId,
    maxTokens,
    async encodeBatch(texts: readonly string[]): Promise<Int32Array[]> {
      if (texts.length === 0) return [];
      const encs = await tok.encodeBatch(texts as string[]);
      return encs.map((e) => Int32Array.from(e.getIds()));
    },
  };
}
