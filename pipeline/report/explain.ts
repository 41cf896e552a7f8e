// `curate explain <run-dir> <doc-id>`: one document's story through a run — where it came from, every value the
// stages computed, each stage's decision, its dedup cluster (members, sources, who survived and why), classifier
// outputs, and where it ended up. Reads the signal logs, the global dedup outputs and the final shards.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../run.ts';
import { openRun } from './load.ts';
import { stageInfos, taskOf } from './data.ts';
import { Duck, fileList, lit } from './duck.ts';

export interface StageDecision {
  stage: string;
  label: string;
  family: string;
  decision: 'passed' | 'dropped' | 'not reached';
  reason?: string;
  /** Values of the columns the stage reads or writes, as the document had them. */
  values: Record<string, unknown>;
}

export interface ClusterMember {
  id: string | null;
  source: string;
  source_file: string;
  source_row: number;
  priority: number | null;
  removed: boolean;
}

export interface DedupExplanation {
  stage: string;
  step: string;
  policy: string;
  inCluster: boolean;
  clusterId?: string;
  clusterSize?: number;
  removed: boolean;
  members: ClusterMember[];
  membersShown: number;
  why: string;
}

export interface Explanation {
  id: string;
  source: string;
  origin: { file: string; uri: string | null; row: number };
  values: Record<string, unknown>;
  stages: StageDecision[];
  dedup: DedupExplanation[];
  classifiers: Record<string, unknown>;
  final: { kept: boolean; shard: string | null; droppedBy: string | null; reason: string | null };
  text: { snippet: string | null; chars: number | null; from: string | null };
}

const BASE = new Set(['id', 'source', 'source_file', 'source_row', 'kept', 'drop_reason', 'drop_stage', 'text', 'meta', 'filename']);

function why(policy: string, me: ClusterMember, members: ClusterMember[]): string {
  const srcs = [...new Set(members.map((m) => m.source))];
  if (policy === 'cross-source-priority') {
    if (srcs.length === 1) return `every member is from ${srcs[0]}: cross-source dedup leaves in-source duplicates alone`;
    const top = Math.max(...members.map((m) => m.priority ?? -Infinity));
    const winners = [...new Set(members.filter((m) => m.priority === top).map((m) => m.source))];
    return me.removed
      ? `removed: the cluster has members from ${winners.join(', ')} (priority ${top}), which outranks ${me.source} (priority ${me.priority})`
      : `kept: ${me.source} has the highest source priority in the cluster (${top}); members of lower-priority sources are removed`;
  }
  if (policy === 'keep-one') return me.removed ? 'removed: keep-one keeps only the member first by (source priority desc, id asc)' : 'kept: first member by (source priority desc, id asc)';
  if (policy === 'keep-best') return me.removed ? 'removed: keep-best keeps only the member with the highest score (ties: smallest id)' : 'kept: highest score in the cluster (ties: smallest id)';
  return me.removed ? 'removed by the dedup policy' : 'kept by the dedup policy';
}

