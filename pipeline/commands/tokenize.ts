// `curate tokenize --tokenizer <name|path> <input> --out <out.jsonl|parquet>`: token ids of every document of one
// input file, written as {"id", "token_ids", "n_tokens"} (JSONL, JSONL.gz or Parquet). Same ids, BOS/EOS handling and
// column types as the `tokenize` stage.
import type { Command } from 'commander';
import { gzipSync } from 'node:zlib';
import { createStorage } from '../storage.ts';
import { detectFormat, readRecords } from '../formats/readers.ts';
import { ParquetWriter } from '../formats/parquet-writer.ts';
import type { AtomicWriter, Storage } from '../types.ts';
import { NAMED_TOKENIZERS, loadTokenizer } from '../../classifiers/tokenizers/index.ts';
import { frame, tokenizeColumns, tokenizeParams } from '../../stages/tokenize/tokenize.ts';
import { VERSION } from '../version.ts';

interface TokenizeCliOptions {
  tokenizer: string;
  out: string;
  textField: string;
  idField: string;
  bos?: boolean;
  eos: boolean;
  bosToken?: string;
  eosToken?: string;
  idType: string;
  limit?: string;
  quiet?: boolean;
}

/** JSON lines to an atomic writer in ~1 MiB writes; with gzip each write is one gzip member (valid gzip). */
class JsonlOut {
  private w: AtomicWriter;
  private gzip: boolean;
  private chunks: string[] = [];
  private size = 0;
  constructor(w: AtomicWriter, gzip: boolean) {
    this.w = w;
    this.gzip = gzip;
  }
  async line(s: string): Promise<void> {
    this.chunks.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.size = 0;
    await this.w.write(this.gzip ? gzipSync(buf) : buf);
  }
  async close(): Promise<void> {
    await this.flush();
  }
}

