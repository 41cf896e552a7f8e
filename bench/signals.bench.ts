// Quality-signal throughput on ../shared/data/bulk_sample, per CPU-second (process.cpuUsage), one thread.
//   node bench/signals.bench.ts [--min-cpu-s 3] [--only <pass name substring>]
//
// Rows: the shared document view alone, the RPv2 signals (view included, LDNOOBW list from the test fixture), and —
// hook for the datatrove filters — every pass exported as `benchPasses` by stages/filters/bench-passes.ts, if that
// module exists. Each such pass receives the same DocView, so a final "all" row times the view once plus every pass,
// as the pipeline runs them.
//
// The repeated passes reuse text the memos have already seen (the spaCy tokenizer memoises every chunk), which a real
// stream does not do: about 7% of the tokens of unseen web text are chunks the memo has never met, and they cost
// most of the tokenizer's time. So the "all" row is also measured on unseen text: a fresh child process warms up
// (JIT and memos) on other web text (web_docs + quality_labels, 3 passes), then times ONE pass over bulk_sample.
// It also reports how many of bulk_sample's whitespace-delimited chunks (the tokenizer's memo keys) the warm-up never
// saw. `--profile <file.cpuprofile>` profiles that pass and prints where it spends its CPU (inclusive, by function);
// `--unseen-child --split` runs only the child and then prints each pass's time and page faults.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { DocView } from '../stages/signals/view.ts';
import { prepareBadWords, Rpv2Signals } from '../stages/signals/rpv2.ts';

/** A unit of per-document work timed by this bench (the filters helper exports an array of these). */
export interface BenchPass {
  name: string;
  /** Work on one document; may use (and memoise into) the shared view. Return anything (kept to defeat DCE). */
  run(view: DocView, text: string): unknown;
}

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const dir = join(SHARED, 'data/bulk_sample');
const texts: string[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz')).sort()) {
  for (const line of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) {
    if (line) texts.push((JSON.parse(line) as { text: string }).text);
  }
}
const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t, 'utf8'), 0);
const arg = (k: string): string | undefined => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : undefined);
const minCpu = Number(arg('--min-cpu-s')) || 3;
const only = arg('--only');

const rpv2 = new Rpv2Signals({
  badWords: prepareBadWords(readFileSync(fileURLToPath(new URL('../test/signals/fixtures/ldnoobw/en', import.meta.url)), 'utf8')),
});
const passes: BenchPass[] = [{ name: 'rpv2 signals (28)', run: (v) => rpv2.compute(v) }];

const hook = fileURLToPath(new URL('../stages/filters/bench-passes.ts', import.meta.url));
if (existsSync(hook)) {
  const mod = (await import(hook)) as { benchPasses?: BenchPass[] };
  if (Array.isArray(mod.benchPasses)) passes.push(...mod.benchPasses);
}

let sink = 0;
const allPipeline = (t: string): unknown => {
  const v = new DocView(t);
  for (const p of passes) p.run(v, t);
  return v;
};

if (process.argv.includes('--unseen-child')) {
  const load = (f: string): string[] =>
    gunzipSync(readFileSync(join(SHARED, 'data', f))).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
  const warm = [...load('web_docs.jsonl.gz'), ...load('quality_labels.jsonl.gz')];
  for (let k = 0; k < 3; k++) for (const t of warm) if (allPipeline(t) !== undefined) sink++;
  // chunks = maximal runs of non-whitespace (Python str.isspace), as the tokenizer cuts them
  const WS = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  const seen = new Set<string>();
  for (const t of warm) for (const c of t.split(WS)) if (c) seen.add(c);
  let chunks = 0;
  let unseen = 0;
  for (const t of texts) {
    for (const c of t.split(WS)) {
      if (!c) continue;
      chunks++;
      if (!seen.has(c)) {
        unseen++;
        seen.add(c);
      }
    }
  }
  const profileOut = arg('--profile');
  const { Session } = await import('node:inspector/promises');
  const session = profileOut ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const f0 = process.resourceUsage().minorPageFault;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (const t of texts) if (allPipeline(t) !== undefined) sink++;
  const c = process.cpuUsage(c0);
  const faults = process.resourceUsage().minorPageFault - f0;
  if (process.argv.includes('--split')) {
    // Per-pass costs, from one more pass with a timer around each pass (timers inside the timed pass would disturb
    // it). The tokenizer now knows every chunk of bulk_sample, so its share here is the all-hits cost; the other
    // passes do the same work as in the timed pass.
    const per = new Map<string, number>([['document view', 0]]);
    const pf = new Map<string, number>([['document view', 0]]);
    const ru = (): number => process.resourceUsage().minorPageFault;
    for (const t of texts) {
      let f = ru();
      let t0 = performance.now();
      const v = new DocView(t);
      per.set('document view', per.get('document view')! + performance.now() - t0);
      pf.set('document view', pf.get('document view')! + ru() - f);
      for (const p of passes) {
        f = ru();
        t0 = performance.now();
        p.run(v, t);
        per.set(p.name, (per.get(p.name) ?? 0) + performance.now() - t0);
        pf.set(p.name, (pf.get(p.name) ?? 0) + ru() - f);
      }
    }
    for (const [k, ms] of per) console.error(`${k.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms ${String(pf.get(k)).padStart(7)} page faults`);
  }
  const cpu = (c.user + c.system) / 1e6;
  const wall = (performance.now() - w0) / 1000;
  if (session && profileOut) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileOut, JSON.stringify(profile));
    printInclusive(profile);
  }
  console.log(JSON.stringify({ cpu, sys: c.system / 1e6, faults, wall, sink, chunks, unseen }));
  process.exit(0);
}

