// Real S3-compatible servers for the integration tests (no mocks):
//  - s3rver (npm devDependency), started here as a child process that dies with the test process;
//  - OpenStack Swift with s3api (scripts/ci/start-swift-s3.sh), used when it answers on CURATE_TEST_SWIFT_ENDPOINT
//    (default http://127.0.0.1:18080);
//  - any other store (MinIO, AWS) named by CURATE_TEST_S3_ENDPOINT + CURATE_TEST_S3_ACCESS_KEY/SECRET_KEY.
// A server that is not reachable makes its tests skip with a message saying how to start it, unless
// CURATE_REQUIRE_SERVICES=1 (CI), which makes them fail instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Driver, type S3Settings } from '../../pipeline/drivers/s3.ts';

export const REQUIRE_SERVICES = process.env.CURATE_REQUIRE_SERVICES === '1';
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface S3Target {
  name: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Quirks that tests must allow for. */
  quirks: {
    abortMultipart: boolean;
    verifiesSignatures: boolean;
    /** Can hold both `a/b` and `a/b/c` (s3rver keeps objects as files, so it cannot). */
    fileAndFolderKeys: boolean;
    /** Honours `If-Match` on GET (S3, MinIO and Swift do; s3rver ignores it and answers with the current version). */
    conditionalReads: boolean;
  };
}

export interface Available {
  target: S3Target | null;
  /** Why the target is unavailable (shown as the skip reason). */
  reason: string;
}

let s3rverChild: ChildProcess | null = null;
let s3rverPromise: Promise<Available> | null = null;

/** Starts s3rver once per test process (child process, exits when our stdin pipe closes). */
export function s3rver(): Promise<Available> {
  s3rverPromise ??= new Promise<Available>((resolve) => {
    const child = spawn(process.execPath, ['--openssl-legacy-provider', `${REPO_ROOT}scripts/ci/s3rver.mjs`, '--exit-with-stdin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    s3rverChild = child;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve({ target: null, reason: `s3rver could not start: ${e.message}` }));
    child.on('exit', (code) => resolve({ target: null, reason: `s3rver exited (${code}): ${err.trim()} — is the devDependency s3rver installed (npm ci)?` }));
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      const info = JSON.parse(line) as { endpoint: string };
      // From here on the child must not keep the test process alive (it exits when our stdin pipe closes).
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
      resolve({
        target: {
          name: 's3rver',
          endpoint: info.endpoint,
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
          quirks: { abortMultipart: false, verifiesSignatures: false, fileAndFolderKeys: false, conditionalReads: false },
        },
        reason: '',
      });
    });
  });
  return s3rverPromise;
}

export function stopS3rver(): void {
  s3rverChild?.stdin?.end();
  s3rverChild?.kill('SIGTERM');
  s3rverChild = null;
  s3rverPromise = null;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

export async function swift(): Promise<Available> {
  const endpoint = process.env.CURATE_TEST_SWIFT_ENDPOINT ?? 'http://127.0.0.1:18080';
  if (!(await reachable(`${endpoint}/healthcheck`)))
    return {
      target: null,
      reason: `Swift s3api not reachable at ${endpoint}: start it with scripts/ci/start-swift-s3.sh (root, Debian) or set CURATE_TEST_SWIFT_ENDPOINT`,
    };
  return {
    target: {
      name: 'swift',
      endpoint,
      accessKeyId: process.env.CURATE_TEST_SWIFT_ACCESS_KEY ?? 'test:tester',
      secretAccessKey: process.env.CURATE_TEST_SWIFT_SECRET_KEY ?? 'testing',
      quirks: { abortMultipart: true, verifiesSignatures: true, fileAndFolderKeys: true, conditionalReads: true },
    },
    reason: '',
  };
}

export async function external(): Promise<Available | null> {
  const endpoint = process.env.CURATE_TEST_S3_ENDPOINT;
  if (!endpoint) return null;
  return {
    target: {
      name: `external(${endpoint})`,
      endpoint,
      accessKeyId: process.env.CURATE_TEST_S3_ACCESS_KEY ?? '',
      secretAccessKey: process.env.CURATE_TEST_S3_SECRET_KEY ?? '',
      quirks: { abortMultipart: true, verifiesSignatures: true, fileAndFolderKeys: true, conditionalReads: true },
    },
    reason: '',
  };
}

/** Every target the tests run against (available or not, with the reason). */
export async function targets(): Promise<Available[]> {
  const out = [await s3rver(), await swift()];
  const ext = await external();
  if (ext) out.push(ext);
  return out;
}

/** Skip option for node:test: a reason string to skip, or fails loudly when services are required. */
export function skipUnless(a: Available): string | false {
  if (a.target) return false;
  if (REQUIRE_SERVICES) return false; // the test body then throws with the reason
  return `SKIPPED (no server): ${a.reason}. Set CURATE_REQUIRE_SERVICES=1 to make this a failure.`;
}

export function requireTarget(a: Available): S3Target {
  if (!a.target) throw new Error(`CURATE_REQUIRE_SERVICES=1 but ${a.reason}`);
  return a.target;
}

export function rawClient(t: S3Target, endpoint = t.endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A fresh bucket with a unique name. */
export async function freshBucket(t: S3Target, label = 'curate-test'): Promise<string> {
  const name = `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const c = rawClient(t);
  try {
    await c.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    c.destroy();
  }
  return name;
}

/** A driver talking to the target (optionally through another endpoint, e.g. the fault proxy). */
export function driverFor(t: S3Target, settings: S3Settings = {}, endpoint = t.endpoint): S3Driver {
  return new S3Driver({ endpoint, force_path_style: true, region: 'us-east-1', ...settings }, {}, {
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
  });
}

/** Environment for a child `curate` process talking to the target. */
export function envFor(t: S3Target, endpoint = t.endpoint): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: t.accessKeyId,
    AWS_SECRET_ACCESS_KEY: t.secretAccessKey,
    AWS_REGION: 'us-east-1',
    CURATE_S3_FORCE_PATH_STYLE: '1',
  };
}
