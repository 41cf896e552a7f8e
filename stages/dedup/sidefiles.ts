// Per-task side files written by the dedup map stages and read by the global step.
//
//   t<T>.docs.jsonl        one line per document seen by the task: [sourceIdx, shardIdx, row, score|null, id]
//   t<T>.s<K>.b<B>.bin     spill K of band B: records (keyHi u32, keyLo u32, localDoc u32), sorted by key then doc
//   t<T>.sig.bin           optional: num_perm u32 per document (zeros when the doc got no signature)
//   t<T>.sh.idx / .sh.bin  optional: shingle sets (Float64 offsets, N+1; sorted unique u32 hashes)
//   t<T>.meta.json         written last (its presence marks the task's side output as complete)
import type { AtomicWriter, Doc, StageContext, Storage } from '../../pipeline/types.ts';
import { joinUri } from '../../pipeline/storage.ts';

export interface TaskMeta {
  task: number;
  docs: number;
  spills: number;
  bands: number;
  sources: string[];
  shards: string[];
  signatures: number;
  shingles: boolean;
  fingerprint: string;
  signed: number;
  skipped: number;
}

/**
 * The file a document came from: `shard` is relative to its source's root, so two sources can both have `a.jsonl`;
 * the key is `<source>/<shard>`.
 */
export function provenanceKey(d: Pick<Doc, 'source' | 'shard'>): string {
  return `${d.source}/${d.shard}`;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
export const docsFile = (t: number): string => `t${pad(t, 5)}.docs.jsonl`;
export const runFile = (t: number, k: number, b: number): string => `t${pad(t, 5)}.s${pad(k, 5)}.b${pad(b, 3)}.bin`;
export const sigFile = (t: number): string => `t${pad(t, 5)}.sig.bin`;
export const shIdxFile = (t: number): string => `t${pad(t, 5)}.sh.idx`;
export const shBinFile = (t: number): string => `t${pad(t, 5)}.sh.bin`;
export const metaFile = (t: number): string => `t${pad(t, 5)}.meta.json`;

/** Growable (hi, lo, doc) record buffer. */
class Records {
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  doc = new Uint32Array(1024);
  n = 0;
  push(hi: number, lo: number, doc: number): void {
    if (this.n === this.hi.length) {
      const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
        const g = new Uint32Array(a.length * 2);
        g.set(a);
        return g;
      };
      this.hi = grow(this.hi); this.lo = grow(this.lo); this.doc = grow(this.doc);
    }
    this.hi[this.n] = hi; this.lo[this.n] = lo; this.doc[this.n] = doc;
    this.n++;
  }
}

/**
 * Stable LSD radix sort of (hi, lo, doc) records by (hi, lo), 16-bit digits, four passes. Records are pushed in
 * doc order, so equal keys stay in doc order. Returns the interleaved sorted records.
 */
export function sortRecords(hi: Uint32Array, lo: Uint32Array, doc: Uint32Array, n: number): Uint32Array {
  let idx = new Uint32Array(n);
  let tmp = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[idx[i]] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = count[d]; count[d] = sum; sum += c; }
    for (let i = 0; i < n; i++) { const j = idx[i]; tmp[count[(src[j] >>> shift) & 0xffff]++] = j; }
    const s = idx; idx = tmp; tmp = s;
  }
  const out = new Uint32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const j = idx[i];
    out[i * 3] = hi[j]; out[i * 3 + 1] = lo[j]; out[i * 3 + 2] = doc[j];
  }
  return out;
}

const te = new TextEncoder();

/** Buffered text writer over an AtomicWriter. */
class TextOut {
  private parts: string[] = [];
  private size = 0;
  private readonly w: AtomicWriter;
  constructor(w: AtomicWriter) { this.w = w; }
  async line(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const s = this.parts.join('\n') + '\n';
    this.parts = []; this.size = 0;
    await this.w.write(te.encode(s));
  }
  async commit(): Promise<void> { await this.flush(); await this.w.commit(); }
  async abort(): Promise<void> { await this.w.abort(); }
}

/** Binary buffered writer. */
class BinOut {
  private buf: Uint8Array;
  private n = 0;
  private readonly w: AtomicWriter;
  bytes = 0;
  constructor(w: AtomicWriter, size = 1 << 20) { this.w = w; this.buf = new Uint8Array(size); }
  async put(data: Uint8Array): Promise<void> {
    if (this.n + data.length > this.buf.length) await this.flush();
    if (data.length > this.buf.length) { await this.w.write(data); this.bytes += data.length; return; }
    this.buf.set(data, this.n);
    this.n += data.length;
    this.bytes += data.length;
  }
  async flush(): Promise<void> {
    if (this.n) await this.w.write(this.buf.slice(0, this.n));
    this.n = 0;
  }
  async commit(): Promise<void> { await this.flush(); await this.w.commit(); }
  async abort(): Promise<void> { await this.w.abort(); }
}

