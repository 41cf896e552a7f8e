// Done-when tests for S3: the same manifest with inputs and outputs on a real S3 server writes byte-identical
// Parquet to the local run, also when the endpoint fails a fraction of requests (fault proxy).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targets, skipUnless, requireTarget, freshBucket, driverFor, envFor, stopS3rver, type S3Target } from './servers.ts';
import { buildCorpus, upload, manifestYaml, curate, sameOutputs } from './e2e-helpers.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { createStorage } from '../../pipeline/storage.ts';
import type { S3Driver } from '../../pipeline/drivers/s3.ts';

const all = await targets();
after(() => stopS3rver());

const work = mkdtempSync(join(tmpdir(), 'curate-s3-e2e-'));
const corpus = join(work, 'corpus');
const localRun = join(work, 'local-run');

describe('local baseline', () => {
  before(() => {
    buildCorpus(corpus);
  });
  it('runs the manifest locally', async () => {
    const m = join(work, 'local.yaml');
    writeFileSync(m, manifestYaml({ name: 'e2e', inputs: corpus, output: localRun }));
    const r = await curate(['run', m, '-q']);
    assert.equal(r.code, 0, r.stderr);
  });
});

for (const avail of all) {
  const name = avail.target?.name ?? 'unavailable';
  describe(`curate run with inputs and outputs on ${name}`, { skip: skipUnless(avail) }, () => {
    let t: S3Target;
    let bucket: string;
    let d: S3Driver;

    it('uploads the inputs', async () => {
      t = requireTarget(avail);
      bucket = await freshBucket(t, 'curate-e2e');
      d = driverFor(t);
      await upload(createStorage([d]), corpus, `s3://${bucket}/inputs`);
    });

    it('writes byte-identical Parquet to the local run', async () => {
      const m = join(work, `${t.name}.yaml`);
      const out = `s3://${bucket}/runs/clean`;
      writeFileSync(m, manifestYaml({ name: 'e2e', inputs: `s3://${bucket}/inputs`, output: out }));
      const r = await curate(['run', m, '-q'], envFor(t));
      assert.equal(r.code, 0, r.stderr);
      const n = await sameOutputs(createStorage([d]), localRun, out);
      assert.ok(n >= 2, `${n} parquet files compared`);
      // the run directory on S3 has the markers and the report, like a local one
      assert.ok(await d.stat(`${out}/report/stats.json`));
      assert.ok(await d.stat(`${out}/_done/01-map/00000.json`));
      const st = await curate(['status', out], envFor(t));
      assert.equal(st.code, 0, st.stderr);
      assert.match(st.stdout, /complete/);
    });

    it('settings from the manifest (storage.s3) reach every task', async () => {
      const m = join(work, `${t.name}-settings.yaml`);
      const out = `s3://${bucket}/runs/manifest-settings`;
      const extra = ['storage:', '  s3:', `    endpoint: ${JSON.stringify(t.endpoint)}`, '    force_path_style: true', '    max_concurrency: 4'].join('\n');
      writeFileSync(m, manifestYaml({ name: 'e2e', inputs: `s3://${bucket}/inputs`, output: out, extra }));
      // no AWS_ENDPOINT_URL here: only the manifest names the endpoint
      const env = envFor(t);
      const r = await curate(['run', m, '-q'], { ...env, AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '', CURATE_S3_FORCE_PATH_STYLE: '' });
      assert.equal(r.code, 0, r.stderr);
      await sameOutputs(createStorage([d]), localRun, out);
    });

    it('completes with identical output when the endpoint fails 20% of requests (500, 503 SlowDown, resets, cut bodies)', async () => {
      const proxy = await startFaultProxy(t.endpoint, { rate: 0.2, seed: 7 });
      try {
        const m = join(work, `${t.name}-faulty.yaml`);
        const out = `s3://${bucket}/runs/faulty`;
        writeFileSync(m, manifestYaml({ name: 'e2e', inputs: `s3://${bucket}/inputs`, output: out }));
        const r = await curate(['run', m, '-q'], {
          ...envFor(t, proxy.endpoint),
          CURATE_S3_RETRY_BASE_MS: '5',
          CURATE_S3_RETRY_MAX_MS: '200',
          CURATE_S3_MAX_ATTEMPTS: '20',
        });
        assert.equal(r.code, 0, r.stderr);
        const faults = proxy.counts.error500 + proxy.counts.slowdown503 + proxy.counts.reset + proxy.counts.cut;
        assert.ok(faults >= 10, `the proxy injected faults: ${JSON.stringify(proxy.counts)}`);
        for (const k of ['error500', 'slowdown503', 'reset', 'cut'] as const) assert.ok(proxy.counts[k] > 0, `${k} happened: ${JSON.stringify(proxy.counts)}`);
      } finally {
        await proxy.close();
      }
      await sameOutputs(createStorage([d]), localRun, `s3://${bucket}/runs/faulty`);
    });
  });
}
