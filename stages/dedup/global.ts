// The global part of every dedup stage: read all tasks' side files, group each band's keys by a streaming k-way
// merge of the sorted runs, turn buckets into edges (a chain: n-1 edges per bucket), optionally verify edges by true
// Jaccard, find connected components with union-find, resolve clusters with the chosen policy, and write per-shard
// removal sets (plus cluster id/size per row) for the apply stage.
import { createHash } from 'node:crypto';
import type { GlobalContext, Storage } from '../../pipeline/types.ts';
import { joinUri } from '../../pipeline/storage.ts';
import { UnionFind, resolveCluster, type Member, type Policy } from './cluster.ts';
import { estimateJaccard, jaccardSorted } from './minhash.ts';
import { docsFile, metaFile, runFile, shBinFile, shIdxFile, sigFile, type TaskMeta } from './sidefiles.ts';

export interface GlobalParams {
  policy: Policy;
  verify: boolean;
  threshold: number;
  priority_order: 'higher-first' | 'lower-first';
  /** Prefix of the drop reason and of the cluster columns (e.g. `dedup` → `dedup_cluster_id`). */
  prefix: string;
  /** Identifies the parameters (written into index.json so `apply` can check it reads a matching output). */
  fingerprint: string;
}

/** Extra outputs used by `curate dedup` (not needed by pipeline runs). */
export interface GlobalHooks {
  /** 'clique': every pair inside a bucket of at most `cliqueCap` members (chain above); default chain. */
  pairs?: 'chain' | 'clique';
  cliqueCap?: number;
  /** After verification, also verify every other pair inside clusters of at most `cliqueCap` members. */
  expandClusters?: boolean;
  onPair?(a: string, b: string, jaccard: number | null): void;
  onClusterMember?(id: string, cluster: string, size: number): void;
}

export interface ShardResult {
  /** `<source>/<shard>` (provenanceKey). */
  shard: string;
  /** Removed rows, ascending. */
  removed: number[];
  /** [row, clusterId, clusterSize] for every row in a cluster of size ≥ 2. */
  clusters: [number, string, number][];
}

export const shardFileName = (shard: string): string => 'shards/' + createHash('sha1').update(shard).digest('hex') + '.json';

const td = new TextDecoder();

async function* lines(storage: Storage, uri: string): AsyncIterable<string> {
  let rest = '';
  for await (const chunk of storage.readStream(uri)) {
    const s = rest + td.decode(chunk, { stream: true });
    const parts = s.split('\n');
    rest = parts.pop()!;
    for (const p of parts) if (p) yield p;
  }
  rest += td.decode();
  if (rest) yield rest;
}

/** Sequential reader of one sorted run file of (hi, lo, doc) records. */
class RunReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf = new Uint32Array(0);
  private pos = 0;
  private carry = new Uint8Array(0);
  hi = 0;
  lo = 0;
  g = 0;
  done = false;
  private readonly offset: number;
  constructor(storage: Storage, uri: string, offset: number) {
    this.it = storage.readStream(uri)[Symbol.asyncIterator]();
    this.offset = offset;
  }
  private async fill(): Promise<boolean> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) return false;
      let bytes = r.value;
      if (this.carry.length) {
        const m = new Uint8Array(this.carry.length + bytes.length);
        m.set(this.carry); m.set(bytes, this.carry.length);
        bytes = m;
      }
      const whole = bytes.length - (bytes.length % 12);
      this.carry = bytes.slice(whole);
      if (whole === 0) continue;
      const aligned = new Uint8Array(whole);
      aligned.set(bytes.subarray(0, whole));
      this.buf = new Uint32Array(aligned.buffer);
      this.pos = 0;
      return true;
    }
  }
  async next(): Promise<boolean> {
    if (this.pos >= this.buf.length && !(await this.fill())) { this.done = true; return false; }
    this.hi = this.buf[this.pos]; this.lo = this.buf[this.pos + 1]; this.g = this.buf[this.pos + 2] + this.offset;
    this.pos += 3;
    return true;
  }
}

