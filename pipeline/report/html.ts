// Renders ReportData as one self-contained HTML file: inline CSS, inline SVG charts drawn here, a small inline
// script for click-to-read samples. No external resource of any kind, so it opens offline from disk.
import { fromScale, toScale, type DedupSection, type Histogram, type ReportData, type SourceHist } from './data.ts';

export function esc(s: unknown): string {
  return String(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** 1234567 → 1.23M; small numbers keep up to 3 significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  if (Number.isInteger(n)) return String(n);
  return String(+n.toPrecision(3));
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(a === b || a === 0 ? 0 : 1)}%` : '–');

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function docsAttr(ids: string[], label: string): string {
  return ` data-docs="${esc(JSON.stringify(ids))}" data-label="${esc(label)}" tabindex="0"`;
}

// ---------------------------------------------------------------------------
// charts

function funnelChart(d: ReportData): string {
  const rows = [{ label: 'input', docs: d.input }, ...d.funnel.map((f) => ({ label: f.label, docs: f.docs }))];
  const labelW = 330, barW = 360, rowH = 20, gap = 14;
  const panelH = rows.length * rowH + 24;
  const H = d.sources.length * (panelH + gap);
  const W = labelW + barW + 130;
  let marks = 0;
  let svg = '';
  d.sources.forEach((s, si) => {
    const y0 = si * (panelH + gap);
    const base = d.input[s] || 1;
    svg += `<text x="0" y="${y0 + 14}" class="panel-title">${esc(s)}</text>`;
    rows.forEach((r, ri) => {
      const v = r.docs[s] ?? 0;
      const y = y0 + 22 + ri * rowH;
      const w = Math.max(v > 0 ? 1 : 0, (barW * v) / base);
      const label = r.label.length > 52 ? `${r.label.slice(0, 50)}…` : r.label;
      svg += `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" class="lbl"><title>${esc(r.label)}</title>${esc(label)}</text>`;
      svg += `<rect class="mark" x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(s)} · ${esc(r.label)}: ${int(v)} docs (${pct(v, d.input[s] ?? 0)} of input)</title></rect>`;
      svg += `<text x="${labelW + w + 6}" y="${y + 14}" class="val">${int(v)} · ${pct(v, d.input[s] ?? 0)}</text>`;
      marks++;
    });
  });
  return `<svg class="chart" id="chart-funnel" data-expected-marks="${marks}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="funnel">${svg}</svg>`;
}

function axisTicks(lo: number, hi: number, x: (v: number) => number, y: number, label: (v: number) => string): string {
  let s = '';
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    s += `<line x1="${x(v)}" x2="${x(v)}" y1="${y}" y2="${y + 4}" class="axis"/><text x="${x(v)}" y="${y + 15}" text-anchor="middle" class="tick">${esc(label(v))}</text>`;
  }
  return s;
}

