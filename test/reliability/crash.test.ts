// Crash safety of runs with global steps: SIGKILL `curate run` (the CLI and its workers, as one process group) at
// seeded random points of a run with MinHash dedup, mixing and a shuffle (three global steps), rerun it, and compare
// with an uninterrupted run: byte-identical data/, balanced accounting, and no file under data/ ever visible with
// bytes other than its final ones (the listing is polled all along the killed run and the rerun).
// Default: a fixed budget of seeds; CURATE_LONG_TESTS=1 runs many more. CURATE_CRASH_SEEDS=N overrides the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from '../helpers.ts';
import { LONG, buildDupCorpus, globalManifest, runCli, finished, killGroup, treeHashes, prng, sha, sleep, report } from './harness.ts';

const SEEDS = Number(process.env.CURATE_CRASH_SEEDS ?? (LONG ? 40 : 4));
const STEPS = ['01-map', '02-global-minhash_dedup', '03-map', '04-global-mix', '05-map', '06-global-shuffle', '07-map'];
const TASKS = 3;

function setup(): { dir: string; out: string } {
  const dir = tmp('curate-crash-');
  buildDupCorpus(join(dir, 'in'));
  writeFileSync(join(dir, 'm.yaml'), globalManifest({ inputs: 'in', output: 'out', tasks: TASKS, workers: 2 }));
  return { dir, out: join(dir, 'out') };
}

function markers(out: string, step: string): number {
  const d = join(out, '_done', step);
  return existsSync(d) ? readdirSync(d).length : 0;
}

/** Where the run is: the first step without all its markers, and whether a temp file is being written. */
function phase(out: string): string {
  if (!existsSync(join(out, '_run/plan.json'))) return 'planning';
  for (const s of STEPS) {
    const want = s.includes('global') ? 1 : TASKS;
    if (markers(out, s) < want) {
      const side = join(out, 'steps', s, 'side');
      const dirs = [join(out, 'data'), join(out, 'steps', s, 'data'), ...(existsSync(side) ? readdirSync(side).map((x) => join(side, x)) : [])];
      const writing = dirs.some((d) => { try { return readdirSync(d).some((f) => f.startsWith('.tmp-')); } catch { return false; } });
      return `${s}${s.includes('global') ? '' : writing ? ' (writing)' : ''}`;
    }
  }
  return 'reporting';
}

/** Polls data/ and checks every visible (non-temp) file against the reference bytes. Returns a stop function. */
function watchData(out: string, want: Map<string, string>, seen: { checks: number; bad: string[] }): () => Promise<void> {
  let stop = false;
  const known = new Map<string, string>();
  const loop = (async () => {
    while (!stop) {
      const d = join(out, 'data');
      if (existsSync(d)) {
        for (const f of readdirSync(d)) {
          if (f.startsWith('.tmp-')) continue;
          let st;
          try { st = statSync(join(d, f)); } catch { continue; }
          const key = `${st.size}:${st.mtimeMs}`;
          if (known.get(f) === key) continue;
          known.set(f, key);
          let h: string;
          try { h = sha(readFileSync(join(d, f))); } catch { continue; }
          seen.checks++;
          if (want.get(f) !== h) seen.bad.push(`${f} (${st.size} bytes) visible with bytes other than the final ones`);
        }
      }
      await sleep(10);
    }
  })();
  return async () => { stop = true; await loop; };
}

test(`SIGKILL at seeded random points of a run with dedup, mix and shuffle global steps (${SEEDS} seeds), rerun: byte-identical`, { timeout: 60 * 60_000 }, async () => {
  // the uninterrupted reference
  const ref = setup();
  const t0 = Date.now();
  const r = await finished(runCli(['run', 'm.yaml', '-q'], { cwd: ref.dir }));
  const refMs = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  const want = treeHashes(join(ref.out, 'data'));
  assert.ok([...want.keys()].filter((f) => f.endsWith('.parquet')).length >= 3);

  const landed: Record<string, number> = {};
  let survived = 0, midRun = 0;
  const seen = { checks: 0, bad: [] as string[] };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rnd = prng(seed * 7919);
    const k = setup();
    const child = runCli(['run', 'm.yaml', '-q'], { cwd: k.dir });
    const exit = finished(child);
    const stopWatch = watchData(k.out, want, seen);
    // half the seeds kill after a random share of the reference duration; the others at a random event
    // (inside a global step, while a step's output file is being written, or after a random number of markers)
    const mode = rnd() < 0.5 ? 'time' : (['global', 'writing', 'markers'] as const)[Math.floor(rnd() * 3)];
    const deadline = Date.now() + refMs * 3 + 60_000;
    const target = mode === 'time' ? Date.now() + rnd() * 0.9 * refMs : 0;
    const nMarkers = 1 + Math.floor(rnd() * (4 * TASKS + 2));
    const extra = Math.floor(rnd() * 60);
    let at = '';
    while (child.exitCode === null && Date.now() < deadline) {
      const ph = phase(k.out);
      let fire = false;
      if (mode === 'time') fire = Date.now() >= target;
      else if (mode === 'global') fire = ph.includes('global');
      else if (mode === 'writing') fire = ph.includes('(writing)');
      else fire = STEPS.reduce((a, s) => a + markers(k.out, s), 0) >= nMarkers;
      if (fire) { await sleep(extra); at = phase(k.out); break; }
      await sleep(5);
    }
    const alive = child.exitCode === null;
    killGroup(child);
    await exit;
    const where = alive ? at || phase(k.out) : 'after the end (run finished first)';
    landed[where] = (landed[where] ?? 0) + 1;
    if (alive) midRun++;
    // leftovers of the killed run: only final names with final bytes, or hidden temp files
    const re = await finished(runCli(['run', 'm.yaml', '-q'], { cwd: k.dir }));
    await stopWatch();
    assert.equal(re.code, 0, `seed ${seed} (${mode}, killed at ${where}): rerun failed: ${re.stderr}`);
    const got = treeHashes(join(k.out, 'data'));
    assert.deepEqual([...got.entries()].sort(), [...want.entries()].sort(), `seed ${seed} (${mode}, killed at ${where}): output differs from the uninterrupted run`);
    const stats = JSON.parse(readFileSync(join(k.out, 'report/stats.json'), 'utf8')) as { accounting: { balanced: boolean } };
    assert.equal(stats.accounting.balanced, true);
    assert.deepEqual(seen.bad, [], `seed ${seed}: partial or foreign bytes visible under data/`);
    survived++;
  }
  report(`crash (dedup+mix+shuffle, local): ${SEEDS} kill scenarios tried, ${midRun} landed mid-run, ${survived} survived (rerun byte-identical, balanced); ${seen.checks} visible-file checks during the runs, 0 partial`);
  report(`crash kill points: ${Object.entries(landed).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  assert.ok(midRun >= Math.ceil(SEEDS / 2), `at least half of the kills must land mid-run (${midRun} of ${SEEDS})`);
  assert.ok(Object.keys(landed).some((p) => p.includes('global')) || SEEDS < 4, `some kill must land in a global step: ${JSON.stringify(landed)}`);
});
