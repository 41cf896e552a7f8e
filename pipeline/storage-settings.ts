// Builds the Storage for a run. S3 settings come from the manifest's `storage.s3` (saved in the run's plan) or
// the environment; the S3 driver registers itself when its module is loaded.
import type { Storage } from './types.ts';
import { createStorage } from './storage.ts';

let drivers: Promise<void> | null = null;

/** Loads optional storage backends once (S3), so `createStorage` knows every scheme. */
export async function loadDrivers(): Promise<void> {
  drivers ??= (async () => {
    try {
      await import('./drivers/s3.ts');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  })();
  return drivers;
}

/**
 * The storage of a run. `settings` is the manifest's `storage` section: its `s3` part configures the S3 driver here
 * and (through the environment, CURATE_S3_SETTINGS) in every worker thread and Slurm task started afterwards.
 */
export async function openStorage(_runDir?: string, settings?: { s3?: unknown }): Promise<Storage> {
  await loadDrivers();
  if (settings?.s3 !== undefined) {
    const s3 = await import('./drivers/s3.ts');
    s3.setS3Settings(settings.s3 as Parameters<typeof s3.setS3Settings>[0]);
  }
  return createStorage();
}
