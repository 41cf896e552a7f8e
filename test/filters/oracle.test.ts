// datatrove's filters and spaCy's tokenizer on documents the fixtures do not hold: the originals run on real text
// from ../shared/data (bulk_sample, the DCLM/SpamAssassin quality labels, the full-text web pages) and on any extra
// JSONL named in CURATE_ORACLE_EXTRA (comma-separated); `curate signals` and the tokenizer port must agree.
// The originals are not part of this project; each part is skipped with a message when they are missing:
//   CURATE_PYTHON          a Python with spacy (and, for datatrove: loguru numpy humanize dill fsspec multiprocess)
//   CURATE_DATATROVE_SRC   a huggingface/datatrove checkout at a649de7 (v0.10.0)
// The Python side is stages/filters/tools/*_oracle.py (runners that import the originals). RPv2 has the same kind of check in
// test/signals/oracle.test.ts and stages/signals/tools/compare-rpv2.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { curate, readJsonl, repoRoot, sharedDir, tmp } from '../helpers.ts';
import { englishTokenizer } from '../../stages/text/spacy/tokenizer.ts';

const PY = process.env.CURATE_PYTHON ?? 'python3';
const DT = process.env.CURATE_DATATROVE_SRC;
const hasSpacy = spawnSync(PY, ['-c', 'import spacy'], { stdio: 'ignore' }).status === 0;
const corpora = [
  join(sharedDir, 'data/bulk_sample/bulk-00000.jsonl.gz'),
  join(sharedDir, 'data/quality_labels.jsonl.gz'),
  join(sharedDir, 'data/web_pages_fulltext.jsonl.gz'),
  ...(process.env.CURATE_ORACLE_EXTRA ?? '').split(',').filter(Boolean),
].filter((f) => existsSync(f));
const LDNOOBW_C4 = join(repoRoot, 'test/filters/fixtures/ldnoobw/en');
const skipSpacy = hasSpacy ? false : `spaCy is not importable by ${PY} (set CURATE_PYTHON)`;
const skipDt = skipSpacy || (DT ? false : 'set CURATE_DATATROVE_SRC to a datatrove checkout (a649de7) to run its filters');

interface Ours {
  id: unknown;
  filters: Record<string, { keep: boolean; reason: string | null }>;
}


function python(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(PY, [join(repoRoot, 'stages/filters/tools', script), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${script} ${args.at(-2)}: exit ${code}\n${err.slice(-2000)}`))));
  });
}

const work = tmp('curate-oracle-');
const ours = new Map<string, Ours[]>();
function oursFor(corpus: string, k: number): Ours[] {
  let rows = ours.get(corpus);
  if (!rows) {
    const out = join(work, `${k}.ours.jsonl`);
    const r = curate(['signals', corpus, '--out', out, '--badwords', LDNOOBW_C4, '--no-signals', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    rows = readJsonl<Ours>(out);
    ours.set(corpus, rows);
  }
  return rows;
}

test('spaCy words and sentence counts equal spaCy itself on documents outside the fixtures', { skip: skipSpacy, timeout: 30 * 60_000 }, async () => {
  const outs = corpora.map((_, k) => join(work, `${k}.spacy.jsonl`));
  await Promise.all(corpora.map((c, k) => python('spacy_oracle.py', [c, outs[k]])));
  const tok = englishTokenizer();
  let docs = 0;
  const bad: string[] = [];
  corpora.forEach((c, k) => {
    const texts = readJsonl<{ id: unknown; text: unknown }>(c).filter((d) => typeof d.text === 'string');
    const refs = readJsonl<{ id: unknown; words: string[]; n_sent: number }>(outs[k]);
    assert.equal(refs.length, texts.length, c);
    refs.forEach((r, i) => {
      docs++;
      const t = texts[i].text as string;
      const w = tok.words(t);
      if (w.length !== r.words.length || w.some((x, j) => x !== r.words[j])) bad.push(`${String(r.id)}: words`);
      if (tok.sentenceCount(t) !== r.n_sent) bad.push(`${String(r.id)}: sentences ${tok.sentenceCount(t)} vs ${r.n_sent}`);
    });
  });
  console.log(`# oracle spaCy: ${docs} documents, ${bad.length} mismatches`);
  assert.deepEqual(bad.slice(0, 20), []);
});

test('datatrove filters: same decisions and reasons as datatrove on documents outside the fixtures', { skip: skipDt, timeout: 30 * 60_000 }, async () => {
  const outs = corpora.map((_, k) => join(work, `${k}.datatrove.jsonl`));
  await Promise.all(corpora.map((c, k) => python('datatrove_oracle.py', [join(DT!, 'src'), LDNOOBW_C4, c, outs[k]])));
  let n = 0;
  const bad: string[] = [];
  corpora.forEach((c, k) => {
    const refs = readJsonl<{ id: unknown; filters: Ours['filters'] }>(outs[k]);
    const mine = oursFor(c, k);
    assert.equal(mine.length, refs.length, c);
    refs.forEach((r, i) => {
      for (const [name, v] of Object.entries(r.filters)) {
        n++;
        const o = mine[i].filters[name];
        if (!o || o.keep !== v.keep || o.reason !== v.reason) bad.push(`${String(r.id)} ${name}: ${JSON.stringify(o)} vs ${JSON.stringify(v)}`);
      }
    });
  });
  console.log(`# oracle datatrove: ${n} (document, filter) decisions, ${bad.length} mismatches`);
  assert.deepEqual(bad.slice(0, 20), []);
});