export interface SideWriterOptions {
  bands: number;
  spill_docs: number;
  signatures: number; // 0 = don't keep
  shingles: boolean;
  fingerprint: string;
}

/** Accumulates one task's documents and band keys; spills sorted runs every `spill_docs` documents. */
export class SideWriter {
  private readonly ctx: StageContext;
  private readonly opt: SideWriterOptions;
  private readonly recs: Records[];
  private readonly sources = new Map<string, number>();
  private readonly shards = new Map<string, number>();
  private docsOut?: TextOut;
  private sigOut?: BinOut;
  private shIdx: number[] = [0];
  private shOut?: BinOut;
  private spills = 0;
  private sinceSpill = 0;
  docs = 0;
  signed = 0;
  skipped = 0;

  constructor(ctx: StageContext, opt: SideWriterOptions) {
    this.ctx = ctx;
    this.opt = opt;
    this.recs = Array.from({ length: opt.bands }, () => new Records());
  }

  private uri(name: string): string {
    return joinUri(this.ctx.sideDir, name);
  }

  async open(): Promise<void> {
    const t = this.ctx.task.task;
    const st: Storage = this.ctx.storage;
    this.docsOut = new TextOut(await st.writer(this.uri(docsFile(t))));
    if (this.opt.signatures) this.sigOut = new BinOut(await st.writer(this.uri(sigFile(t))));
    if (this.opt.shingles) this.shOut = new BinOut(await st.writer(this.uri(shBinFile(t))));
  }

  /** Registers a document; returns its local index. */
  async addDoc(doc: Doc, score: number | null): Promise<number> {
    let s = this.sources.get(doc.source);
    if (s === undefined) { s = this.sources.size; this.sources.set(doc.source, s); }
    const shardKey = provenanceKey(doc);
    let sh = this.shards.get(shardKey);
    if (sh === undefined) { sh = this.shards.size; this.shards.set(shardKey, sh); }
    await this.docsOut!.line(JSON.stringify([s, sh, doc.row, score !== null && Number.isFinite(score) ? score : null, doc.id]));
    return this.docs++;
  }

  key(local: number, band: number, hi: number, lo: number): void {
    this.recs[band].push(hi, lo, local);
  }

  async signature(sig: Uint32Array | null): Promise<void> {
    if (!this.sigOut) return;
    const s = sig ?? new Uint32Array(this.opt.signatures);
    await this.sigOut.put(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
  }

  async shingles(set: Uint32Array): Promise<void> {
    if (!this.shOut) return;
    await this.shOut.put(new Uint8Array(set.buffer, set.byteOffset, set.byteLength));
    this.shIdx.push(this.shOut.bytes / 4);
  }

  /** Call after each document: spills when the run is full. */
  async docDone(): Promise<void> {
    if (++this.sinceSpill >= this.opt.spill_docs) await this.spill();
  }

  private async spill(): Promise<void> {
    const t = this.ctx.task.task;
    for (let b = 0; b < this.opt.bands; b++) {
      const r = this.recs[b];
      const sorted = sortRecords(r.hi, r.lo, r.doc, r.n);
      await this.ctx.storage.write(this.uri(runFile(t, this.spills, b)), new Uint8Array(sorted.buffer));
      this.recs[b] = new Records();
    }
    this.spills++;
    this.sinceSpill = 0;
  }

  async finish(): Promise<TaskMeta> {
    if (this.sinceSpill > 0 || this.spills === 0) await this.spill();
    await this.docsOut!.commit();
    if (this.sigOut) await this.sigOut.commit();
    if (this.shOut) {
      await this.shOut.commit();
      await this.ctx.storage.write(this.uri(shIdxFile(this.ctx.task.task)), new Uint8Array(Float64Array.from(this.shIdx).buffer));
    }
    const meta: TaskMeta = {
      task: this.ctx.task.task,
      docs: this.docs,
      spills: this.spills,
      bands: this.opt.bands,
      sources: [...this.sources.keys()],
      shards: [...this.shards.keys()],
      signatures: this.opt.signatures,
      shingles: this.opt.shingles,
      fingerprint: this.opt.fingerprint,
      signed: this.signed,
      skipped: this.skipped,
    };
    await this.ctx.storage.write(this.uri(metaFile(this.ctx.task.task)), JSON.stringify(meta));
    return meta;
  }

  async abort(): Promise<void> {
    await this.docsOut?.abort();
    await this.sigOut?.abort();
    await this.shOut?.abort();
  }
}
