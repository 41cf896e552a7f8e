// Scale run of MinHash-LSH dedup: generate N documents by editing real documents from ../shared/data, then run
// map (signatures + band runs) → global (merge, union-find, policy) → apply (stream shards, drop rows), each step in
// its own child process so time and peak RSS are measured per step.
//
//   node bench/dedup-scale.ts --docs 10000000 [--dir /tmp/curate-scale] [--tasks 2] [--parallel 2] [--preset fineweb]
//
// Generation: real paragraphs (web docs, bulk prose, labelled docs, near-dup corpus) are the base pool; a document is
// 1-3 pooled paragraphs (seeded per document); 25% of documents are edited copies of an earlier document (word
// substitutions/deletions/insertions at 0-4%, optional truncation or appended paragraph), so clusters span sources.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Batch, Doc, GlobalContext, StageContext } from '../pipeline/types.ts';
import { createStorage } from '../pipeline/storage.ts';
import { StatsRecorder } from '../pipeline/stats.ts';
import { minhashDedup } from '../stages/dedup/stages.ts';
import { readJsonlDocs } from '../pipeline/commands/dedup.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : def; };
const DOCS = Number(opt('docs', '100000'));
const DIR = opt('dir', '/tmp/curate-scale');
const TASKS = Number(opt('tasks', '2'));
const PARALLEL = Number(opt('parallel', '2'));
const PRESET = opt('preset', 'fineweb');
const SHARD_DOCS = Number(opt('shard-docs', '250000'));
const SOURCES = [{ name: 'fwe', priority: 4 }, { name: 'dclm', priority: 3 }, { name: 'zyda', priority: 2 }, { name: 'dolma', priority: 1 }];
const params = () => minhashDedup.params.parse({ preset: PRESET, policy: 'cross-source-priority' });

// ---------------------------------------------------------------------------- generator

function pool(): string[] {
  const shared = fileURLToPath(new URL('../../shared/data/', import.meta.url));
  const files = ['web_docs.jsonl.gz', 'quality_labels.jsonl.gz', 'neardup/corpus.jsonl.gz', ...readdirSync(join(shared, 'bulk_sample')).filter((f) => f.endsWith('.jsonl.gz')).map((f) => 'bulk_sample/' + f)];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of files) {
    for (const line of gunzipSync(readFileSync(join(shared, f))).toString('utf8').split('\n')) {
      if (!line) continue;
      const text = (JSON.parse(line) as { text?: string }).text ?? '';
      for (const para of text.split(/\n\s*\n|\n(?=\S)/)) {
        const p = para.replace(/\s+/g, ' ').trim();
        if (p.length < 200 || p.length > 2000 || seen.has(p)) continue;
        seen.add(p);
        out.push(p);
      }
    }
  }
  return out;
}