function less(a: RunReader, b: RunReader): boolean {
  return a.hi !== b.hi ? a.hi < b.hi : a.lo !== b.lo ? a.lo < b.lo : a.g < b.g;
}

/** K-way merge of sorted runs; calls `onBucket(members, n)` for each key shared by ≥ 2 documents. */
async function mergeBand(readers: RunReader[], onBucket: (m: Int32Array, n: number) => void): Promise<{ buckets: number; records: number }> {
  const heap: RunReader[] = [];
  for (const r of readers) if (await r.next()) heap.push(r);
  const sift = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && less(heap[l], heap[m])) m = l;
      if (r < n && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i]; heap[i] = heap[m]; heap[m] = t;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) sift(i);
  let members = new Int32Array(64);
  let n = 0, curHi = -1, curLo = -1, buckets = 0, records = 0;
  while (heap.length) {
    const top = heap[0];
    records++;
    if (top.hi !== curHi || top.lo !== curLo) {
      if (n >= 2) { onBucket(members, n); buckets++; }
      n = 0; curHi = top.hi; curLo = top.lo;
    }
    if (n === members.length) { const g = new Int32Array(n * 2); g.set(members); members = g; }
    members[n++] = top.g;
    if (await top.next()) sift(0);
    else { heap[0] = heap[heap.length - 1]; heap.pop(); if (heap.length) sift(0); }
  }
  if (n >= 2) { onBucket(members, n); buckets++; }
  return { buckets, records };
}

/** Growable list of (a, b) edges. */
class Edges {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  n = 0;
  push(x: number, y: number): void {
    if (this.n === this.a.length) {
      const ga = new Int32Array(this.n * 2), gb = new Int32Array(this.n * 2);
      ga.set(this.a); gb.set(this.b); this.a = ga; this.b = gb;
    }
    if (x > y) { const t = x; x = y; y = t; }
    this.a[this.n] = x; this.b[this.n] = y; this.n++;
  }
  /** Sorts and removes duplicate edges. */
  dedupe(): void {
    const idx = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) idx[i] = i;
    const a = this.a, b = this.b;
    idx.sort((i, j) => a[i] - a[j] || b[i] - b[j]);
    const na = new Int32Array(Math.max(1, this.n)), nb = new Int32Array(Math.max(1, this.n));
    let w = 0;
    for (let k = 0; k < this.n; k++) {
      const i = idx[k];
      if (w > 0 && na[w - 1] === a[i] && nb[w - 1] === b[i]) continue;
      na[w] = a[i]; nb[w] = b[i]; w++;
    }
    this.a = na; this.b = nb; this.n = w;
  }
}

export interface DocTable {
  n: number;
  offsets: number[];
  priority: Float64Array;
  sourceIdx: Int32Array;
  sourceNames: string[];
  shardIdx: Int32Array;
  shardNames: string[];
  row: Uint32Array;
  score: Float64Array;
}

export async function readMetas(ctx: GlobalContext): Promise<TaskMeta[]> {
  const metas: TaskMeta[] = [];
  const names = new Set<string>();
  for await (const f of ctx.storage.list(ctx.inputDir)) names.add(f.uri.split('/').pop()!);
  const expected = ctx.tasks > 0 ? ctx.tasks : [...names].filter((n) => n.endsWith('.meta.json')).length;
  const missing: number[] = [];
  for (let t = 0; t < expected; t++) {
    if (!names.has(metaFile(t))) { missing.push(t); continue; }
    metas.push(JSON.parse(td.decode(await ctx.storage.read(joinUri(ctx.inputDir, metaFile(t))))) as TaskMeta);
  }
  if (missing.length) throw new Error(`dedup: side output of task(s) ${missing.slice(0, 10).join(', ')} missing in ${ctx.inputDir}; re-run the map step`);
  const fp = new Set(metas.map((m) => m.fingerprint));
  if (fp.size > 1) throw new Error(`dedup: tasks in ${ctx.inputDir} were computed with different parameters; re-run the map step`);
  return metas;
}

