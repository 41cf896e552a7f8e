// Compares this port's RPv2 signals with the ORIGINAL RedPajama-V2 code on any corpus (JSONL or JSONL.gz with a
// `text` field), via rpv2_oracle.py. Prints the agreement rate and the mismatches.
//   node stages/signals/tools/compare-rpv2.ts --rpv2 <RedPajama-Data checkout> [--ldnoobw en.txt] [--python python3]
//        [--limit N] <file.jsonl[.gz]>...
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prepareBadWords, Rpv2Signals, type RpsSpan } from '../rpv2.ts';
import { DocView } from '../view.ts';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => {
  const i = args.indexOf(k);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const rpv2 = opt('--rpv2');
const ldnoobw = opt('--ldnoobw');
const python = opt('--python') ?? 'python3';
const limit = Number(opt('--limit') ?? Infinity);
if (!rpv2 || args.length === 0) {
  console.error('usage: node stages/signals/tools/compare-rpv2.ts --rpv2 <RedPajama-Data checkout> [--ldnoobw en.txt] [--limit N] <file.jsonl[.gz]>...');
  process.exit(2);
}
const texts: string[] = [];
for (const f of args) {
  const raw = readFileSync(f);
  const s = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  for (const line of s.split('\n')) if (line.trim() && texts.length < limit) texts.push((JSON.parse(line) as { text: string }).text);
}
const dir = mkdtempSync(join(tmpdir(), 'rpv2-compare-'));
writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
const oracle = fileURLToPath(new URL('./rpv2_oracle.py', import.meta.url));
execFileSync(python, [oracle, '--rpv2', rpv2, ...(ldnoobw ? ['--ldnoobw', ldnoobw] : []), join(dir, 'texts.json'), join(dir, 'out.json')], { stdio: 'inherit' });
const ref = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, RpsSpan[]>[];
const sig = new Rpv2Signals({ badWords: ldnoobw ? prepareBadWords(readFileSync(ldnoobw, 'utf8')) : undefined });
const close = (a: number | null, b: number | null): boolean => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-6);
let n = 0;
let eq = 0;
texts.forEach((t, i) => {
  const got = sig.compute(new DocView(t));
  for (const [name, exp] of Object.entries(ref[i])) {
    n++;
    const g = got[name];
    if (g && g.length === exp.length && exp.every((e, k) => e[0] === g[k][0] && e[1] === g[k][1] && close(e[2], g[k][2]))) eq++;
    else console.log(`MISMATCH doc ${i} ${name}: expected ${JSON.stringify(exp).slice(0, 200)} got ${JSON.stringify(g).slice(0, 200)}`);
  }
});
console.log(`${texts.length} documents, ${n} (document, signal) values, ${eq} equal: ${((100 * eq) / Math.max(n, 1)).toFixed(3)}%`);
