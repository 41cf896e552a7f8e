// Done-when tests for the Slurm executor on a real (single-node) Slurm cluster: byte-identical output to the local
// executor with more tasks than cores and three dependent steps, arrays split, a failed task blocking the later
// steps and a rerun finishing only the missing tasks, `curate cancel`, and a run directory on S3.
// Start the cluster with scripts/ci/start-slurm.sh (root, Debian); without it these tests skip (or fail when
// CURATE_REQUIRE_SERVICES=1).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCorpus, curate, manifestYaml, sameOutputs, upload } from '../s3/e2e-helpers.ts';
import { REQUIRE_SERVICES, s3rver, stopS3rver, requireTarget, freshBucket, driverFor, envFor } from '../s3/servers.ts';
import { createStorage } from '../../pipeline/storage.ts';
import type { JobRecord } from '../../pipeline/executors/slurm-cli.ts';
import { expandRanges } from '../../pipeline/executors/slurm-cli.ts';

function slurmUp(): string {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  if (r.error) return 'Slurm client commands not found (sinfo)';
  if (r.status !== 0) return `sinfo failed: ${r.stderr.trim()}`;
  if (!/idle|mixed|allocated|completing/.test(r.stdout)) return `no usable node (sinfo: ${r.stdout.trim()})`;
  return '';
}
const why = slurmUp();
const skip = why && !REQUIRE_SERVICES ? `SKIPPED (no Slurm cluster): ${why}; start one with scripts/ci/start-slurm.sh (root, Debian). Set CURATE_REQUIRE_SERVICES=1 to make this a failure.` : false;
after(() => stopS3rver());

const POLL = { CURATE_SLURM_POLL_S: '0.5' };
const work = mkdtempSync(join(tmpdir(), 'curate-slurm-e2e-'));
const corpus = join(work, 'corpus');

function jobs(runDir: string): JobRecord {
  return JSON.parse(readFileSync(join(runDir, '_run', 'slurm', 'jobs.json'), 'utf8')) as JobRecord;
}

function markers(runDir: string, step: string): string[] {
  const d = join(runDir, '_done', step);
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).sort() : [];
}

function squeueIds(ids: string[]): string {
  const r = spawnSync('squeue', ['-h', '-o', '%i %T', '-j', ids.join(',')], { encoding: 'utf8' });
  return r.stdout.trim();
}

