// `curate signals` end to end: the output file has the reference files' shape, and its filter decisions and
// RPv2 spans agree with ../shared/fixtures/reference-signals (200 documentation pages and the 33 edge cases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runSignals, type SignalsOptions } from '../../pipeline/commands/signals.ts';
import { BADWORDS_EN, SHARED, haveShared } from './reference.ts';

const LDNOOBW_RPV2 = fileURLToPath(new URL('../signals/fixtures/ldnoobw/en', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/curate.js', import.meta.url));
const quiet = { info() {}, warn() {}, debug() {} };

function opts(out: string, over: Partial<SignalsOptions> = {}): SignalsOptions {
  return { out, filters: 'all', signals: true, model: [], tokenizer: 'spacy', textField: 'text', idField: 'id', batch: '64', quiet: true, badwords: BADWORDS_EN, ldnoobw: LDNOOBW_RPV2, ...over };
}

function readJsonl(p: string): Record<string, any>[] {
  const buf = readFileSync(p);
  const text = p.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function spansEqual(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((s, i) => {
    const t = b[i] as unknown[];
    const u = s as unknown[];
    if (u[0] !== t[0] || u[1] !== t[1]) return false;
    if (u[2] === null || t[2] === null) return u[2] === t[2];
    return Math.abs((u[2] as number) - (t[2] as number)) <= 1e-6;
  });
}

for (const [name, input, refFile] of [
  ['docs', 'fixtures/reference-signals/docs.jsonl.gz', 'fixtures/reference-signals/rpv2_signals.jsonl.gz'],
  ['edge_cases', 'fixtures/reference-signals/edge_cases.jsonl.gz', 'fixtures/reference-signals/edge_cases_signals.jsonl.gz'],
] as const) {
  test(`curate signals on ${name}: reference shape, filter decisions and RPv2 spans`, { skip: !haveShared }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'signals-cmd-')), 'out.jsonl');
    const r = await runSignals(SHARED + input, opts(out), quiet);
    const got = readJsonl(out);
    const ref = readJsonl(SHARED + refFile);
    assert.equal(r.docs, ref.length);
    assert.equal(got.length, ref.length);
    let fTotal = 0;
    let fEqual = 0;
    let sTotal = 0;
    let sEqual = 0;
    const bad: string[] = [];
    got.forEach((g, i) => {
      const e = ref[i];
      assert.equal(g.id, e.id);
      assert.deepEqual(Object.keys(g), ['id', 'signals', 'filters']);
      for (const [f, v] of Object.entries(e.datatrove as Record<string, any>)) {
        if (f.endsWith('_checks') || f === 'tokens' || v.error) continue;
        fTotal++;
        if (g.filters[f]?.keep === v.keep && g.filters[f]?.reason === (v.reason ?? null)) fEqual++;
        else bad.push(`${g.id} ${f}`);
      }
      for (const [s, spans] of Object.entries(e.quality_signals as Record<string, unknown>)) {
        sTotal++;
        if (spansEqual(g.signals[s], spans)) sEqual++;
        else if (bad.length < 20) bad.push(`${g.id} ${s}`);
      }
    });
    console.log(`curate signals ${name}: filters ${fEqual}/${fTotal}, signals ${sEqual}/${sTotal}`);
    assert.ok(fEqual / fTotal >= 0.995 && sEqual / sTotal >= 0.995, bad.join('\n'));
  });
}

test('curate signals CLI: user errors are one-line messages with exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signals-cli-'));
  const missing = spawnSync(process.execPath, [CLI, 'signals', join(dir, 'nope.jsonl'), '--out', join(dir, 'o.jsonl')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /input not found/);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/);
  const fmt = spawnSync(process.execPath, [CLI, 'signals', CLI, '--out', join(dir, 'o.jsonl')], { encoding: 'utf8' });
  assert.equal(fmt.status, 2);
  assert.match(fmt.stderr, /cannot tell the format/);
  const filt = spawnSync(process.execPath, [CLI, 'signals', SHARED + 'fixtures/reference-signals/edge_cases.jsonl.gz', '--filters', 'gopher,c4', '--out', join(dir, 'o.jsonl')], { encoding: 'utf8' });
  assert.equal(filt.status, 2);
  assert.match(filt.stderr, /unknown filter "gopher"/);
});

test('curate signals CLI: filters only, limit, no bad-words list', { skip: !haveShared }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'signals-cli-'));
  const out = join(dir, 'o.jsonl');
  const r = spawnSync(process.execPath, [CLI, 'signals', SHARED + 'fixtures/reference-signals/docs.jsonl.gz', '--no-signals', '--limit', '5', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /c4_badwords skipped/);
  const lines = readJsonl(out);
  assert.equal(lines.length, 5);
  assert.deepEqual(Object.keys(lines[0]), ['id', 'filters']);
  assert.deepEqual(Object.keys(lines[0].filters), ['gopher_quality', 'gopher_repetition', 'c4_quality', 'c4_paragraph', 'fineweb_quality']);
});
