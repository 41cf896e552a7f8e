// Copies a Slurm task's local log file into a remote run directory (s3://) when the task ends:
//   node pipeline/executors/slurm-log-upload.ts <local-file> <uri>
// S3 settings come from the environment (CURATE_S3_SETTINGS carries the manifest's storage.s3 section).
import { readFileSync } from 'node:fs';
import { openStorage } from '../storage-settings.ts';

const [local, uri] = process.argv.slice(2);
if (!local || !uri) {
  console.error('usage: slurm-log-upload.ts <local-file> <uri>');
  process.exit(2);
}
const storage = await openStorage();
await storage.write(uri, readFileSync(local));
