// docker-compose.yml and Dockerfile must agree with the CLI and the repository (no Docker engine needed):
// copied paths exist, the entrypoint is the CLI, the commands and flags the compose file uses exist, the manifest
// it runs validates, the S3 endpoint/credentials/bucket match the MinIO service and its setup, and what the setup
// uploads is what the manifest reads. Then the compose scenario itself runs against a real S3 server (s3rver):
// the same uploads, the same command and environment, byte-identical to the local demo.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import picomatch from 'picomatch';
import { REPO_ROOT, s3rver, stopS3rver, skipUnless, requireTarget, driverFor } from './servers.ts';
import { curate, listFiles, upload, sameOutputs } from './e2e-helpers.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { rawClient } from './servers.ts';

after(() => stopS3rver());

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const curateSvc = compose.services.curate;
const minio = compose.services.minio;
const setup = compose.services['minio-setup'];
const cmd = curateSvc.command as string[];
const env = curateSvc.environment!;
const manifestPath = cmd[1];

describe('Dockerfile', () => {
  it('uses Node 22 (engines: >= 22.18) and copies only paths that exist', () => {
    const from = instructions.find((l) => l.startsWith('FROM '))!;
    assert.match(from, /^FROM node:22[.-]/);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    assert.equal(pkg.engines.node, '>=22.18', 'update the FROM line when engines changes');
    const copies = instructions.filter((l) => l.startsWith('COPY '));
    assert.ok(copies.length > 0);
    for (const c of copies) {
      const parts = c.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) assert.ok(existsSync(join(REPO_ROOT, src)), `Dockerfile copies ${src}, which is not in the repository`);
    }
    // everything the CLI imports at run time is copied: bin, pipeline, stages, classifiers; the demo's data too
    for (const need of ['bin', 'pipeline', 'stages', 'classifiers', 'manifests', 'data', 'package-lock.json'])
      assert.ok(copies.some((c) => c.split(/\s+/).includes(need) || c.includes(` ${need} `)), `Dockerfile does not copy ${need}`);
  });

  it('installs production dependencies with npm ci and makes the CLI the entrypoint', () => {
    assert.ok(instructions.some((l) => /^RUN .*npm ci\b.*--omit=dev/.test(l)));
    const ep = instructions.find((l) => l.startsWith('ENTRYPOINT '))!;
    const argv = JSON.parse(ep.slice('ENTRYPOINT '.length)) as string[];
    const workdir = instructions.find((l) => l.startsWith('WORKDIR '))!.split(/\s+/)[1];
    assert.equal(argv[0], 'node');
    assert.ok(argv[1].startsWith(workdir + '/'), 'entrypoint path inside WORKDIR');
    const rel = argv[1].slice(workdir.length + 1);
    assert.ok(existsSync(join(REPO_ROOT, rel)), `entrypoint ${rel} exists`);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(rel, pkg.bin.curate, 'entrypoint is the package bin');
  });

  it('the runtime does not import dev dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = Object.keys(pkg.devDependencies).filter((d) => !d.startsWith('@types/') && d !== 'typescript');
    for (const dir of ['pipeline', 'stages', 'classifiers', 'bin']) {
      for (const f of listFiles(join(REPO_ROOT, dir)).filter((x) => x.endsWith('.ts') || x.endsWith('.js'))) {
        const src = readFileSync(join(REPO_ROOT, dir, f), 'utf8');
        for (const d of dev) assert.ok(!new RegExp(`from ['"]${d}['"]|import\\(['"]${d}['"]\\)`).test(src), `${dir}/${f} imports the devDependency ${d}`);
      }
    }
  });
});

