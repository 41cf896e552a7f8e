// S3 storage driver (AWS S3 and S3-compatible stores: MinIO, Ceph RGW, Swift s3api, s3rver).
//
// - Credentials: the AWS SDK v3 default chain (env vars, shared config/credentials files + AWS_PROFILE, SSO,
//   web identity, ECS/EC2 instance metadata). Nothing is read from the manifest except an optional profile name.
// - Settings: manifest `storage.s3` (see s3SettingsSchema) > environment (AWS_ENDPOINT_URL, CURATE_S3_*) > defaults.
// - Reads: explicit byte ranges only (`bytes=a-b`, never suffix ranges: some servers answer those wrongly); a
//   dropped connection while streaming resumes from the last byte received.
// - Writes: small objects in one PutObject; writer() streams a multipart upload (parts >= 5 MiB, uploaded while
//   the caller keeps writing) that becomes visible only at CompleteMultipartUpload and is aborted on failure, so a
//   crash never leaves a visible partial object.
// - Every request is retried with exponential backoff and full jitter on 5xx, 429, SlowDown/throttling, request
//   timeouts and dropped connections; the SDK's own retries are off so that the count is ours and streamed bodies
//   are retried as a whole. All requests of one driver share a concurrency bound.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  S3Client,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { s3SettingsSchema, resolveS3Settings, type S3Settings, type ResolvedS3Settings } from './s3-settings.ts';
import type { AtomicWriter, Driver, FileInfo, ReadOptions } from '../types.ts';
import { registerDriver } from '../storage.ts';

// ---------------------------------------------------------------------------
// Settings (schema and resolution live in s3-settings.ts, which does not load the SDK)

export { s3SettingsSchema, resolveS3Settings, type S3Settings, type ResolvedS3Settings } from './s3-settings.ts';

// Settings the registered driver uses; the CLI sets them from the manifest before the first S3 access.
let globalSettings: S3Settings = {};
let registered: S3Driver | null = null;

/** Applies the manifest's `storage.s3` section to the registered driver (later calls replace earlier ones). */
export function setS3Settings(settings: S3Settings | undefined | null): void {
  globalSettings = s3SettingsSchema.parse(settings ?? {});
  // Inherited by worker threads and child processes (local executor, Slurm tasks, `curate _task`).
  if (Object.keys(globalSettings).length) process.env.CURATE_S3_SETTINGS = JSON.stringify(globalSettings);
  else delete process.env.CURATE_S3_SETTINGS;
  if (registered) registered.configure(globalSettings);
}

// ---------------------------------------------------------------------------
// URIs

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an S3 URI; expected s3://bucket/key.`);
  return { bucket: m[1], key: m[2] };
}

function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

// ---------------------------------------------------------------------------
// Concurrency bound and retries

class Semaphore {
  private free: number;
  private waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((res) => this.waiters.push(res));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestAbortedError',
  'IdleTimeout',
  'ExpiredToken', // a refreshed credential is picked up on the next attempt
]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTCONN',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_ERROR',
]);

function errChain(e: unknown): AwsLikeError[] {
  const out: AwsLikeError[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    out.push(cur as AwsLikeError);
    cur = (cur as AwsLikeError).cause;
  }
  return out;
}

/** True for failures that a later attempt can fix: server faults, throttling, timeouts, dropped connections. */
export function isRetryable(e: unknown): boolean {
  for (const x of errChain(e)) {
    const status = x.$metadata?.httpStatusCode;
    if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
    if (x.name && RETRYABLE_NAMES.has(x.name)) return true;
    if (x.code && RETRYABLE_CODES.has(x.code)) return true;
    if (x.$retryable) return true;
    const msg = x.message ?? '';
    if (/socket hang up|premature close|aborted|ECONNRESET|EPIPE|timed? ?out|other side closed|Deserialization error|Unexpected end|unterminated|truncated/i.test(msg))
      return true;
    // A 2xx whose body could not be parsed (connection cut inside an XML listing).
    if (status !== undefined && status >= 200 && status < 300 && x.name !== 'NoSuchKey') return true;
  }
  return false;
}

