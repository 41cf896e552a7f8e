// `curate dedup`: MinHash-LSH near-duplicate detection as a single command over JSONL inputs. Runs the same
// map stage and global step as a manifest's minhash_dedup, writes the duplicate pairs and (optionally) the
// clusters in the formats scripts/eval_neardup.py reads, and prints cluster statistics.
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJsonlDocs, UserError } from './dedup-read.ts';
import type { Command } from 'commander';
import type { Batch, Doc, GlobalContext, StageContext } from '../types.ts';
import { StatsRecorder } from '../stats.ts';
import { createStorage } from '../storage.ts';
import { minhashDedup, minhashMapStage, runMinhashGlobal, type MinhashParams } from '../../stages/dedup/stages.ts';
import { candidateProbability } from '../../stages/dedup/presets.ts';
import { minhashConfigOf } from '../../stages/dedup/stages.ts';

export { readJsonlDocs } from './dedup-read.ts';

function listInputs(inputs: string[]): string[] {
  const out: string[] = [];
  const ok = (f: string): boolean => /\.(jsonl|json|ndjson)(\.gz)?$/.test(f);
  for (const i of inputs) {
    const p = resolve(i);
    let st;
    try { st = statSync(p); } catch { throw new UserError(`input not found: ${i}`); }
    if (st.isDirectory()) {
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const q = join(d, e.name);
          if (e.isDirectory()) walk(q); else if (ok(e.name)) out.push(q);
        }
      };
      walk(p);
    } else out.push(p);
  }
  if (!out.length) throw new UserError('no input files (.jsonl, .jsonl.gz, .json, .ndjson) found');
  return out;
}

async function* batched(files: string[], size = 512): AsyncIterable<Batch> {
  let docs: Doc[] = [];
  for (const f of files) for await (const d of readJsonlDocs(f)) {
    docs.push(d);
    if (docs.length >= size) { yield { docs }; docs = []; }
  }
  if (docs.length) yield { docs };
}

interface Opts {
  preset: string;
  threshold: string;
  verify?: boolean;
  out: string;
  clustersOut?: string;
  tasks: string;
  threads?: string;
  cliqueCap: string;
  policy: string;
  workDir?: string;
  keepWork?: boolean;
  bands?: string;
  rows?: string;
  numPerm?: string;
  ngram?: string;
  seed?: string;
  unit?: string;
  normalize?: string;
  permutation?: string;
  shortDocs?: string;
  priority?: string;
  scoreColumn?: string;
  quiet?: boolean;
}

const num = (s: string | undefined, name: string): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UserError(`--${name} must be a number (got "${s}")`);
  return v;
};

