// One Storage over every registered driver, chosen by URI scheme.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { AtomicWriter, Driver, FileInfo, ReadOptions, Storage } from './types.ts';
import { FsDriver } from './drivers/fs.ts';

export type DriverFactory = () => Driver;
const factories: DriverFactory[] = [];

/** Backends other than the local filesystem register here (pipeline/drivers/s3.ts does). */
export function registerDriver(f: DriverFactory): void {
  factories.push(f);
}

export function isRemote(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://');
}

export function createStorage(extra: Driver[] = []): Storage {
  const drivers: Driver[] = [...extra, ...factories.map((f) => f()), new FsDriver()];
  const driverFor = (uri: string): Driver => {
    const d = drivers.find((x) => x.accepts(uri));
    if (!d) {
      const scheme = uri.split('://')[0];
      throw new Error(`No storage driver for "${uri}" (scheme ${scheme}://). Supported: local paths, file://, s3://.`);
    }
    return d;
  };
  return {
    driverFor,
    resolve(base: string, path: string): string {
      if (isRemote(path) || isAbsolute(path) || path.startsWith('file://')) return path;
      if (isRemote(base)) return base.replace(/\/+$/, '') + '/' + path.replace(/^\.\//, '');
      return resolvePath(base, path);
    },
    list: (p: string): AsyncIterable<FileInfo> => driverFor(p).list(p),
    stat: (u: string) => driverFor(u).stat(u),
    read: (u: string) => driverFor(u).read(u),
    readRange: (u: string, s: number, e: number, o?: ReadOptions) => driverFor(u).readRange(u, s, e, o),
    readStream: (u: string, o?: ReadOptions) => driverFor(u).readStream(u, o),
    write: (u: string, d: Uint8Array | string) => driverFor(u).write(u, d),
    writer: (u: string): Promise<AtomicWriter> => driverFor(u).writer(u),
    delete: (u: string) => driverFor(u).delete(u),
    localPath: (u: string) => driverFor(u).localPath(u),
  };
}

/** Joins path segments under a run directory that may be local or remote. */
export function joinUri(base: string, ...parts: string[]): string {
  if (isRemote(base)) return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
  return resolvePath(base, ...parts);
}
