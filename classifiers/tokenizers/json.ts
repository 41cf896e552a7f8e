// The parts of a Hugging Face tokenizer.json this layer reads (serialization format of HF tokenizers 0.1x–0.2x).
import type { BpeJson } from './bpe.ts';

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

export type PatternJson = { String: string } | { Regex: string };

export interface ComponentJson {
  type: string;
  [key: string]: unknown;
}

export interface TokenizerJson {
  version?: string;
  truncation?: unknown;
  padding?: unknown;
  added_tokens?: AddedTokenJson[];
  normalizer?: ComponentJson | null;
  pre_tokenizer?: ComponentJson | null;
  model: ComponentJson | BpeJson;
  post_processor?: ComponentJson | null;
  decoder?: ComponentJson | null;
}

/** Thrown while compiling a component this layer does not implement; the loader then falls back to HF tokenizers. */
export class Unsupported extends Error {
  readonly component: string;
  constructor(component: string, detail?: string) {
    super(`${component}${detail ? ` (${detail})` : ''} is not implemented natively`);
    this.component = component;
  }
}
