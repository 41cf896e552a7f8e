// Shared test helpers: temp dirs, running the CLI, reading Parquet with DuckDB.
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';

export const repoRoot = new URL('../', import.meta.url).pathname;
export const sharedDir = new URL('../../shared/', import.meta.url).pathname;
export const bin = join(repoRoot, 'bin/curate.js');

export function tmp(prefix = 'curate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function curate(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function curateAsync(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** sha256 of every file under a folder (relative path → hash), to compare outputs byte for byte. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, rel + e + '/');
      else out[rel + e] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

export async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJson() as T[];
}

/** Records of a JSONL file (gzipped when the name ends in .gz); blank lines are skipped. */
export function readJsonl<T>(path: string): T[] {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** mulberry32: a small seedable PRNG (kill points, fault injection, generated corpora). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
