// The numbers behind `curate report`: funnel, drop reasons, pre-filter signal histograms with the manifest's
// thresholds, classifier score distributions and labels, dedup summaries, token counts, and sample documents —
// aggregated with DuckDB over a run's signal logs (pipeline/report/signal-log.ts), its outputs and its stats.
// Sections are computed from whatever the run holds: a run without dedup simply has no dedup section.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnSpec, StageStatsData } from '../types.ts';
import type { LoadedManifest } from '../manifest.ts';
import type { Plan } from '../plan.ts';
import type { RunStats } from '../run.ts';
import { loggedColumns } from './signal-log.ts';
import { Duck, fileList, ident, lit } from './duck.ts';

export interface StageInfo {
  /** Id as in the stats (`02-filter`, `apply-04-minhash_dedup`). */
  id: string;
  name: string;
  family: string;
  step: string;
  /** Short human label, e.g. `filter: n_words >= 300`. */
  label: string;
}

export interface Threshold {
  column: string;
  /** Comparison as written with the column on the left: keep when `column op value`. */
  op: '>=' | '>' | '<=' | '<' | '==' | '!=';
  value: number;
  stage: string;
  reason: string;
}

export interface SourceHist {
  /** Documents with a finite value. */
  n: number;
  /** Documents that entered the step without a (finite) value. */
  missing: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  /** Per bin: all documents, and those that survived the step. */
  counts: number[];
  kept: number[];
  /** Up to two sample document ids per bin. */
  samples: string[][];
}

export interface Histogram {
  column: string;
  description: string;
  stage: string;
  family: string;
  step: string;
  /** Left edge of bin 0 and bin width; values outside [lo, lo + bins*width) are counted in the edge bins. */
  lo: number;
  width: number;
  bins: number;
  integer: boolean;
  /** `log`: bins are even in log10(1 + value) (non-negative, heavy-tailed columns); lo/width are in that space. */
  scale: 'linear' | 'log';
  thresholds: Threshold[];
  sources: Record<string, SourceHist>;
}

export interface LabelCounts {
  column: string;
  stage: string;
  sources: Record<string, Record<string, number>>;
}

export interface DropReason {
  reason: string;
  stage: string;
  count: number;
  bySource: Record<string, number>;
  samples: string[];
}

export interface FunnelStep {
  stage: string;
  label: string;
  family: string;
  /** Documents after this stage, per source. */
  docs: Record<string, number>;
}

export interface DedupSection {
  step: string;
  stage: string;
  summary: Record<string, unknown>;
}

export interface SampleDoc {
  source: string;
  text: string | null;
  chars: number | null;
  kept: boolean | null;
  reason: string | null;
}

export interface ReportData {
  kind: 'run' | 'sample';
  name: string;
  runDir: string;
  generatedAt: string;
  curateVersion: string;
  manifestHash: string;
  sources: string[];
  stages: StageInfo[];
  /** Documents entering the first stage, per source. */
  input: Record<string, number>;
  funnel: FunnelStep[];
  tokens: { column: string; bySource: Record<string, number>; docsBySource: Record<string, number> } | null;
  mix: { stage: string; params: unknown }[];
  /** Requested vs achieved token shares of a mixed run (from the run stats). */
  mixShares: NonNullable<RunStats['mix']> | null;
  accounting: RunStats['accounting'] | null;
  output: RunStats['output'] | null;
  dropReasons: DropReason[];
  signals: Histogram[];
  classifiers: Histogram[];
  labels: LabelCounts[];
  dedup: DedupSection[];
  timing: { stage: string; ms: number; docsIn: number }[];
  docs: Record<string, SampleDoc>;
  notes: string[];
  /** Seconds spent computing the report data. */
  seconds: number;
}

/** Everything the aggregation needs, from a finished run or from a signals-only sample. */
export interface ReportSource {
  kind: 'run' | 'sample';
  name: string;
  runDir: string;
  curateVersion: string;
  manifestHash: string;
  lm: LoadedManifest;
  plan: Pick<Plan, 'steps'>;
  /** Merged stage stats per map step, in chain order. */
  stageStats: { step: string; stages: StageStatsData[] }[];
  /** Signal-log files per map step. */
  logs: { step: string; files: string[]; columns: ColumnSpec[] }[];
  textParquet: string[];
  textJson: string[];
  dedup: DedupSection[];
  accounting: RunStats['accounting'] | null;
  output: RunStats['output'] | null;
  mixShares?: RunStats['mix'];
  notes: string[];
}

