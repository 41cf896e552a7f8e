// `curate signals <input> --out <out.jsonl>`: one-stage inspection of quality signals and heuristic filters.
// Writes one JSON line per document in the shape of ../shared/fixtures/reference-signals:
//   {"id", "signals": {<RPv2 name>: [[start, end, score], ...]}, "filters": {<filter>: {"keep", "reason"}}}
// Signals come from the registered `rpv2_signals` stage, filter decisions from the named filter stages run in
// annotate mode (C4's text rewrite is not applied, so every filter sees the original text).
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Batch, Doc, Logger, Stage, StageContext, StageDefinition } from '../types.ts';
import { StatsRecorder } from '../stats.ts';
import { createStorage } from '../storage.ts';
import { detectFormat, readRecords } from '../formats/readers.ts';
import { registry } from '../../stages/registry.ts';
import { cpLen } from '../../stages/text/pystr.ts';

class UserError extends Error {}

const ALL_FILTERS = ['gopher_quality', 'gopher_repetition', 'c4_quality', 'c4_paragraph', 'c4_badwords', 'fineweb_quality'];
const EXTRA_FILTERS = ['zyda1_filters', 'nemo_heuristics'];

export interface SignalsOptions {
  out: string;
  filters: string;
  signals: boolean;
  rpv2Signals?: string;
  ldnoobw?: string;
  badwords?: string;
  ut1?: string;
  ut1Categories?: string;
  model: string[];
  tokenizer: string;
  textField: string;
  idField: string;
  limit?: string;
  batch: string;
  quiet?: boolean;
}

function def(name: string): StageDefinition<unknown> {
  const d = registry.get(name);
  if (!d) throw new UserError(`stage ${name} is not registered in this build`);
  return d as StageDefinition<unknown>;
}