/** A conditional read (`If-Match`) refused: the object is another version now (412 PreconditionFailed). */
function isPreconditionFailed(e: unknown): boolean {
  for (const x of errChain(e)) if (x.$metadata?.httpStatusCode === 412 || nameOf(x) === 'PreconditionFailed') return true;
  return false;
}

function objectChanged(uri: string, etag: string | undefined): Error {
  const err = new Error(`${uri} changed while it was being read (it is no longer the version with ETag ${etag ?? '?'})`) as Error & { code: string };
  err.code = 'OBJECT_CHANGED';
  return err;
}

function statusOf(e: unknown): number | undefined {
  for (const x of errChain(e)) if (x.$metadata?.httpStatusCode !== undefined) return x.$metadata.httpStatusCode;
  return undefined;
}

function nameOf(e: unknown): string {
  const x = e as AwsLikeError;
  return x?.name ?? x?.code ?? 'Error';
}

function isNotFound(e: unknown): boolean {
  const n = nameOf(e);
  return n === 'NotFound' || n === 'NoSuchKey' || statusOf(e) === 404;
}

/** An S3 failure that names the object and says what to check. */
export class S3StorageError extends Error {
  readonly bucket: string;
  readonly key: string;
  readonly operation: string;
  constructor(operation: string, bucket: string, key: string, detail: string, hint: string, cause?: unknown) {
    super(`S3 ${operation} of s3://${bucket}/${key} failed: ${detail}${hint ? `. ${hint}` : ''}`, { cause });
    this.name = 'S3StorageError';
    this.bucket = bucket;
    this.key = key;
    this.operation = operation;
  }
}

// ---------------------------------------------------------------------------
// Driver

export class S3Driver implements Driver {
  readonly name = 's3';
  private settings: ResolvedS3Settings;
  private clientCache: S3Client | null = null;
  private sem: Semaphore;
  /** Retry counters, for tests and the run report. */
  readonly counters = { requests: 0, retries: 0 };
  /** Keys per ListObjectsV2 page (S3's maximum is 1000; tests lower it to exercise pagination). */
  listPageSize = 1000;

  private readonly clientOverrides: Partial<S3ClientConfig>;

  /** `clientOverrides` (e.g. explicit credentials) is for tests and embedding; the CLI uses the default chain. */
  constructor(settings: S3Settings = {}, env: NodeJS.ProcessEnv = process.env, clientOverrides: Partial<S3ClientConfig> = {}) {
    this.settings = resolveS3Settings(settings, env);
    this.clientOverrides = clientOverrides;
    this.sem = new Semaphore(this.settings.maxConcurrency);
  }

  /** Replaces the settings (new client on next use). */
  configure(settings: S3Settings, env: NodeJS.ProcessEnv = process.env): void {
    this.settings = resolveS3Settings(settings, env);
    this.sem = new Semaphore(this.settings.maxConcurrency);
    this.clientCache?.destroy();
    this.clientCache = null;
  }

  get resolvedSettings(): Readonly<ResolvedS3Settings> {
    return this.settings;
  }

  accepts(uri: string): boolean {
    return uri.startsWith('s3://');
  }

  private client(): S3Client {
    if (this.clientCache) return this.clientCache;
    const s = this.settings;
    const agentOpts = { keepAlive: true, maxSockets: Math.max(64, s.maxConcurrency * 4) };
    const cfg: S3ClientConfig = {
      forcePathStyle: s.forcePathStyle,
      // Retries are ours (withRetry): streamed bodies and multipart parts are retried as a whole.
      maxAttempts: 1,
      followRegionRedirects: true,
      // Checksums only where an API requires them: S3-compatible stores mishandle aws-chunked bodies
      // (s3rver stores the chunk framing inside the object; Swift refuses them). Uploads carry Content-MD5.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        requestTimeout: s.requestTimeoutMs,
        connectionTimeout: s.connectTimeoutMs,
        httpAgent: new HttpAgent(agentOpts),
        httpsAgent: new HttpsAgent(agentOpts),
      },
    };
    if (s.endpoint) cfg.endpoint = s.endpoint;
    if (s.region) cfg.region = s.region;
    else if (!s.profile) cfg.region = 'us-east-1';
    if (s.profile) cfg.profile = s.profile;
    const client = new S3Client({ ...cfg, ...this.clientOverrides });
    // Swift s3api (and other older stores) reject DeleteObjects without Content-MD5, which the SDK no longer sends.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const req = args.request as { headers?: Record<string, string>; body?: unknown };
        if (context.commandName === 'DeleteObjectsCommand' && req.headers && typeof req.body === 'string') {
          req.headers['content-md5'] = createHash('md5').update(req.body).digest('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'curateDeleteObjectsContentMd5' },
    );
    this.clientCache = client;
    return client;
  }

