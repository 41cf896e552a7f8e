// `curate cancel <run-dir>`: scancel every Slurm job a run submitted (ids recorded in <run>/_run/slurm/jobs.json).
// Finished tasks keep their markers; running `curate run` again later resumes with the unfinished ones.
import type { Command } from 'commander';
import { openStorage } from '../storage-settings.ts';
import { allJobIds, queue, readJobRecord, scancel, jobRecordUri } from '../executors/slurm-cli.ts';
import { runPaths } from '../rundir.ts';

export function register(program: Command): void {
  program
    .command('cancel')
    .description('Cancel the Slurm jobs of a run (pending and running). Finished tasks are kept; `curate run` resumes later.')
    .argument('<run-dir>', 'run directory (local path or s3://)')
    .option('--wait', 'wait until Slurm has ended every cancelled job')
    .action(async (runDir: string, o: { wait?: boolean }) => {
      const storage = await openStorage();
      if (!(await storage.stat(runPaths(runDir).plan))) {
        console.error(`error: ${runDir} is not a curate run directory (no _run/plan.json).`);
        process.exitCode = 1;
        return;
      }
      const rec = await readJobRecord(storage, runDir);
      const ids = allJobIds(rec);
      if (ids.length === 0) {
        console.log(`no Slurm jobs were submitted for ${runDir} (no ${jobRecordUri(runDir)}); nothing to cancel.`);
        return;
      }
      const active = await queue(ids);
      const activeIds = [...new Set(active.map((e) => e.jobId))];
      if (activeIds.length === 0) {
        console.log(`none of the run's ${ids.length} Slurm job(s) is queued or running any more; nothing to cancel.`);
        return;
      }
      await scancel(activeIds);
      console.log(`cancelled ${activeIds.length} Slurm job(s): ${activeIds.join(', ')} (${active.length} queue entries).`);
      if (o.wait) {
        for (let i = 0; i < 600; i++) {
          if ((await queue(activeIds)).length === 0) break;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      console.log(`finished tasks keep their markers: \`curate status ${runDir}\` shows them; rerun \`curate run\` to resume.`);
    });
}
