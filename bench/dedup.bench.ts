// Signature throughput per preset on ../shared/data/bulk_sample, per CPU-second (process.cpuUsage), single thread.
//   node bench/dedup.bench.ts [--min-cpu-s 3]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { MinHasher } from '../stages/dedup/minhash.ts';
import { murmur3Words } from '../stages/dedup/hash.ts';
import { resolveMinhashConfig, type PresetName } from '../stages/dedup/presets.ts';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const dir = join(SHARED, 'data/bulk_sample');
const texts: string[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz')).sort()) {
  for (const line of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) if (line) texts.push((JSON.parse(line) as { text: string }).text);
}
const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t, 'utf8'), 0);
const minCpu = Number(process.argv[process.argv.indexOf('--min-cpu-s') + 1]) || 3;

const rows: string[][] = [];
for (const [preset, extra] of [['zyda2', {}], ['fineweb', {}], ['zyda1', {}], ['rpv2', {}], ['fineweb', { permutation: 'mod61', draw: 'datatrove' }]] as [PresetName, Record<string, string>][]) {
  const cfg = resolveMinhashConfig({ preset, threshold: 0.8, ...extra });
  const mh = new MinHasher(cfg);
  const sig = new Uint32Array(cfg.num_perm);
  let sink = 0;
  const pass = (): void => {
    for (const t of texts) {
      if (mh.signature(t, sig)) for (let b = 0; b < cfg.bands; b++) sink ^= murmur3Words(sig, b * cfg.rows, (b + 1) * cfg.rows, b);
    }
  };
  pass(); // warm-up
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let passes = 0;
  let cpu = 0;
  do {
    pass();
    passes++;
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1e6;
  } while (cpu < minCpu);
  const wall = (performance.now() - w0) / 1000;
  const label = preset + (Object.keys(extra).length ? ` (${Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(', ')})` : '');
  rows.push([label, `${cfg.unit}-${cfg.ngram}`, `${cfg.bands}x${cfg.rows}/${cfg.num_perm}`, cfg.permutation, ((texts.length * passes) / cpu).toFixed(0), ((bytes * passes) / 1e6 / cpu).toFixed(2), ((bytes * passes) / 1e6 / wall).toFixed(2), String(sink & 1)]);
}
const head = ['preset', 'shingle', 'bands x rows/hashes', 'perm', 'docs/s per CPU-s', 'MB/s per CPU-s', 'MB/s wall', ''];
console.log(`bulk_sample: ${texts.length} docs, ${(bytes / 1e6).toFixed(1)} MB UTF-8; node ${process.version}; signatures + band keys, one thread`);
console.log('| ' + head.slice(0, 7).join(' | ') + ' |');
console.log('|' + head.slice(0, 7).map(() => '---').join('|') + '|');
for (const r of rows) console.log('| ' + r.slice(0, 7).join(' | ') + ' |');
