// Node's streaming zstd decompressor ends quietly on a truncated input (it just stops producing output), which
// would lose the rest of the file without a word. This pass-through walks the zstd frame structure (RFC 8878:
// frame header, block headers with their sizes, optional checksum; skippable frames) as the bytes stream by, and
// fails at the end unless the input stopped exactly at a frame boundary.
import { Transform, type TransformCallback } from 'node:stream';

const MAGIC = 0xfd2fb528;

export class ZstdTruncatedError extends Error {
  readonly code = 'ZSTD_TRUNCATED';
}

export class ZstdFrameCheck extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current frame still to skip before the next header to parse. */
  private skip = 0;
  private state: 'magic' | 'header' | 'block' | 'checksum' = 'magic';
  private checksum = false;
  private total = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length;
    this.push(chunk);
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    try {
      for (;;) {
        if (this.skip > 0) {
          const n = Math.min(this.skip, buf.length - pos);
          this.skip -= n;
          pos += n;
          if (this.skip > 0) break;
        }
        if (this.state === 'magic') {
          if (buf.length - pos < 4) break;
          const m = buf.readUInt32LE(pos);
          if (m === MAGIC) { pos += 4; this.state = 'header'; continue; }
          if ((m & 0xfffffff0) === 0x184d2a50) { // skippable frame: 4-byte size, then data
            if (buf.length - pos < 8) break;
            this.skip = buf.readUInt32LE(pos + 4);
            pos += 8;
            continue;
          }
          throw new Error(`not a zstd frame at byte ${this.total - (buf.length - pos)}`);
        }
        if (this.state === 'header') {
          if (buf.length - pos < 1) break;
          const fhd = buf[pos];
          const fcsFlag = fhd >> 6;
          const single = (fhd >> 5) & 1;
          this.checksum = ((fhd >> 2) & 1) === 1;
          const did = [0, 1, 2, 4][fhd & 3];
          const fcs = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag];
          const len = 1 + (single ? 0 : 1) + did + fcs;
          if (buf.length - pos < len) break;
          pos += len;
          this.state = 'block';
          continue;
        }
        if (this.state === 'block') {
          if (buf.length - pos < 3) break;
          const h = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16);
          pos += 3;
          const last = h & 1;
          const type = (h >> 1) & 3;
          const size = h >>> 3;
          if (type === 3) throw new Error('reserved zstd block type (corrupt data)');
          this.skip = type === 1 ? 1 : size;
          if (last) this.state = this.checksum ? 'checksum' : 'magic';
          continue;
        }
        // checksum
        this.skip = 4;
        this.state = 'magic';
      }
    } catch (e) {
      cb(e as Error);
      return;
    }
    this.pending = Buffer.from(buf.subarray(pos));
    cb();
  }

  /** True when the bytes seen so far stop inside a frame. */
  incomplete(): boolean {
    return this.skip > 0 || this.pending.length > 0 || this.state !== 'magic' || this.total === 0;
  }

  override _flush(cb: TransformCallback): void {
    if (this.incomplete()) cb(new ZstdTruncatedError('the compressed stream is truncated (the last zstd frame is incomplete)'));
    else cb();
  }
}