/** Share of the profiled CPU spent inside each function of the project (callers included), largest first. */
function printInclusive(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples?: number[]; timeDeltas?: number[] }): void {
  const parent = new Map<number, number>();
  const byId = new Map<number, (typeof profile.nodes)[number]>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const k of n.children ?? []) parent.set(k, n.id);
  }
  const incl = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    total += deltas[i];
    const onStack = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!/\/(stages|pipeline)\//.test(f.url)) continue;
      onStack.add(`${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(stages|pipeline)\//, '$1/')}:${f.lineNumber + 1}`);
    }
    for (const k of onStack) incl.set(k, (incl.get(k) ?? 0) + deltas[i]);
  }
  console.error('CPU share of the unseen-text pass, inclusive (top 25):');
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.error(`${((t / total) * 100).toFixed(1).padStart(6)}%  ${k}`);
}

function time(label: string, perDoc: (t: string) => unknown): string[] {
  const pass = (): void => {
    for (const t of texts) if (perDoc(t) !== undefined) sink++;
  };
  pass(); // warm-up
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let n = 0;
  let cpu = 0;
  do {
    pass();
    n++;
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1e6;
  } while (cpu < minCpu);
  const wall = (performance.now() - w0) / 1000;
  return [label, ((texts.length * n) / cpu).toFixed(0), ((bytes * n) / 1e6 / cpu).toFixed(2), ((bytes * n) / 1e6 / wall).toFixed(2)];
}

const rows: string[][] = [];
let unseenNote = '';
const want = (name: string): boolean => !only || name.includes(only);
if (want('view')) rows.push(time('document view only', (t) => new DocView(t).wordCount));
for (const p of passes) if (want(p.name)) rows.push(time(`view + ${p.name}`, (t) => p.run(new DocView(t), t)));
if (passes.length > 1 && want('all')) {
  rows.push(
    time(`all: view + ${passes.map((p) => p.name).join(' + ')}`, allPipeline),
  );
  const prof = arg('--profile');
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--unseen-child', ...(prof ? ['--profile', prof] : [])], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`unseen-text child failed: ${child.stderr}`);
  if (prof) process.stderr.write(child.stderr);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { cpu: number; wall: number; chunks: number; unseen: number };
  unseenNote = `unseen text: ${r.unseen} of ${r.chunks} chunks (${((r.unseen / r.chunks) * 100).toFixed(1)}%) were never seen in the warm-up`;
  rows.push([
    'all, on unseen text (one pass, after warm-up on other web text)',
    (texts.length / r.cpu).toFixed(0), (bytes / 1e6 / r.cpu).toFixed(2), (bytes / 1e6 / r.wall).toFixed(2),
  ]);
}

if (unseenNote) console.log(unseenNote);
console.log(`bulk_sample: ${texts.length} docs, ${(bytes / 1e6).toFixed(1)} MB UTF-8; node ${process.version}; one thread`);
const head = ['pass', 'docs/s per CPU-s', 'MB/s per CPU-s', 'MB/s wall'];
console.log('| ' + head.join(' | ') + ' |');
console.log('|' + head.map(() => '---').join('|') + '|');
for (const r of rows) console.log('| ' + r.join(' | ') + ' |');
if (sink < 0) console.log(sink);