export interface ReportOptions {
  bins?: number;
  samplesPerReason?: number;
  /** Characters of text kept per sample document. */
  snippetChars?: number;
  threads?: number;
}

const NUMERIC = new Set(['int32', 'int64', 'float64', 'bool']);

/** Task number in a run file name (`part-00012.parquet`, `part-00012-0003.parquet`, `part-00012.jsonl.gz`). */
export function taskOf(file: string): string | null {
  const m = /part-(\d{5})(?:-\d+)?\.(?:parquet|jsonl\.gz)$/.exec(file);
  return m ? m[1] : null;
}

/** `col >= 3`, `3 <= col`, `col < 0.5` … out of a filter expression (the rest of the expression is ignored). */
export function thresholdsOf(expr: string, stage: string, reason: string): Threshold[] {
  const out: Threshold[] = [];
  const num = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
  const name = String.raw`[A-Za-z_][A-Za-z0-9_.]*`;
  const ops = String.raw`>=|<=|==|!=|>|<`;
  const flip: Record<string, Threshold['op']> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '==': '==', '!=': '!=' };
  for (const m of expr.matchAll(new RegExp(String.raw`(?<![\w.])(${name})\s*(${ops})\s*(${num})(?![\w.])`, 'g'))) {
    if (['and', 'or', 'not', 'in'].includes(m[1])) continue;
    out.push({ column: m[1], op: m[2] as Threshold['op'], value: Number(m[3]), stage, reason });
  }
  for (const m of expr.matchAll(new RegExp(String.raw`(?<![\w.])(${num})\s*(${ops})\s*(${name})(?![\w.(])`, 'g'))) {
    if (['and', 'or', 'not', 'in'].includes(m[3])) continue;
    out.push({ column: m[3], op: flip[m[2]], value: Number(m[1]), stage, reason });
  }
  return out;
}

function stageLabel(name: string, params: unknown): string {
  const p = (params ?? {}) as Record<string, unknown>;
  if (name === 'filter' && typeof p.expr === 'string') return `filter: ${p.expr}`;
  return name;
}

