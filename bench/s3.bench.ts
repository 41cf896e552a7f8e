// S3 driver throughput against real local servers (s3rver child process; Swift s3api when running on :18080).
//   node bench/s3.bench.ts [--mb 64]
// Reports MB per CPU-second of this process (the client side: SDK, signing, MD5, copies) and wall MB/s, which on a
// loopback server mostly measures the server. The machine is shared, so CPU-seconds are the comparable number.
import { randomBytes } from 'node:crypto';
import { s3rver, swift, stopS3rver, freshBucket, driverFor, type Available } from '../test/s3/servers.ts';

const argMb = process.argv.indexOf('--mb');
const MB = argMb > 0 ? Number(process.argv[argMb + 1]) : 64;
const MiB = 1024 * 1024;

interface Row {
  server: string;
  op: string;
  mb: number;
  cpuS: number;
  wallS: number;
  requests: number;
}

async function measure(server: string, op: string, mb: number, counters: { requests: number }, fn: () => Promise<void>): Promise<Row> {
  const r0 = counters.requests;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { server, op, mb, cpuS: (c.user + c.system) / 1e6, wallS, requests: counters.requests - r0 };
}

const rows: Row[] = [];
const servers: Available[] = [await s3rver(), await swift()];
for (const a of servers) {
  if (!a.target) {
    console.error(`skip: ${a.reason}`);
    continue;
  }
  const t = a.target;
  const bucket = await freshBucket(t, 'curate-bench');
  const d = driverFor(t);
  const data = randomBytes(MB * MiB);
  const uri = `s3://${bucket}/bench.bin`;
  rows.push(
    await measure(t.name, `writer() multipart, 1 MiB chunks`, MB, d.counters, async () => {
      const w = await d.writer(uri);
      for (let off = 0; off < data.length; off += MiB) await w.write(data.subarray(off, off + MiB));
      await w.commit();
    }),
  );
  rows.push(await measure(t.name, 'read() whole object', MB, d.counters, async () => void (await d.read(uri))));
  rows.push(
    await measure(t.name, 'readStream()', MB, d.counters, async () => {
      for await (const c of d.readStream(uri)) void c;
    }),
  );
  rows.push(
    await measure(t.name, 'readRange() 1 MiB x N, 8 parallel', MB, d.counters, async () => {
      const n = MB;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < n) {
            const i = next++;
            await d.readRange(uri, i * MiB, (i + 1) * MiB);
          }
        }),
      );
    }),
  );
  const small = Array.from({ length: 200 }, (_, i) => `s3://${bucket}/small/${i}.json`);
  rows.push(
    await measure(t.name, 'write() 200 x 1 KiB objects, 16 parallel', 200 / 1024, d.counters, async () => {
      const buf = randomBytes(1024);
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => { while (next < small.length) await d.write(small[next++], buf); }));
    }),
  );
}
stopS3rver();

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad('server', 8)} ${pad('operation', 42)} ${'MB'.padStart(7)} ${'requests'.padStart(8)} ${'CPU s'.padStart(7)} ${'MB/CPU-s'.padStart(9)} ${'wall s'.padStart(7)} ${'MB/s wall'.padStart(9)}`);
for (const r of rows) {
  console.log(
    `${pad(r.server, 8)} ${pad(r.op, 42)} ${r.mb.toFixed(2).padStart(7)} ${String(r.requests).padStart(8)} ${r.cpuS.toFixed(2).padStart(7)} ${(r.mb / r.cpuS).toFixed(1).padStart(9)} ${r.wallS.toFixed(2).padStart(7)} ${(r.mb / r.wallS).toFixed(1).padStart(9)}`,
  );
}