describe('Slurm executor on a real cluster', { skip }, () => {
  const localRun = join(work, 'local-run');

  it('has a cluster', () => {
    assert.equal(why, '', `CURATE_REQUIRE_SERVICES=1 but ${why}; start it with scripts/ci/start-slurm.sh`);
    buildCorpus(corpus);
  });

  it('local baseline', async () => {
    const m = join(work, 'local.yaml');
    writeFileSync(m, manifestYaml({ name: 'slurm-e2e', inputs: corpus, output: localRun }));
    const r = await curate(['run', m, '-q']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('byte-identical to the local executor: 8 tasks on 2 cores, 3 dependent steps, arrays split at 3', async () => {
    const out = join(work, 'slurm-run');
    const m = join(work, 'slurm.yaml');
    writeFileSync(m, manifestYaml({ name: 'slurm-e2e', inputs: corpus, output: out, executor: { type: 'slurm', max_array_size: 3, cpus_per_task: 1 } }));
    const r = await curate(['run', m], POLL);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(readFileSync(join(out, '_run', 'plan.json'), 'utf8')) as { tasks: number; steps: { id: string; kind: string }[] };
    assert.ok(plan.tasks > availableParallelism(), `${plan.tasks} tasks > ${availableParallelism()} cores`);
    assert.deepEqual(plan.steps.map((s) => s.kind), ['map', 'global', 'map']);
    await sameOutputs(createStorage(), localRun, out);
    // one job array per step, split into ceil(8 / 3) = 3 arrays for map steps; each later step after the earlier
    const sub = jobs(out).submissions;
    assert.equal(sub.length, 1);
    const byStep = new Map<string, string[]>();
    for (const j of sub[0].jobs) byStep.set(j.step, [...(byStep.get(j.step) ?? []), j.tasks]);
    assert.deepEqual(byStep.get('01-map'), ['0-2', '3-5', '6-7']);
    assert.deepEqual(byStep.get(plan.steps[1].id), ['0']);
    assert.deepEqual(byStep.get('03-map'), ['0-2', '3-5', '6-7']);
    assert.match(r.stderr, /submitted step 03-map part 1\/3: 3 task\(s\) as job array \d+ \(after \d+\)/);
    // one log per task, with the task's exit status
    for (let t = 0; t < plan.tasks; t++) assert.match(readFileSync(join(out, 'logs', '01-map', `task-${String(t).padStart(5, '0')}.log`), 'utf8'), /=== exit 0/);
    const st = await curate(['status', out]);
    assert.match(st.stdout, /complete/);
  });

  it('a failed task blocks the later steps; a rerun runs only the missing tasks and matches the local run', async () => {
    const broken = join(work, 'corpus-broken');
    cpSync(corpus, broken, { recursive: true });
    const victim = join(broken, 'moby-dick', 'part-3.jsonl.gz');
    const good = readFileSync(victim);
    writeFileSync(victim, Buffer.alloc(good.length, 0x41)); // same size, not gzip: that task fails
    const out = join(work, 'slurm-failing');
    const m = join(work, 'slurm-failing.yaml');
    writeFileSync(m, manifestYaml({ name: 'slurm-e2e', inputs: broken, output: out, executor: { type: 'slurm' } }));
    const r1 = await curate(['run', m], POLL);
    assert.equal(r1.code, 1, 'the run fails');
    const plan = JSON.parse(readFileSync(join(out, '_run', 'plan.json'), 'utf8')) as { inputs: { uri: string }[]; taskFiles: number[][]; steps: { id: string }[] };
    const bad = plan.taskFiles.findIndex((fs) => fs.some((i) => plan.inputs[i].uri === victim));
    assert.ok(bad >= 0);
    assert.match(r1.stderr, new RegExp(`1 task\\(s\\) of step 01-map did not finish \\(${bad}\\)`));
    assert.match(r1.stderr, /incorrect header check/, 'the tail of the task log is shown');
    assert.match(r1.stderr, /did not run \(Slurm cancelled them: their dependency failed\)/);
    assert.match(r1.stderr, new RegExp(`task-${String(bad).padStart(5, '0')}\\.log`));
    assert.equal(markers(out, '01-map').length, plan.taskFiles.length - 1, 'the other tasks of the step finished');
    assert.deepEqual(markers(out, plan.steps[1].id), [], 'global step blocked');
    assert.deepEqual(markers(out, '03-map'), [], 'last step blocked');
    const firstIds = jobs(out).submissions[0].jobs.map((j) => j.jobId);
    assert.equal(squeueIds(firstIds), '', 'nothing left pending in the queue (kill-on-invalid-dep)');

    const before = new Map(markers(out, '01-map').map((f) => [f, statSync(join(out, '_done', '01-map', f)).mtimeMs]));
    writeFileSync(victim, good);
    const r2 = await curate(['run', m], POLL);
    assert.equal(r2.code, 0, r2.stderr);
    const second = jobs(out).submissions[1].jobs;
    assert.deepEqual(
      second.filter((j) => j.step === '01-map').flatMap((j) => expandRanges(j.tasks)),
      [bad],
      'only the failed task of step 1 was submitted again',
    );
    for (const [f, mtime] of before) assert.equal(statSync(join(out, '_done', '01-map', f)).mtimeMs, mtime, `${f} was not redone`);
    await sameOutputs(createStorage(), localRun, out);
  });

  it('curate cancel scancels the run\'s jobs; a second submission is refused while jobs are queued', async () => {
    const out = join(work, 'slurm-cancel');
    const m = join(work, 'slurm-cancel.yaml');
    writeFileSync(m, manifestYaml({ name: 'slurm-e2e', inputs: corpus, output: out, executor: { type: 'slurm', sbatch_args: ['--begin=now+3600'] } }));
    const running = curate(['run', m], POLL);
    const rec = join(out, '_run', 'slurm', 'jobs.json');
    try {
      for (let i = 0; i < 200 && !existsSync(rec); i++) await sleep(100);
      assert.ok(existsSync(rec), 'jobs recorded');
      const ids = jobs(out).submissions[0].jobs.map((j) => j.jobId);
      assert.equal(ids.length, 3);
      assert.match(squeueIds(ids), /PENDING/);
      const again = await curate(['run', m], POLL);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /still has Slurm jobs queued or running .*curate cancel/s);
      const c = await curate(['cancel', out, '--wait']);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, new RegExp(`cancelled 3 Slurm job\\(s\\): ${ids.join(', ')}`));
      assert.equal(squeueIds(ids), '');
      const r = await running;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /did not finish/);
      const c2 = await curate(['cancel', out]);
      assert.match(c2.stdout, /nothing to cancel/);
    } finally {
      // never leave the held jobs (or the waiting `curate run`) behind when an assertion failed
      if (existsSync(rec)) spawnSync('scancel', jobs(out).submissions.flatMap((x) => x.jobs.map((j) => j.jobId)));
      await running;
    }
  });

  it('runs with inputs and run directory on S3 (s3rver), logs copied into the run dir, identical output', async () => {
    const t = requireTarget(await s3rver());
    const bucket = await freshBucket(t, 'curate-slurm');
    const d = driverFor(t);
    const storage = createStorage([d]);
    await upload(storage, corpus, `s3://${bucket}/inputs`);
    const out = `s3://${bucket}/runs/slurm`;
    const m = join(work, 'slurm-s3.yaml');
    writeFileSync(m, manifestYaml({ name: 'slurm-e2e', inputs: `s3://${bucket}/inputs`, output: out, executor: { type: 'slurm' } }));
    const logs = join(work, 'slurm-s3-logs');
    const r = await curate(['run', m], { ...POLL, ...envFor(t), CURATE_SLURM_LOG_DIR: logs });
    assert.equal(r.code, 0, r.stderr);
    await sameOutputs(storage, localRun, out);
    const log = Buffer.from(await d.read(`${out}/logs/01-map/task-00000.log`)).toString();
    assert.match(log, /=== exit 0/);
    assert.ok(await d.stat(`${out}/_run/slurm/jobs.json`));
  });
});
