// The `curate` command line.
import { Command } from 'commander';
import type { Logger } from './types.ts';
import { loadManifest, ManifestError } from './manifest.ts';
import { registry } from '../stages/registry.ts';
import { run, UserError, pendingTasks } from './run.ts';
import { runTask } from './task.ts';
import { openStorage } from './storage-settings.ts';
import { runPaths } from './rundir.ts';
import type { Plan } from './plan.ts';
import { detectFormat, readRecords, InputError } from './formats/readers.ts';
import { loadCommands } from './commands/index.ts';
import { VERSION } from './version.ts';
import { describeParams } from './params-doc.ts';

const quiet = { v: false };
const log: Logger = {
  info: (m) => { if (!quiet.v) console.error(m); },
  warn: (m) => console.error(`warning: ${m}`),
  debug: (m) => { if (process.env.CURATE_DEBUG) console.error(m); },
};

const program = new Command();
program.name('curate').description('Build LLM pretraining datasets: quality signals, filters, MinHash-LSH dedup, ONNX classifiers, mixing, tokenized Parquet.').version(VERSION);
program.showHelpAfterError('(run with --help for usage)');

program.command('run')
  .description('Run a manifest. Resumes an interrupted run: finished tasks are skipped.')
  .argument('<manifest>', 'YAML manifest')
  .option('-o, --output <dir>', 'run directory (overrides output.uri)')
  .option('-w, --workers <n>', 'parallel tasks on this machine (does not change the output)', (v) => parseInt(v, 10))
  .option('--force-restart', 'delete an existing run in the output directory and start over')
  .option('-q, --quiet', 'only errors')
  .action(async (manifest: string, o: { output?: string; workers?: number; forceRestart?: boolean; quiet?: boolean }) => {
    quiet.v = Boolean(o.quiet);
    const t0 = Date.now();
    const r = await run(manifest, { output: o.output, workers: o.workers, forceRestart: o.forceRestart, log });
    const a = r.stats.accounting;
    const reasons = Object.entries(a.droppedByReason).sort((x, y) => y[1] - x[1]);
    const lines = [
      `done in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${r.runDir}`,
      `  read ${a.recordsRead} records: ${a.written} written + ${a.dropped} dropped + ${a.quarantined} quarantined${a.added ? ` (− ${a.added} added by mixing)` : ''} ✓ reconciled`,
      ...(a.unreadableFiles ? [`  ${a.unreadableFiles} unreadable file(s) or file tail(s) quarantined (on_error: skip): see ${runPaths(r.runDir).stats}`] : []),
      ...reasons.slice(0, 12).map(([k, v]) => `    dropped ${String(v).padStart(8)}  ${k}`),
      ...(r.stats.mix ? ['  mix (tokens):        requested  achieved   target tokens  achieved tokens', ...Object.entries(r.stats.mix).map(([s, m]) => `    ${s.padEnd(18)} ${(100 * m.requestedShare).toFixed(2).padStart(8)}% ${(100 * m.achievedShare).toFixed(2).padStart(8)}% ${String(m.targetTokens).padStart(15)} ${String(m.achievedTokens).padStart(16)}`)] : []),
      `  output: ${r.stats.output.shards} shard(s) in ${runPaths(r.runDir).dataDir}, stats in ${runPaths(r.runDir).stats}`,
    ];
    console.log(lines.join('\n'));
  });

program.command('validate')
  .description('Check a manifest without running it: schema, stage names and parameters, filter expressions, columns.')
  .argument('<manifest...>', 'YAML manifest(s)')
  .action(async (files: string[]) => {
    let bad = 0;
    for (const f of files) {
      try {
        const lm = loadManifest(f);
        console.log(`${f}: ok (${lm.manifest.sources.length} sources, ${lm.stages.length} stages, ${lm.columns.length} columns)`);
      } catch (e) {
        if (e instanceof ManifestError) { bad++; console.error(e.message); } else throw e;
      }
    }
    if (bad) { console.error(`${bad} manifest(s) have problems (listed above as file:line:column path: message).`); process.exitCode = 1; }
  });

program.command('list')
  .description('List every stage a manifest can use, with its parameters and the columns it writes.')
  .argument('[stage]', 'show one stage in detail')
  .option('--json', 'machine-readable output')
  .action((name: string | undefined, o: { json?: boolean }) => {
    const defs = [...registry.values()].filter((d) => !name || d.name === name);
    if (name && defs.length === 0) throw new UserError(`no stage named "${name}"; \`curate list\` shows them all`);
    if (o.json) {
      console.log(JSON.stringify(defs.map((d) => ({ name: d.name, family: d.family, description: d.description, global: Boolean(d.global), params: describeParams(d.params) })), null, 1));
      return;
    }
    const byFamily = new Map<string, typeof defs>();
    for (const d of defs) byFamily.set(d.family, [...(byFamily.get(d.family) ?? []), d]);
    for (const [fam, ds] of byFamily) {
      console.log(`\n${fam}`);
      for (const d of ds) {
        console.log(`  ${d.name.padEnd(22)} ${d.description}${d.global ? ' [global step]' : ''}`);
        if (name || process.stdout.isTTY === false || defs.length === 1) {
          for (const p of describeParams(d.params)) console.log(`      ${p.name.padEnd(24)} ${p.type.padEnd(16)} default ${p.default.padEnd(10)} ${p.description}`);
        }
      }
    }
  });