function parseParams(d: StageDefinition<unknown>, raw: Record<string, unknown>): unknown {
  const r = d.params.safeParse(raw);
  if (!r.success) throw new UserError(`${d.name}: ${r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Builds the stage chain: rpv2_signals (unless --no-signals) then each requested filter in annotate mode. */
function buildChain(o: SignalsOptions, log: Logger): { stages: { name: string; stage: Stage; cols: { name: string; type: string }[] }[]; filters: string[] } {
  const stages: { name: string; stage: Stage; cols: { name: string; type: string }[] }[] = [];
  if (o.signals) {
    const d = def('rpv2_signals');
    const raw: Record<string, unknown> = {};
    if (o.rpv2Signals) raw.signals = o.rpv2Signals.split(',').map((s) => s.trim()).filter(Boolean);
    if (o.ldnoobw) raw.ldnoobw = o.ldnoobw;
    if (o.ut1) raw.ut1 = o.ut1;
    if (o.ut1Categories) raw.ut1Categories = o.ut1Categories.split(',').map((s) => s.trim());
    if (o.model.length) {
      const models: Record<string, string> = {};
      for (const m of o.model) {
        const eq = m.indexOf('=');
        if (eq <= 0) throw new UserError(`--model expects name=path (e.g. wikiref=models/wikiref.model.bin), got "${m}"`);
        models[m.slice(0, eq)] = m.slice(eq + 1);
      }
      raw.models = models;
    }
    const p = parseParams(d, raw);
    stages.push({ name: d.name, stage: d.create(p), cols: d.writes(p) });
  }
  const filters = o.filters === 'none' ? [] : o.filters === 'all' ? [...ALL_FILTERS] : o.filters.split(',').map((s) => s.trim()).filter(Boolean);
  const known = [...ALL_FILTERS, ...EXTRA_FILTERS];
  for (const f of filters) if (!known.includes(f)) throw new UserError(`unknown filter "${f}" (known: ${known.join(', ')})`);
  const used: string[] = [];
  for (const f of filters) {
    const raw: Record<string, unknown> = { mode: 'annotate' };
    const d = def(f);
    const shape = (d.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    if ('tokenizer' in shape) raw.tokenizer = o.tokenizer;
    if (f === 'c4_quality') raw.rewrite_text = false;
    if (f === 'zyda1_filters') raw.transform = false;
    if (f === 'c4_badwords') {
      if (!o.badwords) {
        log.warn('c4_badwords skipped: no --badwords list given (datatrove uses LDNOOBW `en` at commit 25e679f; lists are never downloaded)');
        continue;
      }
      raw.words_path = o.badwords;
      raw.fail_on_missing_language = false;
    }
    const p = parseParams(d, raw);
    stages.push({ name: f, stage: d.create(p), cols: d.writes(p) });
    used.push(f);
  }
  return { stages, filters: used };
}

async function* chain(input: AsyncIterable<Batch>, stages: Stage[], ctxs: StageContext[]): AsyncIterable<Batch> {
  let it = input;
  stages.forEach((s, i) => {
    it = s.run(it, ctxs[i]);
  });
  yield* it;
}

export async function runSignals(input: string, o: SignalsOptions, log: Logger): Promise<{ docs: number; bytes: number; cpuSeconds: number; kept: Record<string, number> }> {
  const storage = createStorage();
  const uri = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : resolve(input);
  const format = detectFormat(uri);
  if (!format) throw new UserError(`cannot tell the format of ${input}: expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet`);
  if (!(await storage.stat(uri))) throw new UserError(`input not found: ${input}`);
  const limit = o.limit === undefined ? Infinity : Number(o.limit);
  const batchSize = Number(o.batch);
  if (!Number.isFinite(batchSize) || batchSize < 1) throw new UserError('--batch must be a positive integer');
  if (!(limit > 0)) throw new UserError('--limit must be a positive integer');

  const { stages, filters } = buildChain(o, log);
  const tmp = mkdtempSync(join(tmpdir(), 'curate-signals-'));
  const ctxs: StageContext[] = stages.map((s) => ({
    task: { step: 'signals', task: 0, tasks: 1 },
    runDir: tmp,
    sideDir: join(tmp, s.name),
    storage,
    stats: new StatsRecorder(s.name),
    log,
    baseDir: process.cwd(),
  }));
  const out = createWriteStream(resolve(o.out));
  const outDone = new Promise<void>((res, rej) => {
    out.on('finish', res);
    out.on('error', rej);
  });
  const kept: Record<string, number> = Object.fromEntries(filters.map((f) => [f, 0]));
  let docs = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const signalCols = stages.find((s) => s.name === 'rpv2_signals')?.cols ?? [];

  async function* source(): AsyncIterable<Batch> {
    let batch: Doc[] = [];
    let seen = 0;
    for await (const items of readRecords(storage, uri, format!)) {
      for (const it of items) {
        if (seen >= limit) break;
        if ('error' in it) throw new UserError(`${input} row ${it.row}: ${it.error}`);
        const text = it.rec[o.textField];
        if (typeof text !== 'string') throw new UserError(`${input} row ${it.row}: no string field "${o.textField}" (use --text-field)`);
        const rawId = it.rec[o.idField];
        const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : `${input}/${it.row}`;
        const { [o.textField]: _t, ...meta } = it.rec;
        batch.push({ id, text, source: 'input', shard: input, row: it.row, meta, cols: {} });
        bytes += Buffer.byteLength(text);
        seen++;
        if (batch.length >= batchSize) {
          yield { docs: batch };
          batch = [];
        }
      }
      if (seen >= limit) break;
    }
    if (batch.length) yield { docs: batch };
  }

  try {
    for (let i = 0; i < stages.length; i++) await stages[i].stage.setup?.(ctxs[i]);
    for await (const b of chain(source(), stages.map((s) => s.stage), ctxs)) {
      for (const d of b.docs) {
        const signals: Record<string, unknown> = {};
        const len = cpLen(d.text);
        for (const c of signalCols) {
          const v = d.cols[c.name];
          if (v === undefined) continue;
          signals[c.name] = c.type === 'spans' ? v : [[0, len, v]];
        }
        const fl: Record<string, { keep: boolean; reason: string | null }> = {};
        for (const f of filters) {
          const keep = d.cols[`${f}_keep`] === true;
          fl[f] = { keep, reason: (d.cols[`${f}_reason`] as string | null) ?? null };
          if (keep) kept[f]++;
        }
        const line = JSON.stringify(o.signals ? { id: d.id, signals, filters: fl } : { id: d.id, filters: fl }) + '\n';
        if (!out.write(line)) await once(out, 'drain');
        docs++;
        if (!o.quiet && docs % 1000 === 0) process.stderr.write(`\r${docs} documents`);
      }
    }
  } finally {
    for (const s of stages) await s.stage.teardown?.();
    out.end();
    await outDone;
    rmSync(tmp, { recursive: true, force: true });
  }
  const c = process.cpuUsage(cpu0);
  if (!o.quiet && docs >= 1000) process.stderr.write('\n');
  return { docs, bytes, cpuSeconds: (c.user + c.system) / 1e6, kept };
}

export function register(program: Command): void {
  program
    .command('signals')
    .description('Compute RedPajama-V2 quality signals and the datatrove filter decisions for each document (inspection and checking)')
    .argument('<input>', 'input file: .jsonl, .jsonl.gz, .jsonl.zst or .parquet (local or s3://)')
    .requiredOption('--out <file>', 'output JSONL: {"id", "signals": {...}, "filters": {...}} per document')
    .option('--filters <list>', `comma-separated filters, "all" (${ALL_FILTERS.join(', ')}) or "none"; also ${EXTRA_FILTERS.join(', ')}`, 'all')
    .option('--no-signals', 'do not compute RPv2 signals (filters only)')
    .option('--rpv2-signals <list>', 'comma-separated RPv2 signal names (default: every computable one)')
    .option('--ldnoobw <path>', 'LDNOOBW list for rps_doc_ldnoobw_words (RPv2 used commit 5faf2ba)')
    .option('--badwords <path>', 'bad-words list for c4_badwords (datatrove uses LDNOOBW en at commit 25e679f); without it c4_badwords is skipped')
    .option('--ut1 <path>', 'UT1 index for rps_doc_ut1_blacklist (domain_to_category_id.json or a blacklists folder)')
    .option('--ut1-categories <list>', 'UT1 categories (needed with a blacklists folder)')
    .option('--model <name=path>', 'fastText model for rps_doc_ml_<name>_score (wikiref, palm, wikipedia); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--tokenizer <kind>', 'word splitter of the filters: spacy (datatrove-identical) or simple', 'spacy')
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--id-field <name>', 'field holding the document id', 'id')
    .option('--limit <n>', 'stop after n documents')
    .option('--batch <n>', 'documents per batch', '256')
    .option('--quiet', 'no progress or summary on stderr')
    .action(async (input: string, opts: SignalsOptions) => {
      const log: Logger = {
        info: (m) => { if (!opts.quiet) process.stderr.write(`${m}\n`); },
        warn: (m) => process.stderr.write(`warning: ${m}\n`),
        debug: () => {},
      };
      if (opts.tokenizer !== 'spacy' && opts.tokenizer !== 'simple') {
        process.stderr.write(`curate signals: --tokenizer must be spacy or simple, not "${opts.tokenizer}"\n`);
        process.exitCode = 2;
        return;
      }
      try {
        const r = await runSignals(input, opts, log);
        if (!opts.quiet) {
          const mb = r.bytes / 1e6;
          process.stderr.write(
            `${r.docs} documents, ${mb.toFixed(1)} MB of text in ${r.cpuSeconds.toFixed(1)} CPU s ` +
              `(${(r.docs / r.cpuSeconds).toFixed(0)} docs/s, ${(mb / r.cpuSeconds).toFixed(2)} MB/s per core) -> ${opts.out}\n`,
          );
          for (const [f, k] of Object.entries(r.kept)) process.stderr.write(`  ${f}: ${k} kept, ${r.docs - k} dropped\n`);
        }
      } catch (e) {
        if (e instanceof UserError || (e as Error).name === 'InputError') {
          process.stderr.write(`curate signals: ${(e as Error).message}\n`);
          process.exitCode = 2;
          return;
        }
        const msg = (e as Error).message;
        // stage setup errors (missing word list, unreadable model) are user errors too: say what to fix
        if (/^(rpv2_signals|c4_badwords|zyda1_filters|cannot read)/.test(msg)) {
          process.stderr.write(`curate signals: ${msg}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
    });
}
