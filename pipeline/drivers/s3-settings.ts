// Settings of the S3 driver: the manifest's `storage.s3` section (zod schema, also used for validation and docs)
// and how it combines with the environment. Kept free of the AWS SDK so the manifest loader stays light.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** Manifest section `storage.s3`. Every field is optional; the environment and defaults fill the rest. */
export const s3SettingsSchema = z
  .object({
    endpoint: z
      .string()
      .optional()
      .describe('Endpoint URL of an S3-compatible store (e.g. http://minio:9000). Env: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. Default: AWS S3.'),
    region: z.string().optional().describe('Region. Env: AWS_REGION / AWS_DEFAULT_REGION, else the profile\'s region, else us-east-1.'),
    force_path_style: z
      .boolean()
      .optional()
      .describe('Address buckets as http://host/bucket/key instead of http://bucket.host/key (needed by most S3-compatible stores). Env: CURATE_S3_FORCE_PATH_STYLE=1. Default: true when an endpoint is set, else false.'),
    profile: z.string().optional().describe('Named profile of ~/.aws/config to take credentials and region from. Env: AWS_PROFILE.'),
    max_concurrency: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests in flight at once per process (reads, part uploads, listings). Env: CURATE_S3_MAX_CONCURRENCY. Default 16.'),
    max_attempts: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Attempts per request before giving up (5xx, SlowDown, throttling, timeouts, dropped connections). Env: CURATE_S3_MAX_ATTEMPTS. Default 10.'),
    part_size_mb: z
      .number()
      .min(5)
      .optional()
      .describe('Multipart upload part size in MiB (>= 5). Objects smaller than one part are written with a single PutObject. Env: CURATE_S3_PART_SIZE_MB. Default 8.'),
    upload_parallelism: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Parts of one upload in flight while the writer keeps producing (memory: (n+1) x part size). Env: CURATE_S3_UPLOAD_PARALLELISM. Default 4.'),
    request_timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('A request whose socket is idle this long is aborted and retried. Env: CURATE_S3_REQUEST_TIMEOUT_MS. Default 120000.'),
    connect_timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('TCP connect timeout. Env: CURATE_S3_CONNECT_TIMEOUT_MS. Default 10000.'),
    retry_base_ms: z
      .number()
      .positive()
      .optional()
      .describe('Backoff base: attempt n waits a uniformly random time in [0, min(retry_max_ms, base x 2^n)]. Env: CURATE_S3_RETRY_BASE_MS. Default 100.'),
    retry_max_ms: z.number().positive().optional().describe('Backoff cap per wait. Env: CURATE_S3_RETRY_MAX_MS. Default 20000.'),
    cache_dir: z
      .string()
      .optional()
      .describe('Where localPath() keeps downloaded models and word lists, keyed by ETag. Env: CURATE_CACHE_DIR. Default $XDG_CACHE_HOME/curate or ~/.cache/curate.'),
  })
  .strict();

export type S3Settings = z.infer<typeof s3SettingsSchema>;

export interface ResolvedS3Settings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  profile?: string;
  maxConcurrency: number;
  maxAttempts: number;
  partSize: number;
  uploadParallelism: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  cacheDir: string;
}

function envNum(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Environment variable ${name}="${v}" is not a positive number.`);
  return n;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`Environment variable ${name}="${v}" must be 1/true/yes or 0/false/no.`);
}

/** Manifest settings win over the environment, which wins over the defaults. */
export function resolveS3Settings(manifest: S3Settings = {}, env: NodeJS.ProcessEnv = process.env): ResolvedS3Settings {
  // CURATE_S3_SETTINGS carries the manifest's section (JSON) to worker threads and Slurm tasks (setS3Settings sets it).
  let inherited: S3Settings = {};
  if (env.CURATE_S3_SETTINGS) {
    try {
      inherited = s3SettingsSchema.parse(JSON.parse(env.CURATE_S3_SETTINGS));
    } catch (e) {
      throw new Error(`Environment variable CURATE_S3_SETTINGS is not a valid storage.s3 section: ${(e as Error).message}`);
    }
  }
  const s = { ...inherited, ...s3SettingsSchema.parse(manifest) };
  const endpoint = s.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  const partMb = s.part_size_mb ?? envNum(env, 'CURATE_S3_PART_SIZE_MB') ?? 8;
  if (partMb < 5) throw new Error(`S3 part size ${partMb} MiB is below the S3 minimum of 5 MiB (CURATE_S3_PART_SIZE_MB / storage.s3.part_size_mb).`);
  const cacheRoot = env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'curate') : join(homedir(), '.cache', 'curate');
  return {
    endpoint,
    region: s.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || '') ,
    forcePathStyle: s.force_path_style ?? envBool(env, 'CURATE_S3_FORCE_PATH_STYLE') ?? endpoint !== undefined,
    profile: s.profile ?? (env.AWS_PROFILE || undefined),
    maxConcurrency: s.max_concurrency ?? envNum(env, 'CURATE_S3_MAX_CONCURRENCY') ?? 16,
    maxAttempts: s.max_attempts ?? envNum(env, 'CURATE_S3_MAX_ATTEMPTS') ?? 10,
    partSize: Math.round(partMb * MiB),
    uploadParallelism: s.upload_parallelism ?? envNum(env, 'CURATE_S3_UPLOAD_PARALLELISM') ?? 4,
    requestTimeoutMs: s.request_timeout_ms ?? envNum(env, 'CURATE_S3_REQUEST_TIMEOUT_MS') ?? 120_000,
    connectTimeoutMs: s.connect_timeout_ms ?? envNum(env, 'CURATE_S3_CONNECT_TIMEOUT_MS') ?? 10_000,
    retryBaseMs: s.retry_base_ms ?? envNum(env, 'CURATE_S3_RETRY_BASE_MS') ?? 100,
    retryMaxMs: s.retry_max_ms ?? envNum(env, 'CURATE_S3_RETRY_MAX_MS') ?? 20_000,
    cacheDir: s.cache_dir ?? (env.CURATE_CACHE_DIR || cacheRoot),
  };
}

