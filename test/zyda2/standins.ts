// Small stand-in shards for the Zyda-2 recipe, built from ../shared/data in the real upstream layouts and schemas:
// FineWeb-Edu score-2 parquet columns, DCLM-baseline parquet columns, Zyda parquet columns, Dolma jsonl.gz.
// Texts are real (the near-duplicate evaluation set, whose clusters spread over the four sources, so cross-source
// duplicates exist); the upstream metadata values (scores, dumps, ids) are synthetic but typed like the originals.
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';

interface Doc { id: string; text: string; url: string | null }

const h = (s: string): number => createHash('sha256').update(s).digest().readUInt32BE(0);

export async function buildStandins(sharedDir: string, out: string, maxDocs = 480): Promise<Record<string, number>> {
  const lines = gunzipSync(readFileSync(join(sharedDir, 'data/neardup/corpus.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const truth = new Map(gunzipSync(readFileSync(join(sharedDir, 'data/neardup/docs_truth.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; cluster: string }).map((t) => [t.id, t.cluster]));
  // whole clusters, chosen by hash, until maxDocs: duplicates stay together and spread over sources
  const byCluster = new Map<string, Doc[]>();
  for (const l of lines) {
    const d = JSON.parse(l) as Doc;
    if (!d.text || d.text.length < 200) continue;
    const c = truth.get(d.id) ?? d.id;
    byCluster.set(c, [...(byCluster.get(c) ?? []), d]);
  }
  const clusters = [...byCluster.entries()].sort((a, b) => h(a[0]) - h(b[0]));
  const picked: Doc[] = [];
  for (const [, docs] of clusters) { if (picked.length >= maxDocs) break; picked.push(...docs); }
  const parts: Record<string, Doc[]> = { fwe: [], dclm: [], zyda: [], dolma: [] };
  const names = Object.keys(parts);
  for (const d of picked) parts[names[h(`src:${d.id}`) % 4]].push(d);

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const tmpJson = join(out, '.tmp.jsonl');
  mkdirSync(out, { recursive: true });
  const copy = async (rows: Record<string, unknown>[], select: string, dest: string): Promise<void> => {
    mkdirSync(join(dest, '..'), { recursive: true });
    writeFileSync(tmpJson, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await con.run(`COPY (SELECT ${select} FROM read_json('${tmpJson}', auto_detect = true, format = 'newline_delimited', maximum_object_size = 100000000)) TO '${dest}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 64)`);
  };
  // FineWeb-Edu score-2: text, id, dump, url, file_path, language, language_score, token_count, score, int_score
  await copy(parts.fwe.map((d) => {
    const score = 2 + (h(`score:${d.id}`) % 2000) / 1000;
    return { text: d.text, id: `<urn:uuid:${createHash('md5').update(d.id).digest('hex')}>`, dump: 'CC-MAIN-2024-10', url: d.url ?? `https://example.org/${d.id}`, file_path: 's3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/x/warc/y.warc.gz', language: 'en', language_score: 0.9, token_count: Math.round(d.text.length / 4), score, int_score: Math.round(score) };
  }), 'text, id, dump, url, file_path, language, CAST(language_score AS DOUBLE) AS language_score, CAST(token_count AS BIGINT) AS token_count, CAST(score AS DOUBLE) AS score, CAST(int_score AS BIGINT) AS int_score', join(out, 'fineweb-edu-score-2/data/CC-MAIN-2024-10/000_00000.parquet'));
  // DCLM-baseline: no id; url, fastText quality probability, language id
  await copy(parts.dclm.map((d) => ({ text: d.text, url: d.url ?? `https://example.com/${d.id}`, fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob: (h(`fq:${d.id}`) % 1000) / 1000, language_id_whole_page_fasttext: JSON.stringify({ en: 0.95 }) })),
    'text, url, CAST(fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob AS DOUBLE) AS fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob, language_id_whole_page_fasttext', join(out, 'dclm-baseline-1.0-parquet/filtered/global-shard_01_of_10/local-shard_0_of_10/shard_00000000_processed.parquet'));
  // Zyda (no StarCoder): text, source, filtering_features, source_other
  await copy(parts.zyda.map((d, i) => ({ text: d.text, source: i % 2 ? 'c4-en' : 'refinedweb', filtering_features: JSON.stringify({ word_count: d.text.split(/\s+/).length }), source_other: JSON.stringify({ url: d.url }) })),
    'text, source, filtering_features, source_other', join(out, 'zyda/data/zyda_no_starcoder/zyda_refinedweb/train-00000-of-00001.parquet'));
  // Dolma v1.7 CC: jsonl.gz with id, text, source, added, created, metadata
  mkdirSync(join(out, 'dolma-v1_7/cc_en_head'), { recursive: true });
  writeFileSync(join(out, 'dolma-v1_7/cc_en_head/cc_en_head-0000.json.gz'), gzipSync(parts.dolma.map((d) => JSON.stringify({ id: d.id, text: d.text, source: 'common-crawl', added: '2024-01-01T00:00:00.000Z', created: '2019-07-17T12:15:59.000Z', metadata: { url: d.url } })).join('\n') + '\n'));
  rmSync(tmpJson, { force: true });
  return { fwe: parts.fwe.length, dclm: parts.dclm.length, zyda: parts.zyda.length, dolma: parts.dolma.length };
}
