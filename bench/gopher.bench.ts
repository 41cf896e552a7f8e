// Gopher repetition filter throughput on ../shared/data/bulk_sample, per CPU-second (process.cpuUsage), one thread.
//   node bench/gopher.bench.ts [--rounds 6] [--against <git revision>]
//
// As in a pipeline, each document is tokenized (spaCy words, memoised by the tokenizer) right before the filter runs,
// so the filter meets caches the tokenizer has just used; only the `gopherRepetition` call is timed.
// `--against <rev>` also loads stages/filters/datatrove.ts and ngrams.ts as they were at that git revision (from
// `git show`, into a temporary folder) and times both implementations in alternating rounds on the same word lists
// (an A/B that tolerates a shared, noisy machine), after checking that every decision is the same.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { englishTokenizer } from '../stages/text/spacy/tokenizer.ts';
import * as current from '../stages/filters/datatrove.ts';

type Filters = Pick<typeof current, 'gopherRepetition' | 'GOPHER_REPETITION_DEFAULTS'>;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const arg = (k: string): string | undefined => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : undefined);
const rounds = Number(arg('--rounds')) || 6;
const against = arg('--against');

const dir = join(SHARED, 'data/bulk_sample');
const texts: string[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz')).sort()) {
  for (const line of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) {
    if (line) texts.push((JSON.parse(line) as { text: string }).text);
  }
}
const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t, 'utf8'), 0);
const tok = englishTokenizer();

/** The filter module of a git revision: its two files in a temporary folder, other imports pointed at this tree. */
async function loadRevision(rev: string): Promise<{ mod: Filters; cleanup: () => void }> {
  const tmp = mkdtempSync(join(tmpdir(), 'gopher-bench-'));
  const own = ['datatrove.ts', 'ngrams.ts'];
  for (const f of own) {
    const r = spawnSync('git', ['show', `${rev}:stages/filters/${f}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`git show ${rev}:stages/filters/${f} failed: ${r.stderr.trim()}`);
    const src = r.stdout
      .replace(/from '\.\.\/([^']+)'/g, (_m, p: string) => `from '${pathToFileURL(join(ROOT, 'stages', p)).href}'`)
      .replace(/from '\.\/([^']+)'/g, (_m, p: string) =>
        `from '${own.includes(p) ? pathToFileURL(join(tmp, p)).href : pathToFileURL(join(ROOT, 'stages/filters', p)).href}'`);
    writeFileSync(join(tmp, f), src);
  }
  const mod = (await import(pathToFileURL(join(tmp, 'datatrove.ts')).href)) as Filters;
  return { mod, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** CPU seconds of `gopherRepetition` over every document (each tokenized just before). */
function pass(m: Filters): number {
  let cpu = 0;
  let kept = 0;
  for (const t of texts) {
    const words = tok.words(t);
    const t0 = process.cpuUsage();
    if (m.gopherRepetition(t, () => words, m.GOPHER_REPETITION_DEFAULTS).keep) kept++;
    const d = process.cpuUsage(t0);
    cpu += d.user + d.system;
  }
  if (kept < 0) console.log(kept);
  return cpu / 1e6;
}

const impls: { name: string; mod: Filters }[] = [{ name: 'working tree', mod: current }];
let cleanup = (): void => {};
if (against !== undefined) {
  const r = await loadRevision(against);
  impls.unshift({ name: `git ${against}`, mod: r.mod });
  cleanup = r.cleanup;
  let diffs = 0;
  for (const t of texts) {
    const words = tok.words(t);
    const a = impls[0].mod.gopherRepetition(t, () => words, impls[0].mod.GOPHER_REPETITION_DEFAULTS);
    const b = current.gopherRepetition(t, () => words, current.GOPHER_REPETITION_DEFAULTS);
    if (a.keep !== b.keep || a.reason !== b.reason) diffs++;
  }
  console.log(`decisions that differ between ${impls[0].name} and the working tree: ${diffs} of ${texts.length}`);
}

for (const im of impls) pass(im.mod); // warm-up (JIT, tokenizer memo)
const cpu = impls.map(() => 0);
for (let r = 0; r < rounds; r++) impls.forEach((im, k) => (cpu[k] += pass(im.mod)));
cleanup();

console.log(`bulk_sample: ${texts.length} docs, ${(bytes / 1e6).toFixed(1)} MB UTF-8; node ${process.version}; ${rounds} rounds, alternating`);
console.log('| gopher_repetition | docs/s per CPU-s | MB/s per CPU-s | ms per pass |');
console.log('|---|---|---|---|');
impls.forEach((im, k) => {
  const s = cpu[k] / rounds;
  console.log(`| ${im.name} | ${(texts.length / s).toFixed(0)} | ${(bytes / 1e6 / s).toFixed(1)} | ${(s * 1000).toFixed(0)} |`);
});
if (impls.length === 2) console.log(`speed-up (CPU time ${impls[0].name} / working tree): ${(cpu[0] / cpu[1]).toFixed(2)}x`);
