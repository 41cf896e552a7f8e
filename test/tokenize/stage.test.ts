// The `tokenize` stage: columns and their declared types, BOS/EOS, per-source token metrics, file metadata, loading
// a tokenizer.json by path relative to the manifest folder, errors a user can act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStage, makeDoc, runStage, testContext } from '../../pipeline/testing.ts';
import { tokenizeStage } from '../../stages/tokenize/tokenize.ts';
import { stages } from '../../stages/tokenize/index.ts';
import { namedJson, referenceSet } from './helpers.ts';

const { texts, refs } = referenceSet();
const docs = () => texts.slice(0, 40).map((t, i) => makeDoc(t, { source: i % 3 === 0 ? 'dclm' : 'fwe', row: i }));

test('registered in the tokenize family', () => {
  assert.deepEqual(stages.map((s) => [s.name, s.family]), [['tokenize', 'tokenize']]);
});

test('declared columns: list<uint16> for a vocabulary that fits (llama2), list<uint32> otherwise (llama3)', () => {
  const p2 = tokenizeStage.params.parse({ tokenizer: 'llama2' });
  const p3 = tokenizeStage.params.parse({ tokenizer: 'llama3' });
  assert.deepEqual(tokenizeStage.writes(p2).map((c) => [c.name, c.type]), [['token_ids', 'list<uint16>'], ['n_tokens', 'int32']]);
  assert.deepEqual(tokenizeStage.writes(p3).map((c) => [c.name, c.type]), [['token_ids', 'list<uint32>'], ['n_tokens', 'int32']]);
  assert.equal(tokenizeStage.writes(tokenizeStage.params.parse({ tokenizer: 'llama2', id_type: 'uint32' }))[0].type, 'list<uint32>');
  assert.equal(tokenizeStage.writes(tokenizeStage.params.parse({ tokenizer: 's3://bucket/tok/tokenizer.json' }))[0].type, 'list<uint32>');
  assert.throws(() => tokenizeStage.params.parse({ tokenizer: 'llama2', bogus: 1 }));
});

test('llama2 with BOS and EOS: ids = HF ids with special tokens + </s>, uint16, metrics per source', async () => {
  const stage = buildStage(tokenizeStage, { tokenizer: 'llama2', add_bos: true, add_eos: true });
  const ctx = testContext();
  const { docs: out, stats } = await runStage(stage, docs(), ctx, 16);
  assert.equal(out.length, 40);
  const perSource: Record<string, number> = {};
  out.forEach((d, i) => {
    const ids = d.cols.token_ids as Uint16Array;
    assert.ok(ids instanceof Uint16Array);
    assert.deepEqual(Array.from(ids), [...refs[i].llama2.ids_with_special, 2]);
    assert.equal(d.cols.n_tokens, ids.length);
    perSource[d.source] = (perSource[d.source] ?? 0) + ids.length;
  });
  for (const [src, total] of Object.entries(perSource)) {
    const m = stats.data.metrics[`tokens:${src}`];
    assert.ok(m, `metric tokens:${src}`);
    assert.equal(Math.round(m.n * m.mean), total);
  }
  assert.equal(stats.data.metrics['tokens:dclm'].n, 14);
  const md = stage.fileMetadata!();
  assert.equal(md['curate.tokenizer'], 'llama2');
  assert.match(md['curate.tokenizer_sha256'], /^[0-9a-f]{64}$/);
  assert.equal(md['curate.tokenizer_bos_id'], '1');
  assert.equal(md['curate.tokenizer_eos_id'], '2');
});

test('llama3 defaults: no BOS, EOS <|end_of_text|>, uint32', async () => {
  const { docs: out } = await runStage(buildStage(tokenizeStage, { tokenizer: 'llama3' }), docs().slice(0, 10));
  out.forEach((d, i) => {
    assert.ok(d.cols.token_ids instanceof Uint32Array);
    assert.deepEqual(Array.from(d.cols.token_ids as Uint32Array), [...refs[i].llama3.ids_no_special, 128001]);
  });
  const { docs: both } = await runStage(buildStage(tokenizeStage, { tokenizer: 'llama3', add_bos: true, add_eos: false }), docs().slice(0, 3));
  both.forEach((d, i) => assert.deepEqual(Array.from(d.cols.token_ids as Uint32Array), [128000, ...refs[i].llama3.ids_no_special]));
});

test('tokenizer.json path relative to the manifest folder, explicit BOS/EOS tokens, empty documents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'curate-tok-'));
  mkdirSync(join(dir, 'tok'));
  // a gpt-neox-like file: no BOS in the template, EOS <|endoftext|>
  const j = namedJson('llama3');
  j.normalizer = { type: 'NFC' };
  j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  j.added_tokens = [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }];
  j.model.vocab['<|endoftext|>'] = 0; // id 0 is "!" in llama3; give the name to the same id, as gpt-neox has it
  writeFileSync(join(dir, 'tok', 'tokenizer.json'), JSON.stringify(j));
  const ctx = testContext({ baseDir: dir });
  const stage = buildStage(tokenizeStage, { tokenizer: 'tok', add_bos: false });
  const { docs: out } = await runStage(stage, [makeDoc('Hello world'), makeDoc('')], ctx);
  assert.equal(out[0].cols.token_ids instanceof Uint32Array, true);
  assert.deepEqual(Array.from(out[1].cols.token_ids as Uint32Array), [0]);
  assert.equal(out[1].cols.n_tokens, 1);
  assert.equal(stage.fileMetadata!()['curate.tokenizer'], 'tok/tokenizer.json');
  const s2 = buildStage(tokenizeStage, { tokenizer: 'tok/tokenizer.json', add_bos: true, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' });
  const { docs: o2 } = await runStage(s2, [makeDoc('x')], testContext({ baseDir: dir }));
  assert.equal((o2[0].cols.token_ids as Uint32Array)[0], 0);
  assert.equal((o2[0].cols.token_ids as Uint32Array).at(-1), 0);
});

test('errors say what to change', async () => {
  await assert.rejects(runStage(buildStage(tokenizeStage, { tokenizer: 'llama3', add_bos: true, bos_token: '<nope>' }), [makeDoc('x')]), /bos_token "<nope>" is not a token/);
  await assert.rejects(runStage(buildStage(tokenizeStage, { tokenizer: 'no/such/dir' }), [makeDoc('x')]), /cannot read tokenizer ".*no\/such\/dir".*llama2, llama3/);
  await assert.rejects(runStage(buildStage(tokenizeStage, { tokenizer: 'llama3', id_type: 'uint16' }), [makeDoc('x')]), /more than uint16 holds/);
});

test('declared type of a relative tokenizer path resolves from the manifest folder (writes env.baseDir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'curate-tok-'));
  mkdirSync(join(dir, 'small'));
  writeFileSync(join(dir, 'small', 'tokenizer.json'), JSON.stringify(namedJson('llama2')));
  const p = tokenizeStage.params.parse({ tokenizer: 'small' });
  assert.equal(tokenizeStage.writes(p, { baseDir: dir })[0].type, 'list<uint16>');
  // not found from another folder: the safe wide type
  assert.equal(tokenizeStage.writes(p, { baseDir: tmpdir() })[0].type, 'list<uint32>');
});
