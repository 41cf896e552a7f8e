// Report generation against run time. Builds a synthetic two-source corpus (N short documents of pseudo-English
// words, deterministic), runs `curate run` on it (text_stats + two filters, rejected documents kept), then
// `curate report` (HTML and JSON) and `curate explain`, and prints CPU seconds (process + waited children, from
// /proc/self/stat) and wall seconds of each, and the report/run ratio. Also the cost of the signal-log hook alone
// (in-process SignalLog rows per CPU-second).
//
//   node bench/report.bench.ts [--docs 1000000] [--files 20] [--workers 2] [--keep]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { SignalLog } from '../pipeline/report/signal-log.ts';
import { createStorage } from '../pipeline/storage.ts';
import type { ColumnSpec, Doc } from '../pipeline/types.ts';

const arg = (k: string, d: number): number => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const N = arg('docs', 200_000);
const FILES = arg('files', 20);
const WORKERS = arg('workers', 2);
const keep = process.argv.includes('--keep');
const bin = new URL('../bin/curate.js', import.meta.url).pathname;

/** CPU seconds of this process plus its waited-for children (utime, stime, cutime, cstime). */
function cpuAll(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const tick = 100;
  return (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) / tick;
}

function measure<T>(f: () => T): { wall: number; cpu: number; value: T } {
  const c = cpuAll(), t = performance.now();
  const value = f();
  return { wall: (performance.now() - t) / 1000, cpu: cpuAll() - c, value };
}

function curate(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`curate ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

// xorshift32: the same corpus every time
let seed = 0x9e3779b9;
const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 2 ** 32; };
const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'de', 'an', 'or', 'el', 'is', 'un', 'the', 'and', 'of', 'to', 'in'];
function word(): string { const n = 1 + Math.floor(rnd() * 3); let w = ''; for (let i = 0; i < n; i++) w += SYL[Math.floor(rnd() * SYL.length)]; return rnd() < 0.02 ? '1234' : w; }
function doc(): string {
  const words = Math.floor(10 + rnd() ** 2 * 300);
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(word());
  return out.join(rnd() < 0.1 ? '\n' : ' ');
}

async function corpus(dir: string): Promise<void> {
  const per = Math.ceil(N / FILES);
  let made = 0;
  for (let f = 0; f < FILES; f++) {
    const src = f % 2 === 0 ? 'web' : 'books';
    const gz = createGzip({ level: 1 });
    const out = createWriteStream(join(dir, src, `part-${String(f).padStart(3, '0')}.jsonl.gz`));
    gz.pipe(out);
    for (let i = 0; i < per && made < N; i++, made++) {
      if (!gz.write(JSON.stringify({ id: `${src}-${f}-${i}`, text: doc() }) + '\n')) await once(gz, 'drain');
    }
    gz.end();
    await once(out, 'close');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'curate-report-bench-'));
  for (const s of ['web', 'books']) spawnSync('mkdir', ['-p', join(dir, s)]);
  const t0 = performance.now();
  await corpus(dir);
  console.error(`corpus: ${N} docs in ${FILES} files (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  writeFileSync(join(dir, 'm.yaml'), `name: bench
sources:
  - name: web
    uri: web/
  - name: books
    uri: books/
    priority: 1
pipeline:
  - text_stats: {}
  - filter: { expr: "n_words >= 50", reason: too_short }
  - filter: { expr: "alpha_word_fraction >= 0.99 and mean_word_length < 8", reason: not_prose }
output:
  uri: run
  shard_docs: 100000
  rejected: true
executor:
  workers: ${WORKERS}
`);
  const run = join(dir, 'run');
  const r = measure(() => curate(['run', join(dir, 'm.yaml'), '-q', '--workers', String(WORKERS)]));
  const html = measure(() => curate(['report', run]));
  const json = measure(() => curate(['report', run, '--format', 'json', '--output', join(dir, 'r.json')]));
  const text = measure(() => curate(['report', run, '--format', 'text']));
  const ex = measure(() => curate(['explain', run, 'web-0-7']));
  const htmlBytes = statSync(join(run, 'report', 'report.html')).size;

  // the hook alone: SignalLog rows per CPU-second (8 scalar columns, like text_stats + drop info)
  const storage = createStorage();
  const cols: ColumnSpec[] = [
    ...['n_chars', 'n_words', 'n_lines'].map((name): ColumnSpec => ({ name, type: 'int32' })),
    ...['mean_word_length', 'alpha_word_fraction'].map((name): ColumnSpec => ({ name, type: 'float64' })),
  ];
  const M = 200_000;
  const log = new SignalLog(storage, join(dir, 'hook.parquet'), cols);
  const c0 = process.cpuUsage();
  for (let i = 0; i < M; i++) {
    const d: Doc = { id: `web-${i}`, source: 'web', shard: 'part-000.jsonl.gz', row: i, text: '', meta: {}, cols: { n_chars: i % 5000, n_words: i % 900, n_lines: i % 40, mean_word_length: 4 + (i % 100) / 50, alpha_word_fraction: 0.9 + (i % 10) / 100 } };
    if (i % 10 === 0) log.dropped(d, 'too_short', '02-filter'); else log.kept(d);
    if (i % 512 === 511) await log.flush();
  }
  await log.close();
  const cu = process.cpuUsage(c0);
  const hookCpu = (cu.user + cu.system) / 1e6;

  const row = (name: string, m: { wall: number; cpu: number }): string => `| ${name.padEnd(34)} | ${m.wall.toFixed(1).padStart(8)} | ${m.cpu.toFixed(1).padStart(8)} | ${((100 * m.cpu) / r.cpu).toFixed(1).padStart(10)}% |`;
  console.log(`\nreport benchmark: ${N.toLocaleString('en-US')} documents, ${FILES} input files, ${WORKERS} workers\n`);
  console.log(`| ${'step'.padEnd(34)} | ${'wall s'.padStart(8)} | ${'CPU s'.padStart(8)} | ${'CPU vs run'.padStart(11)} |`);
  console.log(`|${'-'.repeat(36)}|${'-'.repeat(10)}|${'-'.repeat(10)}|${'-'.repeat(13)}|`);
  console.log(row('curate run (text_stats + 2 filters)', r));
  console.log(row('curate report (html)', html));
  console.log(row('curate report --format json', json));
  console.log(row('curate report --format text', text));
  console.log(row('curate explain', ex));
  console.log(`\nreport.html: ${(htmlBytes / 1e6).toFixed(2)} MB; report (html) wall time = ${((100 * html.wall) / r.wall).toFixed(1)}% of the run's wall time`);
  console.log(`signal-log hook alone: ${M.toLocaleString('en-US')} rows in ${hookCpu.toFixed(2)} CPU s = ${Math.round(M / hookCpu).toLocaleString('en-US')} rows per CPU-second`);
  if (keep) console.log(`kept: ${dir}`); else rmSync(dir, { recursive: true, force: true });
}

await main();
