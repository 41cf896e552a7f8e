// The `tokenize` stage: token ids of each document's text with a Hugging Face tokenizer.json (ids identical to HF
// tokenizers), optional BOS/EOS, the count per document, and token totals per source in the stats.
import { z } from 'zod';
import { type ColumnSpec, type Doc, type StageContext, defineStage } from '../../pipeline/types.ts';
import { NAMED_TOKENIZERS, type Tokenizer, loadTokenizer, peekVocabSize } from '../../classifiers/tokenizers/index.ts';

const KNOWN_BOS = ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'];
const KNOWN_EOS = ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>'];

export const tokenizeParams = z.strictObject({
  tokenizer: z
    .string()
    .min(1)
    .default('llama3')
    .describe(
      `Tokenizer: a name shipped with curate (${Object.keys(NAMED_TOKENIZERS).join(', ')}), or a Hugging Face tokenizer.json (local path relative to the manifest, or s3://...; a folder means <folder>/tokenizer.json), e.g. gpt-neox-20b's or Mistral v0.1's`,
    ),
  add_bos: z.boolean().default(false).describe('Put the BOS token before each document'),
  add_eos: z.boolean().default(true).describe('Put the EOS token after each document (the separator between packed documents)'),
  bos_token: z
    .string()
    .min(1)
    .optional()
    .describe(`BOS token string. Default: the first special token of the tokenizer's post-processor template, else the first of ${KNOWN_BOS.join(' ')} in the vocabulary`),
  eos_token: z
    .string()
    .min(1)
    .optional()
    .describe(`EOS token string. Default: the last special token of the post-processor template, else the first of ${KNOWN_EOS.join(' ')} in the vocabulary`),
  id_type: z
    .enum(['auto', 'uint16', 'uint32'])
    .default('auto')
    .describe('Element type of token_ids: auto = uint16 when every id fits (vocabulary <= 65,536), else uint32. A remote tokenizer that cannot be read before the run gets uint32 under auto'),
});
export type TokenizeParams = z.infer<typeof tokenizeParams>;

/** Element type of the token_ids column, decided before the run. */
export function declaredIdType(p: TokenizeParams, baseDir?: string): 'uint16' | 'uint32' {
  if (p.id_type !== 'auto') return p.id_type;
  const v = peekVocabSize(p.tokenizer, baseDir);
  return v !== null && v <= 65536 ? 'uint16' : 'uint32';
}

export function tokenizeColumns(p: TokenizeParams, baseDir?: string): ColumnSpec[] {
  const t = declaredIdType(p, baseDir);
  return [
    { name: 'token_ids', type: t === 'uint16' ? 'list<uint16>' : 'list<uint32>', description: `Token ids (${p.tokenizer})${p.add_bos ? ', BOS first' : ''}${p.add_eos ? ', EOS last' : ''}`, nullable: false },
    { name: 'n_tokens', type: 'int32', description: 'Number of token ids (BOS/EOS included)', nullable: false },
  ];
}

function resolveSpecial(tok: Tokenizer, explicit: string | undefined, fromTemplate: number | undefined, known: string[], what: 'BOS' | 'EOS', param: string, flag: string): number {
  if (explicit !== undefined) {
    const id = tok.tokenToId(explicit);
    if (id === undefined) throw new Error(`tokenize: ${param} "${explicit}" is not a token of ${tok.name}`);
    return id;
  }
  if (fromTemplate !== undefined) return fromTemplate;
  for (const k of known) {
    const id = tok.tokenToId(k);
    if (id !== undefined) return id;
  }
  throw new Error(`tokenize: tokenizer ${tok.name} has no ${what} token curate recognises; set ${param}: "<token>" or ${flag}: false`);
}

/** Token ids of one text with BOS/EOS, as the column's element type. */
export function frame(ids: Uint32Array, bos: number, eos: number, u16: boolean): Uint16Array | Uint32Array {
  const n = ids.length + (bos >= 0 ? 1 : 0) + (eos >= 0 ? 1 : 0);
  const out = u16 ? new Uint16Array(n) : new Uint32Array(n);
  let k = 0;
  if (bos >= 0) out[k++] = bos;
  out.set(ids, k);
  k += ids.length;
  if (eos >= 0) out[k] = eos;
  return out;
}

export const tokenizeStage = defineStage({
  name: 'tokenize',
  family: 'tokenize',
  description: 'Token ids (HF tokenizers-identical) per document with optional BOS/EOS; token counts per document and per source.',
  params: tokenizeParams,
  reads: () => [],
  writes: (p: TokenizeParams, env?: { baseDir?: string }): ColumnSpec[] => tokenizeColumns(p, env?.baseDir),
  create(p) {
    let tok: Tokenizer | null = null;
    let bos = -1;
    let eos = -1;
    let u16 = false;
    return {
      name: 'tokenize',
      async setup(ctx: StageContext) {
        const spec = Object.hasOwn(NAMED_TOKENIZERS, p.tokenizer) ? p.tokenizer : ctx.storage.resolve(ctx.baseDir, p.tokenizer);
        tok = await loadTokenizer(spec, ctx.storage, { log: (m) => ctx.log.warn(m) });
        if (p.add_bos) bos = resolveSpecial(tok, p.bos_token, tok.template.pre[0], KNOWN_BOS, 'BOS', 'bos_token', 'add_bos');
        if (p.add_eos) eos = resolveSpecial(tok, p.eos_token, tok.template.post.at(-1), KNOWN_EOS, 'EOS', 'eos_token', 'add_eos');
        const declared = declaredIdType(p, ctx.baseDir);
        if (declared === 'uint16' && tok.vocabSize > 65536) {
          throw new Error(`tokenize: ${tok.name} has ${tok.vocabSize} token ids, more than uint16 holds; set id_type: uint32 (or auto)`);
        }
        u16 = declared === 'uint16';
        ctx.log.info(`tokenize: ${tok.name} (${tok.backend}, ${tok.vocabSize} ids, sha256 ${tok.hash.slice(0, 12)}), token_ids as ${declared}`);
      },
      async *run(batches, ctx) {
        const t = tok;
        if (!t) throw new Error('tokenize: run() before setup()');
        for await (const b of batches) {
          const docs: Doc[] = b.docs;
          const encoded: Uint32Array[] =
            t.backend === 'native' ? docs.map((d) => t.encode(d.text)) : await t.encodeBatch(docs.map((d) => d.text));
          for (let i = 0; i < docs.length; i++) {
            const d = docs[i];
            const ids = frame(encoded[i], bos, eos, u16);
            d.cols.token_ids = ids;
            d.cols.n_tokens = ids.length;
            ctx.stats.metric(`tokens:${d.source}`, ids.length);
          }
          yield b;
        }
      },
      fileMetadata(): Record<string, string> {
        if (!tok) return {};
        return {
          'curate.tokenizer': tok.name,
          'curate.tokenizer_sha256': tok.hash,
          'curate.tokenizer_vocab_size': String(tok.vocabSize),
          'curate.tokenizer_bos_id': bos >= 0 ? String(bos) : '',
          'curate.tokenizer_eos_id': eos >= 0 ? String(eos) : '',
        };
      },
    };
  },
});