function histChart(h: Histogram, source: string, sh: SourceHist, id: string): string {
  const W = 380, H = 160, ml = 44, mr = 10, mt = 16, mb = 30;
  const pw = W - ml - mr, ph = H - mt - mb;
  const hi = h.lo + h.width * h.bins;
  const x = (v: number): number => +(ml + ((v - h.lo) / (hi - h.lo)) * pw).toFixed(2);
  const max = Math.max(1, ...sh.counts);
  const bw = pw / h.bins;
  let marks = 0;
  let bars = '';
  for (let b = 0; b < h.bins; b++) {
    const n = sh.counts[b];
    if (!n) continue;
    const k = sh.kept[b];
    const a = fromScale(h.lo + b * h.width, h.scale), z = fromScale(h.lo + (b + 1) * h.width, h.scale);
    const edge = b === 0 ? '≤ ' : b === h.bins - 1 ? '≥ ' : '';
    const range = h.integer && h.width === 1 ? `${edge}${fmt(a + 0.5)}` : b === 0 ? `< ${fmt(z)}` : b === h.bins - 1 ? `≥ ${fmt(a)}` : `[${fmt(a)}, ${fmt(z)})`;
    const hh = (ph * n) / max, kh = (ph * k) / max;
    const bx = (ml + b * bw + 0.5).toFixed(2), ww = Math.max(0.8, bw - 1).toFixed(2);
    const label = `${h.column} ${range} · ${source}: ${int(n)} docs, ${int(k)} kept`;
    bars += `<g class="bin"${docsAttr(sh.samples[b] ?? [], label)}><title>${esc(label)} — click for samples</title>`
      + `<rect class="mark" x="${bx}" y="${(mt + ph - hh).toFixed(2)}" width="${ww}" height="${hh.toFixed(2)}" fill="#d9a3a3"/>`
      + (k ? `<rect class="kept" x="${bx}" y="${(mt + ph - kh).toFixed(2)}" width="${ww}" height="${kh.toFixed(2)}" fill="#4e79a7"/>` : '')
      + '</g>';
    marks++;
  }
  let lines = '';
  for (const t of h.thresholds) {
    const tv = toScale(t.value, h.scale);
    if (!(tv >= h.lo && tv <= hi)) continue;
    const tx = x(tv);
    lines += `<line class="threshold" x1="${tx}" x2="${tx}" y1="${mt - 4}" y2="${mt + ph}"><title>${esc(`${t.stage}: keep ${t.column} ${t.op} ${t.value} (reason ${t.reason})`)}</title></line>`
      + `<text x="${tx + 3}" y="${mt + 6}" class="th-label">${esc(`${t.op} ${fmt(t.value)}`)}</text>`;
  }
  const axis = `<line x1="${ml}" x2="${ml + pw}" y1="${mt + ph}" y2="${mt + ph}" class="axis"/>` + axisTicks(h.lo, hi, x, mt + ph, (v) => fmt(fromScale(v, h.scale)))
    + `<text x="${ml - 6}" y="${mt + 8}" text-anchor="end" class="tick">${esc(fmt(max))}</text><text x="${ml - 6}" y="${mt + ph}" text-anchor="end" class="tick">0</text>`;
  return `<figure class="hist"><figcaption>${esc(source)} <span class="muted">n=${int(sh.n)}${sh.missing ? `, ${int(sh.missing)} without value` : ''} · median ${esc(fmt(sh.p50))} · mean ${esc(fmt(sh.mean))} · range ${esc(fmt(sh.min))}…${esc(fmt(sh.max))}</span></figcaption>`
    + `<svg class="chart" id="${esc(id)}" data-expected-marks="${marks}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${h.column} histogram, ${source}`)}">${axis}${bars}${lines}</svg></figure>`;
}

function histSection(hs: Histogram[], prefix: string): string {
  return hs.map((h, i) => {
    const th = h.thresholds.length
      ? `<p class="th">Thresholds: ${h.thresholds.map((t) => `<code>${esc(`${t.column} ${t.op} ${t.value}`)}</code> (${esc(t.stage)}, reason <code>${esc(t.reason)}</code>)${!(toScale(t.value, h.scale) >= h.lo && toScale(t.value, h.scale) <= h.lo + h.width * h.bins) ? ' — outside the plotted range' : ''}`).join('; ')}</p>` : '';
    const figs = Object.entries(h.sources).map(([s, sh], j) => histChart(h, s, sh, `chart-${prefix}-${i}-${j}`)).join('');
    return `<div class="signal" id="${prefix}-${esc(h.column)}"><h3>${esc(h.column)} <span class="muted">computed by ${esc(h.stage)}</span></h3>${h.description || h.scale === 'log' ? `<p class="muted">${esc(h.description)}${h.scale === 'log' ? ' <i>(logarithmic axis: heavy-tailed values)</i>' : ''}</p>` : ''}${th}<div class="figs">${figs}</div></div>`;
  }).join('');
}

