// `npm run bench`: runs every bench/*.bench.ts in turn (each prints its own table).
// Pass names to run a subset: npm run bench -- pipeline formats
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).filter((f) => only.length === 0 || only.some((o) => f.startsWith(o))).sort();
console.log(`node ${process.version}, ${(await import('node:os')).availableParallelism()} cores; benches: ${files.join(', ')}\n`);
let failed = 0;
for (const f of files) {
  console.log(`=== ${f}`);
  const r = spawnSync(process.execPath, [dir + f], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`(${f} exited with ${r.status})`); }
  console.log();
}
process.exit(failed ? 1 : 0);
