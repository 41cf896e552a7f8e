// Macro benchmark: the whole runtime (read → stages → write) over ../shared/data/bulk_sample, in this process with
// one worker, so CPU time and peak RSS are measured directly. Prints MB of raw text per CPU-second, docs/s and
// per-stage time. Run: node bench/pipeline.bench.ts [copies]   (copies: how many times the sample is repeated)
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { run } from '../pipeline/run.ts';

const shared = new URL('../../shared/data/bulk_sample/bulk-00000.jsonl.gz', import.meta.url).pathname;
if (!existsSync(shared)) { console.log('skipped: ../shared/data/bulk_sample is not here'); process.exit(0); }
const copies = Number(process.argv[2] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'curate-bench-'));
mkdirSync(join(dir, 'in'));
const lines = gunzipSync(readFileSync(shared)).toString('utf8').split('\n').filter(Boolean);
let rawBytes = 0;
for (let c = 0; c < copies; c++) {
  const out = lines.map((l) => { const d = JSON.parse(l) as { id: string; text: string }; rawBytes += Buffer.byteLength(d.text); return JSON.stringify({ ...d, id: `${d.id}#${c}` }); });
  writeFileSync(join(dir, 'in', `bulk-${c}.jsonl.gz`), gzipSync(out.join('\n') + '\n', { level: 1 }));
}

const pipelines: Record<string, string> = {
  'read+write': '',
  'text_stats+filter': '  - text_stats: {}\n  - filter: {expr: "n_words >= 50"}\n',
};
console.log(`input: ${copies} × bulk_sample = ${lines.length * copies} docs, ${(rawBytes / 1e6).toFixed(1)} MB of text; 1 worker`);
console.log('| pipeline | wall s | CPU s | MB text / CPU-s | docs / CPU-s | peak RSS MB | per-stage ms |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, stages] of Object.entries(pipelines)) {
  const m = join(dir, `${name.replace(/\W/g, '_')}.yaml`);
  writeFileSync(m, `name: bench\nsources:\n  - name: bulk\n    uri: in/*.jsonl.gz\npipeline:\n${stages || '  []\n'}output:\n  uri: out-${name.replace(/\W/g, '_')}\nexecutor:\n  workers: 1\n`.replace('pipeline:\n  []\n', 'pipeline: []\n'));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await run(m, { log: { info() {}, warn: console.warn, debug() {} }, progress: false, workers: 1 });
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const wall = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  const per = r.stats.steps[0].stages.map((s) => `${s.stage} ${Math.round(s.ms)}`).join(', ');
  console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(rawBytes / 1e6 / cpu).toFixed(1)} | ${Math.round((lines.length * copies) / cpu)} | ${rss.toFixed(0)} | ${per || '—'} |`);
}