function barChart(id: string, items: { label: string; value: number; title?: string; docs?: string[] }[], unit: string, color = '#4e79a7'): string {
  const labelW = 150, barW = 380, rowH = 20;
  const H = items.length * rowH + 6, W = labelW + barW + 120;
  const max = Math.max(1, ...items.map((i) => i.value));
  let svg = '';
  items.forEach((it, k) => {
    const y = 3 + k * rowH;
    const w = Math.max(it.value > 0 ? 1 : 0, (barW * it.value) / max);
    svg += `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" class="lbl">${esc(it.label)}</text>`
      + `<rect class="mark" x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"><title>${esc(it.title ?? `${it.label}: ${int(it.value)} ${unit}`)}</title></rect>`
      + `<text x="${labelW + w + 6}" y="${y + 14}" class="val">${esc(fmt(it.value))}</text>`;
  });
  return `<svg class="chart" id="${esc(id)}" data-expected-marks="${items.length}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${svg}</svg>`;
}

function dedupSection(x: DedupSection, k: number, sources: string[]): string {
  const s = x.summary;
  const nums = (o: unknown): Record<string, number> => (o && typeof o === 'object' ? (o as Record<string, number>) : {});
  const scalar = Object.entries(s).filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean');
  let html = `<h3>${esc(x.stage)} <span class="muted">global step ${esc(x.step)}</span></h3>`;
  html += `<table class="kv">${scalar.map(([key, v]) => `<tr><th>${esc(key)}</th><td>${esc(typeof v === 'number' ? int(v) : v)}</td></tr>`).join('')}</table>`;
  const csh = nums(s.clusterSizeHistogram);
  if (Object.keys(csh).length) {
    html += '<h4>Cluster sizes</h4>' + barChart(`chart-dedup-${k}-clusters`, Object.entries(csh).map(([size, n]) => ({ label: `size ${size}`, value: n, title: `${int(n)} clusters of ${size} documents` })), 'clusters', '#76b7b2');
  }
  const rbs = nums(s.removedBySource);
  if (Object.keys(rbs).length) html += '<h4>Removed per source</h4>' + barChart(`chart-dedup-${k}-removed`, Object.entries(rbs).map(([src, n]) => ({ label: src, value: n })), 'documents removed', '#e15759');
  const pairs = (s.duplicatesBetweenSources && typeof s.duplicatesBetweenSources === 'object' ? s.duplicatesBetweenSources : {}) as Record<string, { clusters: number; removedFrom: Record<string, number> }>;
  if (Object.keys(pairs).length) {
    const names = [...new Set([...sources, ...Object.keys(pairs).flatMap((p) => p.split(' | '))])].filter((n) => Object.keys(pairs).some((p) => p.split(' | ').includes(n)));
    const max = Math.max(1, ...Object.values(pairs).map((p) => p.clusters));
    const cell = (a: string, b: string): string => {
      const p = pairs[`${a < b ? a : b} | ${a < b ? b : a}`];
      if (!p) return '<td class="num">0</td>';
      const alpha = (0.12 + (0.78 * p.clusters) / max).toFixed(2);
      const rem = Object.entries(p.removedFrom).map(([src, n]) => `${int(n)} removed from ${src}`).join(', ');
      return `<td class="num heat" style="background: rgba(78,121,167,${alpha})" title="${esc(`${p.clusters} clusters contain both ${a} and ${b}${rem ? `; ${rem}` : ''}`)}">${int(p.clusters)}</td>`;
    };
    html += `<h4>Duplicate clusters shared between sources</h4><p class="muted">Cell = clusters with members in both sources (diagonal: clusters with ≥ 2 members of that source). Hover for what was removed.</p>`
      + `<table class="matrix"><tr><th></th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>${names.map((a) => `<tr><th>${esc(a)}</th>${names.map((b) => cell(a, b)).join('')}</tr>`).join('')}</table>`;
  }
  return html;
}

