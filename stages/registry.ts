// Every stage a manifest can name. `curate list` prints this registry.
import type { StageDefinition } from '../pipeline/types.ts';
import { stages as io } from './io/index.ts';
import { stages as signals } from './signals/index.ts';
import { stages as filters } from './filters/index.ts';
import { stages as dedup } from './dedup/index.ts';
import { stages as classify } from './classify/index.ts';
import { stages as tokenize } from './tokenize/index.ts';
import { stages as mix } from './mix/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const registry: ReadonlyMap<string, StageDefinition<any>> = buildRegistry([
  ...io, ...signals, ...filters, ...dedup, ...classify, ...tokenize, ...mix,
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function buildRegistry(defs: StageDefinition<any>[]): Map<string, StageDefinition<any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m = new Map<string, StageDefinition<any>>();
  for (const d of defs) {
    if (m.has(d.name)) throw new Error(`stage name registered twice: ${d.name}`);
    m.set(d.name, d);
  }
  return m;
}
