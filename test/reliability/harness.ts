// Shared pieces of the reliability tests: a seeded PRNG, a corpus with near duplicates built from the bundled
// demo data, manifests with global steps, and a kill-and-rerun driver for `curate run` child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { bin, repoRoot } from '../helpers.ts';

export const LONG = process.env.CURATE_LONG_TESTS === '1';

export { prng } from '../helpers.ts';

export function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Moby-Dick chapters in `parts` .jsonl.gz files, with every 7th chapter repeated (lightly edited) in another
 *  part so that MinHash finds near duplicates across files; plus the SOTU .zst and .parquet as a second source. */
export function buildDupCorpus(dir: string, parts = 8): void {
  mkdirSync(join(dir, 'moby'), { recursive: true });
  mkdirSync(join(dir, 'sotu'), { recursive: true });
  const lines = gunzipSync(readFileSync(join(repoRoot, 'data/demo/moby-dick/chapters.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const out: string[][] = Array.from({ length: parts }, () => []);
  lines.forEach((l, i) => {
    out[i % parts].push(l);
    if (i % 7 === 3) {
      const d = JSON.parse(l) as Record<string, unknown>;
      d.id = `${String(d.id)}-copy`;
      d.text = `${String(d.text)}\nCHAPTER END.`;
      out[(i + 3) % parts].push(JSON.stringify(d));
    }
  });
  out.forEach((p, k) => writeFileSync(join(dir, 'moby', `part-${String(k).padStart(2, '0')}.jsonl.gz`), gzipSync(p.join('\n') + '\n')));
  for (const f of readdirSync(join(repoRoot, 'data/demo/sotu'))) copyFileSync(join(repoRoot, 'data/demo/sotu', f), join(dir, 'sotu', f));
}

export interface GlobalManifest {
  inputs: string;
  output: string;
  tasks?: number | 'auto';
  workers?: number;
  shardDocs?: number;
  rowGroupSize?: number;
  shuffle?: boolean;
  extra?: string;
}

/** text_stats → minhash_dedup (global) → filter → mix (global) → shuffle (global) → Parquet shards. */
export function globalManifest(o: GlobalManifest): string {
  return [
    'name: crash',
    'sources:',
    '  - name: moby',
    `    uri: ${JSON.stringify(`${o.inputs}/moby/*.jsonl.gz`)}`,
    '    priority: 1',
    '  - name: sotu',
    `    uri: ${JSON.stringify(`${o.inputs}/sotu/`)}`,
    '    priority: 2',
    'pipeline:',
    '  - text_stats: {}',
    '  - minhash_dedup: {policy: keep-one}',
    '  - filter: {expr: "n_words >= 200", reason: too_short}',
    '  - mix: {weights: {moby: 2.0, sotu: 1.0}, token_column: n_words, seed: 3}',
    ...(o.shuffle === false ? [] : ['  - shuffle: {seed: 5, run_docs: 64, block_docs: 16}']),
    'output:',
    `  uri: ${JSON.stringify(o.output)}`,
    `  shard_docs: ${o.shardDocs ?? 40}`,
    `  row_group_size: ${o.rowGroupSize ?? 16}`,
    'executor:',
    `  tasks: ${o.tasks ?? 'auto'}`,
    `  workers: ${o.workers ?? 2}`,
    o.extra ?? '',
    '',
  ].join('\n');
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

/** SIGKILL to the whole process group: the CLI and its worker processes/threads die at once, like a node crash. */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** sha256 of every file under a folder, by relative path. */
export function treeHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, rel + e + '/');
      else out.set(rel + e, sha(readFileSync(p)));
    }
  };
  walk(dir, '');
  return out;
}

export function countFiles(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Prints a line the test runner shows (stdout of a test file is reported as-is). */
export function report(line: string): void {
  process.stdout.write(`# reliability: ${line}\n`);
}
