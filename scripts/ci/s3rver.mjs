#!/usr/bin/env -S node --openssl-legacy-provider
// s3rver.mjs - runs s3rver (npm, a devDependency) as a small S3-compatible server for tests and demos.
//
//   node --openssl-legacy-provider scripts/ci/s3rver.mjs [--port N] [--dir DIR] [--bucket NAME]... [--exit-with-stdin]
//
// Prints one JSON line {"endpoint":..., "port":..., "dir":..., "pid":...} on stdout once it listens, then serves
// until SIGTERM/SIGINT (or, with --exit-with-stdin, until its stdin closes: tests spawn it as a child this way, so it
// never outlives them). Access key / secret: S3RVER / S3RVER (s3rver checks only the key id, not signatures).
// The flag --openssl-legacy-provider is required on Node >= 17: s3rver encrypts continuation tokens with DES, and
// without it every listing longer than one page fails with 500.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv } from 'node:crypto';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const args = process.argv.slice(2);
let port = 0;
let dir = '';
const buckets = [];
let exitWithStdin = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--port') port = Number(args[++i]);
  else if (a === '--dir') dir = args[++i];
  else if (a === '--bucket') buckets.push(args[++i]);
  else if (a === '--exit-with-stdin') exitWithStdin = true;
  else {
    console.error(`s3rver.mjs: unknown argument ${a}`);
    process.exit(2);
  }
}
try {
  createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
} catch {
  console.error('s3rver.mjs: this Node has no DES cipher; run it with `node --openssl-legacy-provider` (else paged listings fail).');
  process.exit(2);
}
if (!dir) dir = mkdtempSync(join(tmpdir(), 's3rver-'));
const server = new S3rver({
  address: '127.0.0.1',
  port,
  silent: true,
  directory: dir,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port: actual } = await server.run();
const endpoint = `http://127.0.0.1:${actual}`;
process.stdout.write(JSON.stringify({ endpoint, port: actual, dir, pid: process.pid }) + '\n');
const stop = async () => {
  await server.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (exitWithStdin) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
