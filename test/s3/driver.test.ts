// S3 driver against real S3-compatible servers (s3rver child process; Swift s3api when running).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { targets, skipUnless, requireTarget, freshBucket, driverFor, rawClient, stopS3rver, REPO_ROOT } from './servers.ts';
import { S3Driver, S3StorageError, parseS3Uri, resolveS3Settings } from '../../pipeline/drivers/s3.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { InputError, readRecords } from '../../pipeline/formats/readers.ts';

const MiB = 1024 * 1024;
const all = await targets();
after(() => stopS3rver());

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('settings', () => {
  it('manifest settings win over the environment, which wins over defaults', () => {
    const env = { AWS_ENDPOINT_URL: 'http://env:9000', CURATE_S3_MAX_CONCURRENCY: '3', CURATE_S3_PART_SIZE_MB: '6', AWS_REGION: 'eu-west-1' };
    const a = resolveS3Settings({}, env);
    assert.equal(a.endpoint, 'http://env:9000');
    assert.equal(a.forcePathStyle, true, 'an explicit endpoint defaults to path-style');
    assert.equal(a.maxConcurrency, 3);
    assert.equal(a.partSize, 6 * MiB);
    assert.equal(a.region, 'eu-west-1');
    const b = resolveS3Settings({ endpoint: 'http://manifest:9000', force_path_style: false, max_concurrency: 5 }, env);
    assert.equal(b.endpoint, 'http://manifest:9000');
    assert.equal(b.forcePathStyle, false);
    assert.equal(b.maxConcurrency, 5);
    const c = resolveS3Settings({}, {});
    assert.equal(c.endpoint, undefined);
    assert.equal(c.forcePathStyle, false);
    assert.equal(c.partSize, 8 * MiB);
  });
  it('rejects parts below the S3 minimum and malformed env values', () => {
    assert.throws(() => resolveS3Settings({}, { CURATE_S3_PART_SIZE_MB: '4' }), /5 MiB/);
    assert.throws(() => resolveS3Settings({}, { CURATE_S3_FORCE_PATH_STYLE: 'maybe' }), /CURATE_S3_FORCE_PATH_STYLE/);
    assert.throws(() => resolveS3Settings({ part_size_mb: 1 } as never, {}));
    assert.throws(() => resolveS3Settings({ endpont: 'x' } as never, {}), /endpont|Unrecognized/);
  });
  it('parses s3 URIs', () => {
    assert.deepEqual(parseS3Uri('s3://b/a/b c/d.txt'), { bucket: 'b', key: 'a/b c/d.txt' });
    assert.deepEqual(parseS3Uri('s3://b'), { bucket: 'b', key: '' });
    assert.throws(() => parseS3Uri('http://b/x'), /s3:\/\/bucket\/key/);
  });
  it('is registered in createStorage() for s3:// URIs', async () => {
    await import('../../pipeline/drivers/s3.ts');
    assert.equal(createStorage().driverFor('s3://bucket/key').name, 's3');
    assert.equal(createStorage().driverFor('/tmp/x').name, 'fs');
  });
});

