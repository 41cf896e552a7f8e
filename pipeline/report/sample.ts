// Signals-only mode (`curate report --sample N <manifest>`): runs the manifest's chain up to its first global
// step (dedup clustering, mixing) on a sample of each source, in this process, and reports it like a run —
// signal histograms with the thresholds drawn, what each filter would drop — so thresholds can be chosen
// before a full run. Nothing is written next to the manifest; the working files go to a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch, ColumnSpec, Doc, Logger, Stage, StageContext } from '../types.ts';
import { loadManifest } from '../manifest.ts';
import { listInputs, UserError } from '../run.ts';
import { openStorage } from '../storage-settings.ts';
import { readRecords } from '../formats/readers.ts';
import { recordToDoc } from '../sources.ts';
import { StatsRecorder } from '../stats.ts';
import { DocWriter } from '../formats/doc-writer.ts';
import { SignalLog } from './signal-log.ts';
import { collectReport, type ReportData, type ReportOptions, type ReportSource } from './data.ts';
import { VERSION } from '../version.ts';
import { manifestHash } from '../plan.ts';

export interface SampleOptions extends ReportOptions {
  /** Documents per source (at most; spread over the source's files). */
  perSource: number;
  log: Logger;
  /** Keep the working folder (for debugging). */
  workDir?: string;
}

export async function sampleReport(manifestFile: string, opts: SampleOptions): Promise<ReportData> {
  const lm = loadManifest(manifestFile);
  const storage = await openStorage();
  const inputs = await listInputs(lm, storage);
  const work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'curate-sample-'));
  try {
    const chain = [];
    for (const rs of lm.stages) {
      if (rs.def.global) break;
      chain.push(rs);
    }
    const notes: string[] = [];
    if (chain.length < lm.stages.length) notes.push(`Only the stages before ${lm.stages[chain.length].id} ran: it needs every document of the run (global step), which a sample cannot stand in for.`);

    // the sample: an equal share of the per-source budget from each of the source's files, in file order
    const docs: Doc[] = [];
    for (const src of lm.manifest.sources) {
      const files = inputs.filter((f) => f.source === src.name);
      if (!files.length) { notes.push(`source ${src.name}: no input files matched`); continue; }
      const quota = Math.max(1, Math.ceil(opts.perSource / files.length));
      let taken = 0, bad = 0;
      for (const f of files) {
        if (taken >= opts.perSource) break;
        let fromFile = 0;
        outer: for await (const items of readRecords(storage, f.uri, f.format)) {
          for (const it of items) {
            if (fromFile >= quota || taken >= opts.perSource) break outer;
            if ('error' in it) { bad++; continue; }
            const r = recordToDoc(it.rec, it.row, f, src);
            if ('error' in r) { bad++; continue; }
            docs.push(r.doc);
            fromFile++; taken++;
          }
        }
      }
      if (bad) notes.push(`source ${src.name}: ${bad} unreadable record(s) skipped in the sample`);
      opts.log.info(`sample: ${taken} documents of ${src.name} from ${files.length} file(s)`);
    }

    const columns: ColumnSpec[] = [];
    for (const rs of chain) for (const c of rs.writes) { const i = columns.findIndex((x) => x.name === c.name); if (i >= 0) columns[i] = c; else columns.push(c); }
    const slog = new SignalLog(storage, join(work, 'signals', 'part-00000.parquet'), columns);
    const recorders: StatsRecorder[] = [];
    const built: Stage[] = [];
    let stream: AsyncIterable<Batch> = (async function* () {
      const bs = lm.manifest.executor.batch_size;
      for (let i = 0; i < docs.length; i += bs) yield { docs: docs.slice(i, i + bs) };
    })();
    try {
      for (const rs of chain) {
        const stage = rs.def.create(rs.params);
        const rec = new StatsRecorder(rs.id);
        rec.data.sources = {};
        rec.onDrop = (reason, d) => { if (d) slog.dropped(d, reason, rs.id); };
        const ctx: StageContext = {
          task: { step: '01-map', task: 0, tasks: 1 }, runDir: work, sideDir: join(work, 'side', rs.id), storage, stats: rec, log: opts.log, baseDir: lm.baseDir,
        };
        await stage.setup?.(ctx);
        built.push(stage);
        recorders.push(rec);
        const bySrc = rec.data.sources;
        const input = stream;
        const counted = (async function* () {
          for await (const b of input) {
            rec.data.in += b.docs.length;
            for (const d of b.docs) (bySrc[d.source] ??= { in: 0, out: 0 }).in++;
            yield b;
          }
        })();
        const out = stage.run(counted, ctx);
        stream = (async function* () {
          for await (const b of out) {
            rec.data.out += b.docs.length;
            for (const d of b.docs) (bySrc[d.source] ??= { in: 0, out: 0 }).out++;
            yield b;
          }
        })();
      }
      const texts = new DocWriter(storage, { format: 'parquet', columns: [], includeMeta: false, shardUri: () => join(work, 'texts.parquet') });
      const all = new Map(docs.map((d) => [d.id, d]));
      for await (const b of stream) {
        for (const d of b.docs) slog.kept(d);
        await slog.flush();
      }
      await slog.close();
      for (const d of all.values()) await texts.write(d);
      await texts.close();
    } finally {
      for (const s of built) await s.teardown?.().catch(() => {});
    }
    if (!docs.length) throw new UserError(`no documents could be read from the sources of ${manifestFile}; check their uri settings (\`curate validate\` checks the manifest).`);

    const src: ReportSource = {
      kind: 'sample', name: lm.manifest.name, runDir: work, curateVersion: VERSION, manifestHash: manifestHash(lm), lm,
      plan: { steps: [{ kind: 'map', id: '01-map', stages: chain.map((c) => c.id), input: 'sources', final: true, columns }] },
      stageStats: [{ step: '01-map', stages: recorders.map((r) => r.data) }],
      logs: [{ step: '01-map', files: [join(work, 'signals', 'part-00000.parquet')], columns }],
      textParquet: [join(work, 'texts.parquet')], textJson: [], dedup: [], accounting: null, output: null, notes,
    };
    return await collectReport(src, opts);
  } finally {
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}
