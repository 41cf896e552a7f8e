// Tokenizer throughput: curate's TypeScript BPE vs the `tokenizers` npm package (HF's Rust library, Node binding),
// on the same text, in MB of UTF-8 text per CPU-second (user + sys of this process, all threads), plus a check that
// both produce identical ids for every document.
//
//   node bench/tokenize.bench.ts                  # llama2 + llama3 on bulk-00000 (13.8 MB of text)
//   TOKENIZE_BENCH_MB=4 node bench/tokenize.bench.ts    # only the first ~4 MB
//   TOKENIZE_BENCH_TOKENIZERS=llama3,/path/to/tokenizer.json node bench/tokenize.bench.ts
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { loadTokenizer, namedTokenizerPath, NAMED_TOKENIZERS } from '../classifiers/tokenizers/index.ts';

const DATA = new URL('../../shared/data/bulk_sample/bulk-00000.jsonl.gz', import.meta.url);
const limitMb = Number(process.env.TOKENIZE_BENCH_MB ?? 'Infinity');
const specs = (process.env.TOKENIZE_BENCH_TOKENIZERS ?? 'llama2,llama3').split(',');

const texts: string[] = [];
let bytes = 0;
for (const line of gunzipSync(readFileSync(DATA)).toString('utf8').split('\n')) {
  if (!line) continue;
  const t = (JSON.parse(line) as { text: string }).text;
  texts.push(t);
  bytes += Buffer.byteLength(t, 'utf8');
  if (bytes / 1e6 >= limitMb) break;
}
const mb = bytes / 1e6;

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

interface Row {
  tokenizer: string;
  impl: string;
  cpu: number;
  wall: number;
  tokens: number;
}
const rows: Row[] = [];
let mismatched = 0;

for (const spec of specs) {
  const ours = await loadTokenizer(spec);
  const file = Object.hasOwn(NAMED_TOKENIZERS, spec) ? namedTokenizerPath(spec) : spec;
  const hf = HfTokenizer.fromString(readFileSync(file, 'utf8'));
  hf.disableTruncation();
  hf.disablePadding();

  // curate (native TypeScript), one pass with a cold word cache
  let c0 = process.cpuUsage();
  let w0 = performance.now();
  const oursIds: Uint32Array[] = [];
  let tokens = 0;
  if (ours.backend === 'native') {
    for (const t of texts) {
      const ids = ours.encode(t);
      tokens += ids.length;
      oursIds.push(ids);
    }
  } else {
    for (const ids of await ours.encodeBatch(texts)) {
      tokens += ids.length;
      oursIds.push(ids);
    }
  }
  rows.push({ tokenizer: spec, impl: `curate (${ours.backend})`, cpu: cpuSeconds(c0), wall: (performance.now() - w0) / 1000, tokens });

  // tokenizers: one document at a time
  c0 = process.cpuUsage();
  w0 = performance.now();
  tokens = 0;
  const hfIds: number[][] = [];
  for (const t of texts) {
    const ids = (await hf.encode(t, null, { addSpecialTokens: false })).getIds();
    tokens += ids.length;
    hfIds.push(ids);
  }
  rows.push({ tokenizer: spec, impl: 'tokenizers encode()', cpu: cpuSeconds(c0), wall: (performance.now() - w0) / 1000, tokens });

  // tokenizers: encodeBatch (uses a Rust thread pool)
  c0 = process.cpuUsage();
  w0 = performance.now();
  tokens = 0;
  for (let i = 0; i < texts.length; i += 64) {
    for (const e of await hf.encodeBatch(texts.slice(i, i + 64), { addSpecialTokens: false })) tokens += e.getLength();
  }
  rows.push({ tokenizer: spec, impl: 'tokenizers encodeBatch(64)', cpu: cpuSeconds(c0), wall: (performance.now() - w0) / 1000, tokens });

  for (let i = 0; i < texts.length; i++) {
    const a = oursIds[i];
    const b = hfIds[i];
    let same = a.length === b.length;
    for (let k = 0; same && k < a.length; k++) same = a[k] === b[k];
    if (!same) mismatched++;
  }
}

console.log(`text: ${texts.length} documents, ${mb.toFixed(2)} MB UTF-8 (${DATA.pathname})`);
console.log('| tokenizer | implementation | MB per CPU-s | MB per wall-s | tokens | CPU s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.tokenizer} | ${r.impl} | ${(mb / r.cpu).toFixed(2)} | ${(mb / r.wall).toFixed(2)} | ${r.tokens} | ${r.cpu.toFixed(2)} |`,
  );
}
console.log(`documents whose ids differ between curate and tokenizers: ${mismatched} of ${texts.length * specs.length}`);
if (mismatched > 0) process.exitCode = 1;