// ---------------------------------------------------------------------------
// page

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header .muted{color:#b0bec5}
nav{padding:6px 24px;background:#eceff1;position:sticky;top:0;z-index:2}nav a{margin-right:14px;color:#263238}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:8px 18px 16px;margin:16px 0}
h2{font-size:18px;margin:10px 0}h3{font-size:15px;margin:16px 0 4px}h4{font-size:13px;margin:12px 0 4px}
.muted{color:#777;font-weight:normal}table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.figs{display:flex;flex-wrap:wrap;gap:10px}
figure.hist{margin:0;border:1px solid #eee;border-radius:4px;padding:4px}figcaption{font-size:12px;margin:0 0 2px 4px}
svg text{font-size:11px;fill:#333}svg .panel-title{font-weight:600;font-size:12px}svg .val,svg .tick{fill:#666;font-size:10px}
svg .axis{stroke:#999}svg .threshold{stroke:#d32f2f;stroke-width:2;stroke-dasharray:4 3}svg .th-label{fill:#d32f2f;font-weight:600}
g.bin{cursor:pointer}g.bin:hover rect{opacity:.75}button.doc{border:1px solid #90a4ae;background:#fff;border-radius:3px;cursor:pointer;margin:1px;font-size:12px}
.ok{color:#2e7d32}.bad{color:#c62828}.matrix td.heat{min-width:48px}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
#viewer{position:fixed;inset:5% 10%;background:#fff;border:1px solid #888;border-radius:6px;box-shadow:0 6px 30px rgba(0,0,0,.3);display:none;flex-direction:column;z-index:5}
#viewer.open{display:flex}#viewer header{display:flex;justify-content:space-between;align-items:center;padding:8px 14px}#viewer .body{overflow:auto;padding:8px 16px}
#viewer pre{white-space:pre-wrap;word-wrap:break-word;background:#f5f5f5;padding:8px;border-radius:4px;max-height:none}
.notes li{color:#8d6e63}`;

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var v = document.getElementById('viewer'), body = v.querySelector('.body'), title = v.querySelector('.title');
  function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function open(ids, label){
    body.textContent = ''; title.textContent = label || 'Documents';
    if (!ids.length) body.appendChild(el('p', 'muted', 'No sample documents for this selection.'));
    ids.forEach(function(id){
      var d = data.docs[id];
      var h = el('h3', null, id);
      body.appendChild(h);
      if (!d) { body.appendChild(el('p', 'muted', 'not found in the run outputs')); return; }
      body.appendChild(el('p', 'muted', d.source + ' · ' + (d.kept === false ? 'dropped: ' + d.reason : 'kept') + (d.chars != null ? ' · ' + d.chars + ' characters' : '')));
      body.appendChild(el('pre', null, d.text == null ? '(text not stored in this run: kept documents need output.include_text, dropped ones output.rejected: true)' : d.text + (d.chars > d.text.length ? '\\n… (' + (d.chars - d.text.length) + ' more characters)' : '')));
    });
    v.classList.add('open');
  }
  document.addEventListener('click', function(e){
    var t = e.target.closest ? e.target.closest('[data-docs]') : null;
    if (t) { open(JSON.parse(t.getAttribute('data-docs')), t.getAttribute('data-label')); }
  });
  document.addEventListener('keydown', function(e){
    if (e.key === 'Escape') v.classList.remove('open');
    if (e.key === 'Enter' && document.activeElement && document.activeElement.hasAttribute('data-docs')) document.activeElement.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
  v.querySelector('.close').addEventListener('click', function(){ v.classList.remove('open'); });
})();`;

export function renderHtml(d: ReportData): string {
  const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const inputTotal = total(d.input);
  const a = d.accounting;
  const sec: string[] = [];
  const nav: [string, string][] = [];
  const add = (id: string, title: string, html: string): void => { nav.push([id, title]); sec.push(`<section id="${id}"><h2>${esc(title)}</h2>${html}</section>`); };

  // overview
  let ov = '<table class="kv">';
  if (a) {
    ov += `<tr><th>records read</th><td class="num">${int(a.recordsRead)}</td></tr><tr><th>quarantined (unreadable)</th><td class="num">${int(a.quarantined)}</td></tr>`
      + `<tr><th>documents in</th><td class="num">${int(a.docsIn)}</td></tr><tr><th>dropped</th><td class="num">${int(a.dropped)} (${pct(a.dropped, a.docsIn)})</td></tr>`
      + (a.added ? `<tr><th>added (mixing repeats)</th><td class="num">${int(a.added)}</td></tr>` : '')
      + `<tr><th>written</th><td class="num">${int(a.written)} (${pct(a.written, a.docsIn)})</td></tr>`
      + `<tr><th>accounting</th><td>${a.balanced ? '<span class="ok">✓ reconciles (read = written + dropped + quarantined − added)</span>' : '<span class="bad">✗ does not reconcile</span>'}</td></tr>`;
  } else ov += `<tr><th>documents sampled</th><td class="num">${int(inputTotal)}</td></tr>`;
  if (d.output) ov += `<tr><th>output</th><td>${int(d.output.shards)} shard(s), ${int(d.output.docs)} docs, ${fmt(d.output.bytes)}B${d.output.tokens ? `, ${int(d.output.tokens)} tokens` : ''}</td></tr>`;
  ov += '</table>';
  if (d.kind === 'sample') ov = `<p>Signals-only preview: the chain up to the first global step ran on a sample of each source; nothing was written. Use the histograms to choose thresholds before the full run.</p>${ov}`;
  add('overview', 'Overview', ov);

  // funnel
  if (d.funnel.length) {
    const tokensCol = d.tokens ? `<th class="num">tokens out (${esc(d.tokens.column)})</th>` : '';
    const tbl = `<table><tr><th>source</th><th class="num">in</th>${d.funnel.map((f) => `<th class="num" title="${esc(f.label)}">${esc(f.stage)}</th>`).join('')}${tokensCol}</tr>`
      + d.sources.map((s) => `<tr><th>${esc(s)}</th><td class="num">${int(d.input[s] ?? 0)}</td>${d.funnel.map((f) => `<td class="num">${int(f.docs[s] ?? 0)}</td>`).join('')}${d.tokens ? `<td class="num">${int(d.tokens.bySource[s] ?? 0)}</td>` : ''}</tr>`).join('')
      + `<tr><th>all</th><td class="num">${int(inputTotal)}</td>${d.funnel.map((f) => `<td class="num">${int(total(f.docs))}</td>`).join('')}${d.tokens ? `<td class="num">${int(total(d.tokens.bySource))}</td>` : ''}</tr></table>`;
    const legend = `<p class="muted">Documents per source entering the chain and left after each stage (${d.stages.map((s) => `${esc(s.id)} = ${esc(s.label)}`).join('; ')}).${d.tokens ? '' : ' Token counts appear here once the chain has a tokenize stage.'}</p>`;
    add('funnel', 'Funnel per source', legend + funnelChart(d) + tbl);
  }

  // drop reasons
  if (d.dropReasons.length) {
    const rows = d.dropReasons.map((r) => `<tr><td><code>${esc(r.reason)}</code></td><td>${esc(r.stage)}</td><td class="num">${int(r.count)}</td><td class="num">${pct(r.count, inputTotal)}</td>`
      + `<td>${Object.entries(r.bySource).sort((x, y) => y[1] - x[1]).map(([s, n]) => `${esc(s)} ${int(n)}`).join(', ')}</td>`
      + `<td>${r.samples.map((id) => `<button class="doc"${docsAttr([id], `${r.reason}: ${id}`)}>${esc(id.length > 28 ? `${id.slice(0, 26)}…` : id)}</button>`).join('')}${r.samples.length > 1 ? ` <button class="doc"${docsAttr(r.samples, `samples dropped as ${r.reason}`)}>all</button>` : ''}</td></tr>`).join('');
    const chart = barChart('chart-drop-reasons', d.dropReasons.map((r) => ({ label: r.reason.length > 22 ? `${r.reason.slice(0, 20)}…` : r.reason, value: r.count, title: `${r.reason} (${r.stage}): ${int(r.count)} documents` })), 'documents', '#e15759');
    add('drops', 'Drop reasons', chart + `<table><tr><th>reason</th><th>stage</th><th class="num">documents</th><th class="num">of input</th><th>per source</th><th>samples (click to read)</th></tr>${rows}</table>`);
  } else if (d.funnel.length) add('drops', 'Drop reasons', '<p>No document was dropped.</p>');

  const legend = '<p class="legend muted">Counted over every document that entered the step, <b>before</b> any filter of that step dropped it. Bars: <span style="background:#4e79a7"></span>survived the step <span style="background:#d9a3a3"></span>dropped in the step. Red dashed lines: the manifest\'s thresholds (keep side written next to it). Edge bins include everything beyond them. Click a bar to read sample documents from that bin.</p>';
  if (d.signals.length) add('signals', 'Quality signals (before filtering)', legend + histSection(d.signals, 'sig'));
  if (d.classifiers.length || d.labels.length) {
    let html = d.classifiers.length ? legend + histSection(d.classifiers, 'cls') : '';
    for (const l of d.labels) {
      const vals = [...new Set(Object.values(l.sources).flatMap((o) => Object.keys(o)))].sort();
      html += `<h3>${esc(l.column)} <span class="muted">labels from ${esc(l.stage)}</span></h3><table><tr><th>source</th>${vals.map((v) => `<th class="num">${esc(v)}</th>`).join('')}</tr>${Object.entries(l.sources).map(([s, o]) => `<tr><th>${esc(s)}</th>${vals.map((v) => `<td class="num">${int(o[v] ?? 0)}</td>`).join('')}</tr>`).join('')}</table>`;
    }
    add('classifiers', 'Classifier scores', html);
  }
  if (d.dedup.length) add('dedup', 'Deduplication', d.dedup.map((x, k) => dedupSection(x, k, d.sources)).join(''));
  if (d.tokens || d.mix.length) {
    let html = '';
    if (d.tokens) html += barChart('chart-tokens', d.sources.map((s) => ({ label: s, value: d.tokens!.bySource[s] ?? 0, title: `${s}: ${int(d.tokens!.bySource[s] ?? 0)} tokens in ${int(d.tokens!.docsBySource[s] ?? 0)} documents` })), 'tokens', '#59a14f');
    if (d.mixShares) html += `<h3>Mix: requested vs achieved token shares</h3><table><tr><th>source</th><th class="num">requested</th><th class="num">achieved</th><th class="num">target tokens</th><th class="num">achieved tokens</th></tr>${Object.entries(d.mixShares).map(([s, m]) => `<tr><th>${esc(s)}</th><td class="num">${(100 * m.requestedShare).toFixed(2)}%</td><td class="num">${(100 * m.achievedShare).toFixed(2)}%</td><td class="num">${int(m.targetTokens)}</td><td class="num">${int(m.achievedTokens)}</td></tr>`).join('')}</table>`;
    for (const m of d.mix) html += `<h3>Mix parameters (${esc(m.stage)})</h3><pre>${esc(JSON.stringify(m.params, null, 2))}</pre>`;
    add('tokens', 'Tokens per source and mix targets', html);
  }
  if (d.timing.length) {
    add('timing', 'Stage timing', `<table><tr><th>stage</th><th class="num">documents in</th><th class="num">seconds (all tasks)</th><th class="num">µs / doc</th></tr>${d.timing.map((t) => `<tr><td>${esc(t.stage)}</td><td class="num">${int(t.docsIn)}</td><td class="num">${(t.ms / 1000).toFixed(2)}</td><td class="num">${t.docsIn ? fmt((1000 * t.ms) / t.docsIn) : '–'}</td></tr>`).join('')}</table>`);
  }
  if (d.notes.length) add('notes', 'Notes', `<ul class="notes">${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);

  const json = JSON.stringify(d).replaceAll('<', '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`curate report — ${d.name}`)}</title><style>${CSS}</style></head>
<body>
<header><h1>curate report — ${esc(d.name)}</h1><div class="muted">${esc(d.kind === 'sample' ? 'signals-only sample' : d.runDir)} · generated ${esc(d.generatedAt)} · curate ${esc(d.curateVersion)} · manifest ${esc(d.manifestHash.slice(0, 12))}</div></header>
<nav>${nav.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join('')}</nav>
<main>${sec.join('\n')}</main>
<div id="viewer" role="dialog" aria-modal="true"><header><span class="title"></span><button class="close">close ✕</button></header><div class="body"></div></div>
<script type="application/json" id="report-data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