  private where(): string {
    return this.settings.endpoint ? `endpoint ${this.settings.endpoint}` : `AWS S3${this.settings.region ? ` (${this.settings.region})` : ''}`;
  }

  /** Turns an SDK error into one that names the object and says what to do. */
  private explain(op: string, bucket: string, key: string, e: unknown, attempts: number): Error {
    const name = nameOf(e);
    const status = statusOf(e);
    const msg = (e as Error)?.message ?? String(e);
    const detail = `${name}${status ? ` (HTTP ${status})` : ''}: ${msg}${attempts > 1 ? ` [after ${attempts} attempts]` : ''}`;
    let hint = '';
    if (/CredentialsProviderError|Could not load credentials|credential/i.test(`${name} ${msg}`))
      hint =
        'No usable AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or storage.s3.profile) naming a profile in ~/.aws/credentials, or run where an instance/task role is available';
    else if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'AllAccessDisabled'].includes(name) || status === 403 || status === 401)
      hint = `The credentials were refused by ${this.where()}: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), that they belong to this endpoint, and that they may access bucket "${bucket}"`;
    else if (name === 'NoSuchBucket')
      hint = `Bucket "${bucket}" does not exist at ${this.where()}: create it, or fix the bucket name / the endpoint (AWS_ENDPOINT_URL or storage.s3.endpoint)`;
    else if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301)
      hint = `Bucket "${bucket}" is in another region: set AWS_REGION or storage.s3.region to the bucket's region`;
    else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|EHOSTUNREACH|ENETUNREACH/.test(`${(e as AwsLikeError)?.code ?? ''} ${msg}`))
      hint = `Cannot reach ${this.where()}: check AWS_ENDPOINT_URL (or storage.s3.endpoint) and that the server is running`;
    else if (isRetryable(e))
      hint = `The store kept failing or throttling; retry later, or raise CURATE_S3_MAX_ATTEMPTS / lower CURATE_S3_MAX_CONCURRENCY`;
    else if (/bucket/i.test(msg) && /path|style|dns|host/i.test(msg))
      hint = 'For S3-compatible stores set CURATE_S3_FORCE_PATH_STYLE=1 (storage.s3.force_path_style: true)';
    return new S3StorageError(op, bucket, key, detail, hint, e);
  }

  /** Runs fn with the concurrency bound, retrying retryable failures with exponential backoff and full jitter. */
  private async withRetry<T>(op: string, bucket: string, key: string, fn: (attempt: number) => Promise<T>, opts: { bounded?: boolean } = {}): Promise<T> {
    const { maxAttempts, retryBaseMs, retryMaxMs } = this.settings;
    for (let attempt = 1; ; attempt++) {
      this.counters.requests++;
      try {
        return opts.bounded === false ? await fn(attempt) : await this.sem.with(() => fn(attempt));
      } catch (e) {
        if (e instanceof S3StorageError) throw e;
        if (attempt >= maxAttempts || !isRetryable(e)) throw this.explain(op, bucket, key, e, attempt);
        this.counters.retries++;
        await sleep(Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1)));
      }
    }
  }

  // ----------------------------------------------------------------- listing

  /**
   * Objects under a prefix, recursively. Like a folder on disk: `s3://b/dir` lists `dir` itself (if it is an object)
   * and everything under `dir/`, not `dir2/...`; a prefix ending in `/` (or a bare bucket) lists everything under it.
   * Order is S3's (UTF-8 byte order of keys), which equals JS string order except for keys mixing characters
   * above U+FFFF with characters in U+E000..U+FFFF.
   */
  async *list(prefix: string): AsyncIterable<FileInfo> {
    const { bucket, key } = parseS3Uri(prefix);
    const folder = key === '' || key.endsWith('/');
    let token: string | undefined;
    do {
      const page = await this.withRetry('list', bucket, key, () =>
        this.client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token, MaxKeys: this.listPageSize })),
      );
      for (const o of page.Contents ?? []) {
        const k = o.Key ?? '';
        if (!folder && k !== key && !k.startsWith(key + '/')) continue;
        if (k.endsWith('/') && (o.Size ?? 0) === 0) continue; // "folder" placeholder objects made by consoles
        yield {
          uri: s3Uri(bucket, k),
          size: o.Size ?? 0,
          mtimeMs: o.LastModified?.getTime(),
          etag: o.ETag?.replace(/"/g, ''),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) throw this.explain('list', bucket, key, new Error('truncated listing without a continuation token'), 1);
    } while (token);
  }

  async stat(uri: string): Promise<FileInfo | null> {
    const { bucket, key } = parseS3Uri(uri);
    if (key === '' || key.endsWith('/')) return null;
    const h = await this.withRetry('stat', bucket, key, async () => {
      try {
        return await this.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    });
    if (!h) return null;
    return { uri, size: h.ContentLength ?? 0, mtimeMs: h.LastModified?.getTime(), etag: h.ETag?.replace(/"/g, '') };
  }

  // ----------------------------------------------------------------- reads

  /** One GET of [start, end) (or the whole object), fully read; retried as a whole. */
  private async getBytes(op: string, bucket: string, key: string, range?: [number, number], etag?: string): Promise<Uint8Array> {
    return this.withRetry(op, bucket, key, async () => {
      const r = await this.client().send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: range ? `bytes=${range[0]}-${range[1] - 1}` : undefined,
          IfMatch: etag ? `"${etag}"` : undefined,
        }),
      );
      const expected = r.ContentLength;
      const body = r.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) return new Uint8Array(0);
      let bytes: Uint8Array;
      let n = 0;
      if (expected !== undefined) {
        // one buffer of the announced size, filled in place (no chunk list, no concatenation)
        const buf = Buffer.allocUnsafe(expected);
        for await (const c of body) {
          if (n + c.length > expected) throw new Error(`body longer than its Content-Length (${expected})`);
          buf.set(c, n);
          n += c.length;
        }
        if (n !== expected) {
          const err = new Error(`short body: received ${n} of ${expected} bytes`) as Error & { code: string };
          err.code = 'ECONNRESET';
          throw err;
        }
        bytes = buf;
      } else {
        const chunks: Uint8Array[] = [];
        for await (const c of body) {
          chunks.push(c);
          n += c.length;
        }
        bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, n);
      }
      if (!range) return bytes;
      // Trust only what the answer says it holds: a server that ignored the Range (200, whole object) or answered a
      // wider one (s3rver reads `bytes=0-0` as the whole object) gives us more than asked; keep the asked-for bytes.
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(r.ContentRange ?? '');
      const first = cr ? Number(cr[1]) : 0;
      if (first > range[0]) throw this.explain(op, bucket, key, new Error(`server answered range ${r.ContentRange} for bytes=${range[0]}-${range[1] - 1}`), 1);
      const from = range[0] - first;
      return bytes.subarray(from, Math.min(bytes.length, from + (range[1] - range[0])));
    });
  }

  async read(uri: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Uri(uri);
    return this.getBytes('read', bucket, key);
  }

  /**
   * Bytes [start, end), clipped to the object's size like a file read; explicit `bytes=a-b` ranges only. With
   * `opts.etag`, the read is conditional (`If-Match`): a replaced object fails with `code: 'OBJECT_CHANGED'`.
   */
  async readRange(uri: string, start: number, end: number, opts?: ReadOptions): Promise<Uint8Array> {
    if (!(Number.isInteger(start) && Number.isInteger(end)) || start < 0) throw new RangeError(`readRange(${uri}, ${start}, ${end}): start/end must be integers >= 0`);
    if (end <= start) return new Uint8Array(0);
    const { bucket, key } = parseS3Uri(uri);
    try {
      return await this.getBytes('ranged read', bucket, key, [start, end], opts?.etag);
    } catch (e) {
      if (isPreconditionFailed(e)) throw objectChanged(uri, opts?.etag);
      // Range starting at or past the end of the object: a file read returns nothing; so do we.
      if (e instanceof S3StorageError && (statusOf(e.cause) === 416 || nameOf(e.cause) === 'InvalidRange')) return new Uint8Array(0);
      throw e;
    }
  }

  /**
   * Streams an object. A connection dropped mid-body is resumed from the last byte received with an explicit
   * range (`bytes=pos-last`), pinned to the first response's ETag — or, with `opts.etag`, to that version from the
   * first request on (a replaced object fails with `code: 'OBJECT_CHANGED'`).
   */
  async *readStream(uri: string, opts?: ReadOptions): AsyncIterable<Uint8Array> {
    const { bucket, key } = parseS3Uri(uri);
    const { maxAttempts, retryBaseMs, retryMaxMs } = this.settings;
    let pos = 0;
    let size: number | undefined;
    let etag: string | undefined = opts?.etag;
    let failures = 0;
    while (size === undefined || pos < size) {
      let body: AsyncIterable<Uint8Array> | undefined;
      try {
        this.counters.requests++;
        const r = await this.sem.with(() =>
          this.client().send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: key,
              Range: size !== undefined ? `bytes=${pos}-${size - 1}` : undefined,
              IfMatch: etag ? `"${etag}"` : undefined,
            }),
          ),
        );
        if (size === undefined) {
          size = r.ContentLength ?? 0;
          etag ??= r.ETag?.replace(/"/g, '');
        }
        body = r.Body as AsyncIterable<Uint8Array> | undefined;
        if (!body || size === 0) return;
        for await (const c of body) {
          pos += c.length;
          failures = 0;
          yield c;
        }
        if (pos < size) {
          const err = new Error(`short body: received ${pos} of ${size} bytes`) as Error & { code: string };
          err.code = 'ECONNRESET';
          throw err;
        }
      } catch (e) {
        if (isPreconditionFailed(e)) throw objectChanged(uri, etag);
        failures++;
        if (failures >= maxAttempts || !isRetryable(e)) throw this.explain('streamed read', bucket, key, e, failures);
        this.counters.retries++;
        await sleep(Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1)));
      }
    }
  }

  // ----------------------------------------------------------------- writes

  private async putObject(bucket: string, key: string, data: Uint8Array): Promise<void> {
    const md5 = createHash('md5').update(data).digest('base64');
    await this.withRetry('write', bucket, key, () =>
      this.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentLength: data.length, ContentMD5: md5 })),
    );
  }

  async write(uri: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const { bucket, key } = parseS3Uri(uri);
    if (!key || key.endsWith('/')) throw new Error(`Cannot write to "${uri}": the URI names a bucket or a folder, not an object.`);
    if (bytes.length <= this.settings.partSize) return this.putObject(bucket, key, bytes);
    const w = await this.writer(uri);
    try {
      for (let off = 0; off < bytes.length; off += this.settings.partSize) await w.write(bytes.subarray(off, off + this.settings.partSize));
      await w.commit();
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /**
   * A streaming upload: bytes are cut into parts as they arrive and uploaded while the caller keeps writing
   * (at most `upload_parallelism` parts in flight; write() waits beyond that). Nothing is visible until commit():
   * an object that fits into one part is written with PutObject, a larger one is completed from its parts.
   * A failure or abort() aborts the multipart upload.
   */
  async writer(uri: string): Promise<AtomicWriter> {
    const { bucket, key } = parseS3Uri(uri);
    if (!key || key.endsWith('/')) throw new Error(`Cannot write to "${uri}": the URI names a bucket or a folder, not an object.`);
    return new MultipartWriter(this, bucket, key, this.settings.partSize, this.settings.uploadParallelism);
  }

  /** @internal used by MultipartWriter */
  async _put(bucket: string, key: string, data: Uint8Array): Promise<void> {
    return this.putObject(bucket, key, data);
  }

  /** @internal */
  async _createUpload(bucket: string, key: string): Promise<string> {
    const r = await this.withRetry('start multipart upload', bucket, key, () =>
      this.client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })),
    );
    if (!r.UploadId) throw this.explain('start multipart upload', bucket, key, new Error('no UploadId in the answer'), 1);
    return r.UploadId;
  }

  /** @internal */
  async _uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, data: Uint8Array): Promise<string> {
    const md5 = createHash('md5').update(data).digest('base64');
    const r = await this.withRetry(`upload of part ${partNumber}`, bucket, key, () =>
      this.client().send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: data, ContentLength: data.length, ContentMD5: md5 }),
      ),
    );
    if (!r.ETag) throw this.explain(`upload of part ${partNumber}`, bucket, key, new Error('no ETag in the answer'), 1);
    return r.ETag;
  }

  /** @internal */
  async _complete(bucket: string, key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[], totalBytes: number): Promise<void> {
    let attempts = 0;
    await this.withRetry('complete multipart upload', bucket, key, async () => {
      attempts++;
      try {
        return await this.client().send(
          new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
      } catch (e) {
        // The previous attempt completed the upload but its answer was lost: the upload id is gone and the
        // object is there with the right size.
        if (attempts > 1 && (nameOf(e) === 'NoSuchUpload' || statusOf(e) === 404)) {
          const h = await this.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          if (h.ContentLength === totalBytes) return null;
        }
        throw e;
      }
    });
  }

  /** @internal best effort: an upload that cannot be aborted is still invisible (and expires under a lifecycle rule). */
  async _abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.withRetry('abort multipart upload', bucket, key, async () => {
        try {
          return await this.client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        } catch (e) {
          if (nameOf(e) === 'NoSuchUpload' || statusOf(e) === 404) return null;
          throw e;
        }
      });
    } catch {
      /* invisible anyway */
    }
  }

  /** Deletes the object and, like `rm -rf`, everything under `<key>/`. */
  async delete(uri: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    const keys: string[] = [];
    const flush = async (): Promise<void> => {
      if (keys.length === 0) return;
      const batch = keys.splice(0, keys.length);
      if (batch.length === 1) {
        await this.withRetry('delete', bucket, batch[0], () => this.client().send(new DeleteObjectCommand({ Bucket: bucket, Key: batch[0] })));
        return;
      }
      const r = await this.withRetry('delete', bucket, key, () =>
        this.client().send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((k) => ({ Key: k })), Quiet: true } })),
      );
      const errs = (r.Errors ?? []).filter((x) => x.Code !== 'NoSuchKey');
      if (errs.length) {
        const first = errs[0];
        throw this.explain('delete', bucket, first.Key ?? key, Object.assign(new Error(first.Message ?? 'delete failed'), { name: first.Code ?? 'Error' }), 1);
      }
    };
    for await (const f of this.list(uri)) {
      keys.push(parseS3Uri(f.uri).key);
      if (keys.length >= 1000) await flush();
    }
    await flush();
  }

  // ----------------------------------------------------------------- local copies

  /**
   * A local path for an object (or, when the URI is a folder prefix, for a folder holding everything under it, e.g.
   * a tokenizer directory), downloaded once into the cache dir and keyed by ETag: a changed object is fetched again.
   */
  async localPath(uri: string): Promise<string> {
    const { bucket, key } = parseS3Uri(uri);
    const root = join(this.settings.cacheDir, 's3', bucket);
    const st = await this.stat(uri);
    if (st) {
      const dest = join(root, hashKey(key, st.etag ?? `${st.size}-${st.mtimeMs}`), basename(key));
      if (await exists(dest)) return dest;
      await this.download(uri, dest);
      return dest;
    }
    const files: FileInfo[] = [];
    for await (const f of this.list(key.endsWith('/') || key === '' ? uri : uri + '/')) files.push(f);
    if (files.length === 0)
      throw new S3StorageError('localPath', bucket, key, 'no such object or folder', `Check the URI; list it with \`aws s3 ls ${uri}\``);
    const prefix = key === '' || key.endsWith('/') ? key : key + '/';
    const dir = join(root, hashKey(key, files.map((f) => `${f.uri}:${f.etag}`).join('\n')), basename(key.replace(/\/+$/, '')) || bucket);
    const doneMark = join(dir, '.curate-complete');
    if (await exists(doneMark)) return dir;
    for (const f of files) await this.download(f.uri, join(dir, parseS3Uri(f.uri).key.slice(prefix.length)));
    await fsp.writeFile(doneMark, '');
    return dir;
  }

  private async download(uri: string, dest: string): Promise<void> {
    await fsp.mkdir(dirname(dest), { recursive: true });
    const tmp = join(dirname(dest), `.tmp-${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const fh = await fsp.open(tmp, 'w');
    try {
      for await (const c of this.readStream(uri)) await fh.write(c);
      await fh.close();
      await fsp.rename(tmp, dest);
    } catch (e) {
      await fh.close().catch(() => {});
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }
}

function hashKey(key: string, version: string): string {
  return createHash('sha256').update(key).update('\0').update(version).digest('hex').slice(0, 24);
}

async function exists(p: string): Promise<boolean> {
  return fsp
    .stat(p)
    .then(() => true)
    .catch(() => false);
}

class MultipartWriter implements AtomicWriter {
  private readonly driver: S3Driver;
  private readonly bucket: string;
  private readonly key: string;
  private readonly basePartSize: number;
  private readonly parallelism: number;
  private buf: Buffer;
  private fill = 0;
  private total = 0;
  private uploadId: string | null = null;
  private partNumber = 0;
  private parts: { PartNumber: number; ETag: string }[] = [];
  private inflight = new Set<Promise<void>>();
  private failure: unknown = null;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(driver: S3Driver, bucket: string, key: string, partSize: number, parallelism: number) {
    this.driver = driver;
    this.bucket = bucket;
    this.key = key;
    this.basePartSize = partSize;
    this.parallelism = parallelism;
    this.buf = Buffer.allocUnsafe(partSize);
  }

  /** Part n's size grows every 1000 parts so one upload reaches far beyond 10000 x part size (S3's part limit). */
  private partSizeFor(partNumber: number): number {
    return this.basePartSize * (1 + Math.floor((partNumber - 1) / 1000));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`write to s3://${this.bucket}/${this.key} after ${this.state}`);
    if (this.failure) throw this.failure;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, this.buf.length - this.fill);
      this.buf.set(chunk.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      this.total += n;
      if (this.fill === this.buf.length) await this.flushPart();
    }
  }

  private async flushPart(): Promise<void> {
    if (this.uploadId === null) this.uploadId = await this.driver._createUpload(this.bucket, this.key);
    while (this.inflight.size >= this.parallelism) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
    const data = this.buf.subarray(0, this.fill);
    const partNumber = ++this.partNumber;
    this.buf = Buffer.allocUnsafe(this.partSizeFor(partNumber + 1));
    this.fill = 0;
    const uploadId = this.uploadId;
    const p: Promise<void> = this.driver
      ._uploadPart(this.bucket, this.key, uploadId, partNumber, data)
      .then((etag) => {
        this.parts.push({ PartNumber: partNumber, ETag: etag });
      })
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.inflight.delete(p);
      });
    this.inflight.add(p);
  }

  async commit(): Promise<void> {
    if (this.state !== 'open') throw new Error(`commit of s3://${this.bucket}/${this.key} after ${this.state}`);
    try {
      if (this.failure) throw this.failure;
      if (this.uploadId === null) {
        await this.driver._put(this.bucket, this.key, this.buf.subarray(0, this.fill));
      } else {
        if (this.fill > 0) await this.flushPart();
        await Promise.all(this.inflight);
        if (this.failure) throw this.failure;
        this.parts.sort((a, b) => a.PartNumber - b.PartNumber);
        await this.driver._complete(this.bucket, this.key, this.uploadId, this.parts, this.total);
      }
      this.state = 'committed';
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await Promise.allSettled(this.inflight);
    if (this.uploadId) await this.driver._abortUpload(this.bucket, this.key, this.uploadId);
    this.buf = Buffer.alloc(0);
  }
}

/** The driver registered with createStorage(): settings from setS3Settings() (manifest) and the environment. */
registerDriver(() => {
  registered ??= new S3Driver(globalSettings);
  return registered;
});
