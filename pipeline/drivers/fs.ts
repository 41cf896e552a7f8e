// Local filesystem driver. Writes go to a hidden temp name in the same folder, then rename: atomic on POSIX.
import { createReadStream, promises as fsp } from 'node:fs';
import { dirname, basename, join, resolve as resolvePath } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AtomicWriter, Driver, FileInfo } from '../types.ts';

export function toPath(uri: string): string {
  return uri.startsWith('file://') ? new URL(uri).pathname : uri;
}

/** Temp files start with `.tmp-` so listings and globs skip them; a crash never leaves a visible partial file. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.tmp-${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
}

export function isTempName(name: string): boolean {
  return basename(name).startsWith('.tmp-');
}

export class FsDriver implements Driver {
  readonly name = 'fs';
  accepts(uri: string): boolean {
    return !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri.startsWith('file://');
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const root = resolvePath(toPath(prefix));
    const st = await fsp.stat(root).catch(() => null);
    if (!st) return;
    if (st.isFile()) {
      yield { uri: root, size: st.size, mtimeMs: st.mtimeMs };
      return;
    }
    const out: FileInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fsp.readdir(dir, { withFileTypes: true });
      for (const e of entries) {
        if (isTempName(e.name)) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) {
          const s = await fsp.stat(p);
          out.push({ uri: p, size: s.size, mtimeMs: s.mtimeMs });
        }
      }
    };
    await walk(root);
    out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    yield* out;
  }

  async stat(uri: string): Promise<FileInfo | null> {
    const p = toPath(uri);
    const s = await fsp.stat(p).catch(() => null);
    return s && s.isFile() ? { uri: p, size: s.size, mtimeMs: s.mtimeMs } : null;
  }

  async read(uri: string): Promise<Uint8Array> {
    return fsp.readFile(toPath(uri));
  }

  async readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
    const fh = await fsp.open(toPath(uri), 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.max(0, end - start));
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off === buf.length ? buf : buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  async *readStream(uri: string): AsyncIterable<Uint8Array> {
    yield* createReadStream(toPath(uri), { highWaterMark: 1 << 20 });
  }

  async write(uri: string, data: Uint8Array | string): Promise<void> {
    const w = await this.writer(uri);
    try {
      await w.write(typeof data === 'string' ? Buffer.from(data) : data);
      await w.commit();
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  async writer(uri: string): Promise<AtomicWriter> {
    const path = toPath(uri);
    await fsp.mkdir(dirname(path), { recursive: true });
    const tmp = tempNameFor(path);
    const fh = await fsp.open(tmp, 'w');
    let closed = false;
    return {
      async write(chunk) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
      },
      async commit() {
        await fh.sync();
        await fh.close();
        closed = true;
        await fsp.rename(tmp, path);
      },
      async abort() {
        if (!closed) await fh.close().catch(() => {});
        closed = true;
        await fsp.rm(tmp, { force: true });
      },
    };
  }

  async delete(uri: string): Promise<void> {
    await fsp.rm(toPath(uri), { force: true, recursive: true });
  }

  async localPath(uri: string): Promise<string> {
    return resolvePath(toPath(uri));
  }
}