async function readDocTable(ctx: GlobalContext, metas: TaskMeta[], p: GlobalParams): Promise<DocTable> {
  const offsets: number[] = [];
  let n = 0;
  for (const m of metas) { offsets.push(n); n += m.docs; }
  const sourcePriority = new Map<string, number>();
  for (const s of ctx.sources) sourcePriority.set(s.name, p.priority_order === 'higher-first' ? s.priority : -s.priority);
  const sourceNames: string[] = [];
  const sourceIndex = new Map<string, number>();
  const shardNames: string[] = [];
  const shardIndex = new Map<string, number>();
  const t: DocTable = {
    n, offsets, sourceNames, shardNames,
    priority: new Float64Array(n), sourceIdx: new Int32Array(n), shardIdx: new Int32Array(n), row: new Uint32Array(n), score: new Float64Array(n),
  };
  const unknown = new Set<string>();
  for (const m of metas) {
    const srcMap = m.sources.map((s) => {
      let i = sourceIndex.get(s);
      if (i === undefined) { i = sourceNames.length; sourceNames.push(s); sourceIndex.set(s, i); }
      if (!sourcePriority.has(s)) unknown.add(s);
      return i;
    });
    const shMap = m.shards.map((s) => {
      let i = shardIndex.get(s);
      if (i === undefined) { i = shardNames.length; shardNames.push(s); shardIndex.set(s, i); }
      return i;
    });
    let g = offsets[m.task];
    for await (const line of lines(ctx.storage, joinUri(ctx.inputDir, docsFile(m.task)))) {
      const r = JSON.parse(line) as [number, number, number, number | null, string];
      const si = srcMap[r[0]];
      t.sourceIdx[g] = si;
      t.priority[g] = sourcePriority.get(sourceNames[si]) ?? -Infinity;
      t.shardIdx[g] = shMap[r[1]];
      t.row[g] = r[2];
      t.score[g] = r[3] ?? NaN;
      g++;
    }
    if (g !== offsets[m.task] + m.docs) throw new Error(`dedup: ${docsFile(m.task)} has ${g - offsets[m.task]} rows, meta says ${m.docs}`);
  }
  if (unknown.size) ctx.log.warn(`dedup: source(s) not in the manifest's source list, ranked lowest: ${[...unknown].join(', ')}`);
  return t;
}

/** Reads ids of the documents flagged in `want` (all when undefined). */
async function readIds(ctx: GlobalContext, metas: TaskMeta[], offsets: number[], want?: Uint8Array): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const m of metas) {
    let g = offsets[m.task];
    for await (const line of lines(ctx.storage, joinUri(ctx.inputDir, docsFile(m.task)))) {
      if (!want || want[g]) {
        const r = JSON.parse(line) as [number, number, number, number | null, string];
        ids.set(g, r[4]);
      }
      g++;
    }
  }
  return ids;
}

/** Loads per-task shingle sets (verification) or signatures (estimated Jaccard) fully into memory. */
async function loadTaskArrays(ctx: GlobalContext, metas: TaskMeta[], kind: 'sh' | 'sig'): Promise<{ idx: Float64Array[]; data: Uint32Array[] }> {
  const idx: Float64Array[] = [], data: Uint32Array[] = [];
  for (const m of metas) {
    if (kind === 'sh') {
      const ib = await ctx.storage.read(joinUri(ctx.inputDir, shIdxFile(m.task)));
      idx.push(new Float64Array(ib.buffer.slice(ib.byteOffset, ib.byteOffset + ib.byteLength)));
      const db = await ctx.storage.read(joinUri(ctx.inputDir, shBinFile(m.task)));
      data.push(new Uint32Array(db.buffer.slice(db.byteOffset, db.byteOffset + db.byteLength)));
    } else {
      const db = await ctx.storage.read(joinUri(ctx.inputDir, sigFile(m.task)));
      data.push(new Uint32Array(db.buffer.slice(db.byteOffset, db.byteOffset + db.byteLength)));
    }
  }
  return { idx, data };
}