/** xorshift32 seeded per document: document i is reproducible alone. */
function rng(seed: number): () => number {
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

let SPLIT: string[][] | null = null;
function compose(i: number, P: string[]): string {
  SPLIT ??= P.map((p) => p.split(' '));
  // 1-3 excerpts (random word window of ≥ 40 words) of pooled paragraphs: almost every composition is unique
  const r = rng(i * 2 + 1);
  const k = 1 + Math.floor(r() * 3);
  const parts: string[] = [];
  for (let j = 0; j < k; j++) {
    const w = SPLIT[Math.floor(r() * P.length)];
    const len = Math.min(w.length, 40 + Math.floor(r() * 160));
    const start = Math.floor(r() * (w.length - len + 1));
    parts.push(w.slice(start, start + len).join(' '));
  }
  return parts.join('\n\n');
}

function edit(text: string, seed: number, P: string[]): string {
  const r = rng(seed);
  const words = text.split(' ');
  const rate = r() * 0.04;
  const out: string[] = [];
  for (const w of words) {
    const u = r();
    if (u < rate / 3) continue; // delete
    if (u < (2 * rate) / 3) { out.push(words[Math.floor(r() * words.length)]); continue; } // substitute
    out.push(w);
    if (u < rate) out.push(words[Math.floor(r() * words.length)]); // insert
  }
  let t = out.join(' ');
  const v = r();
  if (v < 0.15) t = t.slice(0, Math.floor(t.length * (0.85 + r() * 0.15)));
  else if (v < 0.25) t = t + '\n\n' + P[Math.floor(r() * P.length)].slice(0, 200);
  return t;
}

async function generate(dir: string, n: number): Promise<void> {
  const P = pool();
  mkdirSync(dir, { recursive: true });
  let shard = -1;
  let ws: ReturnType<typeof createWriteStream> | null = null;
  let buf: string[] = [];
  const flush = async (): Promise<void> => {
    if (ws && buf.length) { const s = buf.join(''); buf = []; if (!ws.write(s)) await new Promise<void>((r) => ws!.once('drain', () => r())); }
  };
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (i % SHARD_DOCS === 0) {
      await flush();
      if (ws) await new Promise<void>((r) => ws!.end(r));
      shard++;
      ws = createWriteStream(join(dir, `part-${String(shard).padStart(5, '0')}.jsonl`));
    }
    const r = rng(i * 7 + 3);
    let text: string;
    if (i > 0 && r() < 0.25) {
      const j = Math.max(0, i - 1 - Math.floor(r() * Math.min(i, 2_000_000)));
      text = edit(compose(j, P), i * 13 + 5, P);
    } else text = compose(i, P);
    bytes += text.length;
    buf.push(JSON.stringify({ id: `doc-${i}`, source: SOURCES[i % 4].name, text }) + '\n');
    if (buf.length >= 2000) await flush();
  }
  await flush();
  if (ws) await new Promise<void>((r) => ws!.end(r));
  writeFileSync(join(dir, '_done.json'), JSON.stringify({ docs: n, chars: bytes, pool: P.length }));
}

// ---------------------------------------------------------------------------- steps (children)

const storage = createStorage();
const log = { info: (m: string) => console.error(m), warn: (m: string) => console.error('warning: ' + m), debug() {} };
const shards = (): string[] => readdirSync(join(DIR, 'input')).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(DIR, 'input', f));

async function* batches(files: string[]): AsyncIterable<Batch> {
  let docs: Doc[] = [];
  for (const f of files) for await (const d of readJsonlDocs(f)) { docs.push(d); if (docs.length === 1000) { yield { docs }; docs = []; } }
  if (docs.length) yield { docs };
}

async function stepMap(task: number): Promise<Record<string, unknown>> {
  const files = shards().filter((_, i) => i % TASKS === task);
  const ctx: StageContext = { task: { step: 'map', task, tasks: TASKS }, runDir: DIR, sideDir: join(DIR, 'side'), storage, stats: new StatsRecorder('minhash_dedup'), log, baseDir: DIR };
  const stage = minhashDedup.create(params());
  await stage.setup?.(ctx);
  let n = 0;
  for await (const b of stage.run(batches(files), ctx)) n += b.docs.length;
  return { docs: n };
}

async function stepGlobal(): Promise<Record<string, unknown>> {
  let summary: Record<string, unknown> = {};
  const g: GlobalContext = { runDir: DIR, inputDir: join(DIR, 'side'), outputDir: join(DIR, 'global'), storage, log, tasks: TASKS, workers: 1, sources: SOURCES, summary: (d) => { summary = d; } };
  await minhashDedup.global!.run(params(), g);
  return summary;
}

async function stepApply(task: number): Promise<Record<string, unknown>> {
  const files = shards().filter((_, i) => i % TASKS === task);
  const stats = new StatsRecorder('apply');
  const ctx: StageContext = { task: { step: 'apply', task, tasks: TASKS }, runDir: DIR, sideDir: join(DIR, 'side-apply'), storage, stats, log, baseDir: DIR };
  const stage = minhashDedup.global!.apply(params(), join(DIR, 'global'));
  let kept = 0;
  for await (const b of stage.run(batches(files), ctx)) kept += b.docs.length;
  return { kept, dropped: stats.data.dropped };
}

