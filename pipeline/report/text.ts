// `curate report --format text`: the key tables for a terminal.
import type { ReportData } from './data.ts';
import { fmt } from './html.ts';

function table(head: string[], rows: string[][], right: (i: number) => boolean = (i) => i > 0): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (right(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function renderText(d: ReportData): string {
  const out: string[] = [];
  out.push(`curate report — ${d.name} (${d.kind === 'sample' ? 'signals-only sample' : d.runDir})`);
  const a = d.accounting;
  if (a) out.push(`read ${int(a.recordsRead)} records: ${int(a.written)} written + ${int(a.dropped)} dropped + ${int(a.quarantined)} quarantined${a.added ? ` − ${int(a.added)} added` : ''} ${a.balanced ? '✓ reconciled' : '✗ NOT reconciled'}`);
  if (d.funnel.length) {
    out.push('', 'Funnel (documents per source after each stage)');
    const stages = [{ stage: 'in', docs: d.input }, ...d.funnel];
    const rows = stages.map((f) => [f.stage, ...d.sources.map((s) => int(f.docs[s] ?? 0)), int(Object.values(f.docs).reduce((x, y) => x + y, 0))]);
    out.push(table(['stage', ...d.sources, 'all'], rows));
    out.push(d.stages.map((s) => `  ${s.id}: ${s.label}`).join('\n'));
  }
  if (d.tokens) out.push('', `Tokens in the output (${d.tokens.column})`, table(['source', 'tokens', 'documents'], d.sources.map((s) => [s, int(d.tokens!.bySource[s] ?? 0), int(d.tokens!.docsBySource[s] ?? 0)])));
  if (d.dropReasons.length) {
    out.push('', 'Drop reasons (ranked)');
    out.push(table(['reason', 'stage', 'documents', 'per source'], d.dropReasons.map((r) => [r.reason, r.stage, int(r.count), Object.entries(r.bySource).map(([s, n]) => `${s} ${int(n)}`).join(', ')]), (i) => i === 2));
  }
  for (const [title, hs] of [['Signals (before filtering)', d.signals], ['Classifier scores', d.classifiers]] as const) {
    if (!hs.length) continue;
    out.push('', title);
    const rows: string[][] = [];
    for (const h of hs) {
      for (const [s, sh] of Object.entries(h.sources)) {
        rows.push([h.column, s, int(sh.n), fmt(sh.min), fmt(sh.p50), fmt(sh.mean), fmt(sh.max), h.thresholds.map((t) => `${t.op} ${t.value}`).join(' ')]);
      }
    }
    out.push(table(['column', 'source', 'n', 'min', 'median', 'mean', 'max', 'threshold'], rows, (i) => i >= 2 && i <= 6));
  }
  for (const x of d.dedup) {
    out.push('', `Dedup ${x.stage} (${x.step})`);
    const s = x.summary;
    out.push(Object.entries(s).filter(([, v]) => typeof v === 'number').map(([k, v]) => `  ${k}: ${int(v as number)}`).join('\n'));
    if (s.clusterSizeHistogram) out.push(`  cluster sizes: ${Object.entries(s.clusterSizeHistogram as Record<string, number>).map(([k, v]) => `${k}×${int(v)}`).join(' ')}`);
    if (s.removedBySource) out.push(`  removed per source: ${Object.entries(s.removedBySource as Record<string, number>).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
    if (s.duplicatesBetweenSources) out.push(`  clusters shared between sources: ${Object.entries(s.duplicatesBetweenSources as Record<string, { clusters: number }>).map(([k, v]) => `${k}: ${int(v.clusters)}`).join('; ')}`);
  }
  for (const n of d.notes) out.push('', `note: ${n}`);
  return out.join('\n') + '\n';
}