function taskOf(offsets: number[], g: number): number {
  let lo = 0, hi = offsets.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offsets[mid] <= g) lo = mid; else hi = mid - 1; }
  return lo;
}

export interface DedupSummary {
  [k: string]: unknown;
}

/** Runs the whole global step. */
export async function runDedupGlobal(p: GlobalParams, ctx: GlobalContext, hooks: GlobalHooks = {}): Promise<DedupSummary> {
  const t0 = Date.now();
  const metas = await readMetas(ctx);
  const bands = metas[0]?.bands ?? 0;
  const table = await readDocTable(ctx, metas, p);
  const N = table.n;
  const { offsets } = table;
  ctx.log.info(`dedup: ${N} documents from ${metas.length} task(s), ${bands} band(s)`);
  const uf = new UnionFind(N);
  const edges = new Edges();
  const wantPairs = !!hooks.onPair;
  const clique = hooks.pairs === 'clique';
  const cliqueCap = hooks.cliqueCap ?? 64;
  const needEdges = p.verify || wantPairs;
  // canonical order inside a bucket (independent of task layout): shard name, then row
  let canon: Float64Array | null = null;
  if (p.verify || wantPairs) {
    const order = table.shardNames.map((_, i) => i).sort((a, b) => (table.shardNames[a] < table.shardNames[b] ? -1 : table.shardNames[a] > table.shardNames[b] ? 1 : 0));
    const rank = new Float64Array(table.shardNames.length);
    order.forEach((s, r) => (rank[s] = r));
    canon = new Float64Array(N);
    for (let g = 0; g < N; g++) canon[g] = rank[table.shardIdx[g]] * 4294967296 + table.row[g];
  }
  let buckets = 0, candidateEdges = 0, maxBucket = 0;
  const bucketHist = new Map<number, number>();
  const tMerge = Date.now();
  for (let b = 0; b < bands; b++) {
    const readers: RunReader[] = [];
    for (const m of metas) for (let k = 0; k < m.spills; k++) readers.push(new RunReader(ctx.storage, joinUri(ctx.inputDir, runFile(m.task, k, b)), offsets[m.task]));
    const r = await mergeBand(readers, (mem, n) => {
      if (n > maxBucket) maxBucket = n;
      const hb = n < 10 ? n : 10 ** Math.floor(Math.log10(n));
      bucketHist.set(hb, (bucketHist.get(hb) ?? 0) + 1);
      if (canon) {
        const c = canon;
        const arr = Array.from(mem.subarray(0, n)).sort((x, y) => c[x] - c[y]);
        if (clique && n <= cliqueCap) {
          for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { edges.push(arr[i], arr[j]); candidateEdges++; }
        } else {
          for (let i = 1; i < n; i++) { edges.push(arr[i - 1], arr[i]); candidateEdges++; }
        }
        if (!p.verify) for (let i = 1; i < n; i++) uf.union(arr[i - 1], arr[i]);
      } else {
        for (let i = 1; i < n; i++) uf.union(mem[i - 1], mem[i]);
        candidateEdges += n - 1;
      }
    });
    buckets += r.buckets;
  }
  const mergeMs = Date.now() - tMerge;
  // verification / pair output
  let verifiedEdges = 0, verifyDropped = 0;
  let idsAll: Map<number, string> | null = null;
  const tVerify = Date.now();
  if (needEdges) {
    edges.dedupe();
    if (wantPairs) idsAll = await readIds(ctx, metas, offsets);
    let sets: { idx: Float64Array[]; data: Uint32Array[] } | null = null;
    let sigs: { idx: Float64Array[]; data: Uint32Array[] } | null = null;
    if (p.verify) {
      if (!metas.every((m) => m.shingles)) throw new Error('dedup: verify needs shingle sets from the map stage (verify: true there too)');
      sets = await loadTaskArrays(ctx, metas, 'sh');
    } else if (wantPairs && metas.every((m) => m.signatures > 0)) sigs = await loadTaskArrays(ctx, metas, 'sig');
    const num_perm = metas[0]?.signatures ?? 0;
    const setOf = (g: number): Uint32Array => {
      const t = taskOf(offsets, g), l = g - offsets[t];
      const ix = sets!.idx[t];
      return sets!.data[t].subarray(ix[l], ix[l + 1]);
    };
    const sigOf = (g: number): Uint32Array => {
      const t = taskOf(offsets, g), l = g - offsets[t];
      return sigs!.data[t].subarray(l * num_perm, (l + 1) * num_perm);
    };
    const seen = new Set<string>();
    for (let i = 0; i < edges.n; i++) {
      const a = edges.a[i], b = edges.b[i];
      let j: number | null = null;
      if (sets) {
        j = jaccardSorted(setOf(a), setOf(b));
        if (j < p.threshold) { verifyDropped++; continue; }
        verifiedEdges++;
        uf.union(a, b);
      } else if (sigs) j = estimateJaccard(sigOf(a), sigOf(b));
      if (wantPairs) { hooks.onPair!(idsAll!.get(a)!, idsAll!.get(b)!, j); if (hooks.expandClusters) seen.add(a + ':' + b); }
    }
    if (sets && hooks.expandClusters && wantPairs) {
      // every other pair inside small clusters, verified
      const byRoot = new Map<number, number[]>();
      for (let g = 0; g < N; g++) {
        const r = uf.find(g);
        const l = byRoot.get(r);
        if (l) l.push(g); else byRoot.set(r, [g]);
      }
      for (const uniq of byRoot.values()) {
        if (uniq.length < 2 || uniq.length > cliqueCap) continue;
        for (let x = 0; x < uniq.length; x++) for (let y = x + 1; y < uniq.length; y++) {
          const key = uniq[x] + ':' + uniq[y];
          if (seen.has(key)) continue;
          const j = jaccardSorted(setOf(uniq[x]), setOf(uniq[y]));
          if (j >= p.threshold) hooks.onPair!(idsAll!.get(uniq[x])!, idsAll!.get(uniq[y])!, j);
        }
      }
    }
  }
  const verifyMs = Date.now() - tVerify;
  // components
  const tRes = Date.now();
  const root = new Int32Array(N);
  const size = new Int32Array(N);
  for (let g = 0; g < N; g++) { root[g] = uf.find(g); size[root[g]]++; }
  const inCluster = new Uint8Array(N);
  let clusterCount = 0, docsInClusters = 0;
  const sizeHist = new Map<number, number>();
  for (let g = 0; g < N; g++) {
    if (size[root[g]] >= 2) { inCluster[g] = 1; docsInClusters++; }
    if (root[g] === g && size[g] >= 2) { clusterCount++; const s = size[g]; sizeHist.set(s, (sizeHist.get(s) ?? 0) + 1); }
  }
  // members grouped by root (counting sort)
  const start = new Int32Array(N + 1);
  for (let g = 0; g < N; g++) if (inCluster[g]) start[root[g] + 1]++;
  for (let i = 0; i < N; i++) start[i + 1] += start[i];
  const fillPos = start.slice(0, N);
  const order = new Int32Array(docsInClusters);
  for (let g = 0; g < N; g++) if (inCluster[g]) order[fillPos[root[g]]++] = g;
  const ids = idsAll ?? (await readIds(ctx, metas, offsets, inCluster));
  const removed = new Uint8Array(N);
  const clusterId = new Map<number, string>();
  const pairCounts = new Map<string, { clusters: number; removedFrom: Record<string, number> }>();
  const removedBySource = new Map<string, number>();
  let removedCount = 0;
  for (let r = 0; r < N; r++) {
    if (root[r] !== r || size[r] < 2) continue;
    const members: Member[] = [];
    for (let k = start[r]; k < start[r + 1]; k++) {
      const g = order[k];
      members.push({ g, id: ids.get(g)!, source: table.sourceNames[table.sourceIdx[g]], priority: table.priority[g], score: table.score[g] });
    }
    let minId = members[0].id;
    for (const m of members) if (m.id < minId) minId = m.id;
    clusterId.set(r, minId);
    const rem = resolveCluster(members, p.policy);
    for (const g of rem) {
      removed[g] = 1;
      removedCount++;
      const s = table.sourceNames[table.sourceIdx[g]];
      removedBySource.set(s, (removedBySource.get(s) ?? 0) + 1);
    }
    const srcs = [...new Set(members.map((m) => m.source))].sort();
    for (let i = 0; i < srcs.length; i++) for (let j = i; j < srcs.length; j++) {
      if (i === j && members.filter((m) => m.source === srcs[i]).length < 2) continue;
      const key = `${srcs[i]} | ${srcs[j]}`;
      const e = pairCounts.get(key) ?? { clusters: 0, removedFrom: {} };
      e.clusters++;
      for (const m of members) if (rem.has(m.g) && (m.source === srcs[i] || m.source === srcs[j])) e.removedFrom[m.source] = (e.removedFrom[m.source] ?? 0) + 1;
      pairCounts.set(key, e);
    }
    if (hooks.onClusterMember) for (const m of members) hooks.onClusterMember(m.id, minId, members.length);
  }
  // per-shard outputs, one shard at a time: clustered docs ordered by (shard, global index) — global indices grow
  // with the row inside a shard, because a shard is read by one task in order
  const S = table.shardNames.length;
  const shStart = new Int32Array(S + 1);
  for (let k = 0; k < order.length; k++) shStart[table.shardIdx[order[k]] + 1]++;
  for (let i = 0; i < S; i++) shStart[i + 1] += shStart[i];
  const shPos = shStart.slice(0, S);
  const byShard = new Int32Array(order.length);
  for (let g = 0; g < N; g++) if (inCluster[g]) byShard[shPos[table.shardIdx[g]]++] = g;
  const shardIndex: { shard: string; file: string; removed: number; inClusters: number }[] = [];
  let shardsWithRemovals = 0;
  for (let sh = 0; sh < S; sh++) {
    if (shStart[sh] === shStart[sh + 1]) continue;
    const rows: number[] = [];
    const cl: string[] = [];
    for (let k = shStart[sh]; k < shStart[sh + 1]; k++) {
      const g = byShard[k];
      if (removed[g]) rows.push(table.row[g]);
      cl.push(JSON.stringify([table.row[g], clusterId.get(root[g])!, size[root[g]]]));
    }
    const name = table.shardNames[sh];
    await ctx.storage.write(joinUri(ctx.outputDir, shardFileName(name)), `{"shard":${JSON.stringify(name)},"removed":[${rows.join(',')}],"clusters":[${cl.join(',')}]}`);
    shardIndex.push({ shard: name, file: shardFileName(name), removed: rows.length, inClusters: cl.length });
    if (rows.length) shardsWithRemovals++;
  }
  const resolveMs = Date.now() - tRes;
  const summary: DedupSummary = {
    documents: N,
    signed: metas.reduce((s, m) => s + m.signed, 0),
    noSignature: metas.reduce((s, m) => s + m.skipped, 0),
    bands,
    buckets,
    largestBucket: maxBucket,
    bucketSizeHistogram: Object.fromEntries([...bucketHist].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k < 10 ? String(k) : `${k}-${k * 10 - 1}`, v])),
    candidateEdges,
    verify: p.verify,
    verifiedEdges: p.verify ? verifiedEdges : undefined,
    edgesDroppedByVerify: p.verify ? verifyDropped : undefined,
    clusters: clusterCount,
    docsInClusters,
    clusterSizeHistogram: Object.fromEntries([...sizeHist].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
    policy: p.policy,
    removed: removedCount,
    removedBySource: Object.fromEntries([...removedBySource].sort()),
    duplicatesBetweenSources: Object.fromEntries([...pairCounts].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    shardsWithRemovals,
    ms: { total: Date.now() - t0, merge: mergeMs, verify: verifyMs, resolve: resolveMs },
  };
  await ctx.storage.write(joinUri(ctx.outputDir, 'index.json'), JSON.stringify({ prefix: p.prefix, policy: p.policy, fingerprint: p.fingerprint, shards: shardIndex, summary }));
  ctx.summary(summary);
  return summary;
}
