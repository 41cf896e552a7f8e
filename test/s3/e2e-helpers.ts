// Helpers for end-to-end runs of the real CLI (child processes): a multi-file corpus built from the bundled demo
// data, manifests, and byte-for-byte comparison of two runs' outputs (local or s3://).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Storage } from '../../pipeline/types.ts';
import { REPO_ROOT } from './servers.ts';

const DEMO = join(REPO_ROOT, 'data', 'demo');

/** The demo corpus split into more files: moby-dick in `mobyParts` .jsonl.gz files, plus the two SOTU files. */
export function buildCorpus(dir: string, mobyParts = 6): string[] {
  mkdirSync(join(dir, 'moby-dick'), { recursive: true });
  mkdirSync(join(dir, 'sotu'), { recursive: true });
  const lines = gunzipSync(readFileSync(join(DEMO, 'moby-dick', 'chapters.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const per = Math.ceil(lines.length / mobyParts);
  for (let p = 0; p < mobyParts; p++) {
    const part = lines.slice(p * per, (p + 1) * per);
    // mtime 0 in the gzip header: the same bytes every time
    writeFileSync(join(dir, 'moby-dick', `part-${p}.jsonl.gz`), gzipSync(part.join('\n') + '\n', { level: 6 }));
  }
  for (const f of readdirSync(join(DEMO, 'sotu'))) copyFileSync(join(DEMO, 'sotu', f), join(dir, 'sotu', f));
  return listFiles(dir);
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Copies a local folder to an s3:// prefix (or any URI) through the storage. */
export async function upload(storage: Storage, dir: string, prefix: string): Promise<void> {
  for (const rel of listFiles(dir)) await storage.write(`${prefix.replace(/\/+$/, '')}/${rel}`, readFileSync(join(dir, rel)));
}

export interface ManifestOptions {
  name: string;
  /** Folder or s3:// prefix holding moby-dick/ and sotu/. */
  inputs: string;
  output: string;
  executor?: Record<string, unknown>;
  /** Extra top-level YAML (e.g. a storage section). */
  extra?: string;
}

/** Three steps: map (signals + exact dedup hashes) → global (dedup clustering) → map (apply, filter, write). */
export function manifestYaml(o: ManifestOptions): string {
  const ex = { type: 'local', tasks: 'auto', ...o.executor };
  const exLines = Object.entries(ex).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return [
    `name: ${o.name}`,
    'sources:',
    '  - name: moby-dick',
    `    uri: ${JSON.stringify(`${o.inputs.replace(/\/+$/, '')}/moby-dick/*.jsonl.gz`)}`,
    '    priority: 1',
    '  - name: sotu',
    `    uri: ${JSON.stringify(`${o.inputs.replace(/\/+$/, '')}/sotu/`)}`,
    '    priority: 2',
    'pipeline:',
    '  - text_stats: {}',
    '  - exact_dedup: {}',
    '  - filter:',
    '      expr: n_words >= 300',
    '      reason: too_short',
    'output:',
    `  uri: ${JSON.stringify(o.output)}`,
    '  shard_docs: 40',
    '  row_group_size: 16',
    'executor:',
    ...exLines,
    o.extra ?? '',
    '',
  ].join('\n');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `curate <args>` as a child process (the real CLI entry). */
export function curate(args: string[], env: Record<string, string> = {}, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'curate.js'), ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under `<run>/data/`, by name (local or s3://). */
export async function outputFiles(storage: Storage, runDir: string): Promise<Map<string, Buffer>> {
  const base = `${runDir.replace(/\/+$/, '')}/data`;
  const out = new Map<string, Buffer>();
  for await (const f of storage.list(base)) {
    const name = f.uri.slice(f.uri.lastIndexOf('/data/') + 6);
    out.set(name, Buffer.from(await storage.read(f.uri)));
  }
  return out;
}

/** Asserts two runs wrote the same files with the same bytes; returns the number of Parquet files compared. */
export async function sameOutputs(storage: Storage, a: string, b: string): Promise<number> {
  const fa = await outputFiles(storage, a);
  const fb = await outputFiles(storage, b);
  const names = [...fa.keys()].sort();
  if (JSON.stringify(names) !== JSON.stringify([...fb.keys()].sort()))
    throw new Error(`different output files:\n  ${a}: ${names.join(' ')}\n  ${b}: ${[...fb.keys()].sort().join(' ')}`);
  let parquet = 0;
  for (const n of names) {
    if (!fa.get(n)!.equals(fb.get(n)!)) throw new Error(`${n} differs between ${a} and ${b}`);
    if (n.endsWith('.parquet')) parquet++;
  }
  if (parquet === 0) throw new Error(`no Parquet output in ${a}`);
  return parquet;
}