function child(step: string, task?: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const a = [fileURLToPath(import.meta.url), '--child', step, '--task', String(task ?? 0), '--dir', DIR, '--tasks', String(TASKS), '--preset', PRESET];
    const p = spawn(process.execPath, ['--max-old-space-size=1800', ...a], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>) : reject(new Error(`${step} exited ${code}`))));
  });
}

async function timed(label: string, f: () => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const r = await f();
  const wall = (Date.now() - t0) / 1000;
  const row = { step: label, wallS: wall, cpuS: r.reduce((s, x) => s + ((x.cpuS as number) ?? 0), 0), peakRssMB: Math.max(...r.map((x) => (x.maxRssMB as number) ?? 0)), results: r };
  console.error(JSON.stringify({ step: label, wallS: wall, cpuS: row.cpuS, peakRssMB: row.peakRssMB }));
  return row;
}

async function pooled<T>(items: number[], n: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => { while (next < items.length) { const k = next++; out[k] = await f(items[k]); } }));
  return out;
}

if (args[0] === '--child') {
  const step = args[1];
  const task = Number(opt('task', '0'));
  const c0 = process.cpuUsage();
  const r = step === 'map' ? await stepMap(task) : step === 'global' ? await stepGlobal() : step === 'apply' ? await stepApply(task) : step === 'generate' ? (await generate(join(DIR, 'input'), DOCS), { docs: DOCS }) : {};
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ ...r, cpuS: (c.user + c.system) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const steps: Record<string, unknown>[] = [];
  if (!existsSync(join(DIR, 'input', '_done.json')) || JSON.parse(readFileSync(join(DIR, 'input', '_done.json'), 'utf8')).docs !== DOCS) {
    rmSync(join(DIR, 'input'), { recursive: true, force: true });
    steps.push(await timed('generate', async () => [await new Promise<Record<string, unknown>>((res, rej) => {
      const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'generate', '--docs', String(DOCS), '--dir', DIR], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = ''; p.stdout.on('data', (d) => (out += d)); p.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop()!)) : rej(new Error('generate failed'))));
    })]));
  }
  rmSync(join(DIR, 'side'), { recursive: true, force: true });
  rmSync(join(DIR, 'global'), { recursive: true, force: true });
  const gen = JSON.parse(readFileSync(join(DIR, 'input', '_done.json'), 'utf8')) as { docs: number; chars: number };
  steps.push(await timed(`map (${TASKS} tasks, ${PARALLEL} at a time)`, () => pooled([...Array(TASKS).keys()], PARALLEL, (t) => child('map', t))));
  steps.push(await timed('global (merge + union-find + policy)', async () => [await child('global')]));
  steps.push(await timed(`apply (${TASKS} tasks, ${PARALLEL} at a time)`, () => pooled([...Array(TASKS).keys()], PARALLEL, (t) => child('apply', t))));
  const summary = (steps.find((s) => String(s.step).startsWith('global'))!.results as Record<string, unknown>[])[0];
  const kept = (steps.find((s) => String(s.step).startsWith('apply'))!.results as Record<string, unknown>[]).reduce((s, r) => s + (r.kept as number), 0);
  const report = { docs: gen.docs, chars: gen.chars, preset: PRESET, tasks: TASKS, parallel: PARALLEL, kept, steps: steps.map(({ results, ...rest }) => rest), summary: { ...summary, duplicatesBetweenSources: undefined } };
  writeFileSync(join(DIR, 'report.json'), JSON.stringify(report, null, 1));
  console.log('| step | wall s | CPU s | peak RSS MB |\n|---|---|---|---|');
  for (const s of report.steps) console.log(`| ${s.step} | ${(s.wallS as number).toFixed(1)} | ${(s.cpuS as number).toFixed(1)} | ${(s.peakRssMB as number).toFixed(0)} |`);
  console.log(`docs ${gen.docs}, text ${(gen.chars / 1e9).toFixed(2)} G chars, kept ${kept}, clusters ${summary.clusters}, docs in clusters ${summary.docsInClusters}, removed ${summary.removed}`);
}