for (const avail of all) {
  const name = avail.target?.name ?? avail.reason.split(' ')[0].toLowerCase();
  describe(`S3 driver on ${name}`, { skip: skipUnless(avail) }, () => {
    let t: ReturnType<typeof requireTarget>;
    let bucket: string;
    let d: S3Driver;
    const cache = mkdtempSync(join(tmpdir(), 'curate-s3cache-'));

    it('connects', async () => {
      t = requireTarget(avail);
      bucket = await freshBucket(t);
      d = driverFor(t, { part_size_mb: 5, cache_dir: cache });
    });

    it('writes, stats and reads small objects; missing objects stat as null', async () => {
      await d.write(`s3://${bucket}/small/hello.txt`, 'hello world\n');
      const st = await d.stat(`s3://${bucket}/small/hello.txt`);
      assert.equal(st?.size, 12);
      assert.equal(st?.uri, `s3://${bucket}/small/hello.txt`);
      assert.match(st?.etag ?? '', /^[0-9a-f]{32}$/);
      assert.equal(Buffer.from(await d.read(`s3://${bucket}/small/hello.txt`)).toString(), 'hello world\n');
      assert.equal(await d.stat(`s3://${bucket}/small/nope.txt`), null);
      assert.equal(await d.stat(`s3://${bucket}/small`), null, 'a prefix is not an object');
      await d.write(`s3://${bucket}/small/empty`, new Uint8Array(0));
      assert.equal((await d.read(`s3://${bucket}/small/empty`)).length, 0);
      assert.equal((await collect(d.readStream(`s3://${bucket}/small/empty`))).length, 0);
    });

    it('lists a prefix like a folder, across pages', async () => {
      const pageSized = driverFor(t, { cache_dir: cache });
      pageSized.listPageSize = 7;
      const keys: string[] = [];
      for (let i = 0; i < 23; i++) keys.push(`ls/dir/f${String(i).padStart(3, '0')}.jsonl`);
      keys.push('ls/dir/sub/deep.txt', 'ls/dir2/other.txt', 'ls/zz.txt');
      if (t.quirks.fileAndFolderKeys) keys.push('ls/dir');
      await Promise.all(keys.map((k) => d.write(`s3://${bucket}/${k}`, k)));
      const got = [];
      for await (const f of pageSized.list(`s3://${bucket}/ls/dir`)) got.push(f);
      const want = keys.filter((k) => k === 'ls/dir' || k.startsWith('ls/dir/')).sort();
      assert.deepEqual(got.map((f) => f.uri), want.map((k) => `s3://${bucket}/${k}`));
      for (const f of got) assert.equal(f.size, Buffer.byteLength(parseS3Uri(f.uri).key));
      const slash = [];
      for await (const f of pageSized.list(`s3://${bucket}/ls/dir/`)) slash.push(f.uri);
      assert.equal(slash.length, 24, 'trailing slash: only what is under dir/');
      assert.ok(!slash.includes(`s3://${bucket}/ls/dir`));
      const whole = [];
      for await (const f of pageSized.list(`s3://${bucket}/ls/`)) whole.push(f.uri);
      assert.equal(whole.length, keys.length);
      assert.deepEqual(whole, [...whole].sort(), 'sorted by URI');
      assert.ok(pageSized.counters.requests >= 4, 'several pages were requested');
      const none = [];
      for await (const f of d.list(`s3://${bucket}/nothing-here/`)) none.push(f);
      assert.equal(none.length, 0);
    });

    it('reads explicit ranges, clipped like a file read', async () => {
      const data = randomBytes(MiB + 4321);
      const uri = `s3://${bucket}/range/blob.bin`;
      await d.write(uri, data);
      const cases: [number, number][] = [
        [0, 1],
        [0, 4],
        [17, 4113],
        [data.length - 8, data.length],
        [data.length - 8, data.length + 100],
        [MiB, MiB + 4321],
        [5, 5],
      ];
      for (const [s, e] of cases) {
        const got = Buffer.from(await d.readRange(uri, s, e));
        assert.ok(got.equals(data.subarray(s, Math.min(e, data.length))), `range [${s}, ${e})`);
      }
      assert.equal((await d.readRange(uri, data.length, data.length + 10)).length, 0, 'start at EOF');
      assert.equal((await d.readRange(uri, data.length + 50, data.length + 60)).length, 0, 'start past EOF');
      // A Parquet-style footer read: HEAD for the size, then an explicit range (never a suffix range).
      const st = await d.stat(uri);
      assert.ok(Buffer.from(await d.readRange(uri, st!.size - 8, st!.size)).equals(data.subarray(data.length - 8)));
      assert.ok(Buffer.from(await d.read(uri)).equals(data));
      assert.ok((await collect(d.readStream(uri))).equals(data));
    });

    it('reads pinned to the listed ETag fail once the object is replaced, naming the file', async () => {
      const uri = `s3://${bucket}/pinned/in.jsonl`;
      await d.write(uri, '{"id":"a","text":"first version"}\n');
      const v1 = (await d.stat(uri))!.etag!;
      assert.ok(Buffer.from(await d.readRange(uri, 0, 5, { etag: v1 })).equals(Buffer.from('{"id"')), 'same version: read');
      assert.equal((await collect(d.readStream(uri, { etag: v1 }))).toString().split('\n')[0], '{"id":"a","text":"first version"}');
      await d.write(uri, '{"id":"b","text":"second version, other bytes"}\n');
      if (!t.quirks.conditionalReads) return; // s3rver serves the new version whatever If-Match says
      await assert.rejects(d.readRange(uri, 0, 5, { etag: v1 }), (e: Error & { code?: string }) => e.code === 'OBJECT_CHANGED' && e.message.includes(uri));
      await assert.rejects(collect(d.readStream(uri, { etag: v1 })), (e: Error & { code?: string }) => e.code === 'OBJECT_CHANGED');
      // through the reader: an InputError naming the file, with what to do
      const storage = createStorage([d]);
      const read = async (): Promise<void> => {
        for await (const batch of readRecords(storage, uri, 'jsonl', { etag: v1 })) void batch;
      };
      await assert.rejects(read(), (e: Error) => e instanceof InputError && e.message.startsWith(uri) && /changed while it was being read.*must not change during a run/.test(e.message));
      // without a pin the current version is read
      const rows = [];
      for await (const batch of readRecords(storage, uri, 'jsonl')) rows.push(...batch);
      assert.equal(rows.length, 1);
    });

    it('streams a multipart upload that is invisible until commit', async () => {
      const uri = `s3://${bucket}/mp/big.bin`;
      const data = randomBytes(13 * MiB + 777);
      const w = await d.writer(uri);
      // odd chunk sizes that straddle part boundaries
      let off = 0;
      let step = 1;
      while (off < data.length) {
        const n = Math.min(data.length - off, 333_333 * step);
        await w.write(data.subarray(off, off + n));
        off += n;
        step = (step % 7) + 1;
      }
      assert.equal(await d.stat(uri), null, 'not visible before commit');
      const listed = [];
      for await (const f of d.list(`s3://${bucket}/mp/`)) listed.push(f);
      assert.equal(listed.length, 0, 'not listed before commit');
      await w.commit();
      const st = await d.stat(uri);
      assert.equal(st?.size, data.length);
      assert.equal(sha(await d.read(uri)), sha(data));
      assert.equal(sha(await collect(d.readStream(uri))), sha(data));
    });

    it('abort() leaves no object (and no open upload where the server supports listing them)', async () => {
      const uri = `s3://${bucket}/mp/aborted.bin`;
      const w = await d.writer(uri);
      await w.write(randomBytes(11 * MiB));
      await w.abort();
      assert.equal(await d.stat(uri), null);
      if (t.quirks.abortMultipart) {
        const c = rawClient(t);
        const r = await c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'mp/aborted' }));
        c.destroy();
        assert.equal((r.Uploads ?? []).length, 0, 'upload aborted');
      }
      const small = await d.writer(`s3://${bucket}/mp/small-aborted.txt`);
      await small.write(Buffer.from('tiny'));
      await small.abort();
      assert.equal(await d.stat(`s3://${bucket}/mp/small-aborted.txt`), null);
    });

    it('a writer killed mid-upload (process crash) leaves no visible object', async () => {
      const uri = `s3://${bucket}/crash/partial.bin`;
      const script = `
        import { S3Driver } from ${JSON.stringify(REPO_ROOT + 'pipeline/drivers/s3.ts')};
        const d = new S3Driver({ endpoint: ${JSON.stringify(t.endpoint)}, force_path_style: true, region: 'us-east-1', part_size_mb: 5 }, {},
          { credentials: { accessKeyId: ${JSON.stringify(t.accessKeyId)}, secretAccessKey: ${JSON.stringify(t.secretAccessKey)} } });
        const w = await d.writer(${JSON.stringify(uri)});
        await w.write(new Uint8Array(12 * 1024 * 1024).fill(7));
        await new Promise((r) => setTimeout(r, 300));
        process.exit(3);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: REPO_ROOT });
      assert.equal(r.status, 3, r.stderr);
      assert.equal(await d.stat(uri), null);
      const listed = [];
      for await (const f of d.list(`s3://${bucket}/crash/`)) listed.push(f);
      assert.equal(listed.length, 0);
    });

    it('write() of a large buffer goes multipart and round-trips', async () => {
      const uri = `s3://${bucket}/mp/whole.bin`;
      const data = randomBytes(11 * MiB + 5);
      await d.write(uri, data);
      assert.equal(sha(await d.read(uri)), sha(data));
    });

    it('delete removes an object, or a prefix recursively like rm -rf', async () => {
      for (let i = 0; i < 5; i++) await d.write(`s3://${bucket}/del/a/${i}.txt`, String(i));
      await d.write(`s3://${bucket}/del/keep.txt`, 'k');
      await d.write(`s3://${bucket}/del/a-sibling.txt`, 's');
      await d.delete(`s3://${bucket}/del/a`);
      const left = [];
      for await (const f of d.list(`s3://${bucket}/del/`)) left.push(parseS3Uri(f.uri).key);
      assert.deepEqual(left, ['del/a-sibling.txt', 'del/keep.txt']);
      await d.delete(`s3://${bucket}/del/keep.txt`);
      assert.equal(await d.stat(`s3://${bucket}/del/keep.txt`), null);
      await d.delete(`s3://${bucket}/del/never-existed`);
    });

    it('localPath downloads once into a cache keyed by ETag, and folders too', async () => {
      const uri = `s3://${bucket}/models/words.txt`;
      await d.write(uri, 'alpha\nbeta\n');
      const p1 = await d.localPath(uri);
      assert.equal(readFileSync(p1, 'utf8'), 'alpha\nbeta\n');
      assert.ok(p1.startsWith(cache) && p1.endsWith('/words.txt'));
      const before = d.counters.requests;
      const p2 = await d.localPath(uri);
      assert.equal(p2, p1);
      assert.equal(d.counters.requests - before, 1, 'only a HEAD the second time');
      await d.write(uri, 'gamma\n');
      const p3 = await d.localPath(uri);
      assert.notEqual(p3, p1, 'changed object -> new cache entry');
      assert.equal(readFileSync(p3, 'utf8'), 'gamma\n');
      await d.write(`s3://${bucket}/models/tok/tokenizer.json`, '{"a":1}');
      await d.write(`s3://${bucket}/models/tok/sub/vocab.txt`, 'v');
      const dir = await d.localPath(`s3://${bucket}/models/tok`);
      assert.equal(readFileSync(join(dir, 'tokenizer.json'), 'utf8'), '{"a":1}');
      assert.equal(readFileSync(join(dir, 'sub/vocab.txt'), 'utf8'), 'v');
      await assert.rejects(d.localPath(`s3://${bucket}/models/missing`), /no such object/);
    });

    it('errors name the bucket/key and say what to do', async () => {
      const missingBucket = `no-such-bucket-${Date.now()}`;
      await assert.rejects(d.read(`s3://${missingBucket}/x.txt`), (e: Error) => {
        assert.ok(e instanceof S3StorageError);
        assert.match(e.message, new RegExp(`s3://${missingBucket}/x.txt`));
        assert.match(e.message, /does not exist|NoSuchBucket/);
        return true;
      });
      await assert.rejects(d.read(`s3://${bucket}/missing.txt`), (e: Error) => {
        assert.match(e.message, new RegExp(`s3://${bucket}/missing.txt`));
        assert.match(e.message, /NoSuchKey|404/);
        return true;
      });
      const dead = new S3Driver({ endpoint: 'http://127.0.0.1:9', force_path_style: true, region: 'us-east-1', max_attempts: 2, retry_base_ms: 1 }, {}, {
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      await assert.rejects(dead.read(`s3://${bucket}/x`), /Cannot reach endpoint http:\/\/127\.0\.0\.1:9.*AWS_ENDPOINT_URL/);
      if (t.quirks.verifiesSignatures) {
        const bad = driverFor({ ...t, secretAccessKey: 'wrong-secret' });
        await assert.rejects(bad.read(`s3://${bucket}/small/hello.txt`), /credentials were refused.*AWS_ACCESS_KEY_ID/);
      }
    });
  });
}
