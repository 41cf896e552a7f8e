// Per-stage counters and mergeable metric summaries.
import type { Doc, MetricSummary, StageStats, StageStatsData } from './types.ts';

export function emptySummary(): MetricSummary {
  return { n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
}

/** Welford update; NaN values are ignored (they have no mean). */
export function observe(s: MetricSummary, x: number): void {
  if (Number.isNaN(x)) return;
  s.n++;
  const d = x - s.mean;
  s.mean += d / s.n;
  s.m2 += d * (x - s.mean);
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
}

/** Chan et al. pairwise combination: merging per-task summaries gives the same result as one pass. */
export function mergeSummary(a: MetricSummary, b: MetricSummary): MetricSummary {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  return {
    n,
    mean: a.mean + (d * b.n) / n,
    m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

export function variance(s: MetricSummary): number {
  return s.n > 1 ? s.m2 / (s.n - 1) : 0;
}

export function emptyStageStats(stage: string): StageStatsData {
  return { stage, in: 0, out: 0, dropped: {}, added: 0, metrics: {}, ms: 0 };
}

export function mergeStageStats(a: StageStatsData, b: StageStatsData): StageStatsData {
  const out: StageStatsData = { ...a, dropped: { ...a.dropped }, metrics: { ...a.metrics } };
  out.in += b.in;
  out.out += b.out;
  out.added += b.added;
  out.ms += b.ms;
  for (const [k, v] of Object.entries(b.dropped)) out.dropped[k] = (out.dropped[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.metrics)) out.metrics[k] = out.metrics[k] ? mergeSummary(out.metrics[k], v) : { ...v };
  if (a.sources || b.sources) {
    out.sources = {};
    for (const src of [a.sources ?? {}, b.sources ?? {}]) {
      for (const [k, v] of Object.entries(src)) {
        const t = (out.sources[k] ??= { in: 0, out: 0 });
        t.in += v.in;
        t.out += v.out;
      }
    }
  }
  return out;
}

/** The StageStats handed to a stage, writing into a StageStatsData record. */
export class StatsRecorder implements StageStats {
  readonly data: StageStatsData;
  /** Optional hook (e.g. to keep sample documents per drop reason for the report). */
  onDrop?: (reason: string, doc: Doc | undefined) => void;
  constructor(stage: string) {
    this.data = emptyStageStats(stage);
  }
  drop(reason: string, doc?: Doc): void {
    this.data.dropped[reason] = (this.data.dropped[reason] ?? 0) + 1;
    this.onDrop?.(reason, doc);
  }
  add(n = 1): void {
    this.data.added += n;
  }
  metric(name: string, value: number): void {
    const m = (this.data.metrics[name] ??= emptySummary());
    observe(m, value);
  }
}

export function totalDropped(s: StageStatsData): number {
  let t = 0;
  for (const v of Object.values(s.dropped)) t += v;
  return t;
}