async function tokenize(input: string, o: TokenizeCliOptions, storage: Storage): Promise<void> {
  const format = detectFormat(input);
  if (!format) throw new Error(`cannot tell the format of ${input}: name it *.jsonl, *.jsonl.gz, *.jsonl.zst or *.parquet`);
  const outKind = /\.parquet$/i.test(o.out) ? 'parquet' : /\.jsonl?\.gz$/i.test(o.out) ? 'jsonl.gz' : /\.jsonl?$/i.test(o.out) ? 'jsonl' : null;
  if (!outKind) throw new Error(`--out must end in .jsonl, .jsonl.gz or .parquet (got ${o.out})`);
  if (!(await storage.stat(input))) throw new Error(`input ${input} does not exist`);
  const limit = o.limit !== undefined ? Number(o.limit) : Infinity;
  if (!(limit > 0) || (limit !== Infinity && !Number.isInteger(limit))) throw new Error(`--limit must be a positive integer (got "${o.limit}")`);

  const parsed = tokenizeParams.safeParse({
    tokenizer: o.tokenizer,
    add_bos: o.bos === true,
    add_eos: o.eos,
    bos_token: o.bosToken,
    eos_token: o.eosToken,
    id_type: o.idType,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'option'}: ${i.message}`).join('; '));
  const p = parsed.data;
  const tok = await loadTokenizer(p.tokenizer, storage, { log: (m) => console.error(`note: ${m}`) });
  const pick = (explicit: string | undefined, tmpl: number | undefined, known: string[], what: string, flag: string): number => {
    if (explicit !== undefined) {
      const id = tok.tokenToId(explicit);
      if (id === undefined) throw new Error(`${what} token "${explicit}" is not a token of ${tok.name}`);
      return id;
    }
    if (tmpl !== undefined) return tmpl;
    for (const k of known) {
      const id = tok.tokenToId(k);
      if (id !== undefined) return id;
    }
    throw new Error(`${tok.name} has no ${what} token curate recognises: give --${what.toLowerCase()}-token <token> or ${flag}`);
  };
  const bos = p.add_bos ? pick(p.bos_token, tok.template.pre[0], ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'], 'BOS', 'drop --bos') : -1;
  const eos = p.add_eos ? pick(p.eos_token, tok.template.post.at(-1), ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>'], 'EOS', '--no-eos') : -1;
  let idType: 'uint16' | 'uint32' = p.id_type === 'auto' ? (tok.vocabSize <= 65536 ? 'uint16' : 'uint32') : p.id_type;
  if (idType === 'uint16' && tok.vocabSize > 65536) throw new Error(`${tok.name} has ${tok.vocabSize} token ids, more than uint16 holds: use --id-type uint32 or auto`);
  const u16 = idType === 'uint16';
  const cols = tokenizeColumns({ ...p, id_type: idType });
  cols.unshift({ name: 'id', type: 'string', nullable: false });

  const w = await storage.writer(o.out);
  const parquet =
    outKind === 'parquet'
      ? new ParquetWriter(w, {
          columns: cols,
          metadata: {
            'curate.version': VERSION,
            'curate.tokenizer': tok.name,
            'curate.tokenizer_sha256': tok.hash,
            'curate.tokenizer_vocab_size': String(tok.vocabSize),
            'curate.tokenizer_bos_id': bos >= 0 ? String(bos) : '',
            'curate.tokenizer_eos_id': eos >= 0 ? String(eos) : '',
          },
        })
      : null;
  const jsonl = parquet ? null : new JsonlOut(w, outKind === 'jsonl.gz');
  let docs = 0;
  let tokens = 0;
  let bytes = 0;
  let skipped = 0;
  let bad = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    outer: for await (const chunk of readRecords(storage, input, format)) {
      const ids: string[] = [];
      const texts: string[] = [];
      for (const item of chunk) {
        if (docs + texts.length >= limit) break;
        if ('error' in item) {
          if (bad < 5) console.error(`warning: ${input} row ${item.row}: ${item.error}; skipped`);
          bad++;
          continue;
        }
        const text = item.rec[o.textField];
        if (typeof text !== 'string') {
          if (skipped < 5) console.error(`warning: ${input} row ${item.row}: no string field "${o.textField}"; skipped`);
          skipped++;
          continue;
        }
        const idv = item.rec[o.idField];
        ids.push(typeof idv === 'string' || typeof idv === 'number' ? String(idv) : `row-${item.row}`);
        texts.push(text);
      }
      const enc = tok.backend === 'native' ? texts.map((t) => tok.encode(t)) : await tok.encodeBatch(texts);
      for (let i = 0; i < texts.length; i++) {
        const framed = frame(enc[i], bos, eos, u16);
        tokens += framed.length;
        bytes += Buffer.byteLength(texts[i], 'utf8');
        if (parquet) await parquet.write({ id: ids[i], token_ids: framed, n_tokens: framed.length });
        else await jsonl!.line(`{"id":${JSON.stringify(ids[i])},"token_ids":[${framed.join(',')}],"n_tokens":${framed.length}}`);
      }
      docs += texts.length;
      if (!o.quiet && docs % 10000 < texts.length) process.stderr.write(`\rtokenize: ${docs} documents, ${tokens} tokens`);
      if (docs >= limit) break outer;
    }
    if (parquet) await parquet.close();
    else await jsonl!.close();
    await w.commit();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
  const cpu = process.cpuUsage(c0);
  const sec = (performance.now() - t0) / 1000;
  if (!o.quiet) process.stderr.write('\r');
  console.error(
    `tokenize: ${docs} documents, ${tokens} tokens (${tok.name}, ${tok.backend}, token_ids ${idType}) -> ${o.out} in ${sec.toFixed(1)} s ` +
      `(${(bytes / 1e6 / Math.max(1e-9, (cpu.user + cpu.system) / 1e6)).toFixed(2)} MB of text per CPU-s)` +
      (skipped ? `; ${skipped} records without "${o.textField}" skipped` : '') +
      (bad ? `; ${bad} unreadable records skipped` : ''),
  );
}

export function register(program: Command): void {
  program
    .command('tokenize')
    .description('Tokenize one input file with a Hugging Face tokenizer.json (ids identical to HF tokenizers); writes {"id","token_ids","n_tokens"} per document')
    .argument('<input>', 'JSONL(.gz|.zst) or Parquet input, local or s3://')
    .requiredOption('--out <file>', 'output: .jsonl, .jsonl.gz or .parquet, local or s3://')
    .option('--tokenizer <name|path>', `${Object.keys(NAMED_TOKENIZERS).join(' | ')} | path or s3:// URI of a tokenizer.json (or its folder)`, 'llama3')
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--id-field <name>', 'field holding the id (missing: row-<n>)', 'id')
    .option('--bos', 'put the BOS token before each document')
    .option('--no-eos', 'do not put the EOS token after each document')
    .option('--bos-token <token>', 'BOS token string (default: from the tokenizer)')
    .option('--eos-token <token>', 'EOS token string (default: from the tokenizer)')
    .option('--id-type <type>', 'auto | uint16 | uint32 (Parquet list element type; auto = uint16 when the vocabulary fits)', 'auto')
    .option('--limit <n>', 'only the first n documents')
    .option('--quiet', 'no progress on stderr')
    .action(async (input: string, o: TokenizeCliOptions) => {
      try {
        await tokenize(input, o, createStorage());
      } catch (e) {
        console.error(`curate tokenize: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
}
