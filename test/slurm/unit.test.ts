// Slurm executor parts that need no cluster: array splitting, sbatch arguments, the batch script (run with bash).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitArrays, sbatchArgs, arrayScript, shq, localLogRoot, taskLogPath } from '../../pipeline/executors/slurm.ts';
import { compactRanges, expandRanges, parseConfig } from '../../pipeline/executors/slurm-cli.ts';

describe('slurm executor (no cluster)', () => {
  it('splits steps into arrays no larger than the limit, keeping task order', () => {
    const specs = splitArrays(
      [
        { step: '01-map', tasks: [0, 1, 2, 3, 4, 5, 6] },
        { step: '02-global', tasks: [] },
        { step: '03-map', tasks: [2, 5] },
      ],
      3,
    );
    assert.deepEqual(
      specs.map((s) => [s.step, s.tasks, s.part, s.parts]),
      [
        ['01-map', [0, 1, 2], 0, 3],
        ['01-map', [3, 4, 5], 1, 3],
        ['01-map', [6], 2, 3],
        ['03-map', [2, 5], 0, 1],
      ],
    );
    assert.throws(() => splitArrays([{ step: 'a', tasks: [1] }], 0));
  });

  it('reads MaxArraySize and MinJobAge from scontrol show config', () => {
    const text = 'Configuration data as of 2026-01-01T00:00:00\nMaxArraySize            = 5\nMaxJobCount             = 10000\nMinJobAge               = 300 sec\n';
    assert.deepEqual(parseConfig(text), { maxArraySize: 5, minJobAgeS: 300 });
    assert.equal(parseConfig('nothing').maxArraySize, 1001);
  });

  it('compacts and expands task ranges', () => {
    assert.equal(compactRanges([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
    assert.deepEqual(expandRanges('0-2,5,7-8'), [0, 1, 2, 5, 7, 8]);
    assert.equal(compactRanges([]), '');
    assert.deepEqual(expandRanges(''), []);
  });

  it('builds sbatch arguments: array, dependency with kill-on-invalid-dep, resources, extra args', () => {
    const spec = { step: '03-map', tasks: [4, 5, 9], part: 0, parts: 1 };
    const a = sbatchArgs(
      spec,
      { partition: 'cpu', cpus_per_task: 4, mem: '8G', time: '01:00:00', workers: 2, sbatch_args: ['--qos=low'], env: {} },
      { jobName: 'curate-x-03-map', dependsOn: ['11', '12'], slurmOut: '/logs/slurm-%A_%a.out', cwd: '/w' },
    );
    assert.ok(a.includes('--array=0-2%2'));
    assert.ok(a.includes('--dependency=afterok:11:12'));
    assert.ok(a.includes('--kill-on-invalid-dep=yes'));
    assert.ok(a.includes('--partition=cpu') && a.includes('--cpus-per-task=4') && a.includes('--mem=8G') && a.includes('--time=01:00:00'));
    assert.ok(a.includes('--export=ALL'));
    assert.equal(a[a.length - 1], '--qos=low');
    const first = sbatchArgs(spec, { sbatch_args: [], env: {} }, { jobName: 'j', dependsOn: [], slurmOut: 'o', cwd: '/w' });
    assert.ok(!first.some((x) => x.startsWith('--dependency')) && !first.includes('--kill-on-invalid-dep=yes'));
    assert.ok(first.includes('--array=0-2'));
  });

  it('the batch script maps the array index to its task, logs per task, passes env and the exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'curate-slurm-unit-'));
    const fake = join(dir, 'fake-task.sh');
    // stands in for `node bin/curate.js _task <run> <step> <task>`: prints its arguments and env, fails on task 9
    writeFileSync(fake, '#!/bin/bash\necho "args: $*"; echo "FOO=$FOO"; [ "$3" != 9 ]\n', { mode: 0o755 });
    const logDir = join(dir, "logs with 'quote'");
    const script = arrayScript({
      runDir: '/runs/r',
      step: '01-map',
      tasks: [4, 5, 9],
      command: [fake, '/runs/r', '01-map', '{TASK}'],
      logDir,
      env: { FOO: "it's $HOME" },
      cwd: dir,
    });
    const runIdx = (idx: number) =>
      spawnSync('bash', ['-s'], { input: script, env: { ...process.env, SLURM_ARRAY_TASK_ID: String(idx), SLURM_ARRAY_JOB_ID: '77' }, encoding: 'utf8' });
    const r1 = runIdx(1);
    assert.equal(r1.status, 0, r1.stderr);
    const log5 = readFileSync(join(logDir, 'task-00005.log'), 'utf8');
    assert.match(log5, /curate task 5 of step 01-map: Slurm job 77_1/);
    assert.match(log5, /args: \/runs\/r 01-map 5/);
    assert.match(log5, /FOO=it's \$HOME/);
    assert.match(log5, /=== exit 0/);
    const r2 = runIdx(2);
    assert.notEqual(r2.status, 0, 'the task failure is the job failure');
    assert.match(readFileSync(join(logDir, 'task-00009.log'), 'utf8'), /=== exit 1/);
    assert.ok(!existsSync(join(logDir, 'task-00004.log')));
    assert.throws(() => arrayScript({ runDir: 'r', step: 's', tasks: [0], command: ['x'], logDir, env: { 'BAD-NAME': '1' }, cwd: dir }), /BAD-NAME/);
  });

  it('quotes for bash', () => {
    const r = spawnSync('bash', ['-c', `printf %s ${shq("a 'b' $c \"d\"")}`], { encoding: 'utf8' });
    assert.equal(r.stdout, `a 'b' $c "d"`);
  });

  it('keeps logs in the run dir, or in a local folder for remote run dirs', () => {
    assert.equal(localLogRoot('/runs/r', 'demo'), '/runs/r/logs');
    const remote = localLogRoot('s3://b/runs/r', 'demo', { CURATE_SLURM_LOG_DIR: '/shared/logs' });
    assert.match(remote, /^\/shared\/logs\/demo-[0-9a-f]{8}$/);
    assert.equal(taskLogPath('/l', '01-map', 42), '/l/01-map/task-00042.log');
  });
});