export async function explain(dir: string, id: string, opts: { maxMembers?: number } = {}): Promise<Explanation> {
  const { runDir, plan, lm, source } = await openRun(dir);
  const db = await Duck.open();
  try {
    const rows: { step: string; row: Record<string, unknown> }[] = [];
    for (const l of source.logs) {
      if (!l.files.length) continue;
      const r = await db.all(`SELECT * FROM read_parquet(${fileList(l.files)}, union_by_name = true, filename = true) WHERE id = ${lit(id)} LIMIT 2`);
      if (r.length > 1) throw new UserError(`id ${id} names more than one document in step ${l.step} (upstream ids are not unique); \`curate explain\` needs a unique id.`);
      if (r.length) rows.push({ step: l.step, row: r[0] });
    }
    if (!source.logs.some((l) => l.files.length)) throw new UserError(`${dir} has no signal logs (steps/*/signals/): it was made by a curate version without them; rerun it to use explain.`);
    if (!rows.length) {
      const l = source.logs.find((x) => x.files.length)!;
      const near = await db.all<{ id: string }>(`SELECT id FROM read_parquet(${fileList(l.files)}, union_by_name = true) WHERE contains(lower(id), lower(${lit(id)})) ORDER BY id LIMIT 5`);
      throw new UserError(`no document with id "${id}" entered this run.${near.length ? ` Similar ids: ${near.map((r) => r.id).join(', ')}` : ' Ids are the upstream id field, or source/file/row when there is none; `curate inspect <shard>` shows them.'}`);
    }
    const first = rows[0].row;
    const values: Record<string, unknown> = {};
    for (const r of rows) for (const [k, v] of Object.entries(r.row)) if (!BASE.has(k) && v !== null && v !== undefined) values[k] = v;
    const last = rows[rows.length - 1];
    const droppedRow = rows.find((r) => r.row.kept === false);

    // per-stage decisions
    const infos = stageInfos(source);
    const stages: StageDecision[] = [];
    let reached = true;
    for (const s of infos) {
      const rs = lm.stages.find((x) => x.id === (s.id.startsWith('apply-') ? s.id.slice(6) : s.id));
      const cols = new Set<string>();
      if (rs) {
        try { for (const c of rs.def.reads(rs.params)) cols.add(c); } catch { /* reads() may need setup-time data */ }
        for (const c of rs.writes) cols.add(c.name);
      }
      const vals = Object.fromEntries([...cols].filter((c) => c in values).map((c) => [c, values[c]]));
      if (!reached) { stages.push({ stage: s.id, label: s.label, family: s.family, decision: 'not reached', values: {} }); continue; }
      if (droppedRow && droppedRow.row.drop_stage === s.id) {
        stages.push({ stage: s.id, label: s.label, family: s.family, decision: 'dropped', reason: String(droppedRow.row.drop_reason), values: vals });
        reached = false;
      } else stages.push({ stage: s.id, label: s.label, family: s.family, decision: 'passed', values: vals });
    }

    // dedup clusters, from the global steps' outputs
    const dedup: DedupExplanation[] = [];
    const priority = new Map(lm.manifest.sources.map((s) => [s.name, s.priority]));
    for (const g of plan.steps) {
      if (g.kind !== 'global') continue;
      const outDir = join(runDir, 'steps', g.id, 'out');
      const indexFile = join(outDir, 'index.json');
      if (!existsSync(indexFile)) continue;
      const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { policy?: string; shards?: { shard: string; file: string }[] };
      if (!index.shards) continue;
      // did the document reach this step's map side?
      if (!rows.some((r) => r.step === g.after)) continue;
      const file = String(first.source_file), row = Number(first.source_row);
      // shards are keyed `source/file` (older runs: `file`)
      const mine = index.shards.find((s) => s.shard === `${String(first.source)}/${file}`) ?? index.shards.find((s) => s.shard === file);
      const names = lm.manifest.sources.map((s) => s.name);
      const split = (shard: string): { source: string; file: string } => {
        const src = names.find((n) => shard.startsWith(`${n}/`) && shard !== file);
        return src ? { source: src, file: shard.slice(src.length + 1) } : { source: '', file: shard };
      };
      const policy = index.policy ?? 'unknown';
      const base: DedupExplanation = { stage: g.stage, step: g.id, policy, inCluster: false, removed: false, members: [], membersShown: 0, why: 'no near-duplicate was found: the document is in no cluster' };
      if (!mine) { dedup.push(base); continue; }
      const load = (f: string): { shard: string; removed: number[]; clusters: [number, string, number][] } => JSON.parse(readFileSync(join(outDir, f), 'utf8'));
      const res = load(mine.file);
      const c = res.clusters.find((x) => x[0] === row);
      if (!c) { dedup.push(base); continue; }
      const [, clusterId, clusterSize] = c;
      const max = opts.maxMembers ?? 50;
      const members: ClusterMember[] = [];
      for (const s of index.shards) {
        const r = s.file === mine.file ? res : load(s.file);
        const rem = new Set(r.removed);
        const where = split(r.shard);
        for (const [mr, cid] of r.clusters) if (cid === clusterId) members.push({ id: null, source: where.source, source_file: where.file, source_row: mr, priority: null, removed: rem.has(mr) });
      }
      // ids and sources of the members, from the signal log of the map step the dedup read
      const l = source.logs.find((x) => x.step === g.after)!;
      const shown = members.slice(0, max);
      if (shown.length && l.files.length) {
        const cond = shown.map((m) => `(source_file = ${lit(m.source_file)} AND source_row = ${m.source_row}${m.source ? ` AND source = ${lit(m.source)}` : ''})`).join(' OR ');
        const found = await db.all<{ id: string; source: string; source_file: string; source_row: number }>(`SELECT id, source, source_file, source_row FROM read_parquet(${fileList(l.files)}, union_by_name = true) WHERE ${cond}`);
        for (const m of shown) {
          const f = found.find((x) => x.source_file === m.source_file && Number(x.source_row) === m.source_row && (!m.source || x.source === m.source));
          if (f) { m.id = f.id; m.source = f.source; m.priority = priority.get(f.source) ?? null; }
        }
      }
      const me = shown.find((m) => m.source_file === file && m.source_row === row && (!m.source || m.source === first.source)) ?? { id, source: String(first.source), source_file: file, source_row: row, priority: priority.get(String(first.source)) ?? null, removed: new Set(res.removed).has(row) };
      dedup.push({ stage: g.stage, step: g.id, policy, inCluster: true, clusterId, clusterSize, removed: me.removed, members: shown, membersShown: shown.length, why: why(policy, me, shown) });
    }

    // classifier outputs
    const classifiers: Record<string, unknown> = {};
    for (const rs of lm.stages) if (rs.def.family === 'classify') for (const c of rs.writes) if (c.name in values) classifiers[c.name] = values[c.name];

    // final output and text
    const kept = !droppedRow && last.step === source.logs[source.logs.length - 1].step && last.row.kept === true;
    let shard: string | null = null;
    let text: Explanation['text'] = { snippet: null, chars: null, from: null };
    // only the files of the document's task
    const task = taskOf(String(first.filename));
    const mine = (f: string): boolean => task === null || taskOf(f) === task;
    const finalFiles = source.textParquet.filter((f) => f.includes(`${runDir}/data/`) && mine(f));
    const tryText = async (files: string[], json: boolean): Promise<boolean> => {
      if (!files.length) return false;
      try {
        const q = json
          ? `SELECT filename AS f, left(text, 600) AS t, length(text) AS n FROM read_json(${fileList(files)}, format = 'newline_delimited', columns = {id: 'VARCHAR', text: 'VARCHAR'}, filename = true) WHERE id = ${lit(id)} LIMIT 1`
          : `SELECT filename AS f, left(text, 600) AS t, length(text) AS n FROM read_parquet(${fileList(files)}, union_by_name = true, filename = true) WHERE id = ${lit(id)} LIMIT 1`;
        const r = await db.all<{ f: string; t: string | null; n: number | null }>(q);
        if (!r.length) return false;
        if (files === finalFiles) shard = r[0].f;
        if (r[0].t !== null) { text = { snippet: r[0].t, chars: r[0].n, from: r[0].f }; return true; }
        return false;
      } catch { return false; }
    };
    if (kept) await tryText(finalFiles, false);
    if (!text.snippet) await tryText(source.textParquet.filter((f) => !f.includes(`${runDir}/data/`) && mine(f)), false);
    if (!text.snippet) await tryText(source.textJson.filter(mine), true);

    return {
      id, source: String(first.source),
      origin: { file: String(first.source_file), uri: plan.inputs.find((f) => f.source === first.source && f.rel === first.source_file)?.uri ?? null, row: Number(first.source_row) },
      values, stages, dedup, classifiers,
      final: { kept, shard, droppedBy: droppedRow ? String(droppedRow.row.drop_stage) : null, reason: droppedRow ? String(droppedRow.row.drop_reason) : null },
      text,
    };
  } finally {
    db.close();
  }
}