export async function runDedupCommand(inputs: string[], o: Opts): Promise<Record<string, unknown>> {
  const files = listInputs(inputs);
  const raw = {
    preset: o.preset, threshold: num(o.threshold, 'threshold'), verify: !!o.verify, policy: o.policy,
    bands: num(o.bands, 'bands'), rows: num(o.rows, 'rows'), num_perm: num(o.numPerm, 'num-perm'), ngram: num(o.ngram, 'ngram'), seed: num(o.seed, 'seed'),
    unit: o.unit, normalize: o.normalize, permutation: o.permutation, short_docs: o.shortDocs,
    keep_signatures: !o.verify, score_column: o.scoreColumn,
  };
  const parsed = minhashDedup.params.safeParse(raw);
  if (!parsed.success) throw new UserError('invalid options: ' + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const p: MinhashParams = parsed.data;
  if (p.policy === 'keep-best' && !p.score_column) throw new UserError('--policy keep-best needs --score-column <field> (the numeric field to rank cluster members by)');
  let cfg;
  try { cfg = minhashConfigOf(p); } catch (e) { throw new UserError((e as Error).message); }
  const tasks = Math.max(1, Math.min(num(o.tasks, 'tasks') ?? 1, files.length));
  const work = o.workDir ? resolve(o.workDir) : mkdtempSync(join(tmpdir(), 'curate-dedup-'));
  const storage = createStorage();
  const log = { info: (m: string) => { if (!o.quiet) process.stderr.write(m + '\n'); }, warn: (m: string) => process.stderr.write('warning: ' + m + '\n'), debug() {} };
  const sideDir = join(work, 'side');
  const sources = new Set<string>();
  const t0 = Date.now();
  const threads = Math.max(1, Math.min(num(o.threads, 'threads') ?? 1, tasks));
  if (threads > 1) {
    // map tasks in worker threads, `threads` at a time
    let next = 0;
    const runOne = (t: number): Promise<void> => new Promise((res, rej) => {
      const w = new Worker(new URL('./dedup-worker.ts', import.meta.url), { workerData: { files: files.filter((_, i) => i % tasks === t), task: t, tasks, sideDir, workDir: work, params: p } });
      w.on('message', (m: { done?: boolean; sources?: string[]; warn?: string }) => { if (m.warn) log.warn(m.warn); if (m.sources) for (const s of m.sources) sources.add(s); });
      w.on('error', rej);
      w.on('exit', (code) => (code === 0 ? res() : rej(new Error(`map worker for task ${t} exited with ${code}`))));
    });
    await Promise.all(Array.from({ length: threads }, async () => { while (next < tasks) await runOne(next++); }));
  } else for (let t = 0; t < tasks; t++) {
    const mine = files.filter((_, i) => i % tasks === t);
    const ctx: StageContext = { task: { step: 'dedup', task: t, tasks }, runDir: work, sideDir, storage, stats: new StatsRecorder('minhash_dedup'), log, baseDir: process.cwd() };
    const stage = minhashMapStage(p);
    await stage.setup?.(ctx);
    async function* tap(): AsyncIterable<Batch> { for await (const b of batched(mine)) { for (const d of b.docs) sources.add(d.source); yield b; } }
    for await (const _b of stage.run(tap(), ctx)) { /* drain */ }
    await stage.teardown?.();
  }
  const mapMs = Date.now() - t0;
  const prio = new Map<string, number>();
  if (o.priority) for (const kv of o.priority.split(',')) {
    const [k, v] = kv.split('=');
    if (!k || v === undefined || !Number.isFinite(Number(v))) throw new UserError(`--priority expects name=number[,name=number...] (got "${kv}")`);
    prio.set(k.trim(), Number(v));
  }
  let summary: Record<string, unknown> = {};
  const outStream: WriteStream = createWriteStream(resolve(o.out));
  const clStream: WriteStream | null = o.clustersOut ? createWriteStream(resolve(o.clustersOut)) : null;
  const write = (s: WriteStream, line: string): void => { s.write(line + '\n'); };
  let pairs = 0;
  const gctx: GlobalContext = {
    runDir: work, inputDir: sideDir, outputDir: join(work, 'global'), storage, log, tasks, workers: 1,
    sources: [...sources].sort().map((name) => ({ name, priority: prio.get(name) ?? 0 })),
    summary: (d) => { summary = d; },
  };
  await runMinhashGlobal(p, gctx, {
    pairs: 'clique', cliqueCap: num(o.cliqueCap, 'clique-cap') ?? 64, expandClusters: p.verify,
    onPair: (a, b, j) => { pairs++; write(outStream, JSON.stringify({ a, b, jaccard: j === null ? null : Math.round(j * 1e6) / 1e6 })); },
    onClusterMember: clStream ? (id, cluster) => write(clStream, JSON.stringify({ id, cluster })) : undefined,
  });
  await new Promise<void>((r) => outStream.end(r));
  if (clStream) await new Promise<void>((r) => clStream.end(r));
  if (!o.keepWork && !o.workDir) rmSync(work, { recursive: true, force: true });
  return { ...summary, pairsWritten: pairs, mapMs, config: cfg, files: files.length, tasks, pCandidateAtThreshold: candidateProbability(p.threshold, cfg.bands, cfg.rows) };
}

export function register(program: Command): void {
  program
    .command('dedup')
    .description('MinHash-LSH near-duplicate detection over JSONL inputs; writes duplicate pairs (and clusters) and prints cluster statistics')
    .argument('<inputs...>', 'JSONL / JSONL.gz files or folders (fields: text, id, source)')
    .option('--preset <name>', 'zyda2 | fineweb | zyda1 | rpv2', 'fineweb')
    .option('--threshold <j>', 'Jaccard threshold (verification; rpv2 band layout)', '0.8')
    .option('--verify', 'verify candidate pairs by true Jaccard on the preset shingles')
    .requiredOption('--out <pairs.jsonl>', 'write {"a","b","jaccard"} per duplicate pair (verified edges with --verify, else LSH candidate pairs with the MinHash estimate)')
    .option('--clusters-out <clusters.jsonl>', 'write {"id","cluster"} for every document in a cluster of size ≥ 2')
    .option('--tasks <n>', 'split input files into n map tasks (round-robin over files)', '1')
    .option('--threads <n>', 'run up to n map tasks at once in worker threads', '1')
    .option('--clique-cap <n>', 'buckets up to n members yield all their pairs (larger ones a chain)', '64')
    .option('--policy <name>', 'cross-source-priority | keep-one | keep-best (for the statistics)', 'keep-one')
    .option('--priority <list>', 'source priorities, e.g. fwe=4,dclm=3')
    .option('--score-column <field>', 'numeric input field ranking cluster members for --policy keep-best')
    .option('--bands <n>', 'override the preset: LSH bands')
    .option('--rows <n>', 'override the preset: rows per band')
    .option('--num-perm <n>', 'override the preset: signature length')
    .option('--ngram <n>', 'override the preset: shingle length (characters or words)')
    .option('--seed <n>', 'override the preset: RandomState seed of the permutations')
    .option('--unit <char|word>', 'override the preset: shingle unit')
    .option('--normalize <none|whitespace|datatrove|zyda1|rpv2>', 'override the preset: normalisation before shingling')
    .option('--permutation <u32|mod61>', 'override the preset: permutation arithmetic')
    .option('--short-docs <whole|skip>', 'override the preset: documents shorter than one shingle')
    .option('--work-dir <dir>', 'keep side files here instead of a temporary folder')
    .option('--quiet', 'no progress messages')
    .action(async (inputs: string[], o: Opts) => {
      try {
        const s = await runDedupCommand(inputs, o);
        const hist = s.clusterSizeHistogram as Record<string, number>;
        process.stdout.write(
          [
            `documents: ${s.documents} (${s.signed} signed, ${s.noSignature} without signature) from ${s.files} file(s)`,
            `buckets with ≥2 docs: ${s.buckets}, candidate edges: ${s.candidateEdges}` + (s.verify ? `, verified: ${s.verifiedEdges}, dropped by verify: ${s.edgesDroppedByVerify}` : ''),
            `clusters: ${s.clusters} holding ${s.docsInClusters} docs; ${s.policy} would remove ${s.removed}`,
            `cluster sizes: ${Object.entries(hist).map(([k, v]) => `${k}:${v}`).join(' ')}`,
            `pairs written: ${s.pairsWritten} → ${o.out}` + (o.clustersOut ? `; clusters → ${o.clustersOut}` : ''),
          ].join('\n') + '\n',
        );
      } catch (e) {
        if (e instanceof UserError) { process.stderr.write(`curate dedup: ${e.message}\n`); process.exitCode = 2; return; }
        throw e;
      }
    });
}
