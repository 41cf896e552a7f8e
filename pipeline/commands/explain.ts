// `curate explain <run-dir> <doc-id>`: one document's path through a run.
import type { Command } from 'commander';
import { explain, renderExplanation } from '../report/explain.ts';

export function register(program: Command): void {
  program.command('explain')
    .description('Explain one document of a run: origin, every signal value, each stage\'s decision and reason, its dedup cluster (members, sources, who survived and why), classifier outputs, and whether it is in the final output.')
    .argument('<run-dir>', 'run directory (the --output of `curate run`)')
    .argument('<doc-id>', 'document id (the `id` column)')
    .option('--json', 'machine-readable output')
    .option('--members <n>', 'dedup cluster members to list', (v) => parseInt(v, 10), 50)
    .action(async (runDir: string, id: string, o: { json?: boolean; members: number }) => {
      const e = await explain(runDir, id, { maxMembers: o.members });
      process.stdout.write(o.json ? JSON.stringify(e, null, 1) + '\n' : renderExplanation(e));
    });
}