function show(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function renderExplanation(e: Explanation): string {
  const out: string[] = [];
  out.push(`document ${e.id}`);
  out.push(`  source ${e.source}, file ${e.origin.file}, row ${e.origin.row}${e.origin.uri ? `  (${e.origin.uri})` : ''}`);
  out.push(e.final.kept ? `  IN THE FINAL OUTPUT${e.final.shard ? `: ${e.final.shard}` : ''}` : `  NOT in the final output: dropped by ${e.final.droppedBy} (${e.final.reason})`);
  out.push('', 'stages');
  for (const s of e.stages) {
    const vals = Object.entries(s.values).map(([k, v]) => `${k}=${show(v)}`).join(' ');
    out.push(`  ${s.stage.padEnd(26)} ${s.decision === 'dropped' ? `DROPPED (${s.reason})` : s.decision}  ${s.label !== s.stage ? `[${s.label}]` : ''}${vals ? `\n      ${vals}` : ''}`);
  }
  out.push('', 'values');
  for (const [k, v] of Object.entries(e.values)) out.push(`  ${k.padEnd(36)} ${show(v)}`);
  for (const d of e.dedup) {
    out.push('', `dedup ${d.stage} (policy ${d.policy})`);
    if (!d.inCluster) { out.push(`  ${d.why}`); continue; }
    out.push(`  cluster ${d.clusterId}, ${d.clusterSize} members${d.membersShown < (d.clusterSize ?? 0) ? ` (first ${d.membersShown} shown)` : ''}`);
    for (const m of d.members) out.push(`    ${m.removed ? 'removed' : 'kept   '}  ${(m.id ?? '?').padEnd(30)} ${m.source} (priority ${m.priority ?? '?'})  ${m.source_file}#${m.source_row}`);
    out.push(`  → ${d.why}`);
  }
  if (Object.keys(e.classifiers).length) {
    out.push('', 'classifiers');
    for (const [k, v] of Object.entries(e.classifiers)) out.push(`  ${k.padEnd(36)} ${show(v)}`);
  }
  if (e.text.snippet !== null) out.push('', `text (${e.text.chars} characters, from ${e.text.from})`, `  ${e.text.snippet.replaceAll('\n', '\n  ')}${(e.text.chars ?? 0) > e.text.snippet.length ? ' …' : ''}`);
  else out.push('', 'text: not stored (kept documents need output.include_text; dropped ones output.rejected: true)');
  return out.join('\n') + '\n';
}
