// Every driver operation through a proxy that fails 30% of requests (500, 503 SlowDown, resets, bodies cut off
// mid-way) still succeeds with identical bytes; a store that keeps failing gives a clear error after max_attempts.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targets, skipUnless, requireTarget, freshBucket, driverFor, stopS3rver } from './servers.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import type { S3Driver } from '../../pipeline/drivers/s3.ts';

const MiB = 1024 * 1024;
const all = await targets();
after(() => stopS3rver());
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

for (const avail of all) {
  describe(`S3 driver through a faulty endpoint (${avail.target?.name ?? 'unavailable'})`, { skip: skipUnless(avail) }, () => {
    let proxy: FaultProxy;
    let d: S3Driver;
    let bucket: string;
    after(async () => proxy?.close());

    it('starts the fault proxy', async () => {
      const t = requireTarget(avail);
      bucket = await freshBucket(t, 'curate-faults');
      proxy = await startFaultProxy(t.endpoint, { rate: 0.3, seed: 99 });
      d = driverFor(t, { part_size_mb: 5, retry_base_ms: 2, retry_max_ms: 50, max_attempts: 25, cache_dir: mkdtempSync(join(tmpdir(), 'curate-fault-cache-')) }, proxy.endpoint);
    });

    it('multipart write, whole/streamed/ranged reads, listing pages, localPath, delete: identical bytes', async () => {
      const big = randomBytes(12 * MiB + 12345);
      const w = await d.writer(`s3://${bucket}/big.bin`);
      for (let off = 0; off < big.length; off += 700_001) await w.write(big.subarray(off, off + 700_001));
      await w.commit();
      assert.equal(sha(await d.read(`s3://${bucket}/big.bin`)), sha(big));
      assert.equal(sha(await collect(d.readStream(`s3://${bucket}/big.bin`))), sha(big));
      for (const [s, e] of [
        [0, 1],
        [5 * MiB - 3, 5 * MiB + 3],
        [big.length - 100, big.length],
      ] as const)
        assert.ok(Buffer.from(await d.readRange(`s3://${bucket}/big.bin`, s, e)).equals(big.subarray(s, e)));

      const small = Array.from({ length: 30 }, (_, i) => `object ${i} ${'x'.repeat(i * 37)}`);
      await Promise.all(small.map((s, i) => d.write(`s3://${bucket}/many/${String(i).padStart(3, '0')}.txt`, s)));
      d.listPageSize = 4;
      const listed = [];
      for await (const f of d.list(`s3://${bucket}/many/`)) listed.push(f);
      assert.equal(listed.length, 30);
      for (let i = 0; i < 30; i++) assert.equal(Buffer.from(await d.read(listed[i].uri)).toString(), small[i]);

      const p = await d.localPath(`s3://${bucket}/many/007.txt`);
      assert.equal(readFileSync(p, 'utf8'), small[7]);

      await d.delete(`s3://${bucket}/many`);
      const left = [];
      for await (const f of d.list(`s3://${bucket}/many/`)) left.push(f);
      assert.equal(left.length, 0);

      const faults = proxy.counts.error500 + proxy.counts.slowdown503 + proxy.counts.reset + proxy.counts.cut;
      assert.ok(faults >= 10, `faults injected: ${JSON.stringify(proxy.counts)}`);
      assert.ok(d.counters.retries >= faults * 0.5, `retries ${d.counters.retries} for ${faults} faults`);
    });

    it('gives up after max_attempts with an error that names the object and says what to do', async () => {
      proxy.setRate(1);
      const t = requireTarget(avail);
      const stubborn = driverFor(t, { max_attempts: 3, retry_base_ms: 1 }, proxy.endpoint);
      await assert.rejects(stubborn.read(`s3://${bucket}/big.bin`), (e: Error) => {
        assert.match(e.message, new RegExp(`s3://${bucket}/big.bin`));
        assert.match(e.message, /after 3 attempts/);
        assert.match(e.message, /CURATE_S3_MAX_ATTEMPTS|CURATE_S3_MAX_CONCURRENCY|Cannot reach/);
        return true;
      });
      proxy.setRate(0.3);
    });
  });
}