program.command('status')
  .description('Show the progress of a run: tasks done per step.')
  .argument('<run-dir>', 'run directory')
  .action(async (runDir: string) => {
    const storage = await openStorage();
    const p = runPaths(runDir);
    if (!(await storage.stat(p.plan))) throw new UserError(`${runDir} is not a curate run directory (no _run/plan.json). Start one with \`curate run <manifest> --output ${runDir}\`.`);
    const plan = JSON.parse(Buffer.from(await storage.read(p.plan)).toString()) as Plan;
    console.log(`run "${plan.name}" (${plan.inputs.length} inputs, ${plan.tasks} tasks)`);
    let all = true;
    for (const s of plan.steps) {
      const n = s.kind === 'global' ? 1 : plan.tasks;
      const pend = await pendingTasks(storage, runDir, plan, s.id);
      if (pend.length) all = false;
      const show = pend.length && pend.length <= 10 ? ` (pending: ${pend.join(', ')})` : '';
      console.log(`  ${s.id.padEnd(28)} ${String(n - pend.length).padStart(6)}/${n} done${show}`);
    }
    const stats = await storage.stat(p.stats);
    console.log(all ? (stats ? `complete; stats in ${p.stats}` : 'all tasks done; rerun `curate run` to write the summary') : 'incomplete; rerun `curate run` with the same manifest to resume');
  });

program.command('inspect')
  .description('Print rows of any supported input or output file (JSONL, JSONL.gz, JSONL.zst, Parquet).')
  .argument('<file>', 'file path or s3:// URI')
  .option('-n, --limit <n>', 'rows to print', (v) => parseInt(v, 10), 5)
  .option('--offset <n>', 'skip rows first', (v) => parseInt(v, 10), 0)
  .option('--width <n>', 'truncate long strings to this many characters (0: never)', (v) => parseInt(v, 10), 200)
  .option('--json', 'one JSON object per line, untruncated')
  .action(async (file: string, o: { limit: number; offset: number; width: number; json?: boolean }) => {
    const storage = await openStorage();
    const fmt = detectFormat(file);
    if (!fmt) throw new UserError(`cannot tell the format of ${file} from its name (expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet)`);
    let i = 0;
    const cut = (v: unknown): unknown => {
      if (typeof v === 'string' && o.width > 0 && v.length > o.width) return `${v.slice(0, o.width)}… (${v.length} chars)`;
      if (ArrayBuffer.isView(v)) return cut(Array.from(v as Uint32Array));
      if (Array.isArray(v) && o.width > 0 && v.length > 20) return [...v.slice(0, 20), `… (${v.length} items)`];
      return v;
    };
    outer: for await (const items of readRecords(storage, file, fmt)) {
      for (const it of items) {
        if (i++ < o.offset) continue;
        if (i > o.offset + o.limit) break outer;
        if ('error' in it) { console.log(`row ${it.row}: ERROR ${it.error}`); continue; }
        const rec = Object.fromEntries(Object.entries(it.rec).map(([k, v]) => [k, o.json ? (ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v) : cut(v)]));
        console.log(o.json ? JSON.stringify(rec) : `--- row ${it.row}\n${JSON.stringify(rec, null, 2)}`);
      }
    }
  });

program.command('_task', { hidden: true })
  .description('Run one task of a planned run (used by executors).')
  .argument('<run-dir>').argument('<step>').argument('<task>')
  .action(async (runDir: string, step: string, task: string) => {
    const storage = await openStorage(runDir);
    await runTask(runDir, step, Number(task), { storage, log });
  });

for (const register of await loadCommands()) register(program);


try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ManifestError) console.error(e.message);
  else if (e instanceof UserError || e instanceof InputError) console.error(`error: ${e.message}`);
  else if (e instanceof Error && e.name === 'TaskFailure') {
    const f = e as Error & { step: string; task: number };
    console.error(`error: task ${f.task} of step ${f.step} failed: ${f.message}\nFinished tasks are kept; fix the cause and run the same command again to resume.`);
  } else if (e instanceof Error && /^source "/.test(e.message)) console.error(`error: ${e.message}`);
  else {
    console.error(e instanceof Error ? (process.env.CURATE_DEBUG ? e.stack : `error: ${e.message}\n(set CURATE_DEBUG=1 for the stack trace)`) : String(e));
  }
  process.exitCode = 1;
}
