// A tokenizer.json on S3 (real S3-compatible server, s3rver): the stage loads it through ctx.storage and declares
// uint32 before the run (the file cannot be read synchronously), with ids equal to the same file read locally.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3rver, skipUnless, requireTarget, freshBucket, driverFor, stopS3rver } from '../s3/servers.ts';
import { createStorage } from '../../pipeline/storage.ts';
import { makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import { tokenizeStage } from '../../stages/tokenize/tokenize.ts';
import { loadTokenizer, namedTokenizerPath } from '../../classifiers/tokenizers/index.ts';
import { referenceSet } from './helpers.ts';

const avail = await s3rver();
after(() => stopS3rver());

test('tokenize stage with a tokenizer.json on S3', { skip: skipUnless(avail) }, async () => {
  const t = requireTarget(avail);
  const bucket = await freshBucket(t, 'curate-tokenize');
  const storage = createStorage([driverFor(t, { cache_dir: mkdtempSync(join(tmpdir(), 'curate-s3cache-')) })]);
  const bytes = readFileSync(namedTokenizerPath('llama2'));
  await storage.write(`s3://${bucket}/tok/llama2/tokenizer.json`, bytes);
  const direct = await loadTokenizer(`s3://${bucket}/tok/llama2`, storage);
  const local = await loadTokenizer('llama2');
  assert.equal(direct.hash, local.hash);
  assert.equal(direct.name, 'llama2/tokenizer.json');
  const { texts, refs } = referenceSet();
  const p = tokenizeStage.params.parse({ tokenizer: `s3://${bucket}/tok/llama2/tokenizer.json`, add_eos: false });
  assert.equal(tokenizeStage.writes(p)[0].type, 'list<uint32>');
  const { docs } = await runStage(tokenizeStage.create(p), texts.slice(0, 10).map((x, i) => makeDoc(x, { row: i })), testContext({ storage }));
  docs.forEach((d, i) => {
    assert.ok(d.cols.token_ids instanceof Uint32Array);
    assert.deepEqual(Array.from(d.cols.token_ids as Uint32Array), refs[i].llama2.ids_no_special);
  });
  await assert.rejects(loadTokenizer(`s3://${bucket}/tok/missing`, storage), /cannot read tokenizer/);
});