describe('docker-compose.yml', () => {
  it('has MinIO, a setup job and the curate service built from the Dockerfile', () => {
    assert.match(minio.image ?? '', /^minio\/minio/);
    const b = curateSvc.build as { context: string; dockerfile?: string };
    assert.equal(b.context, '.');
    assert.ok(existsSync(join(REPO_ROOT, b.dockerfile ?? 'Dockerfile')));
    assert.equal(setup.depends_on?.minio.condition, 'service_healthy');
    assert.equal(curateSvc.depends_on?.['minio-setup'].condition, 'service_completed_successfully');
  });

  it('runs an existing CLI command with existing flags', async () => {
    const [sub, ...rest] = cmd;
    const help = await curate([sub, '--help']);
    assert.equal(help.code, 0, `curate ${sub} is not a command: ${help.stderr}`);
    for (const a of rest.filter((x) => x.startsWith('-'))) assert.ok(help.stdout.includes(a.split('=')[0]), `curate ${sub} has no flag ${a}`);
    assert.ok(existsSync(join(REPO_ROOT, manifestPath)), `${manifestPath} exists`);
    const v = await curate(['validate', manifestPath]);
    assert.equal(v.code, 0, v.stderr);
  });

  it('points the S3 settings at the MinIO service with its credentials and the bucket the setup creates', () => {
    const ep = new URL(env.AWS_ENDPOINT_URL);
    assert.equal(ep.hostname, 'minio', 'endpoint is the compose service');
    const minioCmd = (minio.command as string[]).join(' ');
    const port = /--address\s+:(\d+)/.exec(minioCmd)?.[1] ?? '9000';
    assert.equal(ep.port, port);
    assert.equal(env.AWS_ACCESS_KEY_ID, minio.environment!.MINIO_ROOT_USER);
    assert.equal(env.AWS_SECRET_ACCESS_KEY, minio.environment!.MINIO_ROOT_PASSWORD);
    assert.ok(['1', 'true'].includes(String(env.CURATE_S3_FORCE_PATH_STYLE)), 'MinIO needs path-style addressing');
    const script = (setup.command as string[]).join(' ');
    assert.ok(script.includes(`mc alias set local http://minio:${port} ${env.AWS_ACCESS_KEY_ID} ${env.AWS_SECRET_ACCESS_KEY}`), 'setup logs in with the same credentials');
    const manifest = parse(readFileSync(join(REPO_ROOT, manifestPath), 'utf8')) as { sources: { uri: string }[]; output: { uri: string } };
    const bucket = /mc mb (?:--ignore-existing )?local\/([^\s&]+)/.exec(script)?.[1];
    assert.ok(bucket);
    for (const s of manifest.sources) assert.ok(s.uri.startsWith(`s3://${bucket}/`), `${s.uri} is in the bucket ${bucket}`);
    assert.ok(manifest.output.uri.startsWith(`s3://${bucket}/`));
  });

  it('uploads exactly what the manifest reads (mirror of a repository folder)', () => {
    const script = (setup.command as string[]).join(' ');
    const mirror = /mc mirror (?:--overwrite )?(\S+) local\/(\S+)/.exec(script)!;
    const mount = setup.volumes!.map((v) => v.split(':')).find(([, inside]) => inside === mirror[1])!;
    assert.ok(mount, `${mirror[1]} is a mounted volume`);
    const localDir = join(REPO_ROOT, mount[0]);
    assert.ok(existsSync(localDir));
    const prefix = `s3://${mirror[2].replace(/\/+$/, '')}/`;
    const keys = listFiles(localDir).map((f) => prefix + f);
    const manifest = parse(readFileSync(join(REPO_ROOT, manifestPath), 'utf8')) as { sources: { name: string; uri: string }[] };
    for (const s of manifest.sources) {
      const uri = s.uri;
      const matched = uri.endsWith('/') ? keys.filter((k) => k.startsWith(uri)) : keys.filter((k) => picomatch(uri)(k));
      assert.ok(matched.some((k) => /\.(jsonl(\.gz|\.zst)?|parquet)$/.test(k)), `source ${s.name} (${uri}) finds files among the uploads`);
    }
  });
});

const avail = await s3rver();
describe('the compose scenario against a real S3 server', { skip: skipUnless(avail) }, () => {
  it('same uploads, command and environment as the curate service: byte-identical to the local demo', async () => {
    const t = requireTarget(avail);
    // the bucket and uploads of the setup job
    const c = rawClient(t);
    await c.send(new CreateBucketCommand({ Bucket: 'curate' })).catch((e: Error) => {
      if (!/BucketAlready/.test(e.name)) throw e;
    });
    c.destroy();
    const d = driverFor(t);
    const storage = createStorage([d]);
    await upload(storage, join(REPO_ROOT, 'data', 'demo'), 's3://curate/inputs');
    const r = await curate(cmd, { ...env, AWS_ENDPOINT_URL: t.endpoint, AWS_ACCESS_KEY_ID: t.accessKeyId, AWS_SECRET_ACCESS_KEY: t.secretAccessKey });
    assert.equal(r.code, 0, r.stderr);
    const local = join(mkdtempSync(join(tmpdir(), 'curate-compose-')), 'demo');
    const l = await curate(['run', 'manifests/demo.yaml', '--output', local, '-q']);
    assert.equal(l.code, 0, l.stderr);
    const manifest = parse(readFileSync(join(REPO_ROOT, manifestPath), 'utf8')) as { output: { uri: string } };
    await sameOutputs(storage, local, manifest.output.uri);
  });
});