/** Stage metadata (family, label) for a stats stage id. */
export function stageInfos(src: Pick<ReportSource, 'lm' | 'stageStats'>): StageInfo[] {
  const out: StageInfo[] = [];
  for (const st of src.stageStats) {
    for (const s of st.stages) {
      const apply = s.stage.startsWith('apply-');
      const rs = src.lm.stages.find((x) => x.id === (apply ? s.stage.slice(6) : s.stage));
      out.push({
        id: s.stage, step: st.step,
        name: rs ? (apply ? `${rs.name} (apply)` : rs.name) : s.stage,
        family: rs?.def.family ?? 'unknown',
        label: rs ? (apply ? `${rs.name}: remove duplicates` : stageLabel(rs.name, rs.params)) : s.stage,
      });
    }
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
}

/** Position of a value on a histogram's axis. */
export function toScale(v: number, scale: 'linear' | 'log'): number {
  return scale === 'log' ? Math.log10(v + 1) : v;
}

export function fromScale(x: number, scale: 'linear' | 'log'): number {
  return scale === 'log' ? 10 ** x - 1 : x;
}

/** Where a threshold splits the values: for integers, between the last dropped and the first kept value. */
function boundary(t: Threshold, integer: boolean): number {
  if (!integer) return t.value;
  if (t.op === '>=' || t.op === '<') return Math.ceil(t.value) - 0.5;
  if (t.op === '>' || t.op === '<=') return Math.floor(t.value) + 0.5;
  return t.value - 0.5;
}

/**
 * Bin layout for one column: integer columns with a small range get one bin per value; when a threshold lies in
 * the plotted range, the bins are shifted so that it falls on a bin edge (every bin is wholly kept or dropped).
 */
function layout(min: number, max: number, qlo: number, qhi: number, integer: boolean, bins: number, bounds: number[]): { lo: number; width: number; bins: number } {
  const l = layout0(min, max, qlo, qhi, integer, bins, bounds);
  const hi = l.lo + l.width * l.bins;
  const b = bounds.find((x) => x > l.lo && x < hi);
  if (b === undefined) return l;
  const k = (b - l.lo) / l.width;
  if (Math.abs(k - Math.round(k)) < 1e-9) return l;
  // values left of the new first edge are counted in bin 0, which still lies wholly below the threshold
  const lo = b - Math.max(1, Math.floor(k)) * l.width;
  return { lo, width: l.width, bins: Math.ceil((hi - lo) / l.width - 1e-9) };
}

function layout0(min: number, max: number, qlo: number, qhi: number, integer: boolean, bins: number, bounds: number[]): { lo: number; width: number; bins: number } {
  let lo = Number.isFinite(qlo) ? qlo : min;
  let hi = Number.isFinite(qhi) ? qhi : max;
  if (!(hi > lo)) { lo = min; hi = max; }
  const span0 = Math.max(hi - lo, 1e-9);
  for (const t of bounds) {
    // a threshold inside (or close to) the data is drawn; one far outside would squash the histogram
    if (t < lo && t >= lo - 2 * span0) lo = t;
    if (t > hi && t <= hi + 2 * span0) hi = t;
  }
  if (integer) {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
    if (hi - lo + 1 <= bins * 1.5) return { lo: lo - 0.5, width: 1, bins: hi - lo + 1 };
    const width = Math.ceil((hi - lo + 1) / bins);
    return { lo: lo - 0.5, width, bins: Math.ceil((hi - lo + 1) / width) };
  }
  if (!(hi > lo)) return { lo: lo - 0.5, width: 1 / bins, bins };
  return { lo, width: (hi - lo) / bins, bins };
}

export async function collectReport(src: ReportSource, opts: ReportOptions = {}): Promise<ReportData> {
  const t0 = performance.now();
  const B = opts.bins ?? 40;
  const perReason = opts.samplesPerReason ?? 5;
  const snippet = opts.snippetChars ?? 3000;
  const db = await Duck.open(opts.threads);
  const notes = [...src.notes];
  try {
    const stages = stageInfos(src);
    const allStats = src.stageStats.flatMap((s) => s.stages);
    const sources = src.lm.manifest.sources.map((s) => s.name);

    // funnel: documents per source entering the chain and after every stage
    const input: Record<string, number> = {};
    const first = allStats[0];
    for (const s of sources) input[s] = first?.sources?.[s]?.in ?? 0;
    const funnel: FunnelStep[] = allStats.map((s) => {
      const info = stages.find((x) => x.id === s.stage)!;
      return { stage: s.stage, label: info.label, family: info.family, docs: Object.fromEntries(sources.map((n) => [n, s.sources?.[n]?.out ?? 0])) };
    });

    // which stage writes which column
    const producer = new Map<string, { stage: string; family: string; description: string }>();
    for (const rs of src.lm.stages) {
      for (const c of rs.writes) if (!producer.has(c.name)) producer.set(c.name, { stage: rs.id, family: rs.def.family, description: c.description ?? '' });
    }
    const thresholds: Threshold[] = [];
    for (const rs of src.lm.stages) {
      const p = rs.params as Record<string, unknown>;
      if (rs.name === 'filter' && typeof p.expr === 'string') thresholds.push(...thresholdsOf(p.expr, rs.id, typeof p.reason === 'string' ? p.reason : `filter:${p.expr}`));
    }

    const views: { step: string; view: string; cols: Set<string> }[] = [];
    for (const [k, l] of src.logs.entries()) {
      if (!l.files.length) continue;
      const view = `log${k}`;
      // filename: samples are taken from the lowest-numbered tasks first, so their texts come from few files
      await db.run(`CREATE VIEW ${view} AS SELECT * FROM read_parquet(${fileList(l.files)}, union_by_name = true, filename = true)`);
      views.push({ step: l.step, view, cols: new Set(loggedColumns(l.columns).map((c) => c.name)) });
    }
    if (!views.length) notes.push('This run has no signal logs (it was made by a curate version without them): histograms, per-source drop reasons and samples are unavailable; rerun it to get them.');

    const wanted = new Set<string>();

    // drop reasons (counts from the stats, per-source split and samples from the logs)
    const dropReasons: DropReason[] = [];
    for (const s of allStats) for (const [reason, count] of Object.entries(s.dropped)) dropReasons.push({ reason, stage: s.stage, count, bySource: {}, samples: [] });
    for (const v of views) {
      const rows = await db.all<{ drop_stage: string; drop_reason: string; source: string; n: number }>(
        `SELECT drop_stage, drop_reason, source, count(*) AS n FROM ${v.view} WHERE NOT kept GROUP BY ALL`);
      for (const r of rows) {
        const d = dropReasons.find((x) => x.stage === r.drop_stage && x.reason === r.drop_reason);
        if (d) d.bySource[r.source] = r.n;
      }
      const samples = await db.all<{ drop_stage: string; drop_reason: string; ids: string[] }>(
        `SELECT drop_stage, drop_reason, min_by(id, row(filename, hash(id), id), ${perReason}) AS ids FROM ${v.view} WHERE NOT kept GROUP BY ALL`);
      for (const r of samples) {
        const d = dropReasons.find((x) => x.stage === r.drop_stage && x.reason === r.drop_reason);
        if (d) for (const id of r.ids) { d.samples.push(id); wanted.add(id); }
      }
    }
    dropReasons.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));

    // histograms of every numeric column, over every document that entered the step where it was computed
    const signals: Histogram[] = [];
    const classifiers: Histogram[] = [];
    const labels: LabelCounts[] = [];
    const done = new Set<string>();
    for (const v of views) {
      const l = src.logs.find((x) => x.step === v.step)!;
      const stepStages = new Set(src.plan.steps.find((s) => s.id === v.step && s.kind === 'map')?.kind === 'map'
        ? (src.plan.steps.find((s) => s.id === v.step) as { stages: string[] }).stages : []);
      const cols = loggedColumns(l.columns).filter((c) => {
        const p = producer.get(c.name);
        return p && stepStages.has(p.stage) && !done.has(c.name) && p.family !== 'dedup';
      });
      const numeric = cols.filter((c) => NUMERIC.has(c.type));
      for (const c of cols) done.add(c.name);
      const valueExpr = (c: ColumnSpec): string => c.type === 'bool'
        ? `CAST(${ident(c.name)} AS DOUBLE)`
        : `CASE WHEN isfinite(CAST(${ident(c.name)} AS DOUBLE)) THEN CAST(${ident(c.name)} AS DOUBLE) END`;
      if (numeric.length) {
        const aggs = numeric.map((_, i) => `count(c${i}) AS n${i}, min(c${i}) AS mn${i}, max(c${i}) AS mx${i}, avg(c${i}) AS av${i}, approx_quantile(c${i}, [0.005, 0.5, 0.995]) AS q${i}`).join(', ');
        const st = await db.all(`SELECT source, count(*) AS total, ${aggs} FROM (SELECT source, ${numeric.map((c, i) => `${valueExpr(c)} AS c${i}`).join(', ')} FROM ${v.view}) GROUP BY source ORDER BY source`);
        // the plotted range spans every source: lowest 0.5th and highest 99.5th percentile of any source
        const overall: Record<string, number> = {};
        numeric.forEach((_, i) => {
          const withData = st.filter((r) => num(r[`n${i}`]) > 0);
          const q = (r: Record<string, unknown>, k: number): number => num((r[`q${i}`] as unknown[] | null)?.[k]);
          overall[`mn${i}`] = Math.min(...withData.map((r) => num(r[`mn${i}`])));
          overall[`mx${i}`] = Math.max(...withData.map((r) => num(r[`mx${i}`])));
          overall[`ql${i}`] = Math.min(...withData.map((r) => q(r, 0)));
          overall[`qh${i}`] = Math.max(...withData.map((r) => q(r, 2)));
          for (const r of st) r[`p${i}`] = q(r, 1);
        });
        const scales: Histogram['scale'][] = [];
        const hists: Histogram[] = numeric.map((c, i) => {
          const th = thresholds.filter((t) => t.column === c.name);
          const mn = num(overall[`mn${i}`]), mx = num(overall[`mx${i}`]), ql = num(overall[`ql${i}`]), qh = num(overall[`qh${i}`]);
          const scale: Histogram['scale'] = c.type !== 'bool' && mn >= 0 && (qh + 1) / (Math.max(ql, 0) + 1) > 30 ? 'log' : 'linear';
          const integer = c.type !== 'float64' && scale === 'linear';
          const bounds = th.map((t) => toScale(boundary(t, c.type !== 'float64'), scale));
          const lay = layout(toScale(mn, scale), toScale(mx, scale), toScale(ql, scale), toScale(qh, scale), integer, B, bounds);
          scales[i] = scale;
          const p = producer.get(c.name)!;
          const h: Histogram = { column: c.name, description: p.description || c.description || '', stage: p.stage, family: p.family, step: v.step, ...lay, integer, scale, thresholds: th, sources: {} };
          for (const r of st) {
            if (num(r[`n${i}`]) === 0) continue;
            h.sources[r.source as string] = {
              n: num(r[`n${i}`]), missing: num(r.total) - num(r[`n${i}`]), min: num(r[`mn${i}`]), max: num(r[`mx${i}`]), mean: num(r[`av${i}`]), p50: num(r[`p${i}`]),
              counts: new Array<number>(lay.bins).fill(0), kept: new Array<number>(lay.bins).fill(0), samples: Array.from({ length: lay.bins }, () => []),
            };
          }
          return h;
        });
        const parts = numeric.map((c, i) => {
          const h = hists[i];
          if (!Object.keys(h.sources).length) return null;
          const x = scales[i] === 'log' ? 'log10(v + 1)' : 'v';
          return `SELECT ${i} AS ci, source, CAST(LEAST(GREATEST(FLOOR((${x} - ${h.lo}) / ${h.width}), 0), ${h.bins - 1}) AS INTEGER) AS bin, count(*) AS n, count(*) FILTER (WHERE kept) AS k, min_by(id, row(filename, hash(id), id), 2) AS s FROM (SELECT source, id, kept, filename, ${valueExpr(c)} AS v FROM ${v.view}) WHERE v IS NOT NULL GROUP BY ALL`;
        }).filter((x): x is string => x !== null);
        if (parts.length) {
          const rows = await db.all<{ ci: number; source: string; bin: number; n: number; k: number; s: string[] }>(parts.join('\nUNION ALL\n'));
          for (const r of rows) {
            const sh = hists[r.ci].sources[r.source];
            if (!sh) continue;
            sh.counts[r.bin] += r.n;
            sh.kept[r.bin] += r.k;
            sh.samples[r.bin] = r.s;
            for (const id of r.s) wanted.add(id);
          }
        }
        for (const h of hists) {
          if (!Object.keys(h.sources).length) continue;
          (h.family === 'classify' ? classifiers : signals).push(h);
        }
      }
      for (const c of cols.filter((x) => x.type === 'string' && producer.get(x.name)?.family === 'classify')) {
        const rows = await db.all<{ source: string; v: string; n: number }>(`SELECT source, CAST(${ident(c.name)} AS VARCHAR) AS v, count(*) AS n FROM ${v.view} WHERE ${ident(c.name)} IS NOT NULL GROUP BY ALL ORDER BY n DESC LIMIT 400`);
        const lc: LabelCounts = { column: c.name, stage: producer.get(c.name)!.stage, sources: {} };
        for (const r of rows) (lc.sources[r.source] ??= {})[r.v] = r.n;
        labels.push(lc);
      }
    }

    // tokens per source in the final output, when a stage counts them
    let tokens: ReportData['tokens'] = null;
    const last = views.find((v) => v.step === src.logs[src.logs.length - 1]?.step);
    if (last) {
      const col = ['n_tokens', 'token_count', 'num_tokens'].find((c) => last.cols.has(c));
      if (col) {
        const rows = await db.all<{ source: string; t: number; d: number }>(`SELECT source, CAST(sum(${ident(col)}) AS DOUBLE) AS t, count(*) AS d FROM ${last.view} WHERE kept GROUP BY ALL`);
        tokens = { column: col, bySource: Object.fromEntries(rows.map((r) => [r.source, r.t])), docsBySource: Object.fromEntries(rows.map((r) => [r.source, r.d])) };
      }
    }
    const mix = src.lm.stages.filter((s) => s.def.family === 'mix').map((s) => ({ stage: s.id, params: s.params }));

    // texts of the sample documents (kept: step data / final shards; dropped: rejected/ when it was written)
    const docs: Record<string, SampleDoc> = {};
    if (wanted.size) {
      await db.run('CREATE TEMP TABLE want (id VARCHAR)');
      const ids = [...wanted];
      for (let i = 0; i < ids.length; i += 1000) await db.run(`INSERT INTO want VALUES ${ids.slice(i, i + 1000).map((x) => `(${lit(x)})`).join(', ')}`);
      const tasks = new Set<string>();
      for (const v of views) {
        const rows = await db.all<{ id: string; source: string; kept: boolean; drop_reason: string | null; files: string[] }>(`SELECT id, any_value(source) AS source, bool_and(kept) AS kept, any_value(drop_reason) AS drop_reason, list(DISTINCT filename) AS files FROM ${v.view} WHERE id IN (SELECT id FROM want) GROUP BY id`);
        for (const r of rows) {
          for (const f of r.files) { const t = taskOf(f); if (t) tasks.add(t); }
          const d = (docs[r.id] ??= { source: r.source, text: null, chars: null, kept: true, reason: null });
          if (!r.kept) { d.kept = false; d.reason = r.drop_reason; }
        }
      }
      const textRows: { id: string; t: string | null; len: number | null }[] = [];
      // only the files of the tasks that hold samples (files without a task number, e.g. a sample's texts, always)
      const ofTasks = (files: string[]): string[] => files.filter((f) => { const t = taskOf(f); return t === null || tasks.has(t); });
      const textParquet = ofTasks(src.textParquet), textJson = ofTasks(src.textJson);
      if (textParquet.length) {
        try {
          textRows.push(...await db.all<{ id: string; t: string | null; len: number | null }>(`SELECT id, any_value(left(text, ${snippet})) AS t, any_value(length(text)) AS len FROM read_parquet(${fileList(textParquet)}, union_by_name = true) WHERE id IN (SELECT id FROM want) GROUP BY id`));
        } catch (e) {
          notes.push(`sample texts could not be read from the Parquet outputs: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      if (textJson.length) {
        try {
          textRows.push(...await db.all<{ id: string; t: string | null; len: number | null }>(`SELECT id, any_value(left(text, ${snippet})) AS t, any_value(length(text)) AS len FROM read_json(${fileList(textJson)}, format = 'newline_delimited', columns = {id: 'VARCHAR', text: 'VARCHAR'}) WHERE id IN (SELECT id FROM want) GROUP BY id`));
        } catch (e) {
          notes.push(`sample texts could not be read from rejected/: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      for (const r of textRows) {
        const d = docs[r.id];
        if (d && d.text === null && r.t !== null) { d.text = r.t; d.chars = r.len; }
      }
      if (Object.values(docs).some((d) => d.text === null && d.kept === false)) notes.push('Texts of dropped documents are shown only when the run wrote them (`output.rejected: true`).');
    }

    const timing = allStats.map((s) => ({ stage: s.stage, ms: Math.round(s.ms), docsIn: s.in }));
    return {
      kind: src.kind, name: src.name, runDir: src.runDir, generatedAt: new Date().toISOString(), curateVersion: src.curateVersion, manifestHash: src.manifestHash,
      sources, stages, input, funnel, tokens, mix, mixShares: src.mixShares ?? null, accounting: src.accounting, output: src.output, dropReasons, signals, classifiers, labels,
      dedup: src.dedup, timing, docs, notes, seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------
// A finished run as a report source

function filesIn(dir: string, pred: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => !n.startsWith('.') && pred(n)).sort().map((n) => join(dir, n));
}

export function runFiles(runDir: string, plan: Plan): { logs: ReportSource['logs']; textParquet: string[]; textJson: string[] } {
  const logs: ReportSource['logs'] = [];
  const textParquet: string[] = [];
  const textJson: string[] = [];
  for (const s of plan.steps) {
    if (s.kind !== 'map') continue;
    logs.push({ step: s.id, files: filesIn(join(runDir, 'steps', s.id, 'signals'), (n) => n.endsWith('.parquet')), columns: s.columns });
    if (!s.final) textParquet.push(...filesIn(join(runDir, 'steps', s.id, 'data'), (n) => n.endsWith('.parquet')));
    textJson.push(...filesIn(join(runDir, 'rejected', s.id), (n) => n.endsWith('.jsonl.gz')));
  }
  textParquet.push(...filesIn(join(runDir, 'data'), (n) => n.endsWith('.parquet')));
  textJson.push(...filesIn(join(runDir, 'data'), (n) => n.endsWith('.jsonl.gz')));
  return { logs, textParquet, textJson };
}
